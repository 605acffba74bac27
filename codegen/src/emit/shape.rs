//! How a spec field looks in Rust: its type, whether it is an `Option`, and the wire adapter
//! (`wecom_sdk::rt::wire`) that gives it WeCom's wire form and lenient decoding.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{Field, Module, Ty, TypeDef, TypeRef};

/// Where the struct holding a field is used; decides optionality and strictness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facing {
    /// Built by callers (request parameters and the types they reach).
    pub request: bool,
    /// Decoded from the server (responses and the types they reach).
    pub response: bool,
}

pub const PARAMS: Facing = Facing {
    request: true,
    response: false,
};
pub const RESPONSE: Facing = Facing {
    request: false,
    response: true,
};

impl Facing {
    pub fn of(def: &TypeDef) -> Facing {
        Facing {
            request: def.usage.request,
            // A type nothing reaches is still decodable; treat it like a response type.
            response: def.usage.response || !def.usage.request,
        }
    }

    /// Unknown keys are refused and required fields must be present: only for what callers
    /// build and nothing decodes from the server.
    pub fn strict(self) -> bool {
        !self.response
    }
}

pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// Path to a named type from inside a generated group module.
pub fn named_path(reference: &TypeRef) -> TokenStream {
    let name = format_ident!("{}", reference.rust);
    match &reference.module {
        Module::Shared => quote!(crate::types::#name),
        Module::Group(_) => quote!(#name),
    }
}

/// The Rust type of a spec type, without the `Option` a field may add.
pub fn base_type(ty: &Ty, secret: bool) -> TokenStream {
    match ty {
        Ty::String if secret => quote!(Secret),
        Ty::String => quote!(String),
        Ty::Int(kind) => {
            let k = ident(kind.rust());
            quote!(#k)
        }
        Ty::F64 => quote!(f64),
        Ty::Bool | Ty::Flag => quote!(bool),
        Ty::List(inner) | Ty::Piped(inner) | Ty::Commas(inner) => {
            let inner = base_type(inner, false);
            quote!(Vec<#inner>)
        }
        Ty::Map(inner) => {
            let inner = base_type(inner, false);
            quote!(BTreeMap<String, #inner>)
        }
        Ty::Json => quote!(Value),
        Ty::File => quote!(Upload),
        Ty::Named(reference) => named_path(reference),
    }
}

/// Whether a field is an `Option` in Rust. Collections in pure response types are plain
/// (absent decodes as empty); anything a caller builds keeps "not sent" apart from "empty".
pub fn is_optional(field: &Field, facing: Facing) -> bool {
    !field.required && (facing.request || !field.ty.is_collection())
}

/// The field's Rust type, `Option` included.
pub fn field_type(field: &Field, facing: Facing) -> TokenStream {
    let base = base_type(&field.ty, field.secret);
    if is_optional(field, facing) {
        quote!(Option<#base>)
    } else {
        base
    }
}

/// A wire adapter: a leaf (`Lenient`) or a container of one (`Vec<Flag>`).
#[derive(Debug, Clone, PartialEq)]
pub enum Marker {
    Leaf(&'static str),
    Wrap(&'static str, Box<Marker>),
}

impl Marker {
    pub fn tokens(&self) -> TokenStream {
        match self {
            Marker::Leaf(name) => {
                let name = ident(name);
                quote!(wire::#name)
            }
            Marker::Wrap(wrapper, inner) => {
                let inner = inner.tokens();
                match *wrapper {
                    "Option" => quote!(Option<#inner>),
                    "Vec" => quote!(Vec<#inner>),
                    other => {
                        let other = ident(other);
                        quote!(wire::#other<#inner>)
                    }
                }
            }
        }
    }

    /// Whether encoding through it is what plain `Serialize` does (then the field serializes as
    /// it is, with no adapter).
    pub fn encodes_plainly(&self) -> bool {
        match self {
            Marker::Leaf(name) => matches!(*name, "Plain" | "Lenient"),
            Marker::Wrap(wrapper, inner) => {
                matches!(*wrapper, "Option" | "Vec" | "Map") && inner.encodes_plainly()
            }
        }
    }
}

/// The adapter of a field's value (without the `Option` wrapper).
pub fn marker(field: &Field) -> Marker {
    if field.secret {
        return Marker::Leaf("Expose");
    }
    if field.as_string {
        let inner = match &field.ty {
            Ty::Named(_) => Marker::Leaf("Plain"),
            _ => Marker::Leaf("Lenient"),
        };
        return Marker::Wrap("Str", Box::new(inner));
    }
    element_marker(&field.ty)
}

pub fn element_marker(ty: &Ty) -> Marker {
    match ty {
        Ty::String | Ty::Int(_) | Ty::F64 | Ty::Bool => Marker::Leaf("Lenient"),
        Ty::Flag => Marker::Leaf("Flag"),
        Ty::Json | Ty::Named(_) | Ty::File => Marker::Leaf("Plain"),
        Ty::List(inner) => Marker::Wrap("Vec", Box::new(element_marker(inner))),
        Ty::Map(inner) => Marker::Wrap("Map", Box::new(element_marker(inner))),
        Ty::Piped(inner) => Marker::Wrap("Piped", Box::new(element_marker(inner))),
        Ty::Commas(inner) => Marker::Wrap("Commas", Box::new(element_marker(inner))),
    }
}

/// The field's adapter including its `Option`.
pub fn full_marker(field: &Field, facing: Facing) -> Marker {
    let m = marker(field);
    if is_optional(field, facing) {
        Marker::Wrap("Option", Box::new(m))
    } else {
        m
    }
}

/// How a caller hands over a value of this type: `impl Into<String>` for text, an iterator for
/// lists, the value itself otherwise. Returns the parameter type and the conversion expression.
pub fn argument(field: &Field, name: &Ident) -> (TokenStream, TokenStream) {
    match &field.ty {
        Ty::String if field.secret => (quote!(impl Into<Secret>), quote!(#name.into())),
        Ty::String => (quote!(impl Into<String>), quote!(#name.into())),
        // `a|b|c` ids: anything that prints as one (a `&str`, a `String`, a department's `u32`).
        Ty::Piped(inner) if matches!(inner.as_ref(), Ty::String) => (
            quote!(impl IntoIterator<Item = impl std::fmt::Display>),
            quote!(#name.into_iter().map(|item| item.to_string()).collect()),
        ),
        Ty::List(inner) | Ty::Piped(inner) | Ty::Commas(inner) => match inner.as_ref() {
            Ty::String => (
                quote!(impl IntoIterator<Item = impl Into<String>>),
                quote!(#name.into_iter().map(Into::into).collect()),
            ),
            other => {
                let item = base_type(other, false);
                (
                    quote!(impl IntoIterator<Item = #item>),
                    quote!(#name.into_iter().collect()),
                )
            }
        },
        Ty::Named(reference) => {
            let path = named_path(reference);
            (quote!(impl Into<#path>), quote!(#name.into()))
        }
        other => (base_type(other, false), quote!(#name)),
    }
}
