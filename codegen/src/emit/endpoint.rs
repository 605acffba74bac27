//! One endpoint: its request (data, constructor, setters on `Call`, the `Endpoint` impl), its
//! response, and its method on the group handle.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc_attrs, endpoint_doc, method_doc, prose};
use super::items::{constructor_and_setters, constructor_parts, setter, struct_fields};
use super::shape::{Facing, ident, is_optional, named_path};
use crate::ir::{Auth, BodyKind, Endpoint, Field, Group, Method, Pagination, Placement, Response, Ty};

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
    let call_type = call_type(e);
    let stream = pagination(e, &request);
    let call_impl = (!call_setters.is_empty() || stream.is_some()).then(|| {
        quote! {
            impl #call_type<#request> {
                #(#call_setters)*
                #stream
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
        Auth::ProviderAccessToken => quote!(crate::Auth::ProviderAccessToken),
        Auth::SuiteAccessToken => quote!(crate::Auth::SuiteAccessToken),
        Auth::None => quote!(crate::Auth::None),
    };
    let body = match e.body {
        BodyKind::Json => quote!(crate::BodyKind::Json),
        BodyKind::Multipart => quote!(crate::BodyKind::Multipart),
        BodyKind::None => quote!(crate::BodyKind::None),
    };
    let sensitive = e.params.iter().any(|p| p.secret) || response_has_secret(e);
    let query_params: Vec<&Field> = e
        .params
        .iter()
        .filter(|p| p.placement == Placement::Query)
        .collect();
    let binary = matches!(e.response, Response::Binary);
    let idempotent = e.idempotent;
    let write_query = (!query_params.is_empty() || binary).then(|| {
        let pushes = query_params.iter().map(|p| query_push(p));
        let query = if query_params.is_empty() {
            quote!(_query)
        } else {
            quote!(query)
        };
        quote! {
            fn write_query(&self, #query: &mut crate::Query) {
                #(#pushes)*
            }
        }
    });
    let files: Vec<&Field> = e.params.iter().filter(|p| p.ty == Ty::File).collect();
    let write_files = (!files.is_empty()).then(|| {
        let pushes = files.iter().map(|p| {
            let wire = &p.wire;
            let field = ident(&p.rust);
            if is_optional(p, PARAMS) {
                quote! {
                    if let ::core::option::Option::Some(file) = &self.#field {
                        files.push((#wire, ::core::clone::Clone::clone(file)));
                    }
                }
            } else {
                quote!(files.push((#wire, ::core::clone::Clone::clone(&self.#field)));)
            }
        });
        quote! {
            fn write_files(&self, files: &mut ::std::vec::Vec<(&'static str, crate::Upload)>) {
                #(#pushes)*
            }
        }
    });
    let checks = super::validate::struct_checks(&e.params, PARAMS, &e.constraints);
    let validate = (!checks.is_empty()).then(|| {
        quote! {
            fn validate(&self) -> ::core::result::Result<(), crate::Violation> {
                #checks
                ::core::result::Result::Ok(())
            }
        }
    });
    let meta = quote! {
        const META: &'static crate::EndpointMeta = &crate::EndpointMeta {
            id: #id,
            method: #method,
            path: #path,
            doc: #doc,
            auth: #auth,
            body: #body,
            sensitive: #sensitive,
            idempotent: #idempotent,
        };
    };
    if binary {
        return quote! {
            impl crate::DownloadEndpoint for #request {
                #meta
                #write_query
                #validate
            }
        };
    }
    quote! {
        impl crate::Endpoint for #request {
            type Response = #response;
            #meta
            #write_query
            #write_files
            #validate
        }
    }
}

/// `Call` for JSON answers, `DownloadCall` for files.
fn call_type(e: &Endpoint) -> TokenStream {
    match e.response {
        Response::Binary => quote!(crate::DownloadCall),
        _ => quote!(crate::Call),
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
    let item = super::shape::base_type(item_ty, false);
    let items = ident(&items_field.rust);
    let response = format_ident!("{}", e.response_type());
    let (body, what) = match pagination {
        Pagination::Cursor {
            cursor, next, last, ..
        } => {
            let cursor_param = param(cursor)?;
            let next_field = field(next)?;
            let cursor_ident = ident(&cursor_param.rust);
            let cursor_ty = super::shape::base_type(&cursor_param.ty, false);
            let set = if is_optional(cursor_param, PARAMS) {
                quote!(request.#cursor_ident = ::core::option::Option::Some(cursor))
            } else {
                quote!(request.#cursor_ident = cursor)
            };
            let next_ident = ident(&next_field.rust);
            let next_value = if super::shape::is_optional(next_field, RESPONSE) {
                quote!(response.#next_ident)
            } else {
                quote!(::core::option::Option::Some(response.#next_ident))
            };
            let keep = match next_field.ty {
                Ty::String => quote!(|c: &#cursor_ty| !c.is_empty()),
                _ => quote!(|c: &#cursor_ty| *c != 0),
            };
            let is_last = match last.as_deref().and_then(field) {
                Some(f) if super::shape::is_optional(f, RESPONSE) => {
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
                    crate::rt::pages::cursor(
                        self.client,
                        self.request,
                        |request: &mut #request, cursor: #cursor_ty| #set,
                        |mut response: #response| {
                            let last = #is_last;
                            crate::rt::pages::Page {
                                items: ::core::mem::take(&mut response.#items),
                                next: #next_value.filter(#keep).filter(|_| !last),
                            }
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
            // Unsigned page positions widen to u64 for free; signed ones count from 0.
            let unsigned = |kind: crate::ir::IntKind| {
                matches!(
                    kind,
                    crate::ir::IntKind::U8
                        | crate::ir::IntKind::U16
                        | crate::ir::IntKind::U32
                        | crate::ir::IntKind::U64
                )
            };
            let widen = |kind: crate::ir::IntKind, value: TokenStream| {
                if unsigned(kind) {
                    quote!(u64::from(#value))
                } else {
                    quote!(u64::try_from(#value).unwrap_or(0))
                }
            };
            let widen_fn = |kind: crate::ir::IntKind, ty: &proc_macro2::Ident| {
                if unsigned(kind) {
                    quote!(u64::from)
                } else {
                    quote!(|v: #ty| u64::try_from(v).unwrap_or(0))
                }
            };
            let offset_value = widen_fn(offset_kind, &offset_ty);
            let limit_value = widen_fn(limit_kind, &limit_ty);
            let (get_offset, set_offset) = if is_optional(offset_param, PARAMS) {
                (
                    quote!(request.#offset_ident.map_or(0, #offset_value)),
                    quote!(request.#offset_ident = ::core::option::Option::Some(#offset_ty::try_from(offset).unwrap_or(#offset_ty::MAX))),
                )
            } else {
                let o = quote!(request.#offset_ident);
                let value = widen(offset_kind, o);
                (
                    value,
                    quote!(request.#offset_ident = #offset_ty::try_from(offset).unwrap_or(#offset_ty::MAX)),
                )
            };
            let page_size = if is_optional(limit_param, PARAMS) {
                quote!(request.#limit_ident.map(#limit_value))
            } else {
                let l = quote!(request.#limit_ident);
                let value = widen(limit_kind, l);
                quote!(::core::option::Option::Some(#value))
            };
            (
                quote! {
                    crate::rt::pages::offset(
                        self.client,
                        self.request,
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
        pub fn stream(self) -> impl ::futures_util::Stream<Item = ::core::result::Result<#item, crate::Error>> + ::core::marker::Send + 'static {
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
        let call = call_type(e);
        quote! {
            #doc
            #allow
            pub fn #name(&self, #(#params),*) -> #call<#request> {
                #call::new(self.client.clone(), #request::new(#(#args),*))
            }
        }
    });
    quote! {
        #handle_doc
        #[derive(::core::clone::Clone, ::core::marker::Copy, ::core::fmt::Debug)]
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
