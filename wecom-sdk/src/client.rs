//! The client: configuration, the HTTP exchange, the `errcode` envelope and the token retry.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::credentials::{Token, TokenCache};
use crate::endpoint::{Auth, BodyKind, Endpoint, EndpointMeta, Method, Query};
use crate::error::{ApiError, excerpt};
use crate::{Call, Error, Secret};

/// WeCom's API origin.
pub const DEFAULT_BASE_URL: &str = "https://qyapi.weixin.qq.com";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long before WeCom's expiry a cached token is replaced.
const DEFAULT_TOKEN_MARGIN: Duration = Duration::from_secs(300);

/// `errcode`s that mean "the access token you sent is not (or no longer) valid": the token is
/// dropped, a new one fetched, and the call repeated once.
const TOKEN_REJECTED: &[i64] = &[
    40014, // 不合法的access_token
    41001, // 缺少access_token参数
    42001, // access_token已过期
];

/// A WeCom client for one corp and one app secret. Cheap to clone (an `Arc`); clones share the
/// connection pool and the access token, so one client serves a whole process.
///
/// ```no_run
/// # async fn demo() -> Result<(), wecom_sdk::Error> {
/// let client = wecom_sdk::Client::new("ww0123456789abcdef", "app-secret")?;
/// let member = client.user().get("zhangsan").await?;
/// println!("{} is in departments {:?}", member.name, member.department);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Arc<Transport>,
    corp_id: String,
    secret: Secret,
    token_margin: Duration,
    tokens: TokenCache,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("corp_id", &self.inner.corp_id)
            .field("secret", &self.inner.secret)
            .field("base_url", &self.inner.transport.base)
            .field("timeout", &self.inner.transport.timeout)
            .finish()
    }
}

impl Client {
    /// A client with the default configuration.
    pub fn new(corp_id: impl Into<String>, secret: impl Into<Secret>) -> Result<Self, Error> {
        Self::builder(corp_id, secret).build()
    }

    /// A builder to set the base URL, timeout or HTTP client.
    pub fn builder(corp_id: impl Into<String>, secret: impl Into<Secret>) -> ClientBuilder {
        ClientBuilder {
            corp_id: corp_id.into(),
            secret: secret.into(),
            base_url: DEFAULT_BASE_URL.to_string(),
            timeout: Some(DEFAULT_TIMEOUT),
            http: None,
            token_margin: DEFAULT_TOKEN_MARGIN,
        }
    }

    /// The corp id (`corpid`) this client acts for.
    pub fn corp_id(&self) -> &str {
        &self.inner.corp_id
    }

    /// The API origin requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.transport.base
    }

    /// Wraps a request built separately, to send it with this client.
    pub fn call<R: Endpoint>(&self, request: R) -> Call<R> {
        Call::new(self.clone(), request)
    }

    /// Sends a request and decodes the typed response.
    pub async fn execute<R: Endpoint>(&self, request: &R) -> Result<R::Response, Error> {
        let meta = R::META;
        let mut query = Query::default();
        request.write_query(&mut query);
        let body = match meta.body {
            BodyKind::Json => Some(Bytes::from(serde_json::to_vec(request).map_err(|e| {
                Error::InvalidRequest {
                    endpoint: meta.id,
                    message: format!("cannot encode the body: {e}"),
                    doc: meta.doc,
                }
            })?)),
            BodyKind::None => None,
        };
        let bytes = self.exchange(meta, &query, body).await?;
        decode(meta, &bytes)
    }

    /// The current access token, fetching one if needed (for JS-SDK signatures and the like).
    pub async fn access_token(&self) -> Result<Secret, Error> {
        Ok(self.cached_token().await?.value.clone())
    }

    async fn cached_token(&self) -> Result<Arc<Token>, Error> {
        let inner = &self.inner;
        inner
            .tokens
            .get(|| {
                let transport = Arc::clone(&inner.transport);
                let request = crate::token::GetTokenRequest::new(inner.corp_id.clone(), inner.secret.clone());
                let margin = inner.token_margin;
                async move {
                    let meta = <crate::token::GetTokenRequest as Endpoint>::META;
                    let mut query = Query::default();
                    request.write_query(&mut query);
                    let bytes = transport.send(meta, &query, None, None).await?;
                    let reply: crate::token::GetTokenResponse = decode(meta, &bytes)?;
                    tracing::debug!(expires_in = reply.expires_in, "fetched an access token");
                    Ok(Token::new(
                        reply.access_token,
                        Duration::from_secs(reply.expires_in),
                        margin,
                    ))
                }
                .instrument(tracing::debug_span!("wecom.gettoken"))
                .boxed()
            })
            .await
    }

    /// One logical call: authenticate, send, and on a rejected token refresh it and repeat once.
    async fn exchange(
        &self,
        meta: &'static EndpointMeta,
        query: &Query,
        body: Option<Bytes>,
    ) -> Result<Bytes, Error> {
        let span = tracing::debug_span!("wecom.call", endpoint = meta.id, attempt = tracing::field::Empty);
        async move {
            let mut attempt = 1;
            loop {
                tracing::Span::current().record("attempt", attempt);
                let token = match meta.auth {
                    Auth::AccessToken => Some(self.cached_token().await?),
                    Auth::None => None,
                };
                let credential = token.as_ref().map(|t| &t.value);
                match self
                    .inner
                    .transport
                    .send(meta, query, credential, body.clone())
                    .await
                {
                    Err(Error::Api(e))
                        if attempt == 1 && token.is_some() && TOKEN_REJECTED.contains(&e.code) =>
                    {
                        tracing::debug!(errcode = e.code, "access token rejected; refreshing once");
                        if let Some(used) = &token {
                            self.inner.tokens.invalidate(used);
                        }
                        attempt += 1;
                    }
                    other => return other,
                }
            }
        }
        .instrument(span)
        .await
    }
}

/// Configures a [`Client`].
#[must_use]
pub struct ClientBuilder {
    corp_id: String,
    secret: Secret,
    base_url: String,
    timeout: Option<Duration>,
    http: Option<reqwest::Client>,
    token_margin: Duration,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("corp_id", &self.corp_id)
            .field("secret", &self.secret)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Sends requests to another origin, such as a local mock: `http://127.0.0.1:8080`.
    /// Only scheme, host and port are allowed; paths come from the spec.
    pub fn base_url(mut self, origin: impl Into<String>) -> Self {
        self.base_url = origin.into();
        self
    }

    /// The longest a call may take, per HTTP exchange (default 30 s; `None` waits forever).
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = timeout.into();
        self
    }

    /// Uses the caller's HTTP client (its pool, proxy and TLS settings).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// How long before its expiry a cached access token is replaced (default 5 minutes).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.token_margin = margin;
        self
    }

    /// The client, or [`Error::Config`] for a base URL that is not an origin or an empty
    /// corp id or secret.
    pub fn build(self) -> Result<Client, Error> {
        let base = origin(&self.base_url)?;
        if self.corp_id.trim().is_empty() {
            return Err(Error::Config("the corp id is empty".into()));
        }
        if self.secret.expose().trim().is_empty() {
            return Err(Error::Config("the secret is empty".into()));
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                transport: Arc::new(Transport {
                    http,
                    base,
                    timeout: self.timeout,
                }),
                corp_id: self.corp_id,
                secret: self.secret,
                token_margin: self.token_margin,
                tokens: TokenCache::default(),
            }),
        })
    }
}

/// `scheme://host[:port]` of `text`, refusing paths, queries and credentials.
fn origin(text: &str) -> Result<String, Error> {
    let bad = |why: &str| {
        Error::Config(format!(
            "base URL `{text}` {why}; give an origin such as http://127.0.0.1:8080"
        ))
    };
    let url = reqwest::Url::parse(text).map_err(|e| bad(&format!("is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("is not http or https"));
    }
    if url.host_str().is_none() {
        return Err(bad("has no host"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(bad("has a path, query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("carries credentials"));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// The HTTP side: one request, one answer, the envelope checked.
struct Transport {
    http: reqwest::Client,
    /// The origin, without a trailing slash.
    base: String,
    timeout: Option<Duration>,
}

impl Transport {
    async fn send(
        &self,
        meta: &'static EndpointMeta,
        query: &Query,
        access_token: Option<&Secret>,
        body: Option<Bytes>,
    ) -> Result<Bytes, Error> {
        let mut url = reqwest::Url::parse(&format!("{}{}", self.base, meta.path)).map_err(|e| {
            Error::InvalidRequest {
                endpoint: meta.id,
                message: format!("bad path {}: {e}", meta.path),
                doc: meta.doc,
            }
        })?;
        {
            let mut pairs = url.query_pairs_mut();
            if let Some(token) = access_token {
                pairs.append_pair("access_token", token.expose());
            }
            for (key, value) in query.public_pairs() {
                pairs.append_pair(key, value);
            }
            for (key, value) in query.secret_pairs() {
                pairs.append_pair(key, value.expose());
            }
        }
        let method = match meta.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
        };
        let mut request = self.http.request(method, url);
        if let Some(timeout) = self.timeout {
            request = request.timeout(timeout);
        }
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        tracing::trace!(query = ?query, "sending");
        let response = request
            .send()
            .await
            .map_err(|e| Error::transport(meta.id, self.timeout, e))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| Error::transport(meta.id, self.timeout, e))?;
        if !status.is_success() {
            return Err(Error::Http {
                endpoint: meta.id,
                status: status.as_u16(),
                excerpt: excerpt(&bytes, meta.sensitive),
            });
        }
        check_envelope(meta, &bytes)?;
        Ok(bytes)
    }
}

/// The two fields every answer carries. `errcode` may be absent (the service-token endpoints
/// omit it on success) or a string.
#[derive(Deserialize)]
struct Envelope {
    #[serde(default, with = "crate::rt::wire::As::<Option<crate::rt::wire::Lenient>>")]
    errcode: Option<i64>,
    #[serde(default, with = "crate::rt::wire::As::<Option<crate::rt::wire::Lenient>>")]
    errmsg: Option<String>,
}

fn check_envelope(meta: &'static EndpointMeta, bytes: &[u8]) -> Result<(), Error> {
    let envelope: Envelope = serde_json::from_slice(bytes).map_err(|e| Error::Decode {
        endpoint: meta.id,
        message: format!("not a JSON object: {e}"),
        excerpt: excerpt(bytes, meta.sensitive),
    })?;
    match envelope.errcode.unwrap_or(0) {
        0 => Ok(()),
        code => {
            let message = envelope.errmsg.unwrap_or_default();
            tracing::debug!(errcode = code, errmsg = %message, "WeCom refused the call");
            let body = if meta.sensitive {
                None
            } else {
                serde_json::from_slice(bytes).ok()
            };
            Err(Error::Api(Box::new(ApiError {
                endpoint: meta.id,
                code,
                message,
                doc: meta.doc,
                body,
            })))
        }
    }
}

/// The typed response from an answer whose envelope said success.
fn decode<T: DeserializeOwned>(meta: &'static EndpointMeta, bytes: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|_| {
        // Decode again with the path tracked, only now that it is needed for the message.
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let message = match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Err(e) => format!("at `{}`: {}", e.path(), e.inner()),
            Ok(_) => "the body does not match the spec".to_string(),
        };
        Error::Decode {
            endpoint: meta.id,
            message,
            excerpt: excerpt(bytes, meta.sensitive),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_must_be_origins() {
        assert_eq!(origin("http://127.0.0.1:8080").unwrap(), "http://127.0.0.1:8080");
        assert_eq!(
            origin("https://qyapi.weixin.qq.com/").unwrap(),
            "https://qyapi.weixin.qq.com"
        );
        for bad in [
            "127.0.0.1:8080",
            "ftp://x",
            "http://x/cgi-bin",
            "http://x/?a=1",
            "http://u:p@x",
            "nonsense",
        ] {
            let err = origin(bad).unwrap_err().to_string();
            assert!(err.contains("give an origin"), "{bad}: {err}");
        }
    }

    #[test]
    fn debug_redacts_the_secret() {
        let client = Client::builder("corp", "very-secret-value").build().unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains("very-secret-value"), "{shown}");
        assert!(shown.contains("corp"));
        let builder = format!("{:?}", Client::builder("corp", "very-secret-value"));
        assert!(!builder.contains("very-secret-value"), "{builder}");
    }

    #[test]
    fn empty_credentials_are_configuration_errors() {
        assert!(matches!(Client::new("", "s"), Err(Error::Config(_))));
        assert!(matches!(Client::new("c", " "), Err(Error::Config(_))));
    }
}
