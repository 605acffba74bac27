//! The generated test of each endpoint: the documented request goes through the typed request to
//! a local server, which checks that it arrives as documented; the documented response comes back
//! through the typed response with no field lost. The harness (`support.rs`) is hand-written.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::shape::ident;
use crate::ir::{Auth, BodyKind, Group, Placement, Response, Ty};

pub fn group_tests(group: &Group) -> TokenStream {
    let module = ident(&group.name);
    let tests: Vec<TokenStream> = group
        .endpoints
        .iter()
        .flat_map(|e| {
            let request = format_ident!("{}", e.request_type());
            let id = e.id(&group.name);
            let method = e.method.as_str();
            let path = &e.path;
            let query_keys: Vec<&str> = e
                .params
                .iter()
                .filter(|p| p.placement == Placement::Query)
                .map(|p| p.wire.as_str())
                .collect();
            let json_body = e.body == BodyKind::Json;
            let files: Vec<&str> = e
                .params
                .iter()
                .filter(|p| p.ty == Ty::File)
                .map(|p| p.wire.as_str())
                .collect();
            let check = match e.response {
                Response::Binary => quote!(check_download),
                _ => quote!(check_endpoint),
            };
            let auth = match e.auth {
                Auth::AccessToken => "access_token",
                Auth::ProviderAccessToken => "provider_access_token",
                Auth::SuiteAccessToken => "suite_access_token",
                Auth::None => "none",
            };
            let response_example = raw_string(&e.example_response);
            let main = (
                e.name.clone(),
                e.example_request.clone().unwrap_or_else(|| "{}".to_string()),
            );
            let more = e
                .more_requests
                .iter()
                .map(|(label, text)| (format!("{}_{label}", e.name), text.clone()));
            let module = module.clone();
            let files = files.clone();
            let check = check.clone();
            std::iter::once(main)
                .chain(more)
                .map(move |(name, text)| {
                    let name = ident(&name);
                    let request_example = raw_string(&text);
                    quote! {
                        #[tokio::test]
                        async fn #name() {
                            support::#check::<wecom_sdk::#module::#request>(support::Case {
                                id: #id,
                                method: #method,
                                path: #path,
                                query_keys: &[#(#query_keys),*],
                                json_body: #json_body,
                                files: &[#(#files),*],
                                auth: #auth,
                                request: #request_example,
                                response: #response_example,
                            })
                            .await;
                        }
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let decoders = group
        .endpoints
        .iter()
        .filter(|e| !matches!(e.response, Response::Binary))
        .map(|e| {
            let request = format_ident!("{}", e.request_type());
            quote!(support::Decoder::of::<wecom_sdk::#module::#request>(),)
        });
    quote! {
        use crate::support;

        /// The typed decoder of every endpoint of this group, by path.
        pub fn decoders() -> ::std::vec::Vec<support::Decoder> {
            ::std::vec![#(#decoders)*]
        }

        #(#tests)*
    }
}

pub fn tests_mod(api: &crate::ir::Api) -> TokenStream {
    let mods = api.groups.iter().map(|g| {
        let module = ident(&g.name);
        let cfg = (!g.core).then(|| {
            let feature = &g.name;
            quote!(#[cfg(feature = #feature)])
        });
        quote! {
            #cfg
            pub mod #module;
        }
    });
    let extends = api.groups.iter().map(|g| {
        let module = ident(&g.name);
        let cfg = (!g.core).then(|| {
            let feature = &g.name;
            quote!(#[cfg(feature = #feature)])
        });
        quote! {
            #cfg
            all.extend(#module::decoders());
        }
    });
    quote! {
        #(#mods)*

        /// The typed decoder of every endpoint compiled in, by path.
        #[allow(clippy::vec_init_then_push, unused_mut)]
        pub fn decoders() -> ::std::vec::Vec<crate::support::Decoder> {
            let mut all = ::std::vec::Vec::new();
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
