//! Named types: object structs, open enums and tagged unions.

use std::collections::BTreeMap;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs::{doc_attrs, field_doc, prose};
use super::shape::{Facing, argument, field_shape, ident, named_path};
use crate::ir::{EnumValue, Field, IntKind, TypeDef, TypeKind, Variant};

pub fn named_type(def: &TypeDef) -> TokenStream {
    match &def.kind {
        TypeKind::Object { fields } => object(def, fields),
        TypeKind::IntEnum { repr, values } => int_enum(def, *repr, values),
        TypeKind::StrEnum { values } => str_enum(def, values),
        TypeKind::Union { tag, variants } => union(def, tag, variants),
    }
}

fn facing_of(def: &TypeDef) -> Facing {
    Facing {
        request: def.usage.request,
        // A type nothing reaches is still decodable; treat it like a response type.
        response: def.usage.response || !def.usage.request,
    }
}

fn object(def: &TypeDef, fields: &[Field]) -> TokenStream {
    let facing = facing_of(def);
    let name = format_ident!("{}", def.name);
    let doc = doc_attrs(&prose(&def.description));
    let body = struct_fields(fields, facing, false);
    let default =
        (facing.response || fields.iter().all(|f| !f.required)).then(|| quote!(::core::default::Default,));
    let strict = (!facing.response && !fields.iter().any(|f| f.flatten))
        .then(|| quote!(#[serde(deny_unknown_fields)]));
    let builder = facing
        .request
        .then(|| constructor_and_setters(&name, fields, facing));
    let validate = facing.request.then(|| {
        let checks = super::validate::struct_checks(fields, facing, &[]);
        let doc = format!(" Checks the documented limits of every field of `{}`.", def.name);
        quote! {
            impl #name {
                #[doc = #doc]
                pub fn validate(&self) -> ::core::result::Result<(), crate::Violation> {
                    #checks
                    ::core::result::Result::Ok(())
                }
            }
        }
    });
    quote! {
        #doc
        #[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq, #default ::serde::Serialize, ::serde::Deserialize)]
        #strict
        #[non_exhaustive]
        pub struct #name {
            #body
        }
        #builder
        #validate
    }
}

/// The fields of a struct with their docs and serde attributes.
pub fn struct_fields(fields: &[Field], facing: Facing, is_param: bool) -> TokenStream {
    let items = fields.iter().map(|f| {
        let shape = field_shape(f, facing, is_param);
        let doc = doc_attrs(&field_doc(f));
        let name = ident(&f.rust);
        let ty = shape.ty;
        let attrs = shape.attrs;
        quote! {
            #doc
            #attrs
            pub #name: #ty,
        }
    });
    quote!(#(#items)*)
}

/// `new(required...)` and one setter per optional field.
pub fn constructor_and_setters(name: &proc_macro2::Ident, fields: &[Field], facing: Facing) -> TokenStream {
    let (params, inits) = constructor_parts(fields, facing);
    let setters = fields
        .iter()
        .filter(|f| super::shape::is_optional(f, facing))
        .map(|f| {
            let field = ident(&f.rust);
            setter(f, quote!(self.#field))
        });
    let doc = format!(" Creates a `{name}` from its required fields; the setters fill in the rest.");
    let allow = (params.len() > 6).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        impl #name {
            #[doc = #doc]
            #allow
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits),* }
            }
            #(#setters)*
        }
    }
}

/// The arguments of `new` (required fields, in spec order) and the field initialisers.
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
        } else if super::shape::is_optional(f, facing) {
            inits.push(quote!(#name: ::core::option::Option::None));
        } else {
            inits.push(quote!(#name: ::core::default::Default::default()));
        }
    }
    (params, inits)
}

/// A consuming setter that assigns `Some(value)` to `target` (a place expression of `self`).
pub fn setter(field: &Field, target: TokenStream) -> TokenStream {
    let name = ident(&field.rust);
    let (ty, convert) = argument(field, &name);
    let doc = doc_attrs(&field_doc(field));
    quote! {
        #doc
        pub fn #name(mut self, #name: #ty) -> Self {
            #target = ::core::option::Option::Some(#convert);
            self
        }
    }
}

fn int_enum(def: &TypeDef, repr: IntKind, values: &[EnumValue<i64>]) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let repr_ty = ident(repr.rust());
    let doc = doc_attrs(&format!(
        "{}\n\nAn open enum: values this version does not name still decode and round-trip.",
        prose(&def.description)
    ));
    let consts = values.iter().map(|v| {
        let constant = format_ident!("{}", v.name);
        let value = int_literal(v.value, repr);
        let doc = doc_attrs(&format!("`{}`: {}", v.value, prose(&v.description)));
        quote! {
            #doc
            pub const #constant: Self = Self(#value);
        }
    });
    let names = values.iter().map(|v| {
        let value = int_literal(v.value, repr);
        let label = &v.name;
        quote!(#value => ::core::option::Option::Some(#label),)
    });
    let known_format = format!("{}::{{}}", def.name);
    let unknown_format = format!("{}({{}})", def.name);
    quote! {
        #doc
        #[derive(::core::clone::Clone, ::core::marker::Copy, ::core::cmp::PartialEq, ::core::cmp::Eq, ::core::hash::Hash, ::core::cmp::PartialOrd, ::core::cmp::Ord, ::core::default::Default)]
        pub struct #name(pub #repr_ty);

        impl #name {
            #(#consts)*

            /// The constant name of a value the spec knows, `None` for others.
            pub const fn name(self) -> ::core::option::Option<&'static str> {
                match self.0 {
                    #(#names)*
                    _ => ::core::option::Option::None,
                }
            }
        }

        impl ::core::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self.name() {
                    ::core::option::Option::Some(known) => ::core::write!(f, #known_format, known),
                    ::core::option::Option::None => ::core::write!(f, #unknown_format, self.0),
                }
            }
        }

        impl ::core::fmt::Display for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Display::fmt(&self.0, f)
            }
        }

        impl ::core::convert::From<#repr_ty> for #name {
            fn from(value: #repr_ty) -> Self {
                Self(value)
            }
        }

        impl ::core::convert::From<#name> for #repr_ty {
            fn from(value: #name) -> Self {
                value.0
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                ::serde::Serialize::serialize(&self.0, serializer)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                <crate::rt::wire::Lenient as crate::rt::wire::Decode<#repr_ty>>::decode(deserializer).map(Self)
            }
        }
    }
}

fn int_literal(value: i64, repr: IntKind) -> Literal {
    match repr {
        IntKind::I32 => Literal::i32_unsuffixed(value as i32),
        IntKind::I64 => Literal::i64_unsuffixed(value),
        IntKind::U8 | IntKind::U16 | IntKind::U32 | IntKind::U64 => Literal::u64_unsuffixed(value as u64),
    }
}

fn str_enum(def: &TypeDef, values: &[EnumValue<String>]) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let doc = doc_attrs(&format!(
        "{}\n\nAn open enum: values this version does not name still decode and round-trip.",
        prose(&def.description)
    ));
    let consts = values.iter().map(|v| {
        let constant = format_ident!("{}", v.name);
        let value = &v.value;
        let doc = doc_attrs(&format!("`{}`: {}", v.value, prose(&v.description)));
        quote! {
            #doc
            pub const #constant: Self = Self(::std::borrow::Cow::Borrowed(#value));
        }
    });
    let names = values.iter().map(|v| {
        let value = &v.value;
        let label = &v.name;
        quote!(#value => ::core::option::Option::Some(#label),)
    });
    let known_format = format!("{}::{{}}", def.name);
    let unknown_format = format!("{}({{:?}})", def.name);
    quote! {
        #doc
        #[derive(::core::clone::Clone, ::core::cmp::PartialEq, ::core::cmp::Eq, ::core::hash::Hash, ::core::cmp::PartialOrd, ::core::cmp::Ord, ::core::default::Default)]
        pub struct #name(::std::borrow::Cow<'static, str>);

        impl #name {
            #(#consts)*

            /// A value by its wire spelling, named by the spec or not.
            pub fn new(value: impl ::core::convert::Into<::std::string::String>) -> Self {
                Self(::std::borrow::Cow::Owned(value.into()))
            }

            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The constant name of a value the spec knows, `None` for others.
            pub fn name(&self) -> ::core::option::Option<&'static str> {
                match self.as_str() {
                    #(#names)*
                    _ => ::core::option::Option::None,
                }
            }
        }

        impl ::core::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self.name() {
                    ::core::option::Option::Some(known) => ::core::write!(f, #known_format, known),
                    ::core::option::Option::None => ::core::write!(f, #unknown_format, self.as_str()),
                }
            }
        }

        impl ::core::fmt::Display for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::core::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                Self::new(value)
            }
        }

        impl ::core::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                Self::new(value)
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                <crate::rt::wire::Lenient as crate::rt::wire::Decode<::std::string::String>>::decode(deserializer).map(Self::new)
            }
        }
    }
}

fn union(def: &TypeDef, tag: &str, variants: &[Variant]) -> TokenStream {
    let name = format_ident!("{}", def.name);
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
        quote! {
            #doc
            #variant(#payload),
        }
    });
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for v in variants {
        *uses.entry(v.ty.name.as_str()).or_default() += 1;
    }
    let froms = variants
        .iter()
        .filter(|v| uses[v.ty.name.as_str()] == 1)
        .map(|v| {
            let variant = format_ident!("{}", v.rust);
            let payload = named_path(&v.ty);
            quote! {
                impl ::core::convert::From<#payload> for #name {
                    fn from(value: #payload) -> Self {
                        Self::#variant(value)
                    }
                }
            }
        });
    let ser_arms = variants.iter().map(|v| {
        let variant = format_ident!("{}", v.rust);
        let wire = &v.wire;
        quote! {
            Self::#variant(payload) => {
                map.serialize_entry(#tag, #wire)?;
                map.serialize_entry(#wire, payload)?;
            }
        }
    });
    let de_arms = variants.iter().map(|v| {
        let variant = format_ident!("{}", v.rust);
        let wire = &v.wire;
        quote! {
            #wire => crate::rt::wire::from_payload(payload).map(Self::#variant),
        }
    });
    let wires: Vec<&str> = variants.iter().map(|v| v.wire.as_str()).collect();
    let union_checks = super::validate::union_checks(variants);
    let tag_of = variants.iter().map(|v| {
        let variant = format_ident!("{}", v.rust);
        let wire = &v.wire;
        quote!(Self::#variant(_) => #wire,)
    });
    quote! {
        #doc
        #[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq)]
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

            /// Checks the documented limits of the payload.
            pub fn validate(&self) -> ::core::result::Result<(), crate::Violation> {
                #union_checks
            }
        }

        #(#froms)*

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(::core::option::Option::Some(2))?;
                match self {
                    #(#ser_arms)*
                }
                map.end()
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                const VARIANTS: &[&str] = &[#(#wires),*];
                let (tag, payload) = crate::rt::wire::split_tagged::<D>(deserializer, #tag, VARIANTS)?;
                match tag.as_str() {
                    #(#de_arms)*
                    other => ::core::result::Result::Err(<D::Error as ::serde::de::Error>::unknown_variant(other, VARIANTS)),
                }
            }
        }
    }
}
