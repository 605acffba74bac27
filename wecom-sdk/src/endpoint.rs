//! What the client needs to know about an endpoint to call it. Generated requests implement
//! [`Endpoint`]; so can a caller's own type, for an endpoint the spec does not cover yet.

use std::fmt::Display;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A request to one WeCom endpoint. Its `Serialize` output is the JSON body (for
/// [`BodyKind::Json`]); query parameters come from [`Endpoint::write_query`].
pub trait Endpoint: Serialize + Send + Sync + 'static {
    /// The typed answer, `errcode` and `errmsg` aside.
    type Response: DeserializeOwned + Send + 'static;

    /// Method, path, credential and docs of the endpoint.
    const META: &'static EndpointMeta;

    /// Appends the query parameters (the credential is added by the client).
    fn write_query(&self, query: &mut Query) {
        let _ = query;
    }

    /// Checks the request against the documented limits; the client runs it before sending
    /// (unless told not to) and refuses a request that breaks one.
    fn validate(&self) -> Result<(), crate::Violation> {
        Ok(())
    }

    /// Appends the file parts of a [`BodyKind::Multipart`] request.
    fn write_files(&self, files: &mut Vec<(&'static str, crate::Upload)>) {
        let _ = files;
    }
}

/// The static facts of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// The credential sent as `access_token`.
    pub auth: Auth,
    /// What the request body is.
    pub body: BodyKind,
    /// The request or response carries a credential: bodies are never quoted in errors or logs.
    pub sensitive: bool,
    /// Sending it twice does what sending it once does (the GETs that only read), so it may be
    /// repeated after a dropped connection.
    pub idempotent: bool,
}

impl EndpointMeta {
    /// Describes an endpoint the spec does not cover, for a caller's own [`Endpoint`] impl.
    pub const fn new(
        id: &'static str,
        method: Method,
        path: &'static str,
        doc: &'static str,
        auth: Auth,
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
        }
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

/// The credential an endpoint is called with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// The corp's `access_token`, fetched and cached by the client.
    AccessToken,
    /// A service provider's `provider_access_token` (sent as `access_token`).
    ProviderAccessToken,
    /// A third-party app's `suite_access_token`.
    SuiteAccessToken,
    /// No credential (`gettoken` itself).
    None,
}

/// What an endpoint's request body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyKind {
    /// No request body.
    None,
    /// The request's `Serialize` output as JSON.
    Json,
    /// A multipart form of the request's files ([`Endpoint::write_files`]).
    Multipart,
}

/// Query parameters in the order they are added.
#[derive(Default)]
pub struct Query {
    pairs: Vec<(&'static str, String)>,
    secrets: Vec<(&'static str, crate::Secret)>,
}

impl Query {
    /// Appends `key=value`.
    pub fn push(&mut self, key: &'static str, value: &impl Display) {
        self.pairs.push((key, value.to_string()));
    }

    /// A boolean as WeCom spells it in queries: `1` or `0`.
    pub fn push_flag(&mut self, key: &'static str, value: bool) {
        self.pairs.push((key, if value { "1" } else { "0" }.to_string()));
    }

    /// A list as one `|`-joined value.
    pub fn push_piped<T: Display>(&mut self, key: &'static str, values: &[T]) {
        self.pairs.push((key, crate::rt::wire::join(values)));
    }

    /// A credential: sent, but kept out of `Debug` and logs.
    pub fn push_secret(&mut self, key: &'static str, value: &crate::Secret) {
        self.secrets.push((key, value.clone()));
    }

    /// The pairs that may be logged (credentials excluded).
    pub fn public_pairs(&self) -> &[(&'static str, String)] {
        &self.pairs
    }

    pub(crate) fn secret_pairs(&self) -> &[(&'static str, crate::Secret)] {
        &self.secrets
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
