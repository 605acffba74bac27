//! One error type for every way a call can fail. Each names the endpoint; none carries a secret.

use std::sync::Arc;
use std::time::Duration;

/// Why a call failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// WeCom answered with a non-zero `errcode`.
    #[error(transparent)]
    Api(Box<ApiError>),

    /// WeCom refused the call for going over a rate limit (45009, 45033). Never retried by
    /// the client: 45009 blocks the app for the rest of its window and retries extend it.
    #[error("rate limited: {0}")]
    RateLimited(Box<ApiError>),

    /// The request never got an answer: connection refused or reset, DNS, TLS. The message
    /// names the root cause (`connection refused`), not only the outermost error.
    #[error("{endpoint}: could not reach WeCom: {}", causes(source.as_ref()))]
    Transport {
        /// The endpoint called (`user.get`).
        endpoint: &'static str,
        /// The HTTP client's error, its URL (which holds the token) removed.
        #[source]
        source: Arc<reqwest::Error>,
    },

    /// No answer within the configured timeout.
    #[error("{endpoint}: no answer within {}", timeout.map_or_else(|| "the timeout".to_string(), |t| format!("{t:?}")))]
    Timeout {
        /// The endpoint called.
        endpoint: &'static str,
        /// The limit that was reached.
        timeout: Option<Duration>,
    },

    /// An HTTP status other than 200 (WeCom answers errors with 200 and an `errcode`, so this
    /// means a proxy or an outage).
    #[error("{endpoint}: HTTP {status} from WeCom: {excerpt}")]
    Http {
        /// The endpoint called.
        endpoint: &'static str,
        /// The HTTP status code.
        status: u16,
        /// The start of the body.
        excerpt: String,
    },

    /// The answer was not the JSON the spec describes.
    #[error("{endpoint}: cannot decode the answer ({message}); body: {excerpt}")]
    Decode {
        /// The endpoint called.
        endpoint: &'static str,
        /// What did not fit, and where in the body.
        message: String,
        /// The start of the body (withheld for endpoints whose answers hold credentials).
        excerpt: String,
    },

    /// The request was refused before it was sent.
    #[error("{endpoint}: invalid request: {message} (see {doc})")]
    InvalidRequest {
        /// The endpoint the request was for.
        endpoint: &'static str,
        /// The parameter at fault (`userlist`, `articles[2].title`), when one is.
        field: Option<String>,
        /// What is wrong with it.
        message: String,
        /// The endpoint's official documentation.
        doc: &'static str,
    },

    /// A local file could not be read (an upload) or written (a download).
    #[error("{endpoint}: {message}")]
    Io {
        /// The endpoint the file was for.
        endpoint: &'static str,
        /// Which file and why.
        message: String,
    },

    /// A paged list handed back a position it had handed back before: following it would go
    /// round in circles, so the stream stops here.
    #[error(
        "{endpoint}: the server returned the cursor {cursor:?} a second time; the walk stopped instead of looping"
    )]
    RepeatedCursor {
        /// The endpoint walked.
        endpoint: &'static str,
        /// The cursor seen twice.
        cursor: String,
    },

    /// The call needed a token (or ticket) and fetching it failed: `source` is how the fetch
    /// failed (a wrong secret is WeCom's 40001 there). [`Error::code`] and [`Error::api`] look
    /// through to it.
    #[error("{endpoint}: could not get the `{credential}` it needs: {source}")]
    Credential {
        /// The endpoint the caller called (`user.get`).
        endpoint: &'static str,
        /// The kind of credential (`access_token`).
        credential: &'static str,
        /// How the fetch failed (naming the fetch endpoint, `token.get_token`).
        #[source]
        source: Box<Error>,
    },

    /// The client was configured wrongly (a base URL that is not an origin, say).
    #[error("invalid client configuration: {0}")]
    Config(String),
}

/// An error and its causes, outermost first, each once: `error sending request: client error
/// (Connect): tcp connect error: Connection refused (os error 111)`.
fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        let message = cause.to_string();
        if !text.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        next = cause.source();
    }
    text
}

impl Error {
    /// The endpoint the failing call was for (`user.get`), if the error is about one.
    pub fn endpoint(&self) -> Option<&'static str> {
        match self {
            Error::Api(e) | Error::RateLimited(e) => Some(e.endpoint),
            Error::Transport { endpoint, .. }
            | Error::Timeout { endpoint, .. }
            | Error::Http { endpoint, .. }
            | Error::Decode { endpoint, .. }
            | Error::InvalidRequest { endpoint, .. }
            | Error::RepeatedCursor { endpoint, .. }
            | Error::Io { endpoint, .. }
            | Error::Credential { endpoint, .. } => Some(endpoint),
            Error::Config(_) => None,
        }
    }

    /// WeCom's refusal, for API and rate-limit errors (also when it refused the token fetch a
    /// call needed).
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) | Error::RateLimited(e) => Some(e),
            Error::Credential { source, .. } => source.api(),
            _ => None,
        }
    }

    /// The WeCom `errcode`, for API and rate-limit errors (also when it refused the token
    /// fetch a call needed).
    pub fn code(&self) -> Option<i64> {
        self.api().map(|e| e.code)
    }

    pub(crate) fn transport(endpoint: &'static str, timeout: Option<Duration>, err: reqwest::Error) -> Self {
        if err.is_timeout() {
            Error::Timeout { endpoint, timeout }
        } else {
            // The URL carries the access token in its query: never keep it.
            Error::Transport {
                endpoint,
                source: Arc::new(err.without_url()),
            }
        }
    }
}

/// WeCom's answer to a call it refused.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// `user.get`.
    pub endpoint: &'static str,
    /// The `errcode`.
    pub code: i64,
    /// The `errmsg` as sent, `hint: [...] from ip: ...` suffix included.
    pub message: String,
    /// The endpoint's official documentation.
    pub doc: &'static str,
    /// The whole answer: some error answers still carry business fields (`message/send` with
    /// 81013 lists the `invaliduser`s). `None` when the endpoint handles credentials.
    pub body: Option<serde_json::Value>,
}

impl ApiError {
    /// What the official error-code table says of this code, if it lists it.
    pub fn info(&self) -> Option<&'static ErrorCode> {
        crate::errcodes::lookup(self.code)
    }

    /// What kind of trouble this is ([`ErrorClass::Other`] for codes the table does not list).
    pub fn class(&self) -> ErrorClass {
        self.info().map_or(ErrorClass::Other, |e| e.class)
    }

    /// Whether trying again later may succeed (system busy, version conflicts).
    pub fn is_retryable(&self) -> bool {
        self.class() == ErrorClass::Retryable
    }

    /// The `errmsg` without the server's `hint: … from ip: … more info at …` suffix.
    pub fn brief(&self) -> &str {
        let message = self.message.as_str();
        let cut = [", hint:", " hint:", ",hint:"]
            .iter()
            .filter_map(|marker| message.find(marker))
            .min()
            .unwrap_or(message.len());
        message[..cut].trim()
    }

    /// The server's request id from the `hint: [...]` suffix, for a support ticket.
    pub fn hint(&self) -> Option<&str> {
        let start = self.message.find("hint: [")? + "hint: [".len();
        let len = self.message[start..].find(']')?;
        Some(&self.message[start..start + len])
    }

    /// The business fields of the answer through a typed response, e.g. the `invaliduser` of
    /// a refused `message/send`.
    pub fn decode_body<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        self.body
            .as_ref()
            .and_then(|b| serde_json::from_value(b.clone()).ok())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: WeCom error {}: {} (see {}",
            self.endpoint,
            self.code,
            self.brief(),
            self.doc
        )?;
        write!(
            f,
            " and https://open.work.weixin.qq.com/devtool/query?e={})",
            self.code
        )
    }
}

impl std::error::Error for ApiError {}

/// One row of WeCom's global error-code table (`spec/errcodes.yaml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorCode {
    /// The `errcode`.
    pub code: i64,
    /// The official meaning (错误说明).
    pub meaning: &'static str,
    /// The official hint (排查方法), condensed.
    pub hint: &'static str,
    /// What kind of trouble it is.
    pub class: ErrorClass,
}

impl ErrorCode {
    /// What the official error-code table says of `code`, if it lists it.
    pub fn lookup(code: i64) -> Option<&'static ErrorCode> {
        crate::errcodes::lookup(code)
    }
}

/// What kind of trouble an error code means, and so what a caller can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorClass {
    /// Transient trouble on WeCom's side: trying again later helps.
    Retryable,
    /// The token is missing, invalid or expired (the client refreshes it and repeats once).
    Token,
    /// Wrong corp id, secret, agent or settings: fix the configuration.
    Configuration,
    /// A frequency or quota limit: slow down.
    RateLimit,
    /// The app or member may not do this.
    Permission,
    /// A parameter is missing, malformed or out of range.
    InvalidArgument,
    /// Anything else: not found, state conflicts, business rules.
    Other,
}

/// At most this many characters of a body go into an error message.
const EXCERPT_CHARS: usize = 200;

/// The start of a body for an error message, or a note that it is withheld.
pub(crate) fn excerpt(body: &[u8], sensitive: bool) -> String {
    if sensitive {
        return "[withheld: this endpoint's answers carry credentials]".to_string();
    }
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    if out.is_empty() {
        out.push_str("(empty)");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(message: &str) -> ApiError {
        ApiError {
            endpoint: "message.send",
            code: 81013,
            message: message.to_string(),
            doc: "https://developer.work.weixin.qq.com/document/path/90236",
            body: None,
        }
    }

    #[test]
    fn the_hint_suffix_is_split_off() {
        let e = api(
            "user & party & tag all invalid, hint: [1684833894235730688668522], from ip: 11.177.150.119, more info at https://open.work.weixin.qq.com/devtool/query?e=81013",
        );
        assert_eq!(e.brief(), "user & party & tag all invalid");
        assert_eq!(e.hint(), Some("1684833894235730688668522"));
        let shown = e.to_string();
        assert!(
            shown.starts_with("message.send: WeCom error 81013: user & party & tag all invalid"),
            "{shown}"
        );
        assert!(shown.contains("document/path/90236"), "{shown}");
        assert_eq!(api("ok").brief(), "ok");
        assert_eq!(api("ok").hint(), None);
    }

    #[test]
    fn excerpts_are_short_and_withheld_for_credentials() {
        let long = "x".repeat(500);
        assert_eq!(excerpt(long.as_bytes(), false).chars().count(), EXCERPT_CHARS + 1);
        assert!(!excerpt(br#"{"access_token":"abc"}"#, true).contains("abc"));
        assert_eq!(excerpt(b"", false), "(empty)");
    }
}
