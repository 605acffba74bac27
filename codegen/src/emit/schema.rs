//! The request side of the spec as static data (`wecom_sdk::rt::schema`): each endpoint's
//! parameters and rules, and the schema of every type a request reaches. The runtime interprets
//! it to validate requests (in the SDK, the mock and the CLI), to split a request into query and
//! body, and to describe parameters to tools — so none of that is generated code.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{
    Constraint, ConstraintValue, Field, LengthUnit, LimitValue, Limits, Module, NamedKind, Placement, Ty,
    TypeDef, TypeKind, TypeRef,
};

/// The name of a type's schema static: `SCHEMA_EXT_ATTR`.
pub fn static_name(rust: &str) -> proc_macro2::Ident {
    format_ident!("SCHEMA_{}", heck::AsShoutySnakeCase(rust).to_string())
}

fn static_path(r: &TypeRef) -> TokenStream {
    let name = static_name(&r.rust);
    match &r.module {
        Module::Shared => quote!(crate::types::#name),
        Module::Group(_) => quote!(#name),
    }
}

pub fn kind(ty: &Ty) -> TokenStream {
    match ty {
        Ty::String => quote!(s::Kind::String),
        Ty::Int(_) => quote!(s::Kind::Int),
        Ty::F64 => quote!(s::Kind::Float),
        Ty::Bool => quote!(s::Kind::Bool),
        Ty::Flag => quote!(s::Kind::Flag),
        Ty::Json => quote!(s::Kind::Json),
        Ty::File => quote!(s::Kind::File),
        Ty::List(inner) => {
            let inner = kind(inner);
            quote!(s::Kind::List(&#inner))
        }
        Ty::Piped(inner) | Ty::Commas(inner) => {
            let inner = kind(inner);
            quote!(s::Kind::Piped(&#inner))
        }
        Ty::Map(inner) => {
            let inner = kind(inner);
            quote!(s::Kind::Map(&#inner))
        }
        Ty::Named(r) => {
            let path = static_path(r);
            match r.kind {
                NamedKind::Object => quote!(s::Kind::Object(&#path)),
                NamedKind::Union => quote!(s::Kind::Union(&#path)),
                NamedKind::IntEnum => quote!(s::Kind::IntEnum(&#path)),
                NamedKind::StrEnum => quote!(s::Kind::StrEnum(&#path)),
            }
        }
    }
}

fn bound_u(v: Option<u64>) -> TokenStream {
    match v {
        Some(n) => {
            let n = Literal::u64_unsuffixed(n);
            quote!(Some(#n))
        }
        None => quote!(None),
    }
}

fn bound_i(v: Option<i64>) -> TokenStream {
    match v {
        Some(n) => {
            let n = Literal::i64_unsuffixed(n);
            quote!(Some(#n))
        }
        None => quote!(None),
    }
}

pub fn limits(l: &Limits) -> TokenStream {
    let mut out = quote!(s::Limits::NONE);
    if let Some((min, max, unit)) = l.length {
        let (min, max) = (bound_u(min), bound_u(max));
        let bytes = unit == LengthUnit::Bytes;
        out = quote!(#out.length(#min, #max, #bytes));
    }
    if let Some((min, max)) = l.items {
        let (min, max) = (bound_u(min), bound_u(max));
        out = quote!(#out.items(#min, #max));
    }
    if let Some((min, max)) = l.range {
        let (min, max) = (bound_i(min), bound_i(max));
        out = quote!(#out.range(#min, #max));
    }
    if let Some((min, max)) = l.size {
        let (min, max) = (bound_u(min), bound_u(max));
        out = quote!(#out.size(#min, #max));
    }
    if !l.values.is_empty() {
        let values = l.values.iter().map(|v| match v {
            LimitValue::Int(i) => {
                let i = Literal::i64_unsuffixed(*i);
                quote!(s::Lit::Int(#i))
            }
            LimitValue::Str(text) => quote!(s::Lit::Str(#text)),
        });
        out = quote!(#out.values(&[#(#values),*]));
    }
    if let Some(p) = &l.pattern {
        out = quote!(#out.pattern(#p));
    }
    out
}

/// One field as a `s::Param` (a tuple-struct literal, so the kinds it points at live as long as
/// it does): wire name, kind, flags, limits, what replaces it if it is deprecated.
pub fn param(f: &Field, is_param: bool) -> TokenStream {
    let name = &f.wire;
    let kind = kind(&f.ty);
    let mut flags = Vec::new();
    if f.required {
        flags.push(quote!(s::REQUIRED));
    }
    if f.ty == Ty::File {
        flags.push(quote!(s::FILE));
    } else if is_param && f.placement == Placement::Query {
        flags.push(quote!(s::QUERY));
    }
    if f.secret {
        flags.push(quote!(s::SECRET));
    }
    if f.flatten {
        flags.push(quote!(s::FLATTEN));
    }
    let flags = if flags.is_empty() {
        quote!(0)
    } else {
        quote!(#(#flags)|*)
    };
    let limits = limits(&f.limits);
    let deprecated = match &f.deprecated {
        Some(note) => quote!(Some(#note)),
        None => quote!(None),
    };
    quote!(s::Param(#name, #kind, #flags, #limits, #deprecated))
}

pub fn params(fields: &[Field], is_param: bool) -> TokenStream {
    let items = fields.iter().map(|f| param(f, is_param));
    quote!(&[#(#items),*])
}

pub fn rules(constraints: &[Constraint]) -> TokenStream {
    let items = constraints.iter().map(rule);
    quote!(&[#(#items),*])
}

fn rule(c: &Constraint) -> TokenStream {
    match c {
        Constraint::AtLeastOneOf(names) => quote!(s::Rule::AtLeastOne(&[#(#names),*])),
        Constraint::AtMostOneOf(names) => quote!(s::Rule::AtMostOne(&[#(#names),*])),
        Constraint::Requires(names) => quote!(s::Rule::Requires(&[#(#names),*])),
        Constraint::When { field, values, then } => {
            let values = values.iter().map(|v| match v {
                ConstraintValue::Int(i) => {
                    let i = Literal::i64_unsuffixed(*i);
                    quote!(s::Lit::Int(#i))
                }
                ConstraintValue::Str(text) => quote!(s::Lit::Str(#text)),
            });
            let then = rule(then);
            quote!(s::Rule::When(#field, &[#(#values),*], &#then))
        }
        Constraint::IfGiven { field, then } => {
            let then = rule(then);
            quote!(s::Rule::IfGiven(#field, &#then))
        }
    }
}

/// The schema static of a type a request reaches; `None` for the others.
pub fn type_schema(def: &TypeDef) -> Option<TokenStream> {
    if !def.usage.request {
        return None;
    }
    let name = static_name(&def.rust);
    let label = &def.rust;
    // A shared type's table is read by the groups that use it, which a build may leave out.
    let allow = match def.module {
        Module::Shared => quote!(#[allow(dead_code, reason = "read by the groups that use it")]),
        Module::Group(_) => quote!(),
    };
    let item = match &def.kind {
        TypeKind::Object { fields } => {
            let params = params(fields, false);
            let rules = rules(&def.constraints);
            quote! {
                pub(crate) static #name: s::Object = s::Object(#label, #params, #rules);
            }
        }
        TypeKind::Union { tag, variants } => {
            let items = variants.iter().map(|v| {
                let wire = &v.wire;
                let payload = static_path(&v.ty);
                let requires = &v.requires;
                quote!(s::Variant(#wire, &#payload, &[#(#requires),*]))
            });
            quote! {
                pub(crate) static #name: s::Union = s::Union(#label, #tag, &[#(#items),*]);
            }
        }
        TypeKind::IntEnum { values, .. } => {
            let items = values.iter().map(|v| {
                let n = &v.name;
                let value = Literal::i64_unsuffixed(v.value);
                quote!((#n, s::Lit::Int(#value)))
            });
            quote! {
                pub(crate) static #name: s::Enum = s::Enum(#label, &[#(#items),*]);
            }
        }
        TypeKind::StrEnum { values } => {
            let items = values.iter().map(|v| {
                let n = &v.name;
                let value = &v.value;
                quote!((#n, s::Lit::Str(#value)))
            });
            quote! {
                pub(crate) static #name: s::Enum = s::Enum(#label, &[#(#items),*]);
            }
        }
    };
    Some(quote!(#allow #item))
}
