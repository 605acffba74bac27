//! One endpoint: its request (data, constructor, setters, the `Endpoint` impl with its `META`),
//! its response, and its method on the group handle.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc_attrs, endpoint_doc, method_doc, prose};
use super::items::{constructor_and_setters, constructor_parts, data_impls, struct_fields};
use super::serde::needs_derive;
use super::shape::{PARAMS, RESPONSE, base_type, ident, is_optional, named_path};
use crate::ir::{Api, BodyKind, Endpoint, Field, Group, Method, Pagination, Response, Ty, TypeId};

pub fn endpoint(api: &Api, group: &Group, e: &Endpoint, memo: &mut BTreeMap<TypeId, bool>) -> TokenStream {
    let _ = group;
    let request = format_ident!("{}", e.request_type);
    let response = format_ident!("{}", e.response_type);
    let doc = doc_attrs(&endpoint_doc(e));
    let derived = needs_derive(api, &e.params, PARAMS, memo);
    let fields = struct_fields(&e.params, PARAMS, derived);
    let default = e
        .params
        .iter()
        .all(|p| !p.required && p.alternates.is_empty())
        .then(|| quote!(Default,));
    let derive_de = derived.then(|| quote!(serde::Deserialize,));
    let strict =
        (derived && !e.params.iter().any(|p| p.flatten)).then(|| quote!(#[serde(deny_unknown_fields)]));
    let call = call_type(e);
    let via = match e.response {
        Response::Binary => "DownloadCall",
        _ => "Call",
    };
    let builder = constructor_and_setters(&request, &e.params, PARAMS, Some(via));
    let stream = pagination(e, &request).map(|stream| {
        quote! {
            impl #call<#request> {
                #stream
            }
        }
    });
    let data = data_impls(api, &request, &e.params, PARAMS, derived);
    let endpoint_impl = endpoint_impl(api, e, &request, &response);
    let response_item = response_item(api, e, &response, memo);
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, #default #derive_de)]
        #strict
        #[non_exhaustive]
        pub struct #request {
            #fields
        }

        #builder
        #stream
        #data
        #endpoint_impl
        #response_item
    }
}

/// `EndpointMeta` of an endpoint: as an expression.
pub fn meta(api: &Api, e: &Endpoint) -> TokenStream {
    let id = &e.id;
    let path = &e.path;
    let doc = &e.doc;
    let method = match e.method {
        Method::Get => quote!(Method::Get),
        Method::Post => quote!(Method::Post),
    };
    let auth = match e.auth {
        Some(c) => {
            let variant = format_ident!("{}", api.credential(c).variant);
            quote!(Some(Credential::#variant))
        }
        None => quote!(None),
    };
    let body = match e.body {
        BodyKind::Json => quote!(BodyKind::Json),
        BodyKind::Multipart => quote!(BodyKind::Multipart),
        BodyKind::None => quote!(BodyKind::None),
    };
    let sensitive = e.params.iter().any(|p| p.secret) || response_has_secret(e);
    let idempotent = e.idempotent;
    let params = super::schema::params(&e.params, true);
    let rules = super::schema::rules(&e.constraints);
    let deprecated = match &e.deprecated {
        Some(note) => quote!(Some(#note)),
        None => quote!(None),
    };
    let paging = match &e.pagination {
        Some(Pagination::Cursor {
            cursor,
            next,
            items,
            last,
        }) => {
            let last = match last {
                Some(l) => quote!(Some(#l)),
                None => quote!(None),
            };
            quote!(Some(crate::Paging::Cursor { cursor: #cursor, next: #next, items: #items, last: #last }))
        }
        Some(Pagination::Offset { offset, limit, items }) => {
            quote!(Some(crate::Paging::Offset { offset: #offset, limit: #limit, items: #items }))
        }
        None => quote!(None),
    };
    quote! {
        &EndpointMeta {
            id: #id,
            method: #method,
            path: #path,
            doc: #doc,
            auth: #auth,
            body: #body,
            sensitive: #sensitive,
            idempotent: #idempotent,
            params: #params,
            rules: #rules,
            deprecated: #deprecated,
            paging: #paging,
        }
    }
}

fn endpoint_impl(
    api: &Api,
    e: &Endpoint,
    request: &proc_macro2::Ident,
    response: &proc_macro2::Ident,
) -> TokenStream {
    let meta = meta(api, e);
    let files: Vec<&Field> = e.params.iter().filter(|p| p.ty == Ty::File).collect();
    let write_files = (!files.is_empty()).then(|| {
        let required = files.iter().filter(|p| !is_optional(p, PARAMS)).map(|p| {
            let wire = &p.wire;
            let field = ident(&p.rust);
            quote!((#wire, self.#field.clone()))
        });
        let optional: Vec<TokenStream> = files
            .iter()
            .filter(|p| is_optional(p, PARAMS))
            .map(|p| {
                let wire = &p.wire;
                let field = ident(&p.rust);
                quote!(if let Some(file) = &self.#field { files.push((#wire, file.clone())); })
            })
            .collect();
        let binding = if optional.is_empty() {
            quote!(files)
        } else {
            quote!(mut files)
        };
        quote! {
            fn files(&self) -> Vec<(&'static str, Upload)> {
                let #binding = vec![#(#required),*];
                #(#optional)*
                files
            }
        }
    });
    if matches!(e.response, Response::Binary) {
        return quote! {
            impl crate::DownloadEndpoint for #request {
                const META: &'static EndpointMeta = #meta;
            }
        };
    }
    quote! {
        impl crate::Endpoint for #request {
            type Response = #response;
            const META: &'static EndpointMeta = #meta;
            #write_files
        }
    }
}

/// `Call` for JSON answers, `DownloadCall` for files.
fn call_type(e: &Endpoint) -> TokenStream {
    match e.response {
        Response::Binary => quote!(DownloadCall),
        _ => quote!(Call),
    }
}

/// `stream()` on the call of a paginated endpoint: every item of every page.
fn pagination(e: &Endpoint, request: &proc_macro2::Ident) -> Option<TokenStream> {
    let pagination = e.pagination.as_ref()?;
    let Response::Fields(fields) = &e.response else {
        return None;
    };
    let field = |wire: &str| fields.iter().find(|f| f.wire == wire);
    let param = |wire: &str| e.params.iter().find(|p| p.wire == wire);
    let items_field = field(match pagination {
        Pagination::Cursor { items, .. } | Pagination::Offset { items, .. } => items,
    })?;
    let Ty::List(item_ty) = &items_field.ty else {
        return None;
    };
    let item = base_type(item_ty, false);
    let items = ident(&items_field.rust);
    let response = format_ident!("{}", e.response_type);
    let (body, what) = match pagination {
        Pagination::Cursor {
            cursor, next, last, ..
        } => {
            let cursor_param = param(cursor)?;
            let next_field = field(next)?;
            let cursor_ident = ident(&cursor_param.rust);
            let cursor_ty = base_type(&cursor_param.ty, false);
            let set = if is_optional(cursor_param, PARAMS) {
                quote!(request.#cursor_ident = Some(cursor))
            } else {
                quote!(request.#cursor_ident = cursor)
            };
            let value = if cursor_param.ty == Ty::String {
                quote!(request.#cursor_ident.clone())
            } else {
                quote!(request.#cursor_ident)
            };
            let get = if is_optional(cursor_param, PARAMS) {
                value
            } else {
                quote!(Some(#value))
            };
            let next_ident = ident(&next_field.rust);
            let next_value = if is_optional(next_field, RESPONSE) {
                quote!(response.#next_ident)
            } else {
                quote!(Some(response.#next_ident))
            };
            let is_last = match last.as_deref().and_then(field) {
                Some(f) if is_optional(f, RESPONSE) => {
                    let flag = ident(&f.rust);
                    quote!(response.#flag.unwrap_or(false))
                }
                Some(f) => {
                    let flag = ident(&f.rust);
                    quote!(response.#flag)
                }
                None => quote!(false),
            };
            (
                quote! {
                    rt::pages::cursor(
                        self,
                        |request: &#request| -> Option<#cursor_ty> { #get },
                        |request: &mut #request, cursor: #cursor_ty| #set,
                        |mut response: #response| {
                            let last = #is_last;
                            rt::pages::Page { items: std::mem::take(&mut response.#items), next: if last { None } else { #next_value } }
                        },
                    )
                },
                format!("following `{next}` into `{cursor}` until it comes back empty"),
            )
        }
        Pagination::Offset { offset, limit, .. } => {
            let offset_param = param(offset)?;
            let limit_param = param(limit)?;
            let offset_ident = ident(&offset_param.rust);
            let limit_ident = ident(&limit_param.rust);
            let Ty::Int(offset_kind) = offset_param.ty else {
                return None;
            };
            let Ty::Int(limit_kind) = limit_param.ty else {
                return None;
            };
            let offset_ty = ident(offset_kind.rust());
            let limit_ty = ident(limit_kind.rust());
            let widen = |kind: crate::ir::IntKind, ty: &proc_macro2::Ident| {
                if kind.unsigned() {
                    quote!(u64::from)
                } else {
                    quote!(|v: #ty| u64::try_from(v).unwrap_or(0))
                }
            };
            let offset_value = widen(offset_kind, &offset_ty);
            let limit_value = widen(limit_kind, &limit_ty);
            let (get_offset, set_offset) = if is_optional(offset_param, PARAMS) {
                (
                    quote!(request.#offset_ident.map_or(0, #offset_value)),
                    quote!(request.#offset_ident = Some(#offset_ty::try_from(offset).unwrap_or(#offset_ty::MAX))),
                )
            } else {
                (
                    quote!((#offset_value)(request.#offset_ident)),
                    quote!(request.#offset_ident = #offset_ty::try_from(offset).unwrap_or(#offset_ty::MAX)),
                )
            };
            let page_size = if is_optional(limit_param, PARAMS) {
                quote!(request.#limit_ident.map(#limit_value))
            } else {
                quote!(Some((#limit_value)(request.#limit_ident)))
            };
            (
                quote! {
                    rt::pages::offset(
                        self,
                        |request: &#request| #get_offset,
                        |request: &mut #request, offset: u64| #set_offset,
                        |request: &#request| #page_size,
                        |response: #response| response.#items,
                    )
                },
                format!("advancing `{offset}` by `{limit}` until a page comes back short"),
            )
        }
    };
    let doc = format!(
        " Every item of `{}` across all pages, {what}. Pages are fetched as the stream is read; the first error ends it.",
        items_field.wire
    );
    Some(quote! {
        #[doc = #doc]
        #[inline]
        pub fn stream(self) -> crate::Pages<#item> {
            #body
        }
    })
}

fn response_has_secret(e: &Endpoint) -> bool {
    match &e.response {
        Response::Fields(fields) => fields.iter().any(|f| f.secret),
        Response::Named(_) | Response::Binary => false,
    }
}

fn response_item(
    api: &Api,
    e: &Endpoint,
    response: &proc_macro2::Ident,
    memo: &mut BTreeMap<TypeId, bool>,
) -> TokenStream {
    match &e.response {
        Response::Binary => {
            let doc = doc_attrs(&format!(
                "What `{} {}` answers: the file itself, streamed (WeCom's refusals become [`crate::Error::Api`]).",
                e.method.as_str(),
                e.path
            ));
            quote! {
                #doc
                pub type #response = crate::Download;
            }
        }
        Response::Named(reference) => {
            let path = named_path(reference);
            let doc = doc_attrs(&format!(
                "What `{} {}` answers: a [`{}`].",
                e.method.as_str(),
                e.path,
                reference.rust
            ));
            quote! {
                #doc
                pub type #response = #path;
            }
        }
        Response::Fields(fields) => {
            let doc = doc_attrs(&format!(
                "What `{} {}` answers, `errcode` and `errmsg` aside (a non-zero `errcode` is [`crate::Error::Api`]).",
                e.method.as_str(),
                e.path
            ));
            let derived = needs_derive(api, fields, RESPONSE, memo);
            let body = struct_fields(fields, RESPONSE, derived);
            let derive_de = derived.then(|| quote!(serde::Deserialize,));
            let data = data_impls(api, response, fields, RESPONSE, derived);
            quote! {
                #doc
                #[derive(Clone, Debug, PartialEq, Default, #derive_de)]
                #[non_exhaustive]
                pub struct #response {
                    #body
                }
                #data
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
        let request = format_ident!("{}", e.request_type);
        let (params, _) = constructor_parts(&e.params, PARAMS);
        let args = e
            .params
            .iter()
            .filter(|p| p.required || !p.alternates.is_empty())
            .map(|p| ident(&p.rust));
        let doc = doc_attrs(&method_doc(e));
        let allow = (params.len() > 6).then(|| quote!(#[allow(clippy::too_many_arguments)]));
        let deprecated = e
            .deprecated
            .as_ref()
            .map(|note| quote!(#[deprecated(note = #note)]));
        let call = call_type(e);
        quote! {
            #doc
            #deprecated
            #allow
            pub fn #name(&self, #(#params),*) -> #call<#request> {
                #call::new(self.client.clone(), #request::new(#(#args),*))
            }
        }
    });
    quote! {
        #handle_doc
        #[derive(Clone, Copy, Debug)]
        pub struct #api<'a> {
            pub(crate) client: &'a crate::Client,
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
