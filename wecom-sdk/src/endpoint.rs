//! What the client needs to know about an endpoint to call it. Generated requests implement
//! [`Endpoint`]; so can a caller's own type, for an endpoint the spec does not cover yet.

use std::borrow::Cow;
use std::fmt::Display;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Credential;
use crate::schema::{Param, Rule};

/// A request to one WeCom endpoint. Its `Serialize` output is one object of every parameter,
/// query and body alike; the client places each where [`EndpointMeta::params`] says (a name the
/// table does not list goes in the body of a request that has one, else in the query).
pub trait Endpoint: Serialize + Send + Sync + 'static {
    /// The typed answer, `errcode` and `errmsg` aside.
    type Response: DeserializeOwned + Send + 'static;

    /// Method, path, credential, parameters and docs of the endpoint.
    const META: &'static EndpointMeta;

    /// Checks the request against the documented limits; the client runs it before sending
    /// (unless told not to) and refuses a request that breaks one.
    fn validate(&self) -> Result<(), crate::Violation> {
        crate::rt::validate::check(self, Self::META.params, Self::META.rules)?;
        crate::rt::validate::files(&self.files(), Self::META.params)
    }

    /// The file parts of a [`BodyKind::Multipart`] request.
    fn files(&self) -> Vec<(&'static str, crate::Upload)> {
        Vec::new()
    }
}

/// The static facts of an endpoint.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct EndpointMeta {
    /// `group.method`, e.g. `user.get`: how errors and logs name the endpoint.
    pub id: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The full path, e.g. `/cgi-bin/user/get`.
    pub path: &'static str,
    /// The official documentation page.
    pub doc: &'static str,
    /// The credential the call carries, `None` for none.
    pub auth: Option<Credential>,
    /// What the request body is.
    pub body: BodyKind,
    /// The request or response carries a credential: bodies are never quoted in errors or logs.
    pub sensitive: bool,
    /// Sending it twice does what sending it once does (the GETs that only read), so it may be
    /// repeated after a dropped connection.
    pub idempotent: bool,
    /// The parameters: where each travels, what it holds, its documented limits.
    pub params: &'static [Param],
    /// Rules across the parameters.
    pub rules: &'static [Rule],
    /// What replaces the endpoint, when only an older revision of the docs lists it (the server,
    /// and older clients, still use it).
    pub deprecated: Option<&'static str>,
    /// How a list endpoint pages (what its `.stream()` follows), by wire names.
    pub paging: Option<Paging>,
}

/// How a list endpoint pages, by wire names: what `.stream()` on its call follows, and what
/// the mock answers page by page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Paging {
    /// The answer's `next` is the request's next `cursor`; an empty (or zero) cursor, or a true
    /// `last` flag, ends the walk.
    Cursor {
        /// The request parameter holding the position.
        cursor: &'static str,
        /// The response field holding the next position.
        next: &'static str,
        /// The response list of items.
        items: &'static str,
        /// A response flag that marks the last page, where the endpoint has one.
        last: Option<&'static str>,
    },
    /// `offset` advances by `limit`; a short or empty page ends the walk.
    Offset {
        /// The request parameter holding the position.
        offset: &'static str,
        /// The request parameter holding the page size.
        limit: &'static str,
        /// The response list of items.
        items: &'static str,
    },
}

impl EndpointMeta {
    /// Describes an endpoint the spec does not cover, for a caller's own [`Endpoint`] impl. Its
    /// parameters travel in the body of a POST and in the query of a GET; nothing is validated.
    pub const fn new(
        id: &'static str,
        method: Method,
        path: &'static str,
        doc: &'static str,
        auth: Option<Credential>,
        body: BodyKind,
    ) -> Self {
        EndpointMeta {
            id,
            method,
            path,
            doc,
            auth,
            body,
            sensitive: false,
            // Only WeCom's reading GETs are safe to repeat; a caller's own endpoint is assumed not.
            idempotent: false,
            params: &[],
            rules: &[],
            deprecated: None,
            paging: None,
        }
    }

    /// The same endpoint with a parameter table, so each parameter travels where it says.
    pub const fn with_params(mut self, params: &'static [Param]) -> Self {
        self.params = params;
        self
    }

    /// The parameter `name`, if the table lists it.
    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.name() == name)
    }
}

/// The HTTP method of an endpoint: WeCom uses these two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Method {
    /// `GET`: parameters in the query.
    Get,
    /// `POST`: parameters in a JSON body (and sometimes the query).
    Post,
}

impl Method {
    /// `GET` or `POST`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// What an endpoint's request body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyKind {
    /// No request body.
    None,
    /// The request's body parameters as JSON.
    Json,
    /// A multipart form of the request's files ([`Endpoint::files`]).
    Multipart,
}

/// Query parameters in the order they are added.
#[derive(Default, Clone)]
pub struct Query {
    pairs: Vec<(Cow<'static, str>, String)>,
    secrets: Vec<(Cow<'static, str>, crate::Secret)>,
}

impl Query {
    /// Appends `key=value`.
    pub fn push(&mut self, key: &'static str, value: &impl Display) {
        self.pairs.push((Cow::Borrowed(key), value.to_string()));
    }

    /// Appends `key=value` with the value already text.
    pub fn push_text(&mut self, key: impl Into<Cow<'static, str>>, value: String) {
        self.pairs.push((key.into(), value));
    }

    /// A credential: sent, but kept out of `Debug` and logs.
    pub fn push_secret(&mut self, key: impl Into<Cow<'static, str>>, value: &crate::Secret) {
        self.secrets.push((key.into(), value.clone()));
    }

    /// The pairs that may be logged (credentials excluded).
    pub fn public_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_ref(), v.as_str()))
    }

    pub(crate) fn secret_pairs(&self) -> impl Iterator<Item = (&str, &crate::Secret)> {
        self.secrets.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

impl std::fmt::Debug for Query {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut list = f.debug_list();
        for (k, v) in &self.pairs {
            list.entry(&format_args!("{k}={v}"));
        }
        for (k, _) in &self.secrets {
            list.entry(&format_args!("{k}=[redacted]"));
        }
        list.finish()
    }
}
