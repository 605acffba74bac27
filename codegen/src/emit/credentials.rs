//! `wecom_sdk::Credential` and the table the client, the mock and the CLI read: each kind of
//! token as `spec/credentials.yaml` describes it.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc_attrs, prose};
use crate::ir::{Api, BodyKind, Method, Placement};

pub fn module(api: &Api) -> TokenStream {
    let variants = api.credentials.iter().map(|c| {
        let variant = format_ident!("{}", c.variant);
        let doc = doc_attrs(&format!("`{}`: {}", c.name, prose(&c.summary)));
        quote!(#doc #variant,)
    });
    let all = api.credentials.iter().map(|c| format_ident!("{}", c.variant));
    let default = format_ident!("{}", api.credential(api.default_credential).variant);
    let defs = api.credentials.iter().map(|c| {
        let variant = format_ident!("{}", c.variant);
        let name = &c.name;
        let summary = &c.summary;
        let param = match &c.param {
            Some(p) => quote!(Some(#p)),
            None => quote!(None),
        };
        let f = &c.fetch;
        let (id, path, doc) = (&f.id, &f.path, &f.doc);
        let method = match f.method {
            Method::Get => quote!(Method::Get),
            Method::Post => quote!(Method::Post),
        };
        let fetch_auth = match f.auth {
            Some(a) => {
                let v = format_ident!("{}", api.credential(a).variant);
                quote!(Some(Credential::#v))
            }
            None => quote!(None),
        };
        let body = match f.body {
            BodyKind::Json => quote!(BodyKind::Json),
            BodyKind::Multipart => quote!(BodyKind::Multipart),
            BodyKind::None => quote!(BodyKind::None),
        };
        let placement = |p: Placement| match p {
            Placement::Query => quote!(Placement::Query),
            Placement::Body => quote!(Placement::Body),
        };
        let inputs = c.inputs.iter().map(|i| {
            let param = &i.param;
            let at = placement(i.placement);
            let slot = format_ident!("{}", i.slot.variant());
            let (flag, env, help) = (&i.flag, &i.env, &i.help);
            let code = |c: Option<i64>| match c {
                Some(code) => quote!(Some(#code)),
                None => quote!(None),
            };
            let (missing, refused) = (code(i.missing), code(i.refused));
            quote!(Input { param: #param, placement: #at, slot: Slot::#slot, flag: #flag, env: #env, help: #help, missing: #missing, refused: #refused })
        });
        let fixed = c.fixed.iter().map(|(param, value, at)| {
            let at = placement(*at);
            quote!((#param, #value, #at))
        });
        let (token, expires, cache) = (&c.token_field, &c.expires_field, &c.cache);
        let (missing, invalid, expired) = (c.missing, c.invalid, c.expired);
        let derived = match c.derived_from {
            Some(d) => {
                let v = format_ident!("{}", api.credential(d).variant);
                quote!(Some(Credential::#v))
            }
            None => quote!(None),
        };
        quote! {
            CredentialDef {
                kind: Credential::#variant,
                name: #name,
                summary: #summary,
                param: #param,
                fetch: EndpointMeta { id: #id, method: #method, path: #path, doc: #doc, auth: #fetch_auth, body: #body, sensitive: true, idempotent: true, params: &[], rules: &[], deprecated: None, paging: None },
                inputs: &[#(#inputs),*],
                fixed: &[#(#fixed),*],
                token: #token,
                expires_in: #expires,
                cache: #cache,
                missing: #missing,
                invalid: #invalid,
                expired: #expired,
                derived_from: #derived,
            },
        }
    });
    quote! {
        #![doc = " The kinds of credential (`spec/credentials.yaml`): how each token is fetched, sent, cached and refused."]
        use crate::auth::{CredentialDef, Input, Placement, Slot};
        use crate::{BodyKind, EndpointMeta, Method};

        /// A kind of token the client fetches, caches and sends (or, for tickets, hands to pages).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Credential {
            #(#variants)*
        }

        impl Credential {
            /// Every kind, in the spec's order.
            pub const ALL: &'static [Credential] = &[#(Credential::#all),*];
            /// The kind endpoints carry when the spec names none.
            pub const DEFAULT: Credential = Credential::#default;

            /// How the spec describes this kind.
            pub fn def(self) -> &'static CredentialDef {
                &DEFS[self as usize]
            }
        }

        static DEFS: &[CredentialDef] = &[#(#defs)*];
    }
}
