//! The client: configuration, credentials, and the refresh-once retry around each call.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use tracing::Instrument;

use crate::auth::Slot;
use crate::download::{Download, DownloadEndpoint};
use crate::endpoint::{BodyKind, Endpoint, EndpointMeta, Query};
use crate::policy::{Limiter, RATE_LIMITED, RetryPolicy};
use crate::schema::Placement;
use crate::store::{MemoryStore, StoreError, StoredToken, TokenStore};
use crate::tokens::{Token, TokenCache};
use crate::transport::{Credential as Carried, Payload, Transport, decode};
use crate::{Call, Credential, Error, Secret};

/// WeCom's API origin.
pub const DEFAULT_BASE_URL: &str = "https://qyapi.weixin.qq.com";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long before WeCom's expiry a cached token is replaced.
const DEFAULT_TOKEN_MARGIN: Duration = Duration::from_secs(300);
/// How long WeCom accepts a pushed ticket: a `suite_ticket` is pushed every ten minutes and each
/// is good for thirty.
const TICKET_LIFETIME: Duration = Duration::from_secs(30 * 60);
/// How often WeCom pushes a new ticket.
const TICKET_PUSH_INTERVAL: Duration = Duration::from_secs(10 * 60);

/// A WeCom client. Cheap to clone (an `Arc`); clones share the connection pool and the cached
/// credentials, so one client serves a whole process.
///
/// A client acts for an app of a corp (corp id + app secret) and, when configured, for a
/// service provider (`provider_access_token`) and a third-party app (`suite_access_token`): each
/// kind of [`Credential`] it is given, it fetches, caches and refreshes by itself.
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
    /// The configured credentials, by `Credential as usize`.
    credentials: Vec<Option<Configured>>,
    token_margin: Duration,
    /// Check requests against the spec's limits before sending them.
    validate: bool,
    retry: RetryPolicy,
    limiter: Limiter,
}

/// One credential the client was given: whose it is, its secret, the ticket WeCom pushes (for
/// the kinds that need one) with when it was set, and its tokens.
struct Configured {
    id: String,
    secret: Secret,
    ticket: Mutex<Option<(Secret, SystemTime)>>,
    /// Where [`Client::save_ticket`] keeps the ticket in the token store.
    ticket_key: String,
    store: Arc<dyn TokenStore>,
    tokens: TokenCache,
}

impl Configured {
    /// The newest ticket: the one set in this process, or the one another process saved in the
    /// store ([`Client::save_ticket`]), whichever was set later; a stored one WeCom no longer
    /// accepts is ignored. A store that fails is logged and skipped.
    async fn latest_ticket(&self) -> Option<Secret> {
        let local = self.ticket.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let stored = match self.store.load(&self.ticket_key).await {
            Ok(Some(stored)) if stored.expires_at > SystemTime::now() => Some(stored),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the ticket from the token store");
                None
            }
        };
        match (local, stored) {
            (Some((local, set_at)), Some(stored)) => {
                if stored.expires_at > set_at + TICKET_LIFETIME {
                    Some(stored.value)
                } else {
                    Some(local)
                }
            }
            (Some((local, _)), None) => Some(local),
            (None, Some(stored)) => Some(stored.value),
            (None, None) => None,
        }
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Client");
        for kind in Credential::ALL {
            if let Some(c) = self.configured(*kind)
                && kind.def().derived_from.is_none()
            {
                s.field(kind.def().name, &format_args!("{} / {:?}", c.id, c.secret));
            }
        }
        s.field("base_url", &self.inner.transport.base)
            .field("timeout", &self.inner.transport.timeout)
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

    /// A builder for a service provider only (the provider's endpoints).
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

    /// A builder with no credential yet: add each with [`ClientBuilder::credential`].
    pub fn builder_without_credentials() -> ClientBuilder {
        ClientBuilder::empty()
    }

    /// The corp id (`corpid`) of the app this client acts for, if it acts for one.
    pub fn corp_id(&self) -> Option<&str> {
        self.configured(Credential::DEFAULT).map(|c| c.id.as_str())
    }

    /// Whose credential of `kind` this client holds (a corp id, a suite id), if any.
    pub fn credential_id(&self, kind: Credential) -> Option<&str> {
        self.configured(kind).map(|c| c.id.as_str())
    }

    /// The API origin requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.transport.base
    }

    /// Stores the ticket WeCom pushed for credentials of `kind` that need one (the
    /// `suite_ticket` of a third-party app, every ten minutes); the next fetch of that kind's
    /// token uses it. Does nothing for a kind the client was not given.
    ///
    /// The ticket stays in this process. A fleet whose processes share a token store, where the
    /// push reaches one process and the fetch may happen in another, wants
    /// [`Client::save_ticket`].
    pub fn set_ticket(&self, kind: Credential, ticket: impl Into<Secret>) {
        if let Some(c) = self.configured(kind) {
            *c.ticket.lock().unwrap_or_else(PoisonError::into_inner) =
                Some((ticket.into(), SystemTime::now()));
        }
    }

    /// [`Client::set_ticket`] for the third-party app's `suite_ticket`.
    pub fn set_suite_ticket(&self, ticket: impl Into<Secret>) {
        self.set_ticket(Credential::SuiteAccessToken, ticket);
    }

    /// [`Client::set_ticket`], and the ticket saved in the client's token store as well (for
    /// thirty minutes, as long as WeCom accepts it), so that every process sharing the store
    /// (a `RedisStore`) fetches its next token with it, whichever process WeCom pushed it to.
    /// A token fetch uses the newer of the ticket set in its process and the one in the store.
    ///
    /// The callback service (`callback::CallbackService`, given the client) calls this for
    /// each `suite_ticket` it receives. Errors: the store's; the ticket is set in this process
    /// all the same. Does nothing for a kind the client was not given.
    pub async fn save_ticket(&self, kind: Credential, ticket: impl Into<Secret>) -> Result<(), StoreError> {
        let Some(c) = self.configured(kind) else {
            return Ok(());
        };
        let ticket = ticket.into();
        let now = SystemTime::now();
        *c.ticket.lock().unwrap_or_else(PoisonError::into_inner) = Some((ticket.clone(), now));
        let stored = StoredToken::new(ticket, now + TICKET_PUSH_INTERVAL, now + TICKET_LIFETIME);
        c.store.save(&c.ticket_key, &stored).await
    }

    /// [`Client::save_ticket`] for the third-party app's `suite_ticket`.
    pub async fn save_suite_ticket(&self, ticket: impl Into<Secret>) -> Result<(), StoreError> {
        self.save_ticket(Credential::SuiteAccessToken, ticket).await
    }

    /// Wraps a request built separately, to send it with this client.
    pub fn call<R: Endpoint>(&self, request: R) -> Call<R> {
        Call::new(self.clone(), request)
    }

    /// Sends a request and decodes the typed response.
    pub async fn execute<R: Endpoint>(&self, request: &R) -> Result<R::Response, Error> {
        let meta = R::META;
        let prepared = self.prepare(meta, request, || request.validate(), || request.files())?;
        let bytes = self.send(meta, prepared).await?;
        decode(meta, &bytes)
    }

    /// Validates `request` and splits it into what travels (generic only in what it must be).
    fn prepare<R: serde::Serialize + ?Sized>(
        &self,
        meta: &'static EndpointMeta,
        request: &R,
        validate: impl FnOnce() -> Result<(), crate::Violation>,
        files: impl FnOnce() -> Vec<(&'static str, crate::Upload)>,
    ) -> Result<Prepared, Error> {
        if self.inner.validate {
            validate().map_err(|violation| invalid(meta, violation))?;
        }
        let parts = crate::rt::split::split(request, meta).map_err(|message| Error::InvalidRequest {
            endpoint: meta.id,
            field: None,
            message: format!("cannot encode the request: {message}"),
            doc: meta.doc,
        })?;
        let files = if meta.body == BodyKind::Multipart {
            files()
        } else {
            Vec::new()
        };
        Ok(Prepared {
            query: parts.query,
            body: parts.body.map(Bytes::from),
            files,
        })
    }

    /// Sends a prepared request under the client's policy (not generic: one copy for every
    /// endpoint).
    fn send(&self, meta: &'static EndpointMeta, prepared: Prepared) -> BoxFuture<'_, Result<Bytes, Error>> {
        async move {
            self.authenticated(meta, |credential| {
                let payload = match (&prepared.body, meta.body) {
                    (Some(body), _) => Payload::Json(body.clone()),
                    (None, BodyKind::Multipart) => Payload::Multipart(prepared.files.clone()),
                    _ => Payload::None,
                };
                self.inner
                    .transport
                    .send(meta, &prepared.query, credential, payload)
            })
            .await
        }
        .boxed()
    }

    /// Sends a request whose answer is a file; the body is read as the caller reads it.
    pub async fn download<R: DownloadEndpoint>(&self, request: &R) -> Result<Download, Error> {
        let meta = R::META;
        let prepared = self.prepare(meta, request, || request.validate(), Vec::new)?;
        let response = self
            .authenticated(meta, |credential| {
                self.inner.transport.open(meta, &prepared.query, credential)
            })
            .await?;
        Ok(Download::new(meta.id, response))
    }

    /// The corp app's current access token, fetching one if needed (JS-SDK signatures and
    /// other helpers that must hand the token on).
    pub async fn access_token(&self) -> Result<Secret, Error> {
        self.current_token(Credential::DEFAULT).await
    }

    /// The service provider's current `provider_access_token`.
    pub async fn provider_access_token(&self) -> Result<Secret, Error> {
        self.current_token(Credential::ProviderAccessToken).await
    }

    /// The third-party app's current `suite_access_token`.
    pub async fn suite_access_token(&self) -> Result<Secret, Error> {
        self.current_token(Credential::SuiteAccessToken).await
    }

    /// The current token of `kind` (an access token, a JS-SDK ticket, …), fetched once for all
    /// callers when none is cached.
    pub async fn current_token(&self, kind: Credential) -> Result<Secret, Error> {
        Ok(self.token_for(kind, kind.def().fetch.id).await?.value.clone())
    }

    /// Runs `send` with the credential `meta` needs, under the client's policy: when WeCom
    /// rejects the token, drops it, fetches a new one and sends once more; when WeCom is busy
    /// or the connection fails in a way that is safe to repeat, waits and sends again, up to
    /// the retry policy's attempts; a rate limit comes back at once as [`Error::RateLimited`].
    async fn authenticated<'a, T, F, Fut>(&'a self, meta: &'static EndpointMeta, send: F) -> Result<T, Error>
    where
        F: Fn(Option<Carried>) -> Fut + 'a,
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
                    None => None,
                    Some(kind) => match self.token_for(kind, meta.id).await {
                        Ok(token) => Some((kind, token)),
                        // Fetching a token is safe to repeat; the same policy applies.
                        Err(error) if policy.retries(&error, true, attempt) => {
                            tokio::time::sleep(policy.delay(attempt)).await;
                            continue;
                        }
                        // A client without the credential says so in its own words.
                        Err(error @ Error::Config(_)) => break Err(error),
                        Err(error) => {
                            break Err(Error::Credential {
                                endpoint: meta.id,
                                credential: kind.def().name,
                                source: Box::new(error),
                            });
                        }
                    },
                };
                let credential = token.as_ref().and_then(|(kind, t)| {
                    kind.def().param.map(|param| Carried {
                        param,
                        token: Arc::clone(t),
                    })
                });
                let error = match send(credential).await {
                    Ok(value) => break Ok(value),
                    Err(error) => error,
                };
                if let Error::Api(e) = &error {
                    tracing::Span::current().record("errcode", e.code);
                    if let Some((kind, used)) = &token
                        && kind.def().rejects(e.code)
                        && !refreshed
                    {
                        tracing::debug!(errcode = e.code, "token rejected; refreshing once");
                        if let Some(c) = self.configured(*kind) {
                            c.tokens.invalidate(used).await;
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

    fn configured(&self, kind: Credential) -> Option<&Configured> {
        self.inner.credentials.get(kind as usize).and_then(Option::as_ref)
    }

    /// A fresh token of `kind`, from the cache or from one shared fetch.
    fn token_for(
        &self,
        kind: Credential,
        endpoint: &'static str,
    ) -> BoxFuture<'_, Result<Arc<Token>, Error>> {
        async move {
            let def = kind.def();
            let Some(configured) = self.configured(kind) else {
                let needs = match def.derived_from {
                    Some(base) => base.def().summary,
                    None => def.summary,
                };
                return Err(Error::Config(format!(
                    "{endpoint} needs {} (`{}`), and this client was built without it: {needs}",
                    if def.derived_from.is_some() {
                        "a ticket of"
                    } else {
                        "the credential"
                    },
                    def.name
                )));
            };
            if let Some(token) = configured.tokens.fresh() {
                return Ok(token);
            }
            let ticket = if def.inputs.iter().any(|i| i.slot == Slot::Ticket) {
                configured.latest_ticket().await
            } else {
                None
            };
            let mut query = Query::default();
            let mut body = serde_json::Map::new();
            for input in def.inputs {
                let value = match input.slot {
                    Slot::Id => Secret::from(configured.id.clone()),
                    Slot::Secret => configured.secret.clone(),
                    Slot::Ticket => match &ticket {
                        Some(t) => t.clone(),
                        None => {
                            return Err(Error::Config(format!(
                                "{endpoint} needs `{}`, and no {} was set yet (Client::set_ticket)",
                                def.name, input.param
                            )));
                        }
                    },
                };
                match input.placement {
                    Placement::Query if input.slot == Slot::Id => {
                        query.push_text(input.param, value.expose().to_string())
                    }
                    Placement::Query => query.push_secret(input.param, &value),
                    _ => {
                        body.insert(
                            input.param.to_string(),
                            serde_json::Value::String(value.expose().to_string()),
                        );
                    }
                }
            }
            for (param, value, placement) in def.fixed {
                match placement {
                    Placement::Query => query.push_text(*param, value.to_string()),
                    _ => {
                        body.insert(param.to_string(), serde_json::Value::String(value.to_string()));
                    }
                }
            }
            let payload = (def.fetch.body == BodyKind::Json).then(|| {
                Bytes::from(serde_json::to_vec(&serde_json::Value::Object(body)).unwrap_or_default())
            });
            let margin = self.inner.token_margin;
            // A weak handle: the fetch in flight must not keep the client alive by itself.
            let weak = Arc::downgrade(&self.inner);
            configured
                .tokens
                .get(move || {
                    async move {
                        let inner = weak.upgrade().ok_or_else(|| {
                            Error::Config("the client was dropped during a token fetch".into())
                        })?;
                        let client = Client { inner };
                        let meta = &kind.def().fetch;
                        let carried = match meta.auth {
                            Some(by) => {
                                let token = client.token_for(by, meta.id).await?;
                                by.def().param.map(|param| Carried { param, token })
                            }
                            None => None,
                        };
                        let payload = match &payload {
                            Some(b) => Payload::Json(b.clone()),
                            None => Payload::None,
                        };
                        let bytes = client
                            .inner
                            .transport
                            .send(meta, &query, carried, payload)
                            .await?;
                        let (token, expires_in) = read_token(kind, &bytes)?;
                        tracing::debug!(expires_in, credential = kind.def().name, "fetched a token");
                        Ok(Token::new(token, Duration::from_secs(expires_in), margin))
                    }
                    .instrument(tracing::debug_span!(
                        "wecom.token",
                        endpoint = kind.def().fetch.id
                    ))
                    .boxed()
                })
                .await
        }
        .boxed()
    }
}

/// A request ready to go: its query, JSON body and files.
struct Prepared {
    query: Query,
    body: Option<Bytes>,
    files: Vec<(&'static str, crate::Upload)>,
}

fn invalid(meta: &'static EndpointMeta, violation: crate::Violation) -> Error {
    Error::InvalidRequest {
        endpoint: meta.id,
        message: violation.to_string(),
        field: Some(violation.field),
        doc: meta.doc,
    }
}

/// The token and its lifetime from a fetch's answer, by the fields the spec names.
fn read_token(kind: Credential, bytes: &[u8]) -> Result<(Secret, u64), Error> {
    let def = kind.def();
    let decode_error = |message: String| Error::Decode {
        endpoint: def.fetch.id,
        message,
        excerpt: String::new(),
    };
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| decode_error(format!("not a JSON object: {e}")))?;
    let token = value
        .get(def.token)
        .and_then(serde_json::Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| decode_error(format!("no `{}` in the answer", def.token)))?;
    let expires_in = match value.get(def.expires_in) {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| decode_error(format!("no `{}` in the answer", def.expires_in)))?;
    Ok((Secret::from(token.to_string()), expires_in))
}

/// Configures a [`Client`].
#[must_use]
pub struct ClientBuilder {
    credentials: Vec<(Credential, String, Secret)>,
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
        let kinds: Vec<(&str, &str)> = self
            .credentials
            .iter()
            .map(|(k, id, _)| (k.def().name, id.as_str()))
            .collect();
        f.debug_struct("ClientBuilder")
            .field("credentials", &kinds)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    fn empty() -> Self {
        ClientBuilder {
            credentials: Vec::new(),
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

    /// Acts with a credential of `kind`: whose it is (a corp id, a suite id) and its secret. The
    /// client fetches its token as `spec/credentials.yaml` says, when a call first needs it.
    pub fn credential(mut self, kind: Credential, id: impl Into<String>, secret: impl Into<Secret>) -> Self {
        self.credentials.retain(|(k, _, _)| *k != kind);
        self.credentials.push((kind, id.into(), secret.into()));
        self
    }

    /// Acts for an app of a corp: `access_token` from `gettoken` with the corp id and secret.
    pub fn corp_app(self, corp_id: impl Into<String>, secret: impl Into<Secret>) -> Self {
        self.credential(Credential::DEFAULT, corp_id, secret)
    }

    /// Acts for a service provider too: its `provider_access_token`.
    pub fn provider(self, provider_corp_id: impl Into<String>, provider_secret: impl Into<Secret>) -> Self {
        self.credential(Credential::ProviderAccessToken, provider_corp_id, provider_secret)
    }

    /// Acts for a third-party app too: its `suite_access_token`, fetched with the latest ticket
    /// given to [`Client::set_suite_ticket`].
    pub fn suite(self, suite_id: impl Into<String>, suite_secret: impl Into<Secret>) -> Self {
        self.credential(Credential::SuiteAccessToken, suite_id, suite_secret)
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
        for (kind, id, secret) in &self.credentials {
            let name = kind.def().name;
            if kind.def().inputs.is_empty() {
                return Err(Error::Config(format!(
                    "`{name}` is not configured by itself: it comes with the credential it is fetched with"
                )));
            }
            if id.trim().is_empty() {
                return Err(Error::Config(format!(
                    "the id of the `{name}` credential is empty"
                )));
            }
            if secret.expose().trim().is_empty() {
                return Err(Error::Config(format!(
                    "the secret of the `{name}` credential is empty"
                )));
            }
        }
        if self.credentials.is_empty() {
            return Err(Error::Config(
                "no credential: give a corp app, a provider or a suite".into(),
            ));
        }
        let store: Arc<dyn TokenStore> = self.store.unwrap_or_else(|| Arc::new(MemoryStore::new()));
        let configured = |kind: Credential, id: &str, secret: &Secret| Configured {
            id: id.to_string(),
            secret: secret.clone(),
            ticket: Mutex::new(None),
            ticket_key: crate::store::key(
                kind.def()
                    .inputs
                    .iter()
                    .find(|i| i.slot == Slot::Ticket)
                    .map_or("ticket", |i| i.param),
                id,
                secret,
            ),
            store: Arc::clone(&store),
            tokens: TokenCache::new(
                crate::store::key(kind.def().cache, id, secret),
                Arc::clone(&store),
            ),
        };
        let mut credentials: Vec<Option<Configured>> = Credential::ALL.iter().map(|_| None).collect();
        for (kind, id, secret) in &self.credentials {
            credentials[*kind as usize] = Some(configured(*kind, id, secret));
        }
        // Kinds with no inputs of their own (the JS-SDK tickets) live under the kind they are
        // fetched with.
        for kind in Credential::ALL {
            if let Some(base) = kind.def().derived_from
                && let Some((_, id, secret)) = self.credentials.iter().find(|(k, _, _)| *k == base)
            {
                credentials[*kind as usize] = Some(configured(*kind, id, secret));
            }
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
                credentials,
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

    /// One store shared by several clients, as a Redis store is by a fleet.
    #[derive(Clone, Default)]
    struct Shared(Arc<MemoryStore>);

    impl TokenStore for Shared {
        fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<StoredToken>, StoreError>> {
            self.0.load(key)
        }
        fn save<'a>(&'a self, key: &'a str, token: &'a StoredToken) -> BoxFuture<'a, Result<(), StoreError>> {
            self.0.save(key, token)
        }
        fn invalidate<'a>(&'a self, key: &'a str, value: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
            self.0.invalidate(key, value)
        }
        fn try_lock<'a>(
            &'a self,
            key: &'a str,
            owner: &'a str,
            ttl: Duration,
        ) -> BoxFuture<'a, Result<bool, StoreError>> {
            self.0.try_lock(key, owner, ttl)
        }
        fn unlock<'a>(&'a self, key: &'a str, owner: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
            self.0.unlock(key, owner)
        }
    }

    #[tokio::test]
    async fn a_saved_ticket_reaches_every_client_of_the_store_and_the_newest_wins() {
        let store = Shared::default();
        let client = || {
            Client::suite_builder("ww-suite", "suite-secret")
                .token_store(store.clone())
                .build()
                .unwrap()
        };
        let (pushed_to, other) = (client(), client());
        let ticket = |c: &Client| {
            let c = c.clone();
            async move {
                let configured = c.configured(Credential::SuiteAccessToken).unwrap();
                configured.latest_ticket().await.map(|t| t.expose().to_string())
            }
        };
        assert_eq!(ticket(&other).await, None);
        pushed_to.save_suite_ticket("t1").await.unwrap();
        assert_eq!(ticket(&other).await.as_deref(), Some("t1"), "from the store");
        assert_eq!(ticket(&pushed_to).await.as_deref(), Some("t1"));
        std::thread::sleep(Duration::from_millis(5));
        other.set_suite_ticket("t2");
        assert_eq!(ticket(&other).await.as_deref(), Some("t2"), "set later here");
        assert_eq!(
            ticket(&pushed_to).await.as_deref(),
            Some("t1"),
            "set_ticket stays in its process"
        );
        std::thread::sleep(Duration::from_millis(5));
        pushed_to.save_suite_ticket("t3").await.unwrap();
        assert_eq!(ticket(&other).await.as_deref(), Some("t3"), "saved later");
        // Another suite's ticket is kept apart.
        let stranger = Client::suite_builder("ww-other-suite", "suite-secret")
            .token_store(store.clone())
            .build()
            .unwrap();
        assert_eq!(ticket(&stranger).await, None);
        // A kind the client was not given: nothing to do.
        stranger
            .save_ticket(Credential::ProviderAccessToken, "x")
            .await
            .unwrap();
    }

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
        assert!(matches!(
            ClientBuilder::empty()
                .credential(Credential::JsapiTicket, "c", "s")
                .build(),
            Err(Error::Config(_))
        ));
        assert!(Client::provider_builder("p", "s").build().is_ok());
    }
}
