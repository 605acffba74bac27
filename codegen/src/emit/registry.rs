//! `wecom_sdk::registry`: every endpoint as data (feature `registry`), for the CLI and the mock.
//! Parameters, limits and credentials are in each endpoint's `META`; the registry adds what only
//! tools need: the summary, the documented examples, and a way to call with JSON.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::shape::ident;
use crate::ir::{Api, Response};

pub fn registry(api: &Api) -> TokenStream {
    let rows = api.groups.iter().flat_map(|g| {
        g.endpoints.iter().map(move |e| {
            let module = ident(&g.name);
            let request = format_ident!("{}", e.request_type);
            let ty = quote!(crate::#module::#request);
            let group = &g.name;
            let name = &e.name;
            let summary = &e.summary;
            let example_request = match &e.example_request {
                Some(r) => {
                    let lit = Literal::string(&r.text);
                    quote!(Some(#lit))
                }
                None => quote!(None),
            };
            let example_response = Literal::string(&e.example_response.text);
            let docs = e.params.iter().map(|p| p.description.split_whitespace().collect::<Vec<_>>().join(" "));
            let kind = match e.response {
                Response::Binary => quote!(registry::file::<#ty>()),
                _ => quote!(registry::json::<#ty>()),
            };
            let cfg = (!g.core).then(|| quote!(#[cfg(feature = #group)]));
            quote! {
                #cfg
                all.push(registry::operation(#group, #name, #summary, #example_request, #example_response, &[#(#docs),*], #kind));
            }
        })
    });
    quote! {
        #![doc = " Every endpoint of the spec as a [`crate::registry::Operation`]."]
        use crate::registry;

        /// The operations of every group compiled in, in spec order.
        #[allow(clippy::vec_init_then_push, unused_mut)]
        pub(crate) fn operations() -> Vec<registry::Operation> {
            let mut all = Vec::new();
            #(#rows)*
            all
        }
    }
}
