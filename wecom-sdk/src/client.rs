//! The client: configuration, credentials, and the refresh-once retry around each call.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use tracing::Instrument;

use crate::credentials::{Token, TokenCache};
use crate::download::{Download, DownloadEndpoint};
use crate::endpoint::{Auth, BodyKind, Endpoint, EndpointMeta, Query};
use crate::policy::{Limiter, RATE_LIMITED, RetryPolicy};
use crate::store::{MemoryStore, TokenStore};
use crate::transport::{Credential, Payload, Transport, decode};
use crate::{Call, Error, Secret};

/// WeCom's API origin.
pub const DEFAULT_BASE_URL: &str = "https://qyapi.weixin.qq.com";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long before WeCom's expiry a cached token is replaced.
const DEFAULT_TOKEN_MARGIN: Duration = Duration::from_secs(300);

/// `errcode`s that mean "the token you sent is not (or no longer) valid": the token is dropped,
/// a new one fetched, and the call repeated once.
const TOKEN_REJECTED: &[i64] = &[
    40014, // 不合法的access_token
    41001, // 缺少access_token参数
    42001, // access_token已过期
    40082, // 不合法的suite_token
    42009, // suite_access_token已过期
];

/// A WeCom client. Cheap to clone (an `Arc`); clones share the connection pool and the cached
/// credentials, so one client serves a whole process.
///
/// A client acts for an app of a corp (corp id + app secret) and, when configured, for a
/// service provider (`provider_access_token`) and a third-party app (`suite_access_token`).
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
    corp: Option<CorpApp>,
    provider: Option<Provider>,
    suite: Option<Suite>,
    token_margin: Duration,
    /// Check requests against the spec's limits before sending them.
    validate: bool,
    retry: RetryPolicy,
    limiter: Limiter,
}

struct CorpApp {
    corp_id: String,
    secret: Secret,
    tokens: TokenCache,
    /// The corp's JS-SDK ticket (`get_jsapi_ticket`).
    jsapi_ticket: TokenCache,
    /// The app's JS-SDK ticket (`ticket/get?type=agent_config`).
    agent_ticket: TokenCache,
}

struct Provider {
    corp_id: String,
    secret: Secret,
    tokens: TokenCache,
}

struct Suite {
    suite_id: String,
    secret: Secret,
    /// The latest `suite_ticket` WeCom pushed to the app's callback.
    ticket: Arc<Mutex<Option<Secret>>>,
    tokens: TokenCache,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("corp_id", &inner.corp.as_ref().map(|c| &c.corp_id))
            .field("secret", &inner.corp.as_ref().map(|c| &c.secret))
            .field("provider", &inner.provider.as_ref().map(|p| &p.corp_id))
            .field("suite", &inner.suite.as_ref().map(|s| &s.suite_id))
            .field("base_url", &inner.transport.base)
            .field("timeout", &inner.transport.timeout)
            .finish()
    }
}

impl Client {
    /// A client for an app of a corp, with the default configuration.
    pub fn new(corp_id: impl Into<String>, secret: impl Into<Secret>) -> Result<Self, Error> {
        Self::builder(corp_id, secret).build()
    }

    /// A builder for an app of a corp, to set the base URL, timeout or HTTP client.
    pub fn builder(corp_id: impl Into<String>, secret: impl Into<Secret>) -> ClientBuilder {
        ClientBuilder::empty().corp_app(corp_id, secret)
    }

    /// A builder for a service provider only (the `service` group's provider endpoints).
    pub fn provider_builder(
        provider_corp_id: impl Into<String>,
        provider_secret: impl Into<Secret>,
    ) -> ClientBuilder {
        ClientBuilder::empty().provider(provider_corp_id, provider_secret)
    }

    /// A builder for a third-party app only; hand it each `suite_ticket` with
    /// [`Client::set_suite_ticket`].
    pub fn suite_builder(suite_id: impl Into<String>, suite_secret: impl Into<Secret>) -> ClientBuilder {
        ClientBuilder::empty().suite(suite_id, suite_secret)
    }

    /// The corp id (`corpid`) of the app this client acts for, if it acts for one.
    pub fn corp_id(&self) -> Option<&str> {
        self.inner.corp.as_ref().map(|c| c.corp_id.as_str())
    }

    /// The API origin requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.transport.base
    }

    /// Stores the `suite_ticket` WeCom pushed to the third-party app's callback (every ten
    /// minutes); the next suite token fetch uses it.
    pub fn set_suite_ticket(&self, ticket: impl Into<Secret>) {
        if let Some(suite) = &self.inner.suite {
            *suite.ticket.lock().unwrap_or_else(PoisonError::into_inner) = Some(ticket.into());
        }
    }

    /// Wraps a request built separately, to send it with this client.
    pub fn call<R: Endpoint>(&self, request: R) -> Call<R> {
        Call::new(self.clone(), request)
    }

    /// Sends a request and decodes the typed response.
    pub async fn execute<R: Endpoint>(&self, request: &R) -> Result<R::Response, Error> {
        let meta = R::META;
        self.check(meta, request.validate())?;
        let mut query = Query::default();
        request.write_query(&mut query);
        let json = match meta.body {
            BodyKind::Json => Some(encode_body(meta, request)?),
            _ => None,
        };
        let mut files = Vec::new();
        if meta.body == BodyKind::Multipart {
            request.write_files(&mut files);
        }
        let bytes = self
            .authenticated(meta, |credential| {
                let payload = match (&json, meta.body) {
                    (Some(body), _) => Payload::Json(body.clone()),
                    (None, BodyKind::Multipart) => Payload::Multipart(files.clone()),
                    _ => Payload::None,
                };
                self.inner.transport.send(meta, &query, credential, payload)
            })
            .await?;
        decode(meta, &bytes)
    }

    /// Sends a request whose answer is a file; the body is read as the caller reads it.
    pub async fn download<R: DownloadEndpoint>(&self, request: &R) -> Result<Download, Error> {
        let meta = R::META;
        self.check(meta, request.validate())?;
        let mut query = Query::default();
        request.write_query(&mut query);
        let response = self
            .authenticated(meta, |credential| {
                self.inner.transport.open(meta, &query, credential)
            })
            .await?;
        Ok(Download::new(meta.id, response))
    }

    /// Turns a failed validation into the error a caller sees, unless validation is off.
    fn check(&self, meta: &'static EndpointMeta, outcome: Result<(), crate::Violation>) -> Result<(), Error> {
        match outcome {
            Err(violation) if self.inner.validate => Err(Error::InvalidRequest {
                endpoint: meta.id,
                message: violation.to_string(),
                field: Some(violation.field),
                doc: meta.doc,
            }),
            _ => Ok(()),
        }
    }

    /// The corp app's current access token, fetching one if needed (JS-SDK signatures and
    /// other helpers that must hand the token on).
    pub async fn access_token(&self) -> Result<Secret, Error> {
        Ok(self
            .token_for(Auth::AccessToken, "access_token")
            .await?
            .value
            .clone())
    }

    /// The service provider's current `provider_access_token`.
    pub async fn provider_access_token(&self) -> Result<Secret, Error> {
        Ok(self
            .token_for(Auth::ProviderAccessToken, "provider_access_token")
            .await?
            .value
            .clone())
    }

    /// The third-party app's current `suite_access_token`.
    pub async fn suite_access_token(&self) -> Result<Secret, Error> {
        Ok(self
            .token_for(Auth::SuiteAccessToken, "suite_access_token")
            .await?
            .value
            .clone())
    }

    /// Runs `send` with the credential `meta` needs, under the client's policy: when WeCom
    /// rejects the token, drops it, fetches a new one and sends once more; when WeCom is busy
    /// or the connection fails in a way that is safe to repeat, waits and sends again, up to
    /// the retry policy's attempts; a rate limit comes back at once as [`Error::RateLimited`].
    async fn authenticated<'a, T, F, Fut>(&'a self, meta: &'static EndpointMeta, send: F) -> Result<T, Error>
    where
        F: Fn(Option<Credential>) -> Fut + 'a,
        Fut: Future<Output = Result<T, Error>> + 'a,
    {
        let span = tracing::debug_span!(
            "wecom.call",
            endpoint = meta.id,
            attempt = tracing::field::Empty,
            errcode = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        async move {
            let started = std::time::Instant::now();
            let policy = self.inner.retry;
            let mut attempt = 0;
            let mut refreshed = false;
            let outcome = loop {
                attempt += 1;
                tracing::Span::current().record("attempt", attempt);
                let _permit = self.inner.limiter.admit().await;
                let token = match meta.auth {
                    Auth::None => None,
                    kind => match self.token_for(kind, meta.id).await {
                        Ok(token) => Some(token),
                        // Fetching a token is safe to repeat; the same policy applies.
                        Err(error) if policy.retries(&error, true, attempt) => {
                            tokio::time::sleep(policy.delay(attempt)).await;
                            continue;
                        }
                        Err(error) => break Err(error),
                    },
                };
                let credential = token.as_ref().map(|t| Credential {
                    param: credential_param(meta.auth),
                    token: Arc::clone(t),
                });
                let error = match send(credential).await {
                    Ok(value) => break Ok(value),
                    Err(error) => error,
                };
                if let Error::Api(e) = &error {
                    tracing::Span::current().record("errcode", e.code);
                    if TOKEN_REJECTED.contains(&e.code)
                        && !refreshed
                        && let Some(used) = &token
                    {
                        tracing::debug!(errcode = e.code, "token rejected; refreshing once");
                        if let Some(cache) = self.cache_for(meta.auth) {
                            cache.invalidate(used).await;
                        }
                        refreshed = true;
                        // The refresh does not count against the retry policy's attempts.
                        attempt -= 1;
                        continue;
                    }
                    if RATE_LIMITED.contains(&e.code) {
                        break Err(Error::RateLimited(e.clone()));
                    }
                }
                if policy.retries(&error, meta.idempotent, attempt) {
                    let delay = policy.delay(attempt);
                    tracing::debug!(error = %error, delay_ms = delay.as_millis() as u64, "retrying");
                    tokio::time::sleep(delay).await;
                    continue;
                }
                break Err(error);
            };
            tracing::Span::current().record("latency_ms", started.elapsed().as_millis() as u64);
            if let Err(error) = &outcome {
                tracing::debug!(error = %error, "call failed");
            }
            outcome
        }
        .instrument(span)
        .await
    }

    /// A JS-SDK ticket from its cache, fetched with `fetch` (given this client) when stale.
    #[cfg_attr(not(feature = "jsapi"), allow(dead_code))]
    pub(crate) async fn cached_ticket<F, Fut>(&self, agent: bool, fetch: F) -> Result<Secret, Error>
    where
        F: FnOnce(Client) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(Secret, u64), Error>> + Send + 'static,
    {
        let corp = self
            .inner
            .corp
            .as_ref()
            .ok_or_else(|| Error::Config("JS-SDK tickets need a corp app (corp id and secret)".into()))?;
        let cache = if agent {
            &corp.agent_ticket
        } else {
            &corp.jsapi_ticket
        };
        let margin = self.inner.token_margin;
        // A weak handle: the fetch in flight must not keep the client alive by itself.
        let weak = Arc::downgrade(&self.inner);
        let token = cache
            .get(move || {
                async move {
                    let inner = weak.upgrade().ok_or_else(|| {
                        Error::Config("the client was dropped during a ticket fetch".into())
                    })?;
                    let (ticket, expires_in) = fetch(Client { inner }).await?;
                    Ok(Token::new(ticket, Duration::from_secs(expires_in), margin))
                }
                .boxed()
            })
            .await?;
        Ok(token.value.clone())
    }

    fn cache_for(&self, kind: Auth) -> Option<&TokenCache> {
        let inner = &self.inner;
        match kind {
            Auth::AccessToken => inner.corp.as_ref().map(|c| &c.tokens),
            Auth::ProviderAccessToken => inner.provider.as_ref().map(|p| &p.tokens),
            Auth::SuiteAccessToken => inner.suite.as_ref().map(|s| &s.tokens),
            Auth::None => None,
        }
    }

    /// A fresh token of `kind`, from the cache or from one shared fetch.
    async fn token_for(&self, kind: Auth, endpoint: &'static str) -> Result<Arc<Token>, Error> {
        let inner = &self.inner;
        let cache = match kind {
            Auth::AccessToken => inner.corp.as_ref().map(|c| &c.tokens),
            Auth::ProviderAccessToken => inner.provider.as_ref().map(|p| &p.tokens),
            Auth::SuiteAccessToken => inner.suite.as_ref().map(|s| &s.tokens),
            Auth::None => None,
        };
        if let Some(token) = cache.and_then(TokenCache::fresh) {
            return Ok(token);
        }
        let missing = |what: &str| {
            Error::Config(format!(
                "{endpoint} needs {what}, and this client was built without it"
            ))
        };
        let transport = Arc::clone(&inner.transport);
        let margin = inner.token_margin;
        match kind {
            Auth::AccessToken => {
                let corp = inner
                    .corp
                    .as_ref()
                    .ok_or_else(|| missing("a corp app's access token (corp id and secret)"))?;
                let request = crate::token::GetTokenRequest::new(corp.corp_id.clone(), corp.secret.clone());
                corp.tokens
                    .get(move || {
                        fetch(transport, request, margin, |r: crate::token::GetTokenResponse| {
                            (r.access_token, r.expires_in)
                        })
                    })
                    .await
            }
            Auth::ProviderAccessToken => {
                let provider = inner
                    .provider
                    .as_ref()
                    .ok_or_else(|| missing("a provider token (provider corp id and secret)"))?;
                let request = crate::service::GetProviderTokenRequest::new(
                    provider.corp_id.clone(),
                    provider.secret.clone(),
                );
                provider
                    .tokens
                    .get(move || {
                        fetch(
                            transport,
                            request,
                            margin,
                            |r: crate::service::GetProviderTokenResponse| {
                                (r.provider_access_token, r.expires_in)
                            },
                        )
                    })
                    .await
            }
            Auth::SuiteAccessToken => {
                let suite = inner
                    .suite
                    .as_ref()
                    .ok_or_else(|| missing("a suite token (suite id and secret)"))?;
                let ticket = suite
                    .ticket
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone();
                let suite_id = suite.suite_id.clone();
                let secret = suite.secret.clone();
                suite
                    .tokens
                    .get(move || match ticket {
                        None => async move {
                            Err(Error::Config(format!(
                                "{endpoint} needs a suite token, and no suite_ticket was set yet (Client::set_suite_ticket)"
                            )))
                        }
                        .boxed(),
                        Some(ticket) => {
                            let request = crate::service::GetSuiteTokenRequest::new(suite_id, secret, ticket);
                            fetch(transport, request, margin, |r: crate::service::GetSuiteTokenResponse| {
                                (r.suite_access_token, r.expires_in)
                            })
                        }
                    })
                    .await
            }
            Auth::None => Err(Error::Config(format!("{endpoint} takes no credential"))),
        }
    }
}

/// The query parameter a credential travels in.
fn credential_param(kind: Auth) -> &'static str {
    match kind {
        Auth::SuiteAccessToken => "suite_access_token",
        // The provider token travels as `access_token` too, as the official docs show.
        _ => "access_token",
    }
}

fn encode_body<R: Endpoint>(meta: &'static EndpointMeta, request: &R) -> Result<Bytes, Error> {
    serde_json::to_vec(request)
        .map(Bytes::from)
        .map_err(|e| Error::InvalidRequest {
            endpoint: meta.id,
            field: None,
            message: format!("cannot encode the body: {e}"),
            doc: meta.doc,
        })
}

/// Fetches a token with a credential endpoint (which itself takes no credential).
fn fetch<R, F>(
    transport: Arc<Transport>,
    request: R,
    margin: Duration,
    read: F,
) -> BoxFuture<'static, Result<Token, Error>>
where
    R: Endpoint,
    F: FnOnce(R::Response) -> (Secret, u64) + Send + 'static,
{
    let meta = R::META;
    async move {
        let mut query = Query::default();
        request.write_query(&mut query);
        let payload = match meta.body {
            BodyKind::Json => Payload::Json(encode_body(meta, &request)?),
            _ => Payload::None,
        };
        let bytes = transport.send(meta, &query, None, payload).await?;
        let (token, expires_in) = read(decode(meta, &bytes)?);
        tracing::debug!(expires_in, "fetched a token");
        Ok(Token::new(token, Duration::from_secs(expires_in), margin))
    }
    .instrument(tracing::debug_span!("wecom.token", endpoint = meta.id))
    .boxed()
}

/// Configures a [`Client`].
#[must_use]
pub struct ClientBuilder {
    corp: Option<(String, Secret)>,
    provider: Option<(String, Secret)>,
    suite: Option<(String, Secret)>,
    base_url: String,
    timeout: Option<Duration>,
    http: Option<reqwest::Client>,
    token_margin: Duration,
    validate: bool,
    retry: RetryPolicy,
    per_second: Option<u32>,
    in_flight: Option<usize>,
    store: Option<Arc<dyn TokenStore>>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("corp", &self.corp)
            .field("provider", &self.provider)
            .field("suite", &self.suite)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    fn empty() -> Self {
        ClientBuilder {
            corp: None,
            provider: None,
            suite: None,
            base_url: DEFAULT_BASE_URL.to_string(),
            timeout: Some(DEFAULT_TIMEOUT),
            http: None,
            token_margin: DEFAULT_TOKEN_MARGIN,
            validate: true,
            retry: RetryPolicy::default(),
            per_second: None,
            in_flight: None,
            store: None,
        }
    }

    /// Keeps tokens in `store` (default: in this process's memory). A shared store such as
    /// `RedisStore` (cargo feature `redis`) lets many processes fetch each token once between them.
    pub fn token_store(mut self, store: impl TokenStore) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// Acts for an app of a corp: `access_token` from `gettoken` with the corp id and secret.
    pub fn corp_app(mut self, corp_id: impl Into<String>, secret: impl Into<Secret>) -> Self {
        self.corp = Some((corp_id.into(), secret.into()));
        self
    }

    /// Acts for a service provider too: `provider_access_token` from `service/get_provider_token`.
    pub fn provider(
        mut self,
        provider_corp_id: impl Into<String>,
        provider_secret: impl Into<Secret>,
    ) -> Self {
        self.provider = Some((provider_corp_id.into(), provider_secret.into()));
        self
    }

    /// Acts for a third-party app too: `suite_access_token` from `service/get_suite_token`
    /// with the latest ticket given to [`Client::set_suite_ticket`].
    pub fn suite(mut self, suite_id: impl Into<String>, suite_secret: impl Into<Secret>) -> Self {
        self.suite = Some((suite_id.into(), suite_secret.into()));
        self
    }

    /// Sends requests to another origin, such as a local mock: `http://127.0.0.1:8080`.
    /// Only scheme, host and port are allowed; paths come from the spec.
    pub fn base_url(mut self, origin: impl Into<String>) -> Self {
        self.base_url = origin.into();
        self
    }

    /// The longest one HTTP exchange may take (default 30 s; `None` waits forever).
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = timeout.into();
        self
    }

    /// Uses the caller's HTTP client (its pool, proxy and TLS settings).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// How long before its expiry a cached token is replaced (default 5 minutes).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.token_margin = margin;
        self
    }

    /// How failing calls are retried (default: three attempts in all, 200 ms doubling to 2 s,
    /// with jitter; see [`RetryPolicy`] for which failures qualify).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sends at most `per_second` calls a second from this client (and its clones): a brake to
    /// stay under WeCom's rate limits. Off by default.
    pub fn requests_per_second(mut self, per_second: u32) -> Self {
        self.per_second = Some(per_second);
        self
    }

    /// Lets at most `calls` be in flight at once from this client. Off by default.
    pub fn max_in_flight(mut self, calls: usize) -> Self {
        self.in_flight = Some(calls);
        self
    }

    /// Whether requests are checked against the documented limits before they are sent
    /// (default on). Turn it off when WeCom has loosened a limit before the spec caught up.
    pub fn validate_requests(mut self, on: bool) -> Self {
        self.validate = on;
        self
    }

    /// The client, or [`Error::Config`] for a base URL that is not an origin, an empty id or
    /// secret, or no credential at all.
    pub fn build(self) -> Result<Client, Error> {
        let base = origin(&self.base_url)?;
        let check = |what: &str, pair: &Option<(String, Secret)>| -> Result<(), Error> {
            match pair {
                Some((id, _)) if id.trim().is_empty() => {
                    Err(Error::Config(format!("the {what} id is empty")))
                }
                Some((_, secret)) if secret.expose().trim().is_empty() => {
                    Err(Error::Config(format!("the {what} secret is empty")))
                }
                _ => Ok(()),
            }
        };
        check("corp", &self.corp)?;
        check("provider corp", &self.provider)?;
        check("suite", &self.suite)?;
        if self.corp.is_none() && self.provider.is_none() && self.suite.is_none() {
            return Err(Error::Config(
                "no credential: give a corp app, a provider or a suite".into(),
            ));
        }
        let store: Arc<dyn TokenStore> = self.store.unwrap_or_else(|| Arc::new(MemoryStore::new()));
        let cache = |kind: &str, id: &str, secret: &Secret| {
            TokenCache::new(crate::store::key(kind, id, secret), Arc::clone(&store))
        };
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
                corp: self.corp.map(|(corp_id, secret)| CorpApp {
                    tokens: cache("access_token", &corp_id, &secret),
                    jsapi_ticket: cache("jsapi_ticket", &corp_id, &secret),
                    agent_ticket: cache("agent_ticket", &corp_id, &secret),
                    corp_id,
                    secret,
                }),
                provider: self.provider.map(|(corp_id, secret)| Provider {
                    tokens: cache("provider_token", &corp_id, &secret),
                    corp_id,
                    secret,
                }),
                suite: self.suite.map(|(suite_id, secret)| Suite {
                    tokens: cache("suite_token", &suite_id, &secret),
                    suite_id,
                    secret,
                    ticket: Arc::new(Mutex::new(None)),
                }),
                token_margin: self.token_margin,
                validate: self.validate,
                retry: RetryPolicy {
                    max_attempts: self.retry.max_attempts.max(1),
                    ..self.retry
                },
                limiter: Limiter::new(self.per_second, self.in_flight),
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
    fn debug_redacts_every_secret() {
        let client = Client::builder("corp", "very-secret-value")
            .provider("provider-corp", "provider-secret-value")
            .suite("suite", "suite-secret-value")
            .build()
            .unwrap();
        client.set_suite_ticket("ticket-value");
        let shown = format!("{client:?}");
        for secret in [
            "very-secret-value",
            "provider-secret-value",
            "suite-secret-value",
            "ticket-value",
        ] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("corp"));
        let builder = format!(
            "{:?}",
            Client::builder("corp", "very-secret-value").provider("p", "provider-secret-value")
        );
        assert!(
            !builder.contains("very-secret-value") && !builder.contains("provider-secret-value"),
            "{builder}"
        );
    }

    #[test]
    fn empty_or_missing_credentials_are_configuration_errors() {
        assert!(matches!(Client::new("", "s"), Err(Error::Config(_))));
        assert!(matches!(Client::new("c", " "), Err(Error::Config(_))));
        assert!(matches!(ClientBuilder::empty().build(), Err(Error::Config(_))));
        assert!(Client::provider_builder("p", "s").build().is_ok());
    }
}
