//! `wecom_sdk::registry`: every endpoint as data (feature `registry`), for the CLI and the mock.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs::limits_text;
use super::shape::ident;
use crate::ir::{Api, Field, Placement, Response, Ty};

/// The spec's spelling of a type.
pub fn spelling(ty: &Ty) -> String {
    match ty {
        Ty::String => "string".into(),
        Ty::Int(kind) => kind.rust().into(),
        Ty::F64 => "f64".into(),
        Ty::Bool => "bool".into(),
        Ty::Flag => "flag".into(),
        Ty::Json => "json".into(),
        Ty::File => "file".into(),
        Ty::List(inner) => format!("list<{}>", spelling(inner)),
        Ty::Map(inner) => format!("map<{}>", spelling(inner)),
        Ty::Piped(inner) => format!("piped<{}>", spelling(inner)),
        Ty::Named(r) => r.name.clone(),
    }
}

fn param(p: &Field) -> TokenStream {
    let name = &p.wire;
    let placement = match (p.ty == Ty::File, p.placement) {
        (true, _) => quote!(crate::registry::Placement::File),
        (false, Placement::Query) => quote!(crate::registry::Placement::Query),
        (false, Placement::Body) => quote!(crate::registry::Placement::Body),
    };
    let required = p.required;
    let type_name = spelling(&p.ty);
    let scalar = matches!(
        p.ty,
        Ty::String | Ty::Int(_) | Ty::F64 | Ty::Bool | Ty::Flag | Ty::File
    ) || matches!(&p.ty, Ty::Named(r) if matches!(r.kind, crate::ir::NamedKind::IntEnum | crate::ir::NamedKind::StrEnum));
    let limits = limits_text(&p.limits).join("; ");
    let description = p.description.split_whitespace().collect::<Vec<_>>().join(" ");
    quote!(crate::registry::param(#name, #placement, #required, #type_name, #scalar, #limits, #description))
}

pub fn registry(api: &Api) -> TokenStream {
    let pushes = api.groups.iter().flat_map(|g| {
        g.endpoints.iter().map(move |e| {
            let module = ident(&g.name);
            let request = format_ident!("{}", e.request_type());
            let ty = quote!(crate::#module::#request);
            let group = &g.name;
            let name = &e.name;
            let summary = &e.summary;
            let params = e.params.iter().map(param);
            let example_request = match &e.example_request {
                Some(r) => {
                    let lit = Literal::string(r);
                    quote!(::core::option::Option::Some(#lit))
                }
                None => quote!(::core::option::Option::None),
            };
            let example_response = Literal::string(&e.example_response);
            let (meta, kind) = match e.response {
                Response::Binary => (
                    quote!(<#ty as crate::DownloadEndpoint>::META),
                    quote!(crate::registry::file_kind(crate::registry::file_call::<#ty>, crate::registry::file_check::<#ty>)),
                ),
                _ => (
                    quote!(<#ty as crate::Endpoint>::META),
                    quote!(crate::registry::json_kind(crate::registry::json_call::<#ty>, crate::registry::json_check::<#ty>)),
                ),
            };
            let cfg = (!g.core).then(|| quote!(#[cfg(feature = #group)]));
            quote! {
                #cfg
                all.push(crate::registry::operation(
                    #group,
                    #name,
                    #summary,
                    #meta,
                    {
                        const PARAMS: &[crate::registry::Param] = &[#(#params),*];
                        PARAMS
                    },
                    #example_request,
                    #example_response,
                    #kind,
                ));
            }
        })
    });
    quote! {
        #![doc = " Every endpoint of the spec as a [`crate::registry::Operation`]."]

        /// The operations of every group compiled in, in spec order.
        #[allow(clippy::vec_init_then_push, unused_mut)]
        pub(crate) fn operations() -> ::std::vec::Vec<crate::registry::Operation> {
            let mut all = ::std::vec::Vec::new();
            #(#pushes)*
            all
        }
    }
}
