//! One endpoint: its request (data, constructor, setters on `Call`, the `Endpoint` impl), its
//! response, and its method on the group handle.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc_attrs, endpoint_doc, method_doc, prose};
use super::items::{constructor_and_setters, constructor_parts, setter, struct_fields};
use super::shape::{Facing, ident, is_optional, named_path};
use crate::ir::{Auth, BodyKind, Endpoint, Field, Group, Method, Placement, Response, Ty};

const PARAMS: Facing = Facing {
    request: true,
    response: false,
};
const RESPONSE: Facing = Facing {
    request: false,
    response: true,
};

pub fn endpoint(group: &Group, e: &Endpoint) -> TokenStream {
    let request = format_ident!("{}", e.request_type());
    let response = format_ident!("{}", e.response_type());
    let doc = doc_attrs(&endpoint_doc(e));
    let fields = struct_fields(&e.params, PARAMS, true);
    let strict = (!e.params.iter().any(|p| p.flatten)).then(|| quote!(#[serde(deny_unknown_fields)]));
    let default = e
        .params
        .iter()
        .all(|p| !p.required)
        .then(|| quote!(::core::default::Default,));
    let builder = constructor_and_setters(&request, &e.params, PARAMS);
    let call_setters: Vec<TokenStream> = e
        .params
        .iter()
        .filter(|p| is_optional(p, PARAMS))
        .map(|p| {
            let field = ident(&p.rust);
            setter(p, quote!(self.request.#field))
        })
        .collect();
    let call_impl = (!call_setters.is_empty()).then(|| {
        quote! {
            impl crate::Call<#request> {
                #(#call_setters)*
            }
        }
    });
    let endpoint_impl = endpoint_impl(group, e, &request, &response);
    let response_item = response_item(e, &response);
    quote! {
        #doc
        #[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq, #default ::serde::Serialize, ::serde::Deserialize)]
        #strict
        #[non_exhaustive]
        pub struct #request {
            #fields
        }

        #builder

        #call_impl

        #endpoint_impl

        #response_item
    }
}

fn endpoint_impl(
    group: &Group,
    e: &Endpoint,
    request: &proc_macro2::Ident,
    response: &proc_macro2::Ident,
) -> TokenStream {
    let id = e.id(&group.name);
    let path = &e.path;
    let doc = &e.doc;
    let method = match e.method {
        Method::Get => quote!(crate::Method::Get),
        Method::Post => quote!(crate::Method::Post),
    };
    let auth = match e.auth {
        Auth::AccessToken => quote!(crate::Auth::AccessToken),
        Auth::None => quote!(crate::Auth::None),
    };
    let body = match e.body {
        BodyKind::Json => quote!(crate::BodyKind::Json),
        BodyKind::None => quote!(crate::BodyKind::None),
    };
    let sensitive = e.params.iter().any(|p| p.secret) || response_has_secret(e);
    let query_params: Vec<&Field> = e
        .params
        .iter()
        .filter(|p| p.placement == Placement::Query)
        .collect();
    let write_query = (!query_params.is_empty()).then(|| {
        let pushes = query_params.iter().map(|p| query_push(p));
        quote! {
            fn write_query(&self, query: &mut crate::Query) {
                #(#pushes)*
            }
        }
    });
    quote! {
        impl crate::Endpoint for #request {
            type Response = #response;

            const META: &'static crate::EndpointMeta = &crate::EndpointMeta {
                id: #id,
                method: #method,
                path: #path,
                doc: #doc,
                auth: #auth,
                body: #body,
                sensitive: #sensitive,
            };

            #write_query
        }
    }
}

fn response_has_secret(e: &Endpoint) -> bool {
    match &e.response {
        Response::Fields(fields) => fields.iter().any(|f| f.secret),
        Response::Named(_) => false,
    }
}

fn query_push(p: &Field) -> TokenStream {
    let wire = &p.wire;
    let field = ident(&p.rust);
    let push = |value: TokenStream| match &p.ty {
        Ty::Flag => quote!(query.push_flag(#wire, *#value);),
        Ty::Piped(_) => quote!(query.push_piped(#wire, #value);),
        Ty::String if p.secret => quote!(query.push_secret(#wire, #value);),
        _ => quote!(query.push(#wire, #value);),
    };
    if is_optional(p, PARAMS) {
        let inner = push(quote!(value));
        quote! {
            if let ::core::option::Option::Some(value) = &self.#field {
                #inner
            }
        }
    } else {
        push(quote!(&self.#field))
    }
}

fn response_item(e: &Endpoint, response: &proc_macro2::Ident) -> TokenStream {
    let doc = format!(
        "What `{} {}` answers, `errcode` and `errmsg` aside (the client turns a non-zero `errcode` into [`crate::Error::Api`]).",
        e.method.as_str(),
        e.path
    );
    let doc = doc_attrs(&doc);
    match &e.response {
        Response::Named(reference) => {
            let path = named_path(reference);
            quote! {
                #doc
                pub type #response = #path;
            }
        }
        Response::Fields(fields) => {
            let body = struct_fields(fields, RESPONSE, false);
            quote! {
                #doc
                #[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq, ::core::default::Default, ::serde::Serialize, ::serde::Deserialize)]
                #[non_exhaustive]
                pub struct #response {
                    #body
                }
            }
        }
    }
}

/// The group handle (`client.user()`) and its one method per endpoint.
pub fn group_handle(group: &Group) -> TokenStream {
    let api = format_ident!("{}", group.api_type());
    let accessor = ident(&group.name);
    let handle_doc = doc_attrs(&format!(
        "{} — {}\n\nGet one with [`crate::Client::{}`]. [Official docs]({})",
        prose(&group.title),
        prose(&group.summary),
        group.name,
        group.doc
    ));
    let accessor_doc = doc_attrs(&format!("{} — {}", prose(&group.title), prose(&group.summary)));
    let methods = group.endpoints.iter().map(|e| {
        let name = ident(&e.name);
        let request = format_ident!("{}", e.request_type());
        let (params, _) = constructor_parts(&e.params, PARAMS);
        let args = e.params.iter().filter(|p| p.required).map(|p| ident(&p.rust));
        let doc = doc_attrs(&method_doc(e));
        let allow = (params.len() > 6).then(|| quote!(#[allow(clippy::too_many_arguments)]));
        quote! {
            #doc
            #allow
            pub fn #name(&self, #(#params),*) -> crate::Call<#request> {
                crate::Call::new(self.client.clone(), #request::new(#(#args),*))
            }
        }
    });
    quote! {
        #handle_doc
        #[derive(::core::clone::Clone, ::core::marker::Copy, ::core::fmt::Debug)]
        pub struct #api<'a> {
            client: &'a crate::Client,
        }

        impl crate::Client {
            #accessor_doc
            pub fn #accessor(&self) -> #api<'_> {
                #api { client: self }
            }
        }

        impl #api<'_> {
            #(#methods)*
        }
    }
}
