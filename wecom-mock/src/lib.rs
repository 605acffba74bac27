//! A local WeCom server generated from the wecom-rs spec, for trying and testing an
//! integration without a corp account.
//!
//! - Serves every endpoint of the spec on 127.0.0.1.
//! - Hands out access tokens from `gettoken` for the configured corp id and secret (a wrong
//!   secret answers 40001) and refuses missing, unknown and expired tokens with 41001, 40014
//!   and 42001.
//! - Checks each request against the spec — method, required parameters, types, limits — and
//!   answers WeCom's errcode for what is wrong; otherwise answers the documented example.
//! - Keeps the address book: members, departments and tags created can be read, listed,
//!   updated and deleted; messages name the receivers that do not exist.
//! - Keeps media: an upload is stored with its name and bytes and downloads whole by its
//!   `media_id`; an unknown id is refused with 40007.
//! - Pages like a finite list: a list endpoint's first page hands out a cursor and the page at
//!   that cursor is the last, so `.stream()` ends.
//! - Injects faults on demand: an errcode, a delay, a dropped connection, an HTTP error, on one
//!   path or all, for a share of calls or a number of them.
//! - Pushes callbacks when given an app's callback URL, token and EncodingAESKey
//!   ([`MockBuilder::callbacks`]): each change made through its address book (members,
//!   departments, tag members) is POSTed, encrypted, as the `change_contact` event WeCom sends,
//!   in order and in the background; [`MockServer::callbacks_sent`] says how each was answered.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let mock = wecom_mock::MockServer::start().await?;
//! let client = mock.client();
//! client.department().create("研发中心", 1).await?;
//! # Ok(()) }
//! ```

mod callbacks;
mod contacts;
mod faults;
mod media;
mod pages;
mod reply;
mod server;
mod tokens;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use callbacks::SentCallback;
pub use contacts::Fixture;
pub use faults::{Fault, FaultKind};
pub use tokens::Credentials;

use server::{Shared, lock};
use wecom_sdk::Credential;

/// A running mock; it stops when dropped.
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
    pusher: Option<tokio::task::JoinHandle<()>>,
}

/// Configures a [`MockServer`].
#[derive(Debug, Clone)]
#[must_use]
pub struct MockBuilder {
    credentials: Credentials,
    port: u16,
    fixture: Fixture,
    callbacks: callbacks::Settings,
}

impl Default for MockBuilder {
    fn default() -> Self {
        MockBuilder {
            credentials: Credentials::default(),
            port: 0,
            fixture: Fixture::Empty,
            callbacks: callbacks::Settings::default(),
        }
    }
}

impl MockBuilder {
    /// The corp id and secret `gettoken` accepts (default `ww-mock-corp` / `mock-secret`).
    pub fn corp(self, corp_id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.credential(Credential::DEFAULT, corp_id, secret)
    }

    /// A service provider the mock knows, for its `provider_access_token`.
    pub fn provider(self, corp_id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.credential(Credential::ProviderAccessToken, corp_id, secret)
    }

    /// A third-party app the mock knows, for its `suite_access_token`.
    pub fn suite(self, suite_id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.credential(Credential::SuiteAccessToken, suite_id, secret)
    }

    /// An id and secret of any kind of credential the mock then accepts.
    pub fn credential(mut self, kind: Credential, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.credentials.set(kind, id.into(), secret.into());
        self
    }

    /// How long tokens live (default 7200 s).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.credentials.token_lifetime = lifetime;
        self
    }

    /// The port on 127.0.0.1 (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The address book to start from (default [`Fixture::Empty`]).
    pub fn fixture(mut self, fixture: Fixture) -> Self {
        self.fixture = fixture;
        self
    }

    /// Pushes callbacks to the app at `url` (`http://127.0.0.1:8000/callback`), configured
    /// with `token` and `encoding_aes_key` (43 characters) as WeCom's 接收事件服务器 is: each
    /// change made through the address book — a member created, updated or deleted, a
    /// department created, updated or deleted, members or departments added to or removed
    /// from a tag — is POSTed as the `change_contact` event of the spec (`create_user`,
    /// `update_user`, `delete_user`, `create_party`, `update_party`, `delete_party`,
    /// `update_tag`), encrypted with the corp id as the receive id, with
    /// `?msg_signature=&timestamp=&nonce=`.
    ///
    /// Pushes go in the background, one at a time in the order of the changes, and never fail
    /// or delay the API call. One that gets no answer within [`callback_timeout`] (5 s), or
    /// no connection, is resent, up to [`callback_retries`] (3) times; any HTTP answer is
    /// final. [`MockServer::callbacks_sent`] lists how each was answered; failures are also
    /// logged (`tracing`). Pushing stops when the mock is dropped, with whatever is still
    /// queued. [`start`](Self::start) refuses a URL that is not `http(s)`, an empty token and
    /// an EncodingAESKey that is not one.
    ///
    /// [`callback_timeout`]: Self::callback_timeout
    /// [`callback_retries`]: Self::callback_retries
    pub fn callbacks(
        mut self,
        url: impl Into<String>,
        token: impl Into<String>,
        encoding_aes_key: impl Into<String>,
    ) -> Self {
        self.callbacks.target = Some((url.into(), token.into(), encoding_aes_key.into()));
        self
    }

    /// How long a pushed callback waits for the app's answer before it is resent (default
    /// 5 s, WeCom's).
    pub fn callback_timeout(mut self, timeout: Duration) -> Self {
        self.callbacks.timeout = timeout;
        self
    }

    /// How many times a pushed callback that got no answer is resent (default 3, WeCom's).
    pub fn callback_retries(mut self, retries: u32) -> Self {
        self.callbacks.retries = retries;
        self
    }

    /// Starts serving in the background. Credentials no client could present (an empty corp
    /// id or secret) and callback settings that cannot work ([`callbacks`](Self::callbacks))
    /// are refused here, as an [`io::ErrorKind::InvalidInput`] error.
    pub async fn start(self) -> io::Result<MockServer> {
        for (kind, id, secret) in self.credentials.iter() {
            if id.is_empty() || secret.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "the mock's `{}` credential needs a non-empty id and secret",
                        kind.def().name
                    ),
                ));
            }
        }
        let log = Arc::new(callbacks::Log::default());
        let (pusher, pusher_task) =
            match callbacks::start(&self.callbacks, self.credentials.corp_id(), Arc::clone(&log))? {
                Some((pusher, task)) => (Some(pusher), Some(task)),
                None => (None, None),
            };
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(self.credentials, pusher, log));
        *lock(&shared.contacts) = contacts::Contacts::from_fixture(self.fixture);
        let app = server::router(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "the mock server stopped");
            }
        });
        Ok(MockServer {
            addr,
            shared,
            task,
            pusher: pusher_task,
        })
    }
}

impl MockServer {
    /// A mock with the default credentials on a free port.
    pub async fn start() -> io::Result<MockServer> {
        MockServer::builder().start().await
    }

    /// A builder to set credentials, the token lifetime or the port.
    pub fn builder() -> MockBuilder {
        MockBuilder::default()
    }

    /// The origin to point a client at: `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The credentials it accepts.
    pub fn credentials(&self) -> &Credentials {
        &self.shared.credentials
    }

    /// A client for this mock, with every credential it accepts. [`MockBuilder::start`] refused
    /// credentials no client could present, so this does not fail; [`MockServer::try_client`]
    /// says why if it ever did.
    pub fn client(&self) -> wecom_sdk::Client {
        self.try_client()
            .unwrap_or_else(|e| panic!("the mock's own credentials make no client: {e}"))
    }

    /// A client for this mock, or why its credentials make none (an empty id, say).
    pub fn try_client(&self) -> Result<wecom_sdk::Client, wecom_sdk::Error> {
        let mut builder = wecom_sdk::Client::builder_without_credentials().base_url(self.base_url());
        for (kind, id, secret) in self.shared.credentials.iter() {
            builder = builder.credential(kind, id, secret.to_string());
        }
        builder.build()
    }

    /// Makes matching calls fail until the fault retires.
    pub fn inject(&self, fault: Fault) {
        lock(&self.shared.faults).add(fault);
    }

    /// Replaces the address book with `fixture`.
    pub fn load_fixture(&self, fixture: Fixture) {
        *lock(&self.shared.contacts) = contacts::Contacts::from_fixture(fixture);
    }

    /// Removes every injected fault.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Expires every token handed out so far.
    pub fn expire_tokens(&self) {
        lock(&self.shared.tokens).expire_all();
    }

    /// How many requests reached `path`.
    pub fn requests(&self, path: &str) -> usize {
        lock(&self.shared.requests).get(path).copied().unwrap_or(0)
    }

    /// The callbacks pushed so far ([`MockBuilder::callbacks`]), in the order of the changes,
    /// each with the app's answer; a callback still being sent (or resent) is not listed yet.
    pub fn callbacks_sent(&self) -> Vec<SentCallback> {
        self.shared.callbacks.sent()
    }

    /// How many pushed callbacks the app did not answer 200 (refused, or never answered).
    pub fn callback_failures(&self) -> usize {
        self.shared.callbacks.failures()
    }

    /// Waits until `count` callbacks have been pushed and answered (or given up on), or
    /// `within` has passed, and returns those pushed by then: a bounded wait for tests.
    pub async fn wait_for_callbacks(&self, count: usize, within: Duration) -> Vec<SentCallback> {
        self.shared.callbacks.wait_for(count, within).await
    }

    /// Serves until the process is interrupted (Ctrl-C).
    pub async fn run_until_interrupted(self) -> io::Result<()> {
        tokio::signal::ctrl_c().await
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
        if let Some(pusher) = &self.pusher {
            pusher.abort();
        }
    }
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}
