//! Callback events: a struct per event in its group's module, and `callback::Event`, the enum over
//! them all with the table that recognises each in a decrypted document.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::prose;
use super::items;
use crate::ir::{Api, Event, Group, Module, TypeDef, TypeId, TypeKind, Usage};

/// The group's event structs (compiled with the `callback` feature).
pub fn group_events(api: &Api, group: &Group, memo: &mut BTreeMap<TypeId, bool>) -> TokenStream {
    let items = group.events.iter().map(|e| {
        let def = TypeDef {
            name: e.rust.clone(),
            rust: e.rust.clone(),
            module: Module::Group(group.name.clone()),
            description: description(e),
            kind: TypeKind::Object {
                fields: e.fields.clone(),
            },
            constraints: Vec::new(),
            usage: Usage {
                request: false,
                response: true,
            },
            span: e.span.clone(),
        };
        // Every item of the struct (the struct, its serde lines, its setters) is compiled with
        // the `callback` feature only.
        let item = items::named_type(api, &def, memo);
        let Ok(file) = syn::parse2::<syn::File>(item.clone()) else {
            return item;
        };
        let gated = file.items.into_iter().map(|it| {
            quote! {
                #[cfg(feature = "callback")]
                #[cfg_attr(docsrs, doc(cfg(feature = "callback")))]
                #it
            }
        });
        quote!(#(#gated)*)
    });
    quote!(#(#items)*)
}

fn when_text(e: &Event) -> String {
    e.when
        .iter()
        .map(|(k, v)| format!("`{k}={v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn description(e: &Event) -> String {
    let mut text = format!("{} — the callback with {}.", e.title, when_text(e));
    if let Some(d) = &e.description {
        text.push_str("\n\n");
        text.push_str(d);
    }
    text.push_str(&format!(
        "\n\nIt arrives as `callback::Event::{}`. Official docs: {}",
        e.variant, e.doc
    ));
    text
}

/// `wecom-sdk/src/generated/events.rs`.
pub fn events_module(api: &Api) -> TokenStream {
    let mut all: Vec<(&Group, &Event)> = api
        .groups
        .iter()
        .flat_map(|g| g.events.iter().map(move |e| (g, e)))
        .collect();
    let variants: Vec<TokenStream> = all
        .iter()
        .map(|(g, e)| {
            let variant = format_ident!("{}", e.variant);
            let module = format_ident!("{}", g.name);
            let ty = format_ident!("{}", e.rust);
            let doc = prose(&format!("{} ({}).", e.title, when_text(e)));
            let cfg = feature(g);
            quote! {
                #[doc = #doc]
                #cfg
                #variant(crate::#module::#ty),
            }
        })
        .collect();
    let name_arms: Vec<TokenStream> = all
        .iter()
        .map(|(g, e)| {
            let variant = format_ident!("{}", e.variant);
            let name = &e.name;
            let cfg = feature(g);
            quote!(#cfg Event::#variant(_) => Some(#name),)
        })
        .collect();
    let value_arms: Vec<TokenStream> = all
        .iter()
        .map(|(g, e)| {
            let variant = format_ident!("{}", e.variant);
            let cfg = feature(g);
            quote!(#cfg Event::#variant(payload) => serde_json::to_value(payload),)
        })
        .collect();
    let decode_arms: Vec<TokenStream> = all
        .iter()
        .map(|(g, e)| {
            let variant = format_ident!("{}", e.variant);
            let name = &e.name;
            let cfg = feature(g);
            quote!(#cfg Some(#name) => crate::callback::event::decode(#name, tree).map(Event::#variant),)
        })
        .collect();
    // The most specific `when` first: `change_contact` + `create_user` before `change_contact`.
    all.sort_by_key(|(_, e)| std::cmp::Reverse(e.when.len()));
    let infos = all.iter().map(|(g, e)| {
        let name = &e.name;
        let group = &g.name;
        let title = &e.title;
        let doc = &e.doc;
        let shape = &e.shape;
        let when = e.when.iter().map(|(k, v)| quote!((#k, #v)));
        let example = e.example.as_ref().map(|x| x.text.as_str()).unwrap_or_default();
        let header: Vec<&str> = api
            .callback_shapes
            .iter()
            .find(|s| s.name == e.shape)
            .map(|s| s.header.iter().map(|f| f.wire.as_str()).collect())
            .unwrap_or_default();
        quote! {
            crate::callback::EventInfo {
                name: #name,
                group: #group,
                title: #title,
                doc: #doc,
                shape: #shape,
                header: &[#(#header),*],
                when: &[#(#when),*],
                example: #example,
            },
        }
    });
    let count = all.len();
    let doc = format!(
        " Every callback event of the spec ({count}), recognised by its `when` keys; what the spec\n does not describe, or what belongs to a group whose cargo feature is off, is `Unknown` with\n every element as it came."
    );
    quote! {
        use crate::callback::{EventError, EventInfo, Tree};

        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum Event {
            #(#variants)*
            /// A callback the spec does not describe (or whose group is not compiled in).
            Unknown(Tree),
        }

        impl Event {
            /// Recognises the event in a decrypted document and decodes its elements.
            pub fn from_tree(tree: &Tree) -> Result<Event, EventError> {
                match crate::callback::event::identify(tree) {
                    #(#decode_arms)*
                    _ => Ok(Event::Unknown(tree.clone())),
                }
            }

            /// The spec's name of the event (`create_user`); `None` for `Unknown`.
            pub fn name(&self) -> Option<&'static str> {
                match self {
                    #(#name_arms)*
                    Event::Unknown(_) => None,
                }
            }

            /// Its elements by wire name, as JSON (an `Unknown`'s as they came).
            pub fn to_value(&self) -> Result<serde_json::Value, serde_json::Error> {
                match self {
                    #(#value_arms)*
                    Event::Unknown(tree) => Ok(serde_json::Value::Object(tree.clone())),
                }
            }
        }

        /// Every event of the spec, the most specific `when` first.
        pub static EVENTS: &[EventInfo] = &[#(#infos)*];
    }
}

fn feature(g: &Group) -> Option<TokenStream> {
    (!g.core).then(|| {
        let feature = &g.name;
        quote!(#[cfg(feature = #feature)])
    })
}
