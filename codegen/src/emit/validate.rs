//! `validate()` bodies: the spec's limits and constraints as checks that run before a request
//! leaves the machine (see `wecom_sdk::rt::check`).

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::shape::{Facing, ident, is_optional};
use crate::ir::{Constraint, Field, LengthUnit, LimitValue, Limits, NamedKind, Ty, Variant};

/// The statements checking every field of a struct (`self.<field>`), then the constraints.
pub fn struct_checks(fields: &[Field], facing: Facing, constraints: &[Constraint]) -> TokenStream {
    let checks = fields.iter().map(|f| {
        let name = ident(&f.rust);
        if f.flatten {
            // The flattened union's own fields sit beside ours on the wire: no path prefix.
            return quote!(self.#name.validate()?;);
        }
        let wire = f.wire.as_str();
        let value = quote!(value);
        let body = value_checks(&f.ty, &f.limits, f.secret, wire, &value);
        if body.is_empty() {
            return quote!();
        }
        if is_optional(f, facing) {
            quote! {
                if let ::core::option::Option::Some(value) = &self.#name {
                    #body
                }
            }
        } else {
            quote! {
                {
                    let value = &self.#name;
                    #body
                }
            }
        }
    });
    let rules = constraints.iter().map(|c| {
        let (names, check) = match c {
            Constraint::AtLeastOneOf(names) => (names, quote!(at_least_one)),
            Constraint::AtMostOneOf(names) => (names, quote!(at_most_one)),
        };
        let pairs = names.iter().filter_map(|wire| {
            let field = fields.iter().find(|f| &f.wire == wire)?;
            let name = ident(&field.rust);
            // Given: present, and for text and lists not empty.
            let listy = matches!(field.ty, Ty::String | Ty::List(_) | Ty::Piped(_) | Ty::Map(_));
            let given = match (is_optional(field, facing), listy) {
                (true, true) => quote!(self.#name.as_ref().is_some_and(|value| !value.is_empty())),
                (true, false) => quote!(self.#name.is_some()),
                (false, true) => quote!(!self.#name.is_empty()),
                (false, false) => quote!(true),
            };
            Some(quote!((#wire, #given)))
        });
        quote!(crate::rt::check::#check(&[#(#pairs),*])?;)
    });
    quote! {
        #(#checks)*
        #(#rules)*
    }
}

/// The checks of one value (`value` is a reference to it) named `wire` in violations.
fn value_checks(ty: &Ty, limits: &Limits, secret: bool, wire: &str, value: &TokenStream) -> TokenStream {
    match ty {
        Ty::List(inner) | Ty::Piped(inner) => {
            let count = limits.items.map(|(min, max)| {
                let (min, max) = (opt_u64(min), opt_u64(max));
                quote!(crate::rt::check::items(#wire, #value.len(), #min, #max)?;)
            });
            let element_limits = Limits {
                items: None,
                ..limits.clone()
            };
            let element = value_checks(inner, &element_limits, false, "", &quote!(item));
            let each = (!element.is_empty()).then(|| {
                quote! {
                    for (index, item) in #value.iter().enumerate() {
                        (|| -> crate::rt::check::Checked {
                            #element
                            ::core::result::Result::Ok(())
                        })()
                        .map_err(|v| v.at(index).within(#wire))?;
                    }
                }
            });
            quote!(#count #each)
        }
        Ty::Map(_) => match limits.items {
            Some((min, max)) => {
                let (min, max) = (opt_u64(min), opt_u64(max));
                quote!(crate::rt::check::items(#wire, #value.len(), #min, #max)?;)
            }
            None => quote!(),
        },
        Ty::String => {
            let text = if secret {
                quote!(#value.expose())
            } else {
                quote!(#value.as_str())
            };
            text_checks(limits, wire, &text)
        }
        Ty::Int(_) => {
            let range = limits.range.map(|(min, max)| {
                let (min, max) = (opt_i64(min), opt_i64(max));
                quote!(crate::rt::check::range(#wire, i128::from(*#value), #min, #max)?;)
            });
            let values = int_values(limits, wire, &quote!(*#value));
            quote!(#range #values)
        }
        Ty::F64 => limits.range.map_or(quote!(), |(min, max)| {
            let (min, max) = (opt_i64(min), opt_i64(max));
            quote!(crate::rt::check::range_f64(#wire, *#value, #min, #max)?;)
        }),
        Ty::File => limits.size.map_or(quote!(), |(min, max)| {
            let (min, max) = (opt_u64(min), opt_u64(max));
            quote!(crate::rt::check::size(#wire, #value.known_size(), #min, #max)?;)
        }),
        Ty::Named(reference) => match reference.kind {
            NamedKind::IntEnum => {
                let range = limits.range.map(|(min, max)| {
                    let (min, max) = (opt_i64(min), opt_i64(max));
                    quote!(crate::rt::check::range(#wire, i128::from(#value.0), #min, #max)?;)
                });
                let values = int_values(limits, wire, &quote!(#value.0));
                quote!(#range #values)
            }
            NamedKind::StrEnum => text_checks(limits, wire, &quote!(#value.as_str())),
            NamedKind::Object | NamedKind::Union => {
                if wire.is_empty() {
                    quote!(#value.validate()?;)
                } else {
                    quote!(#value.validate().map_err(|v| v.within(#wire))?;)
                }
            }
        },
        Ty::Bool | Ty::Flag | Ty::Json => quote!(),
    }
}

fn text_checks(limits: &Limits, wire: &str, text: &TokenStream) -> TokenStream {
    let length = limits.length.map(|(min, max, unit)| {
        let (min, max) = (opt_u64(min), opt_u64(max));
        let bytes = unit == LengthUnit::Bytes;
        quote!(crate::rt::check::length(#wire, #text, #min, #max, #bytes)?;)
    });
    let strings: Vec<&str> = limits
        .values
        .iter()
        .filter_map(|v| match v {
            LimitValue::Str(s) => Some(s.as_str()),
            LimitValue::Int(_) => None,
        })
        .collect();
    let values =
        (!strings.is_empty()).then(|| quote!(crate::rt::check::one_of_str(#wire, #text, &[#(#strings),*])?;));
    let pattern = limits.pattern.as_ref().map(|p| {
        quote! {
            {
                static PATTERN: ::std::sync::OnceLock<::core::option::Option<::regex_lite::Regex>> = ::std::sync::OnceLock::new();
                crate::rt::check::pattern(#wire, #text, #p, &PATTERN)?;
            }
        }
    });
    quote!(#length #values #pattern)
}

fn int_values(limits: &Limits, wire: &str, value: &TokenStream) -> TokenStream {
    let ints: Vec<Literal> = limits
        .values
        .iter()
        .filter_map(|v| match v {
            LimitValue::Int(i) => Some(Literal::i128_unsuffixed(i128::from(*i))),
            LimitValue::Str(_) => None,
        })
        .collect();
    if ints.is_empty() {
        return quote!();
    }
    quote!(crate::rt::check::one_of_int(#wire, i128::from(#value), &[#(#ints),*])?;)
}

/// The checks of a union: its payload's, under the variant's name.
pub fn union_checks(variants: &[Variant]) -> TokenStream {
    let arms = variants.iter().map(|v| {
        let variant = quote::format_ident!("{}", v.rust);
        let wire = &v.wire;
        quote!(Self::#variant(payload) => payload.validate().map_err(|v| v.within(#wire)),)
    });
    quote! {
        match self {
            #(#arms)*
        }
    }
}

fn opt_u64(v: Option<u64>) -> TokenStream {
    match v {
        Some(n) => {
            let n = Literal::u64_unsuffixed(n);
            quote!(::core::option::Option::Some(#n))
        }
        None => quote!(::core::option::Option::None),
    }
}

fn opt_i64(v: Option<i64>) -> TokenStream {
    match v {
        Some(n) => {
            let n = Literal::i64_unsuffixed(n);
            quote!(::core::option::Option::Some(#n))
        }
        None => quote!(::core::option::Option::None),
    }
}
