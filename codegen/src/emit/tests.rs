//! The generated test of each endpoint: every documented request goes through the typed request
//! to a local server, which checks that it arrives as documented; the documented response comes
//! back through the typed response with no field lost. The harness (`support.rs`) is hand-written
//! and reads method, path, placement and credential from the request's `META`.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::shape::ident;
use crate::ir::{Group, Response};

pub fn group_tests(group: &Group) -> TokenStream {
    let module = ident(&group.name);
    let mut tests = Vec::new();
    for e in &group.endpoints {
        let request = format_ident!("{}", e.request_type);
        let check = match e.response {
            Response::Binary => quote!(check_download),
            _ => quote!(check),
        };
        let response = raw_string(&e.example_response.text);
        let main = (
            e.name.clone(),
            e.example_request
                .as_ref()
                .map_or("{}".to_string(), |r| r.text.clone()),
        );
        let more = e
            .more_requests
            .iter()
            .map(|(label, r)| (format!("{}_{label}", e.name), r.text.clone()));
        for (name, text) in std::iter::once(main).chain(more) {
            let test = ident(&name);
            let request_text = raw_string(&text);
            tests.push(quote! {
                #[tokio::test]
                async fn #test() {
                    support::#check::<#module::#request>(#request_text, #response).await;
                }
            });
        }
    }
    let decoders = group
        .endpoints
        .iter()
        .filter(|e| !matches!(e.response, Response::Binary))
        .map(|e| {
            let request = format_ident!("{}", e.request_type);
            quote!(support::Decoder::of::<#module::#request>(),)
        });
    quote! {
        use crate::support;
        use wecom_sdk::#module;

        /// The typed decoder of every endpoint of this group.
        pub fn decoders() -> Vec<support::Decoder> {
            vec![#(#decoders)*]
        }

        #(#tests)*
    }
}

pub fn tests_mod(api: &crate::ir::Api) -> TokenStream {
    let cfg = |g: &Group| {
        (!g.core).then(|| {
            let feature = &g.name;
            quote!(#[cfg(feature = #feature)])
        })
    };
    let mods = api.groups.iter().map(|g| {
        let module = ident(&g.name);
        let cfg = cfg(g);
        quote!(#cfg pub mod #module;)
    });
    let extends = api.groups.iter().map(|g| {
        let module = ident(&g.name);
        let cfg = cfg(g);
        quote!(#cfg all.extend(#module::decoders());)
    });
    quote! {
        #(#mods)*

        /// The typed decoder of every endpoint compiled in.
        #[allow(clippy::vec_init_then_push, unused_mut)]
        pub fn decoders() -> Vec<crate::support::Decoder> {
            let mut all = Vec::new();
            #(#extends)*
            all
        }
    }
}

/// A raw string literal that holds `text` verbatim, so examples read as they do in the spec.
fn raw_string(text: &str) -> Literal {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| Literal::string(text))
}
