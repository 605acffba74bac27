//! How a spec field looks in Rust: its type, and the serde attributes that give it WeCom's wire
//! form and lenient decoding.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{Field, Module, Placement, Ty, TypeRef};

/// Where the struct holding a field is used; decides optionality and strictness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facing {
    /// Built by callers (request parameters and the types they reach).
    pub request: bool,
    /// Decoded from the server (responses and the types they reach).
    pub response: bool,
}

pub struct FieldShape {
    /// The Rust type of the struct field.
    pub ty: TokenStream,
    /// `#[serde(...)]` attributes.
    pub attrs: TokenStream,
}

pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// Path to a named type from inside a generated group module.
pub fn named_path(reference: &TypeRef) -> TokenStream {
    let name = format_ident!("{}", reference.name);
    match &reference.module {
        Module::Shared => quote!(crate::types::#name),
        Module::Group(_) => quote!(#name),
    }
}

/// The Rust type of a spec type, without the `Option` a field may add.
pub fn base_type(ty: &Ty, secret: bool) -> TokenStream {
    match ty {
        Ty::String if secret => quote!(crate::Secret),
        Ty::String => quote!(::std::string::String),
        Ty::Int(kind) => {
            let k = ident(kind.rust());
            quote!(#k)
        }
        Ty::F64 => quote!(f64),
        Ty::Bool | Ty::Flag => quote!(bool),
        Ty::List(inner) | Ty::Piped(inner) => {
            let inner = base_type(inner, false);
            quote!(::std::vec::Vec<#inner>)
        }
        Ty::Map(inner) => {
            let inner = base_type(inner, false);
            quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
        }
        Ty::Json => quote!(::serde_json::Value),
        Ty::File => quote!(crate::Upload),
        Ty::Named(reference) => named_path(reference),
    }
}

/// Whether a field is an `Option` in Rust. Collections in pure response types are plain
/// (absent decodes as empty); anything a caller builds keeps "not sent" apart from "empty".
pub fn is_optional(field: &Field, facing: Facing) -> bool {
    !field.required && (facing.request || !field.ty.is_collection())
}

/// The wire adapter (see `wecom_sdk::rt::wire`) for a spec type.
fn marker(ty: &Ty, field: &Field) -> Marker {
    if field.secret {
        return Marker::Leaf("Expose");
    }
    if field.as_string {
        let inner = match ty {
            Ty::Named(_) => Marker::Leaf("Plain"),
            _ => Marker::Leaf("Lenient"),
        };
        return Marker::Wrap("Str", Box::new(inner));
    }
    element_marker(ty)
}

fn element_marker(ty: &Ty) -> Marker {
    match ty {
        Ty::String | Ty::Int(_) | Ty::F64 | Ty::Bool => Marker::Leaf("Lenient"),
        Ty::Flag => Marker::Leaf("Flag"),
        Ty::Json | Ty::Named(_) | Ty::File => Marker::Leaf("Plain"),
        Ty::List(inner) => Marker::Wrap("Vec", Box::new(element_marker(inner))),
        Ty::Map(inner) => Marker::Wrap("Map", Box::new(element_marker(inner))),
        Ty::Piped(inner) => Marker::Wrap("Piped", Box::new(element_marker(inner))),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Marker {
    Leaf(&'static str),
    Wrap(&'static str, Box<Marker>),
}

impl Marker {
    fn render(&self) -> String {
        match self {
            Marker::Leaf(name) => format!("crate::rt::wire::{name}"),
            Marker::Wrap("Option", inner) => format!("::core::option::Option<{}>", inner.render()),
            Marker::Wrap("Vec", inner) => format!("::std::vec::Vec<{}>", inner.render()),
            Marker::Wrap(name, inner) => format!("crate::rt::wire::{name}<{}>", inner.render()),
        }
    }

    /// Plain values and options of them decode natively; everything else goes through `As`.
    fn is_native(&self) -> bool {
        match self {
            Marker::Leaf(name) => *name == "Plain",
            Marker::Wrap(name, inner) => *name == "Option" && inner.is_native(),
        }
    }
}

/// The type and attributes of one struct field.
pub fn field_shape(field: &Field, facing: Facing, is_param: bool) -> FieldShape {
    let optional = is_optional(field, facing);
    let base = base_type(&field.ty, field.secret);
    let ty = if optional {
        quote!(::core::option::Option<#base>)
    } else {
        base
    };

    let mut serde_args: Vec<TokenStream> = Vec::new();
    if field.rust != field.wire {
        let wire = &field.wire;
        serde_args.push(quote!(rename = #wire));
    }
    if field.flatten {
        serde_args.push(quote!(flatten));
        return FieldShape {
            ty,
            attrs: quote!(#[serde(#(#serde_args),*)]),
        };
    }
    if !field.required || facing.response {
        serde_args.push(quote!(default));
    }
    let mut marker = marker(&field.ty, field);
    if optional {
        marker = Marker::Wrap("Option", Box::new(marker));
    }
    if !marker.is_native() {
        let path = format!("crate::rt::wire::As::<{}>", marker.render());
        serde_args.push(quote!(with = #path));
    }
    if is_param && (field.placement == Placement::Query || field.ty == Ty::File) {
        serde_args.push(quote!(skip_serializing));
    } else if optional {
        serde_args.push(quote!(skip_serializing_if = "::core::option::Option::is_none"));
    } else if !field.required && field.ty.is_collection() {
        let check = match field.ty {
            Ty::Map(_) => "::std::collections::BTreeMap::is_empty",
            _ => "::std::vec::Vec::is_empty",
        };
        serde_args.push(quote!(skip_serializing_if = #check));
    }
    let attrs = if serde_args.is_empty() {
        quote!()
    } else {
        quote!(#[serde(#(#serde_args),*)])
    };
    FieldShape { ty, attrs }
}

/// How a caller hands over a value of this type: `impl Into<String>` for text, an iterator for
/// lists, the value itself otherwise. Returns the parameter type and the conversion expression.
pub fn argument(field: &Field, name: &Ident) -> (TokenStream, TokenStream) {
    match &field.ty {
        Ty::String if field.secret => (
            quote!(impl ::core::convert::Into<crate::Secret>),
            quote!(#name.into()),
        ),
        Ty::String => (
            quote!(impl ::core::convert::Into<::std::string::String>),
            quote!(#name.into()),
        ),
        Ty::List(inner) | Ty::Piped(inner) => match inner.as_ref() {
            Ty::String => (
                quote!(
                    impl ::core::iter::IntoIterator<Item = impl ::core::convert::Into<::std::string::String>>
                ),
                quote!(#name.into_iter().map(::core::convert::Into::into).collect()),
            ),
            other => {
                let item = base_type(other, false);
                (
                    quote!(impl ::core::iter::IntoIterator<Item = #item>),
                    quote!(#name.into_iter().collect()),
                )
            }
        },
        Ty::Named(reference) => {
            let path = named_path(reference);
            (quote!(impl ::core::convert::Into<#path>), quote!(#name.into()))
        }
        other => (base_type(other, false), quote!(#name)),
    }
}
