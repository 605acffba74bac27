//! `Serialize` and `Deserialize` for generated structs, written against the runtime's helpers
//! (`wecom_sdk::rt::{ser, de}`) rather than derived: one line per field instead of serde_derive's
//! visitor, field enum and per-field adapter types, which is most of what the compiler spends on
//! a generated SDK. Structs the compact form cannot express (a flattened union, a required field
//! with no default value, more than 128 fields) fall back to serde_derive.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::shape::{Facing, full_marker, ident, is_optional};
use crate::ir::{Api, Field, Ty, TypeId, TypeKind};

/// Whether a struct with these fields needs serde_derive's `Deserialize`.
pub fn needs_derive(api: &Api, fields: &[Field], facing: Facing, memo: &mut BTreeMap<TypeId, bool>) -> bool {
    fields.len() > 128
        || fields.iter().any(|f| {
            f.flatten
                || (!is_optional(f, facing) && !f.ty.is_collection() && !initialisable(api, &f.ty, memo))
        })
}

/// Whether a value of `ty` has a starting value to decode into.
fn initialisable(api: &Api, ty: &Ty, memo: &mut BTreeMap<TypeId, bool>) -> bool {
    match ty {
        Ty::File => false,
        Ty::Named(r) => {
            if let Some(known) = memo.get(&r.id) {
                return *known;
            }
            // Assume yes while looking, so a recursive type does not loop.
            memo.insert(r.id, true);
            let def = api.ty(r.id);
            let ok = match &def.kind {
                TypeKind::Union { .. } => false,
                TypeKind::Object { fields } => !needs_derive(api, fields, Facing::of(def), memo),
                _ => true,
            };
            memo.insert(r.id, ok);
            ok
        }
        _ => true,
    }
}

/// `impl Serialize`: each field through its adapter; absent options are left out. A response
/// type's lists and maps are plain collections and always written (`[]` included), so that what
/// was decoded is what is encoded.
pub fn serialize(name: &proc_macro2::Ident, fields: &[Field], facing: Facing) -> TokenStream {
    let wire_name = name.to_string();
    let count = fields.len();
    let lines = fields.iter().map(|f| {
        let field = ident(&f.rust);
        let wire = &f.wire;
        if f.flatten {
            return quote!(self.#field.flatten_into(&mut o)?;);
        }
        let optional = is_optional(f, facing);
        let marker = super::shape::marker(f);
        let plain = marker.encodes_plainly();
        let m = marker.tokens();
        match (optional, plain) {
            (true, true) => quote!(o.opt(#wire, &self.#field)?;),
            (true, false) => quote!(o.opt_with::<#m, _>(#wire, &self.#field)?;),
            (false, true) => quote!(o.field(#wire, &self.#field)?;),
            (false, false) => quote!(o.with::<#m, _>(#wire, &self.#field)?;),
        }
    });
    let lines: Vec<TokenStream> = lines.collect();
    let binding = if lines.is_empty() {
        quote!(o)
    } else {
        quote!(mut o)
    };
    quote! {
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let #binding = ser::Obj::new(serializer, #wire_name, #count)?;
                #(#lines)*
                o.end()
            }
        }
    }
}

/// `rt::wire!` for a struct the compact form can express: `Serialize`, `Deserialize` and
/// `de::Fields` from one line per field.
pub fn wire(api: &Api, name: &str, fields: &[Field], facing: Facing) -> TokenStream {
    let strict = if facing.strict() { "strict" } else { "lenient" };
    let mut required: u128 = 0;
    if facing.strict() {
        for (i, f) in fields.iter().enumerate() {
            if f.required {
                required |= 1 << i;
            }
        }
    }
    let mut text = format!("rt::wire! {{\n    {name}: {strict}, required {required};\n");
    for f in fields {
        let optional = is_optional(f, facing);
        let how = if optional { "opt" } else { "field" };
        let marker = super::verbatim::ty(&super::shape::marker(f).tokens());
        let init = match &f.ty {
            Ty::Named(r) if !optional && matches!(api.ty(r.id).kind, TypeKind::Object { .. }) => {
                let path = super::verbatim::ty(&super::shape::named_path(r));
                format!(" = <{path} as de::Fields>::init()")
            }
            _ => String::new(),
        };
        text.push_str(&format!("    {} {:?}: {how} {marker}{init};\n", f.rust, f.wire));
    }
    text.push('}');
    super::verbatim::item(text)
}

/// The `#[serde(...)]` attributes of one field for the serde_derive fallback.
pub fn derive_attrs(field: &Field, facing: Facing) -> TokenStream {
    let mut args: Vec<TokenStream> = Vec::new();
    if field.rust != field.wire {
        let wire = &field.wire;
        args.push(quote!(rename = #wire));
    }
    if field.flatten {
        args.push(quote!(flatten));
        return quote!(#[serde(#(#args),*)]);
    }
    if !field.required || facing.response {
        args.push(quote!(default));
    }
    let marker = full_marker(field, facing);
    let plain_decode = matches!(&marker, super::shape::Marker::Leaf("Plain"));
    if !plain_decode {
        let path = format!("crate::rt::wire::As::<{}>::deserialize", marker_path(&marker));
        args.push(quote!(deserialize_with = #path));
    }
    if args.is_empty() {
        quote!()
    } else {
        quote!(#[serde(#(#args),*)])
    }
}

/// The adapter as a path string for `deserialize_with`.
fn marker_path(m: &super::shape::Marker) -> String {
    use super::shape::Marker;
    match m {
        Marker::Leaf(name) => format!("crate::rt::wire::{name}"),
        Marker::Wrap("Option", inner) => format!("::core::option::Option<{}>", marker_path(inner)),
        Marker::Wrap("Vec", inner) => format!("::std::vec::Vec<{}>", marker_path(inner)),
        Marker::Wrap(name, inner) => format!("crate::rt::wire::{name}<{}>", marker_path(inner)),
    }
}
