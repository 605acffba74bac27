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
//! - Injects faults on demand: an errcode, a delay, a dropped connection, an HTTP error, on one
//!   path or all, for a share of calls or a number of them.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let mock = wecom_mock::MockServer::start().await?;
//! let client = mock.client();
//! client.department().create("研发中心", 1).await?;
//! # Ok(()) }
//! ```

mod contacts;
mod faults;
mod reply;
mod server;
mod tokens;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use contacts::Fixture;
pub use faults::{Fault, FaultKind};
pub use tokens::Credentials;

use server::{Shared, lock};

/// A running mock; it stops when dropped.
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

/// Configures a [`MockServer`].
#[derive(Debug, Clone)]
#[must_use]
pub struct MockBuilder {
    credentials: Credentials,
    port: u16,
    fixture: Fixture,
}

impl Default for MockBuilder {
    fn default() -> Self {
        MockBuilder {
            credentials: Credentials::default(),
            port: 0,
            fixture: Fixture::Empty,
        }
    }
}

impl MockBuilder {
    /// The corp id and secret `gettoken` accepts (default `ww-mock-corp` / `mock-secret`).
    pub fn corp(mut self, corp_id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.credentials.corp_id = corp_id.into();
        self.credentials.secret = secret.into();
        self
    }

    /// A service provider the mock knows, for `service/get_provider_token`.
    pub fn provider(mut self, corp_id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.credentials.provider = Some((corp_id.into(), secret.into()));
        self
    }

    /// A third-party app the mock knows, for `service/get_suite_token`.
    pub fn suite(mut self, suite_id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.credentials.suite = Some((suite_id.into(), secret.into()));
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

    /// Starts serving in the background.
    pub async fn start(self) -> io::Result<MockServer> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(self.credentials));
        *lock(&shared.contacts) = contacts::Contacts::from_fixture(self.fixture);
        let app = server::router(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "the mock server stopped");
            }
        });
        Ok(MockServer { addr, shared, task })
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

    /// A client for this mock, with its corp app (and provider and suite, when configured).
    pub fn client(&self) -> wecom_sdk::Client {
        let creds = &self.shared.credentials;
        let mut builder =
            wecom_sdk::Client::builder(creds.corp_id.clone(), creds.secret.clone()).base_url(self.base_url());
        if let Some((corp, secret)) = &creds.provider {
            builder = builder.provider(corp.clone(), secret.clone());
        }
        if let Some((suite, secret)) = &creds.suite {
            builder = builder.suite(suite.clone(), secret.clone());
        }
        // The mock's own address and credentials: building cannot fail.
        builder
            .build()
            .unwrap_or_else(|e| unreachable!("a client for the mock: {e}"))
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

    /// Serves until the process is interrupted (Ctrl-C).
    pub async fn run_until_interrupted(self) -> io::Result<()> {
        tokio::signal::ctrl_c().await
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}
