//! Named types: object structs, open enums (through the runtime's `int_enum!`/`str_enum!`) and
//! tagged unions.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc_attrs, field_doc, prose, setter_doc};
use super::serde::{derive_attrs, needs_derive, serialize};
use super::shape::{Facing, argument, field_type, ident, is_optional, named_path};
use crate::ir::{Api, EnumValue, Field, IntKind, TypeDef, TypeId, TypeKind, Variant};

pub fn named_type(api: &Api, def: &TypeDef, memo: &mut BTreeMap<TypeId, bool>) -> TokenStream {
    match &def.kind {
        TypeKind::Object { fields } => object(api, def, fields, memo),
        TypeKind::IntEnum { repr, values } => int_enum(def, *repr, values),
        TypeKind::StrEnum { values } => str_enum(def, values),
        TypeKind::Union { tag, variants } => union(def, tag, variants),
    }
}

fn object(api: &Api, def: &TypeDef, fields: &[Field], memo: &mut BTreeMap<TypeId, bool>) -> TokenStream {
    let facing = Facing::of(def);
    let name = format_ident!("{}", def.rust);
    let mut text = prose(&def.description);
    if !def.constraints.is_empty() {
        text.push_str("\n\n# Rules\n");
        for c in &def.constraints {
            text.push_str(&format!("\n- {}", c.sentence()));
        }
    }
    let doc = doc_attrs(&text);
    let derived = needs_derive(api, fields, facing, memo);
    let body = struct_fields(fields, facing, derived);
    let default = (facing.response || fields.iter().all(|f| !f.required)).then(|| quote!(Default,));
    let builder = facing
        .request
        .then(|| constructor_and_setters(&name, fields, facing, None));
    let de = data_impls(api, &name, fields, facing, derived);
    let derive_de = derived.then(|| quote!(serde::Deserialize,));
    let strict = (derived && facing.strict() && !fields.iter().any(|f| f.flatten))
        .then(|| quote!(#[serde(deny_unknown_fields)]));
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, #default #derive_de)]
        #strict
        #[non_exhaustive]
        pub struct #name {
            #body
        }
        #builder
        #de
    }
}

/// `Serialize`, and `Deserialize` when it is not derived.
pub fn data_impls(
    api: &Api,
    name: &proc_macro2::Ident,
    fields: &[Field],
    facing: Facing,
    derived: bool,
) -> TokenStream {
    if derived {
        serialize(name, fields, facing)
    } else {
        super::serde::wire(api, &name.to_string(), fields, facing)
    }
}

/// The fields of a struct with their docs (and serde attributes when `Deserialize` is derived).
pub fn struct_fields(fields: &[Field], facing: Facing, derived: bool) -> TokenStream {
    let items = fields.iter().map(|f| {
        let doc = doc_attrs(&field_doc(f));
        let name = ident(&f.rust);
        let ty = field_type(f, facing);
        let attrs = derived.then(|| derive_attrs(f, facing));
        quote! {
            #doc
            #attrs
            pub #name: #ty,
        }
    });
    quote!(#(#items)*)
}

/// `new(required...)` and one setter per optional field (on `via`, the call type, too).
pub fn constructor_and_setters(
    name: &proc_macro2::Ident,
    fields: &[Field],
    facing: Facing,
    via: Option<&str>,
) -> TokenStream {
    let (params, inits) = constructor_parts(fields, facing);
    let doc = format!(" A `{name}` of its required fields; the setters fill in the rest.");
    let allow = (params.len() > 6).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let setters = setters(&name.to_string(), fields, facing, via);
    quote! {
        impl #name {
            #[doc = #doc]
            #allow
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits),* }
            }
        }
        #setters
    }
}

/// `rt::setters!` for the optional fields, one line each (after its doc line).
pub fn setters(name: &str, fields: &[Field], facing: Facing, via: Option<&str>) -> Option<TokenStream> {
    let optional: Vec<&Field> = fields.iter().filter(|f| is_optional(f, facing)).collect();
    if optional.is_empty() {
        return None;
    }
    let via = via.map(|v| format!(" via {v}")).unwrap_or_default();
    let mut text = format!("rt::setters! {{\n    {name}{via};\n");
    for f in optional {
        let arg = ident(&f.rust);
        let (ty, convert) = argument(f, &arg);
        text.push_str(&super::verbatim::doc_lines(&setter_doc(f), "    "));
        if let Some(note) = &f.deprecated {
            text.push_str(&format!("    #[deprecated(note = {:?})]\n", note.trim()));
        }
        text.push_str(&format!(
            "    {}({}: {}) = {};\n",
            f.rust,
            f.rust,
            super::verbatim::ty(&ty),
            super::verbatim::expr(&convert)
        ));
    }
    text.push('}');
    Some(super::verbatim::item(text))
}

/// The arguments of `new` (required fields, and those a deprecated name may stand in for, in
/// spec order) and the field initialisers.
pub fn constructor_parts(fields: &[Field], facing: Facing) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let mut params = Vec::new();
    let mut inits = Vec::new();
    for f in fields {
        let name = ident(&f.rust);
        if f.required {
            let (ty, convert) = argument(f, &name);
            params.push(quote!(#name: #ty));
            if name == convert.to_string() {
                inits.push(quote!(#name));
            } else {
                inits.push(quote!(#name: #convert));
            }
        } else if !f.alternates.is_empty() {
            // Required by the docs; optional on the wire only because a deprecated name may
            // stand in for it, so the constructor still takes it.
            let (ty, convert) = argument(f, &name);
            params.push(quote!(#name: #ty));
            inits.push(quote!(#name: Some(#convert)));
        } else if is_optional(f, facing) {
            inits.push(quote!(#name: None));
        } else {
            inits.push(quote!(#name: Default::default()));
        }
    }
    (params, inits)
}

fn int_enum(def: &TypeDef, repr: IntKind, values: &[EnumValue<i64>]) -> TokenStream {
    let mut text = String::from("rt::int_enum! {\n");
    text.push_str(&super::verbatim::doc_lines(&prose(&def.description), "    "));
    text.push_str(&format!("    pub struct {}({}) {{\n", def.rust, repr.rust()));
    for v in values {
        text.push_str(&super::verbatim::doc_lines(
            &format!("`{}`: {}", v.value, prose(&v.description)),
            "        ",
        ));
        text.push_str(&format!(
            "        {} = {} => {:?},\n",
            v.constant, v.value, v.name
        ));
    }
    text.push_str("    }\n}");
    super::verbatim::item(text)
}

fn str_enum(def: &TypeDef, values: &[EnumValue<String>]) -> TokenStream {
    let mut text = String::from("rt::str_enum! {\n");
    text.push_str(&super::verbatim::doc_lines(&prose(&def.description), "    "));
    text.push_str(&format!("    pub struct {} {{\n", def.rust));
    for v in values {
        text.push_str(&super::verbatim::doc_lines(
            &format!("`{}`: {}", v.value, prose(&v.description)),
            "        ",
        ));
        text.push_str(&format!(
            "        {} = {:?} => {:?},\n",
            v.constant, v.value, v.name
        ));
    }
    text.push_str("    }\n}");
    super::verbatim::item(text)
}

fn union(def: &TypeDef, tag: &str, variants: &[Variant]) -> TokenStream {
    let name = format_ident!("{}", def.rust);
    let doc = doc_attrs(&format!(
        "{}\n\nOn the wire: `\"{tag}\": \"<variant>\"` beside `\"<variant>\": {{…}}`.",
        prose(&def.description)
    ));
    let items = variants.iter().map(|v| {
        let variant = format_ident!("{}", v.rust);
        let payload = named_path(&v.ty);
        let text = if v.description.is_empty() {
            format!("`{tag}: {}`", v.wire)
        } else {
            format!("{} (`{tag}: {}`)", prose(&v.description), v.wire)
        };
        let doc = doc_attrs(&text);
        quote!(#doc #variant(#payload),)
    });
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for v in variants {
        *uses.entry(v.ty.rust.as_str()).or_default() += 1;
    }
    let froms = variants
        .iter()
        .filter(|v| uses[v.ty.rust.as_str()] == 1)
        .map(|v| {
            let variant = format_ident!("{}", v.rust);
            let payload = named_path(&v.ty);
            quote! {
                impl From<#payload> for #name {
                    fn from(value: #payload) -> Self {
                        Self::#variant(value)
                    }
                }
            }
        });
    let tag_of = variants.iter().map(|v| {
        let variant = format_ident!("{}", v.rust);
        let wire = &v.wire;
        quote!(Self::#variant(_) => #wire,)
    });
    let entries = variants.iter().map(|v| {
        let variant = format_ident!("{}", v.rust);
        let wire = &v.wire;
        quote!(Self::#variant(payload) => { o.field(#tag, #wire)?; o.field(#wire, payload) })
    });
    let de_arms = variants.iter().map(|v| {
        let variant = format_ident!("{}", v.rust);
        let wire = &v.wire;
        quote!(#wire => wire::from_payload(payload).map(Self::#variant),)
    });
    let wires: Vec<&str> = variants.iter().map(|v| v.wire.as_str()).collect();
    let wire_name = def.rust.clone();
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#items)*
        }

        impl #name {
            /// The tag this value is sent with.
            pub fn tag(&self) -> &'static str {
                match self {
                    #(#tag_of)*
                }
            }

            /// Writes the tag and the payload into an enclosing object.
            #[doc(hidden)]
            pub fn flatten_into<S: serde::Serializer>(&self, o: &mut ser::Obj<S>) -> Result<(), S::Error> {
                match self {
                    #(#entries)*
                }
            }
        }

        #(#froms)*

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut o = ser::Obj::new(serializer, #wire_name, 2)?;
                self.flatten_into(&mut o)?;
                o.end()
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                const VARIANTS: &[&str] = &[#(#wires),*];
                let (tag, payload) = wire::split_tagged::<D>(deserializer, #tag, VARIANTS)?;
                match tag.as_str() {
                    #(#de_arms)*
                    other => Err(<D::Error as serde::de::Error>::unknown_variant(other, VARIANTS)),
                }
            }
        }
    }
}
