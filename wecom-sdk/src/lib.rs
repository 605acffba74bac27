//! A typed async client for the WeCom (企业微信) server API.
//!
//! Every endpoint is generated from the spec in the repository's `spec/` folder: its request
//! type, its response type, and a method on the group handle (`client.user()`,
//! `client.message()`, …). Required parameters are arguments; optional ones are setters; the
//! call runs on `.await` (or `.send().await`).
//!
//! ```no_run
//! use wecom_sdk::{Client, message};
//!
//! # async fn demo() -> Result<(), wecom_sdk::Error> {
//! let client = Client::new("ww0123456789abcdef", "app-secret")?;
//!
//! let members = client.user().list(1).await?;
//! for member in &members.userlist {
//!     println!("{} {}", member.userid, member.name);
//! }
//!
//! let text = message::Message::Text(message::TextContent::new("构建完成"));
//! let sent = client.message().send(1000002, text).touser(["zhangsan"]).await?;
//! if !sent.invaliduser.is_empty() {
//!     eprintln!("not delivered to {:?}", sent.invaliduser);
//! }
//! # Ok(()) }
//! ```
//!
//! The client fetches the access token with `gettoken`, caches it until shortly before it
//! expires, shares one fetch among concurrent callers, and when WeCom answers a call with
//! 40014, 41001 or 42001 it fetches a new token and repeats that call once. Errors name the
//! endpoint and, for WeCom's refusals, carry `errcode`, `errmsg` and the doc link; no error,
//! `Debug` output or log line contains the secret or the token.
//!
//! Each API group is a cargo feature (`user`, `department`, …); `full`, the default, enables
//! all of them.

#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod auth;
mod call;
#[cfg(feature = "callback")]
#[cfg_attr(docsrs, doc(cfg(feature = "callback")))]
pub mod callback;
mod client;
mod download;
mod endpoint;
mod error;
mod ext;
mod policy;
#[cfg(feature = "registry")]
#[cfg_attr(docsrs, doc(cfg(feature = "registry")))]
pub mod registry;
#[doc(hidden)]
pub mod rt;
pub mod schema;
mod secret;
mod store;
mod tokens;
mod transport;
mod upload;

#[rustfmt::skip]
#[allow(clippy::too_many_arguments, clippy::large_enum_variant, clippy::doc_lazy_continuation)]
mod generated;

pub use auth::{CredentialDef, Input as CredentialInput, Slot};
pub use call::Call;
pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL};
pub use download::{Download, DownloadCall, DownloadEndpoint};
pub use endpoint::{BodyKind, Endpoint, EndpointMeta, Method, Paging, Query};
pub use error::{ApiError, Error, ErrorClass, ErrorCode};
#[cfg(feature = "jsapi")]
pub use ext::jsapi::{JsapiSignature, signature as jsapi_signature};
#[cfg(feature = "oauth")]
pub use ext::oauth::{AuthorizeUrl, OauthScope};
pub use generated::*;
pub use policy::RetryPolicy;
pub use rt::check::Violation;
pub use rt::pages::Pages;
pub use secret::Secret;
#[cfg(feature = "redis")]
pub use store::RedisStore;
pub use store::{MemoryStore, StoreError, StoredToken, TokenStore};
pub use upload::Upload;

/// The HTTP client crate the SDK is built on: [`ClientBuilder::http_client`] takes its
/// `Client`, and [`Error::Transport`] carries its error. Re-exported so that the versions match.
pub use reqwest;

/// The byte-buffer crate of [`Upload::from_bytes`] and [`Download::chunk`], re-exported so that
/// the versions match.
pub use bytes;
