//! Every endpoint as data, for tools that pick an endpoint at run time: the `wecom` CLI finds one
//! by path and sends JSON through its typed request; the mock server checks what it receives
//! against the same types and limits. Generated from the spec (cargo feature `registry`).

use std::sync::OnceLock;

use futures_util::future::BoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::download::{Download, DownloadEndpoint};
use crate::{Client, Endpoint, EndpointMeta, Error, Violation};

/// One endpoint: what it is, what it takes (its [`EndpointMeta`]'s parameters), and how to call
/// it with JSON.
#[non_exhaustive]
pub struct Operation {
    /// The group (`user`).
    pub group: &'static str,
    /// The method name within the group (`get`).
    pub name: &'static str,
    /// One line: the official title and what it does.
    pub summary: &'static str,
    /// Method, path, credential, parameters, docs.
    pub meta: &'static EndpointMeta,
    /// The documented request, when the endpoint takes parameters.
    pub example_request: Option<&'static str>,
    /// The documented answer.
    pub example_response: &'static str,
    /// The official description of each parameter, in the order of [`Operation::params`].
    pub param_docs: &'static [&'static str],
    pub(crate) kind: Kind,
}

pub use crate::schema::{Kind as ParamKind, Param, Placement};

type JsonCall = fn(Client, Value) -> BoxFuture<'static, Result<Value, Error>>;
type FileCall = fn(Client, Value) -> BoxFuture<'static, Result<Download, Error>>;
type Check = fn(Value) -> Result<(), RequestError>;

#[doc(hidden)]
pub enum Kind {
    Json {
        call: JsonCall,
        check: Check,
        meta: &'static EndpointMeta,
    },
    File {
        call: FileCall,
        check: Check,
        meta: &'static EndpointMeta,
    },
}

/// What an [`Operation`] answers.
#[derive(Debug)]
#[non_exhaustive]
pub enum Answer {
    /// The typed response, re-encoded as JSON.
    Json(Value),
    /// The file of a download endpoint.
    File(Download),
}

/// JSON that does not make a valid request for an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// It does not fit the typed request: a missing or unknown parameter, a wrong type.
    #[error("{0}")]
    Shape(String),
    /// It fits, but a parameter breaks a documented limit.
    #[error("{0}")]
    Limit(Violation),
}

impl Operation {
    /// The parameters, in spec order.
    pub fn params(&self) -> &'static [Param] {
        self.meta.params
    }

    /// The parameter `name`.
    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.meta.param(name)
    }

    /// The official description of the parameter `name`.
    pub fn param_doc(&self, name: &str) -> &'static str {
        self.meta
            .params
            .iter()
            .position(|p| p.name() == name)
            .and_then(|i| self.param_docs.get(i))
            .copied()
            .unwrap_or("")
    }

    /// Sends `input` (one JSON object of every parameter, query and body alike) through the
    /// endpoint's typed request; unknown keys are refused.
    pub async fn call(&self, client: &Client, input: Value) -> Result<Answer, Error> {
        match self.kind {
            Kind::Json { call, .. } => call(client.clone(), input).await.map(Answer::Json),
            Kind::File { call, .. } => call(client.clone(), input).await.map(Answer::File),
        }
    }

    /// Checks `input` against the typed request and the documented limits, sending nothing.
    pub fn check(&self, input: Value) -> Result<(), RequestError> {
        match self.kind {
            Kind::Json { check, .. } | Kind::File { check, .. } => check(input),
        }
    }

    /// Whether the answer is a file rather than JSON.
    pub fn is_download(&self) -> bool {
        matches!(self.kind, Kind::File { .. })
    }
}

impl std::fmt::Debug for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Operation")
            .field("id", &self.meta.id)
            .field("method", &self.meta.method)
            .field("path", &self.meta.path)
            .finish_non_exhaustive()
    }
}

/// Every endpoint compiled in, in spec order.
pub fn operations() -> &'static [Operation] {
    static ALL: OnceLock<Vec<Operation>> = OnceLock::new();
    ALL.get_or_init(crate::generated::registry::operations)
}

/// The endpoint at `path` (`/cgi-bin/user/get`).
pub fn find(path: &str) -> Option<&'static Operation> {
    operations().iter().find(|o| o.meta.path == path)
}

/// The endpoint `group.name` (`user`, `get`).
pub fn find_by_name(group: &str, name: &str) -> Option<&'static Operation> {
    operations().iter().find(|o| o.group == group && o.name == name)
}

fn shape<R: DeserializeOwned>(meta: &'static EndpointMeta, input: Value) -> Result<R, Error> {
    serde_json::from_value(input).map_err(|e| Error::InvalidRequest {
        endpoint: meta.id,
        field: None,
        message: e.to_string(),
        doc: meta.doc,
    })
}

fn json_call<R>(client: Client, input: Value) -> BoxFuture<'static, Result<Value, Error>>
where
    R: Endpoint + DeserializeOwned,
    R::Response: Serialize,
{
    Box::pin(async move {
        let request: R = shape(R::META, input)?;
        let response = client.execute(&request).await?;
        serde_json::to_value(response).map_err(|e| Error::Decode {
            endpoint: R::META.id,
            message: format!("cannot re-encode the answer: {e}"),
            excerpt: String::new(),
        })
    })
}

fn file_call<R>(client: Client, input: Value) -> BoxFuture<'static, Result<Download, Error>>
where
    R: DownloadEndpoint + DeserializeOwned,
{
    Box::pin(async move {
        let request: R = shape(R::META, input)?;
        client.download(&request).await
    })
}

fn json_check<R: Endpoint + DeserializeOwned>(input: Value) -> Result<(), RequestError> {
    let request: R = serde_json::from_value(input).map_err(|e| RequestError::Shape(e.to_string()))?;
    request.validate().map_err(RequestError::Limit)
}

fn file_check<R: DownloadEndpoint + DeserializeOwned>(input: Value) -> Result<(), RequestError> {
    let request: R = serde_json::from_value(input).map_err(|e| RequestError::Shape(e.to_string()))?;
    request.validate().map_err(RequestError::Limit)
}

#[doc(hidden)]
pub fn json<R>() -> Kind
where
    R: Endpoint + DeserializeOwned,
    R::Response: Serialize,
{
    Kind::Json {
        call: json_call::<R>,
        check: json_check::<R>,
        meta: R::META,
    }
}

#[doc(hidden)]
pub fn file<R: DownloadEndpoint + DeserializeOwned>() -> Kind {
    Kind::File {
        call: file_call::<R>,
        check: file_check::<R>,
        meta: R::META,
    }
}

#[doc(hidden)]
pub fn operation(
    group: &'static str,
    name: &'static str,
    summary: &'static str,
    example_request: Option<&'static str>,
    example_response: &'static str,
    param_docs: &'static [&'static str],
    kind: Kind,
) -> Operation {
    let meta = match &kind {
        Kind::Json { meta, .. } | Kind::File { meta, .. } => *meta,
    };
    Operation {
        group,
        name,
        summary,
        meta,
        example_request,
        example_response,
        param_docs,
        kind,
    }
}
