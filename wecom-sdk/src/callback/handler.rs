//! Receiving callbacks over HTTP: a `tower` service that verifies, decrypts, parses, drops
//! retries, dispatches to the app's handlers and answers WeCom in time.

use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, header};
use http_body::Body;
use http_body_util::{BodyExt as _, Full, LengthLimitError, Limited};
use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::dedup::{Dedup, MemoryDedup, dedup_key};
use super::reply::PassiveReply;
use super::{CallbackError, Clock, Crypto, Format, Opened, ReplayError, ReplayGuard, Tree, parse_tree};
use crate::{Client, Credential};

/// The error a [`Handler`] may fail with: any error, boxed.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The response body of a [`CallbackService`]: the whole answer in one buffer.
pub type ResponseBody = Full<Bytes>;

/// WeCom waits five seconds for an answer; answer well before that.
const DEFAULT_ANSWER_WITHIN: Duration = Duration::from_secs(4);
/// Callbacks are small XML documents; 1 MiB is far above any.
const DEFAULT_MAX_BODY: usize = 1 << 20;
/// How long a seen callback is remembered: WeCom's retries come within seconds.
const DEFAULT_DEDUP_TTL: Duration = Duration::from_secs(300);

/// A callback, verified, decrypted and read: what a [`Handler`] receives.
///
/// The document is a [`Tree`] (element names to text, or to nested trees); the accessors read
/// the elements that dispatch uses. Each reads a direct child of the document; for a robot's
/// JSON (智能机器人) they fall back to its lower-case keys (`msgtype`, `msgid`, `from.userid`,
/// `event.eventtype`, `create_time`).
///
/// `Debug` shows the dispatch keys and the names of the elements, never their text (which can
/// hold a `SuiteTicket`, an `AuthCode` or what a member wrote).
#[derive(Clone)]
pub struct Received {
    format: Format,
    envelope_to_user_name: Option<String>,
    envelope_agent_id: Option<String>,
    timestamp: String,
    nonce: String,
    tree: Tree,
}

impl Received {
    /// A callback from a document alone (to test a handler without HTTP): an XML envelope
    /// without `ToUserName` or `AgentID`, and an empty timestamp and nonce.
    pub fn new(tree: Tree) -> Self {
        Received {
            format: Format::Xml,
            envelope_to_user_name: None,
            envelope_agent_id: None,
            timestamp: String::new(),
            nonce: String::new(),
            tree,
        }
    }

    /// A callback opened by [`Crypto::open`], with the query's `timestamp` and `nonce`.
    ///
    /// Errors: the document is not XML or JSON (-40002).
    pub fn from_opened(opened: &Opened, timestamp: &str, nonce: &str) -> Result<Self, CallbackError> {
        Ok(Received {
            format: opened.envelope.format,
            envelope_to_user_name: opened.envelope.to_user_name.clone(),
            envelope_agent_id: opened.envelope.agent_id.clone(),
            timestamp: timestamp.to_string(),
            nonce: nonce.to_string(),
            tree: parse_tree(&opened.plaintext)?,
        })
    }

    /// The envelope's syntax; a passive reply goes back in the same one.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The decrypted document.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// The document as the spec's typed event (`Event::CreateUser(…)`), or `Event::Unknown`
    /// for what the spec does not describe; an error when it is a known event whose elements
    /// do not decode.
    pub fn event(&self) -> Result<super::Event, super::EventError> {
        super::Event::from_tree(&self.tree)
    }

    /// The decrypted document, taken.
    pub fn into_tree(self) -> Tree {
        self.tree
    }

    /// The query's `timestamp`, as sent.
    pub fn timestamp(&self) -> &str {
        &self.timestamp
    }

    /// The query's `nonce`, as sent.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// `ToUserName` of the envelope (outside the ciphertext), if it had one.
    pub fn envelope_to_user_name(&self) -> Option<&str> {
        self.envelope_to_user_name.as_deref()
    }

    /// `AgentID` of the envelope (outside the ciphertext), as written, if it had one.
    pub fn envelope_agent_id(&self) -> Option<&str> {
        self.envelope_agent_id.as_deref()
    }

    /// The text of the document's element (or key) `name`, if it is there and holds text.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.tree.get(name).and_then(Value::as_str)
    }

    fn nested(&self, outer: &str, inner: &str) -> Option<&str> {
        self.tree.get(outer)?.get(inner)?.as_str()
    }

    /// `ToUserName`: the corp id (or suite id) the callback was sent to; the envelope's when
    /// the document has none.
    pub fn to_user_name(&self) -> Option<&str> {
        self.text("ToUserName").or(self.envelope_to_user_name())
    }

    /// `FromUserName`: the member who sent the message or caused the event (`sys` for
    /// contact changes); a robot's `from.userid`.
    pub fn from_user_name(&self) -> Option<&str> {
        self.text("FromUserName")
            .or_else(|| self.nested("from", "userid"))
    }

    /// `MsgType`: `text`, `image`, …, or `event`; a robot's `msgtype`.
    pub fn msg_type(&self) -> Option<&str> {
        self.text("MsgType").or_else(|| self.text("msgtype"))
    }

    /// `Event`, for `MsgType` `event`: `click`, `change_contact`, `template_card_event`, …; a
    /// robot's `event.eventtype`.
    pub fn event_name(&self) -> Option<&str> {
        self.text("Event").or_else(|| self.nested("event", "eventtype"))
    }

    /// `ChangeType` of a change event (`create_user`, `add_external_contact`, …).
    pub fn change_type(&self) -> Option<&str> {
        self.text("ChangeType")
    }

    /// `InfoType` of a suite's instruction callback (`suite_ticket`, `create_auth`, …).
    pub fn info_type(&self) -> Option<&str> {
        self.text("InfoType")
    }

    /// `EventKey`: the key of a menu item or a card button, …
    pub fn event_key(&self) -> Option<&str> {
        self.text("EventKey")
    }

    /// `AgentID`: the app the callback is for, from the document or else the envelope.
    /// Contact changes carry none.
    pub fn agent_id(&self) -> Option<u32> {
        self.text("AgentID")
            .or(self.envelope_agent_id())
            .and_then(|id| id.trim().parse().ok())
    }

    /// `CreateTime` in Unix seconds; a robot's `create_time`.
    pub fn create_time(&self) -> Option<i64> {
        let value = self
            .tree
            .get("CreateTime")
            .or_else(|| self.tree.get("create_time"))?;
        match value {
            Value::String(s) => s.trim().parse().ok(),
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// `MsgId` of a message; a robot's `msgid`.
    pub fn msg_id(&self) -> Option<&str> {
        self.text("MsgId").or_else(|| self.text("msgid"))
    }
}

impl fmt::Debug for Received {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let elements: Vec<&str> = self.tree.keys().map(String::as_str).collect();
        f.debug_struct("Received")
            .field("format", &self.format)
            .field("msg_type", &self.msg_type())
            .field("event", &self.event_name())
            .field("change_type", &self.change_type())
            .field("info_type", &self.info_type())
            .field("agent_id", &self.agent_id())
            .field("create_time", &self.create_time())
            .field("msg_id", &self.msg_id())
            .field("elements", &elements)
            .finish_non_exhaustive()
    }
}

/// What a handler's future may end with: nothing (answer empty), a [`PassiveReply`], an
/// `Option` of one, or a `Result<_, BoxError>` of any of these.
pub trait IntoReply {
    /// The reply, if any, or the handler's error.
    fn into_reply(self) -> Result<Option<PassiveReply>, BoxError>;
}

impl IntoReply for () {
    fn into_reply(self) -> Result<Option<PassiveReply>, BoxError> {
        Ok(None)
    }
}

impl IntoReply for PassiveReply {
    fn into_reply(self) -> Result<Option<PassiveReply>, BoxError> {
        Ok(Some(self))
    }
}

impl IntoReply for Option<PassiveReply> {
    fn into_reply(self) -> Result<Option<PassiveReply>, BoxError> {
        Ok(self)
    }
}

impl<T: IntoReply> IntoReply for Result<T, BoxError> {
    fn into_reply(self) -> Result<Option<PassiveReply>, BoxError> {
        self.and_then(IntoReply::into_reply)
    }
}

/// An app's code for some callbacks.
///
/// Any `Fn(Received) -> impl Future` whose output is [`IntoReply`] is a handler, so the
/// common case is a closure:
///
/// ```
/// use wecom_sdk::callback::{PassiveReply, Received};
///
/// let echo = |received: Received| async move {
///     let said = received.text("Content").unwrap_or_default().to_string();
///     Ok(Some(PassiveReply::text(format!("you said: {said}"))))
/// };
/// let log = |received: Received| async move { println!("{:?}", received.event_name()) };
///
/// // State the handler shares: clone it into each call's future.
/// let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
/// let count = move |_: Received| {
///     let seen = seen.clone();
///     async move { seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed); }
/// };
/// # let _ = (wecom_sdk::callback::handler_of(echo), wecom_sdk::callback::handler_of(log));
/// # let _ = wecom_sdk::callback::handler_of(count);
/// ```
///
/// The future runs on a task of its own: a handler that panics is logged and answered like
/// one that fails, and one that is late finishes in the background (see [`CallbackService`]).
pub trait Handler: Send + Sync + 'static {
    /// Handles one callback; `Ok(Some(reply))` answers with a passive reply.
    fn handle(&self, received: Received) -> BoxFuture<'static, Result<Option<PassiveReply>, BoxError>>;
}

impl<F, Fut> Handler for F
where
    F: Fn(Received) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: IntoReply,
{
    fn handle(&self, received: Received) -> BoxFuture<'static, Result<Option<PassiveReply>, BoxError>> {
        let future = self(received);
        Box::pin(async move { future.await.into_reply() })
    }
}

/// `handler` as a shared [`Handler`] (for checking that a closure is one, or for registering
/// one handler under several routes).
pub fn handler_of(handler: impl Handler) -> Arc<dyn Handler> {
    Arc::new(handler)
}

impl Handler for Arc<dyn Handler> {
    fn handle(&self, received: Received) -> BoxFuture<'static, Result<Option<PassiveReply>, BoxError>> {
        (**self).handle(received)
    }
}

type Shared = Arc<dyn Handler>;

/// The registered handlers, by what they match.
#[derive(Default)]
struct Routes {
    event_key: HashMap<String, Shared>,
    event_change: HashMap<(String, String), Shared>,
    event: HashMap<String, Shared>,
    info_change: HashMap<(String, String), Shared>,
    info: HashMap<String, Shared>,
    msg_type: HashMap<String, Shared>,
    agent: HashMap<u32, Shared>,
    fallback: Option<Shared>,
}

impl Routes {
    /// The most specific handler for `received`, and which route it is.
    fn find(&self, received: &Received) -> Option<(&'static str, &Shared)> {
        let lower = |s: Option<&str>| s.map(str::to_ascii_lowercase);
        let event = lower(received.event_name());
        let info = lower(received.info_type());
        let change = lower(received.change_type());
        let pair = |outer: &Option<String>, map| pair(map, outer.as_ref()?, change.as_ref()?);
        received
            .event_key()
            .filter(|k| !k.is_empty())
            .and_then(|k| self.event_key.get(k))
            .map(|h| ("event_key", h))
            .or_else(|| pair(&event, &self.event_change).map(|h| ("event+change_type", h)))
            .or_else(|| {
                event
                    .as_ref()
                    .and_then(|e| self.event.get(e))
                    .map(|h| ("event", h))
            })
            .or_else(|| pair(&info, &self.info_change).map(|h| ("info_type+change_type", h)))
            .or_else(|| {
                info.as_ref()
                    .and_then(|i| self.info.get(i))
                    .map(|h| ("info_type", h))
            })
            .or_else(|| {
                lower(received.msg_type())
                    .and_then(|m| self.msg_type.get(&m))
                    .map(|h| ("msg_type", h))
            })
            .or_else(|| {
                received
                    .agent_id()
                    .and_then(|a| self.agent.get(&a))
                    .map(|h| ("agent_id", h))
            })
            .or_else(|| self.fallback.as_ref().map(|h| ("fallback", h)))
    }

    fn len(&self) -> usize {
        self.event_key.len()
            + self.event_change.len()
            + self.event.len()
            + self.info_change.len()
            + self.info.len()
            + self.msg_type.len()
            + self.agent.len()
            + usize::from(self.fallback.is_some())
    }
}

/// The handler registered for `(outer, change)`.
fn pair<'a>(map: &'a HashMap<(String, String), Shared>, outer: &str, change: &str) -> Option<&'a Shared> {
    map.get(&(outer.to_string(), change.to_string()))
}

/// A [`ReplayGuard`] on any clock.
trait Replay: Send + Sync {
    fn check(&self, timestamp: &str, nonce: &str) -> Result<(), ReplayError>;
}

impl<C: Clock + 'static> Replay for ReplayGuard<C> {
    fn check(&self, timestamp: &str, nonce: &str) -> Result<(), ReplayError> {
        ReplayGuard::check(self, timestamp, nonce)
    }
}

/// Receives WeCom's callbacks over HTTP: a [`tower_service::Service`] for
/// `http::Request<B>`, any body `B`, so it mounts on axum
/// (`Router::new().route_service("/callback", service)`) or serves plain hyper.
///
/// Cheap to clone (an `Arc`); clones share the handlers, the dedup memory and the replay guard.
///
/// # What it answers
///
/// - `GET ?msg_signature=&timestamp=&nonce=&echostr=` (URL verification): 200 with the
///   decrypted `echostr` as the whole body.
/// - `POST ?msg_signature=&timestamp=&nonce=` with the envelope: verified, decrypted and read
///   into a [`Received`], checked against the [`ReplayGuard`] if one was given, checked against
///   the [`Dedup`] (a retry is answered like a callback nobody handles, and not handed to a
///   handler again), then handed to the most specific handler (below). The answer is 200 with
///   an empty body, or with the handler's [`PassiveReply`] encrypted in the envelope's syntax
///   (XML; JSON for a robot's JSON envelope); for a suite's instruction callback (a document
///   with `InfoType`) it is the literal body `success` that WeCom expects, whatever the
///   handler returned.
/// - Refusals carry the official code in a short text body (`-40001 ValidateSignatureError`),
///   never the reason's details, which are logged: 403 for a bad signature or a replay the
///   guard refuses, 400 for missing query parameters or a body that cannot be read, decrypted
///   or parsed, 413 for a body over the limit (default 1 MiB, [`max_body_bytes`]), 405 for
///   other methods.
///
/// A callback nobody handles is answered 200, empty (or `success`). So is one whose handler
/// fails or panics: the error is logged (with `tracing`, without the document), and answering
/// anything else would only make WeCom resend it, three times, to the same handler. An app
/// that must not lose such a callback keeps its own record (or queue) and retries on its own.
///
/// # The answer deadline
///
/// WeCom waits five seconds and then resends. A handler still running after the budget
/// (default 4 s, [`answer_within`]) is not waited for: the service answers 200, empty (or
/// `success`), and the handler goes on in the background to its end (its reply, if any, is
/// dropped, and its failure logged). Dedup and storing a `suite_ticket` count against the
/// same budget. Handlers run on Tokio tasks, so the service needs a Tokio runtime with its
/// timer (what axum and hyper-util run on, and `#[tokio::main]` starts); outside one a handler
/// runs in place, without a deadline.
///
/// # Which handler
///
/// The first of these that matches, most specific first (names are compared without regard
/// to ASCII case, except `EventKey`, which is exact; registering a route again replaces it):
///
/// 1. `EventKey` ([`on_event_key`]: a menu item, a card button);
/// 2. `Event` and `ChangeType` ([`on_change`]: `change_contact` + `create_user`);
/// 3. `Event` ([`on_event`]);
/// 4. a suite's `InfoType` and `ChangeType` ([`on_info_change`]);
/// 5. `InfoType` ([`on_info_type`]: `suite_ticket`, `create_auth`, …);
/// 6. `MsgType` ([`on_msg_type`]: `text`, …; `event` catches every event left);
/// 7. `AgentID` ([`on_agent`]), for whatever of that app is left;
/// 8. the [`fallback`].
///
/// # The suite ticket
///
/// Given a [`Client`] with a suite credential ([`client`]), the service hands each
/// `suite_ticket` instruction callback's `SuiteTicket` to [`Client::save_suite_ticket`]
/// (before dispatch, retries included), which sets it in the client and saves it in the
/// client's token store, so that with a shared store (`RedisStore`) every process of a fleet
/// fetches its `suite_access_token` with the latest ticket. A ticket for another suite id than
/// the client's is not stored.
///
/// ```no_run
/// use wecom_sdk::callback::{CallbackService, Crypto, PassiveReply, Received};
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let crypto = Crypto::new("token", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "ww0123456789abcdef")?;
/// let service = CallbackService::builder(crypto)
///     .on_msg_type("text", |received: Received| async move {
///         let said = received.text("Content").unwrap_or_default().to_string();
///         Ok(Some(PassiveReply::text(format!("收到: {said}"))))
///     })
///     .on_change("change_contact", "create_user", |received: Received| async move {
///         println!("new member {:?}", received.text("UserID"));
///     })
///     .build();
/// // With axum: Router::new().route_service("/callback", service)
/// # let _ = service; Ok(()) }
/// ```
///
/// [`answer_within`]: CallbackServiceBuilder::answer_within
/// [`max_body_bytes`]: CallbackServiceBuilder::max_body_bytes
/// [`on_event_key`]: CallbackServiceBuilder::on_event_key
/// [`on_change`]: CallbackServiceBuilder::on_change
/// [`on_event`]: CallbackServiceBuilder::on_event
/// [`on_info_change`]: CallbackServiceBuilder::on_info_change
/// [`on_info_type`]: CallbackServiceBuilder::on_info_type
/// [`on_msg_type`]: CallbackServiceBuilder::on_msg_type
/// [`on_agent`]: CallbackServiceBuilder::on_agent
/// [`fallback`]: CallbackServiceBuilder::fallback
/// [`client`]: CallbackServiceBuilder::client
#[derive(Clone)]
pub struct CallbackService {
    inner: Arc<Inner>,
}

struct Inner {
    crypto: Crypto,
    routes: Routes,
    dedup: Option<Arc<dyn Dedup>>,
    dedup_ttl: Duration,
    replay: Option<Arc<dyn Replay>>,
    answer_within: Duration,
    max_body: usize,
    client: Option<Client>,
}

impl fmt::Debug for CallbackService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("CallbackService")
            .field("crypto", &inner.crypto)
            .field("routes", &inner.routes.len())
            .field("dedup", &inner.dedup.is_some())
            .field("dedup_ttl", &inner.dedup_ttl)
            .field("replay_guard", &inner.replay.is_some())
            .field("answer_within", &inner.answer_within)
            .field("max_body", &inner.max_body)
            .field("client", &inner.client)
            .finish()
    }
}

/// Configures a [`CallbackService`]: its handlers, dedup, replay guard, budget and client.
#[must_use]
pub struct CallbackServiceBuilder {
    crypto: Crypto,
    routes: Routes,
    dedup: Option<Arc<dyn Dedup>>,
    dedup_ttl: Duration,
    replay: Option<Arc<dyn Replay>>,
    answer_within: Duration,
    max_body: usize,
    client: Option<Client>,
}

impl fmt::Debug for CallbackServiceBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackServiceBuilder")
            .field("crypto", &self.crypto)
            .field("routes", &self.routes.len())
            .finish_non_exhaustive()
    }
}

impl CallbackService {
    /// A builder for the callback configuration `crypto` (its token, EncodingAESKey and
    /// receive id: the corp id for an app, the suite id for a suite's instruction callbacks,
    /// `""` for a robot). By default: no handler, dedup in memory for 5 minutes, no replay
    /// guard, a 4-second budget, bodies up to 1 MiB, no client.
    pub fn builder(crypto: Crypto) -> CallbackServiceBuilder {
        CallbackServiceBuilder {
            crypto,
            routes: Routes::default(),
            dedup: Some(Arc::new(MemoryDedup::default())),
            dedup_ttl: DEFAULT_DEDUP_TTL,
            replay: None,
            answer_within: DEFAULT_ANSWER_WITHIN,
            max_body: DEFAULT_MAX_BODY,
            client: None,
        }
    }

    /// Answers one request (what [`Service::call`](tower_service::Service::call) does), for
    /// servers that are not `tower` based.
    pub async fn respond<B>(&self, request: Request<B>) -> Response<ResponseBody>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        Arc::clone(&self.inner).respond(request).await
    }
}

impl CallbackServiceBuilder {
    /// Handles callbacks whose `MsgType` is `msg_type` (`text`, `image`, `event`, …).
    pub fn on_msg_type(mut self, msg_type: impl Into<String>, handler: impl Handler) -> Self {
        self.routes
            .msg_type
            .insert(msg_type.into().to_ascii_lowercase(), Arc::new(handler));
        self
    }

    /// Handles events whose `Event` is `event` (`click`, `enter_agent`, `change_contact`, …).
    pub fn on_event(mut self, event: impl Into<String>, handler: impl Handler) -> Self {
        self.routes
            .event
            .insert(event.into().to_ascii_lowercase(), Arc::new(handler));
        self
    }

    /// Handles events whose `Event` is `event` and `ChangeType` is `change_type`
    /// (`change_contact` + `update_user`, `change_external_contact` + `add_external_contact`).
    pub fn on_change(
        mut self,
        event: impl Into<String>,
        change_type: impl Into<String>,
        handler: impl Handler,
    ) -> Self {
        let key = (
            event.into().to_ascii_lowercase(),
            change_type.into().to_ascii_lowercase(),
        );
        self.routes.event_change.insert(key, Arc::new(handler));
        self
    }

    /// Handles a suite's instruction callbacks whose `InfoType` is `info_type`
    /// (`suite_ticket`, `create_auth`, `change_auth`, `cancel_auth`, …).
    pub fn on_info_type(mut self, info_type: impl Into<String>, handler: impl Handler) -> Self {
        self.routes
            .info
            .insert(info_type.into().to_ascii_lowercase(), Arc::new(handler));
        self
    }

    /// Handles a suite's instruction callbacks whose `InfoType` is `info_type` and
    /// `ChangeType` is `change_type` (`change_contact` + `create_user`).
    pub fn on_info_change(
        mut self,
        info_type: impl Into<String>,
        change_type: impl Into<String>,
        handler: impl Handler,
    ) -> Self {
        let key = (
            info_type.into().to_ascii_lowercase(),
            change_type.into().to_ascii_lowercase(),
        );
        self.routes.info_change.insert(key, Arc::new(handler));
        self
    }

    /// Handles events whose `EventKey` is exactly `event_key` (a menu item's key, a template
    /// card button's key, …).
    pub fn on_event_key(mut self, event_key: impl Into<String>, handler: impl Handler) -> Self {
        self.routes.event_key.insert(event_key.into(), Arc::new(handler));
        self
    }

    /// Handles what is left of the callbacks for the app `agent_id` (`AgentID`).
    pub fn on_agent(mut self, agent_id: u32, handler: impl Handler) -> Self {
        self.routes.agent.insert(agent_id, Arc::new(handler));
        self
    }

    /// Handles every callback no other route matches.
    pub fn fallback(mut self, handler: impl Handler) -> Self {
        self.routes.fallback = Some(Arc::new(handler));
        self
    }

    /// Remembers seen callbacks in `dedup` instead of this process's memory (a
    /// `RedisDedup` (feature `redis`) for a fleet behind one URL).
    pub fn dedup(mut self, dedup: impl Dedup) -> Self {
        self.dedup = Some(Arc::new(dedup));
        self
    }

    /// Hands every callback to its handler, retries included.
    pub fn without_dedup(mut self) -> Self {
        self.dedup = None;
        self
    }

    /// How long a seen callback is remembered (default 5 minutes; WeCom's retries come within
    /// seconds).
    pub fn dedup_ttl(mut self, ttl: Duration) -> Self {
        self.dedup_ttl = ttl;
        self
    }

    /// Refuses (403) POSTs whose timestamp is outside the guard's window, and answers a
    /// nonce it has seen like a retry (200, not handled). Pass an `Arc` to share one guard
    /// between services.
    pub fn replay_guard<C: Clock + 'static>(mut self, guard: impl Into<Arc<ReplayGuard<C>>>) -> Self {
        let guard: Arc<ReplayGuard<C>> = guard.into();
        self.replay = Some(guard);
        self
    }

    /// The budget for an answer (default 4 s, under WeCom's 5): a handler still running then
    /// finishes in the background, and WeCom gets 200, empty.
    pub fn answer_within(mut self, budget: Duration) -> Self {
        self.answer_within = budget;
        self
    }

    /// The largest body read (default 1 MiB); a larger one is answered 413.
    pub fn max_body_bytes(mut self, max: usize) -> Self {
        self.max_body = max;
        self
    }

    /// Stores each `suite_ticket` through `client` ([`Client::save_suite_ticket`]).
    pub fn client(mut self, client: Client) -> Self {
        self.client = Some(client);
        self
    }

    /// The service.
    pub fn build(self) -> CallbackService {
        CallbackService {
            inner: Arc::new(Inner {
                crypto: self.crypto,
                routes: self.routes,
                dedup: self.dedup,
                dedup_ttl: self.dedup_ttl,
                replay: self.replay,
                answer_within: self.answer_within,
                max_body: self.max_body,
                client: self.client,
            }),
        }
    }
}

impl<B> tower_service::Service<Request<B>> for CallbackService
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = Response<ResponseBody>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response<ResponseBody>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let inner = Arc::clone(&self.inner);
        Box::pin(async move { Ok(inner.respond(request).await) })
    }
}

/// How a POST is acknowledged when no reply is sent.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ack {
    /// 200, empty: apps' and robots' callbacks.
    Empty,
    /// 200, `success`: a suite's instruction callbacks.
    Success,
}

impl Ack {
    fn response(self) -> Response<ResponseBody> {
        match self {
            Ack::Empty => respond(StatusCode::OK, TEXT, Bytes::new()),
            Ack::Success => respond(StatusCode::OK, TEXT, Bytes::from_static(b"success")),
        }
    }
}

/// How a handler ended.
enum Outcome {
    Replied(Option<PassiveReply>),
    Failed,
    Late,
}

impl Inner {
    async fn respond<B>(self: Arc<Self>, request: Request<B>) -> Response<ResponseBody>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let started = Instant::now();
        let (parts, body) = request.into_parts();
        let query = match Query::parse(parts.uri.query().unwrap_or("")) {
            Ok(query) => query,
            Err(refusal) => return refusal.response(),
        };
        match parts.method {
            Method::GET => self.verify_url(&query),
            Method::POST => self.receive(&parts.headers, &query, body, started).await,
            _ => {
                let mut response = respond(
                    StatusCode::METHOD_NOT_ALLOWED,
                    TEXT,
                    Bytes::from_static(b"GET or POST"),
                );
                response
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
                response
            }
        }
    }

    fn verify_url(&self, query: &Query) -> Response<ResponseBody> {
        let params = query.require(["msg_signature", "timestamp", "nonce", "echostr"]);
        let [signature, timestamp, nonce, echostr] = match params {
            Ok(params) => params,
            Err(refusal) => return refusal.response(),
        };
        match self.crypto.verify_url(signature, timestamp, nonce, echostr) {
            Ok(echo) => {
                tracing::info!("callback URL verified");
                respond(StatusCode::OK, TEXT, Bytes::from(echo))
            }
            Err(error) => refuse(&error, "URL verification"),
        }
    }

    async fn receive<B>(
        &self,
        headers: &HeaderMap,
        query: &Query,
        body: B,
        started: Instant,
    ) -> Response<ResponseBody>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let [signature, timestamp, nonce] = match query.require(["msg_signature", "timestamp", "nonce"]) {
            Ok(params) => params,
            Err(refusal) => return refusal.response(),
        };
        let body = match read_body(headers, body, self.max_body).await {
            Ok(body) => body,
            Err(refusal) => return refusal.response(),
        };
        let received = match self
            .crypto
            .open(signature, timestamp, nonce, &body)
            .and_then(|opened| Received::from_opened(&opened, timestamp, nonce))
        {
            Ok(received) => received,
            Err(error) => return refuse(&error, "callback"),
        };
        let ack = if received.info_type().is_some() {
            Ack::Success
        } else {
            Ack::Empty
        };
        if let Some(guard) = &self.replay {
            match guard.check(timestamp, nonce) {
                Ok(()) => {}
                Err(ReplayError::NonceReused(_)) => {
                    tracing::debug!("callback nonce already seen; answered as a retry");
                    return ack.response();
                }
                Err(error) => {
                    tracing::warn!(error = %error, "callback refused by the replay guard");
                    return respond(
                        StatusCode::FORBIDDEN,
                        TEXT,
                        Bytes::from_static(b"replayed request"),
                    );
                }
            }
        }
        // A deadline needs Tokio's timer; outside a Tokio runtime there is none.
        let deadline = tokio::runtime::Handle::try_current()
            .ok()
            .map(|_| tokio::time::Instant::from_std(started + self.answer_within));
        if received.info_type() == Some("suite_ticket")
            && let Some(client) = &self.client
        {
            store_suite_ticket(client, &received, deadline).await;
        }
        let Some((route, handler)) = self.routes.find(&received) else {
            tracing::debug!(
                msg_type = received.msg_type(),
                event = received.event_name(),
                info_type = received.info_type(),
                "callback not handled: no route matches"
            );
            return ack.response();
        };
        if let Some(dedup) = &self.dedup {
            let key = dedup_key(received.tree());
            match within(deadline, dedup.first_time(&key, self.dedup_ttl)).await {
                Some(Ok(true)) => {}
                Some(Ok(false)) => {
                    tracing::debug!(key, "callback already handled (a retry); not handled again");
                    return ack.response();
                }
                Some(Err(error)) => {
                    tracing::warn!(error = %error, "dedup failed; handling the callback anyway")
                }
                None => tracing::warn!("dedup did not answer in time; handling the callback anyway"),
            }
        }
        let format = received.format();
        // The reply goes back to the sender, from the one it was sent to.
        let reply_to = received.from_user_name().unwrap_or_default().to_string();
        let reply_from = received.to_user_name().unwrap_or_default().to_string();
        let (msg_type, event) = (
            received.msg_type().map(str::to_string),
            received.event_name().map(str::to_string),
        );
        let outcome = run(Arc::clone(handler), received, deadline).await;
        let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        tracing::debug!(route, msg_type, event, latency_ms, "callback handled");
        match outcome {
            Outcome::Replied(Some(_)) if ack == Ack::Success => {
                tracing::debug!("a suite's instruction callback is answered `success`; the reply is dropped");
                ack.response()
            }
            Outcome::Replied(Some(reply)) => self.seal(&reply, format, &reply_to, &reply_from),
            Outcome::Replied(None) | Outcome::Failed | Outcome::Late => ack.response(),
        }
    }

    /// The reply encrypted, in the envelope's syntax.
    fn seal(&self, reply: &PassiveReply, format: Format, to: &str, from: &str) -> Response<ResponseBody> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let plaintext = reply.to_xml(to, from, now);
        match self.crypto.reply(&plaintext).seal() {
            Ok(sealed) => match format {
                Format::Xml => respond(StatusCode::OK, XML, Bytes::from(sealed.to_xml())),
                Format::Json => respond(StatusCode::OK, JSON, Bytes::from(sealed.to_json())),
            },
            Err(error) => {
                tracing::error!(
                    code = error.code(),
                    detail = error.detail(),
                    "could not seal the passive reply; answered empty"
                );
                Ack::Empty.response()
            }
        }
    }
}

/// Runs a handler on a task of its own, waiting for it until `deadline`; a late one goes on in
/// the background and its end is logged.
async fn run(handler: Shared, received: Received, deadline: Option<tokio::time::Instant>) -> Outcome {
    let job = async move { handler.handle(received).await };
    let Some(deadline) = deadline else {
        return match AssertUnwindSafe(job).catch_unwind().await {
            Ok(result) => ended(result),
            Err(_) => {
                tracing::error!("callback handler panicked; answered empty");
                Outcome::Failed
            }
        };
    };
    let mut task = tokio::spawn(job);
    match tokio::time::timeout_at(deadline, &mut task).await {
        Ok(joined) => joined_outcome(joined),
        Err(_) => {
            tracing::warn!(
                "callback handler still running at the answer deadline; answered empty, it goes on in the background"
            );
            tokio::spawn(async move {
                match joined_outcome(task.await) {
                    Outcome::Replied(Some(_)) => {
                        tracing::info!(
                            "late callback handler finished; its reply was dropped (the answer had gone)"
                        )
                    }
                    Outcome::Replied(None) => tracing::info!("late callback handler finished"),
                    Outcome::Failed | Outcome::Late => {}
                }
            });
            Outcome::Late
        }
    }
}

fn joined_outcome(joined: Result<Result<Option<PassiveReply>, BoxError>, tokio::task::JoinError>) -> Outcome {
    match joined {
        Ok(result) => ended(result),
        Err(error) if error.is_panic() => {
            tracing::error!("callback handler panicked; answered empty");
            Outcome::Failed
        }
        Err(_) => {
            tracing::error!("callback handler was cancelled; answered empty");
            Outcome::Failed
        }
    }
}

fn ended(result: Result<Option<PassiveReply>, BoxError>) -> Outcome {
    match result {
        Ok(reply) => Outcome::Replied(reply),
        Err(error) => {
            tracing::error!(error = %error, "callback handler failed; answered empty");
            Outcome::Failed
        }
    }
}

/// `future`'s output, unless `deadline` passes first.
async fn within<F: Future>(deadline: Option<tokio::time::Instant>, future: F) -> Option<F::Output> {
    match deadline {
        Some(deadline) => tokio::time::timeout_at(deadline, future).await.ok(),
        None => Some(future.await),
    }
}

async fn store_suite_ticket(client: &Client, received: &Received, deadline: Option<tokio::time::Instant>) {
    let Some(ticket) = received.text("SuiteTicket").filter(|t| !t.is_empty()) else {
        tracing::warn!("a suite_ticket callback without a SuiteTicket");
        return;
    };
    let Some(suite_id) = client.credential_id(Credential::SuiteAccessToken) else {
        tracing::warn!(
            "the callback service's client has no suite credential; the suite_ticket was not stored"
        );
        return;
    };
    if let Some(pushed_for) = received.text("SuiteId")
        && pushed_for != suite_id
    {
        tracing::warn!(
            suite_id = pushed_for,
            client_suite_id = suite_id,
            "a suite_ticket for another suite; not stored"
        );
        return;
    }
    match within(deadline, client.save_suite_ticket(ticket.to_string())).await {
        Some(Ok(())) => tracing::debug!(suite_id, "stored the suite_ticket"),
        Some(Err(error)) => tracing::warn!(
            error = %error,
            "the suite_ticket is set in this process but could not be saved in the token store"
        ),
        None => tracing::warn!(
            "saving the suite_ticket in the token store took too long; it is set in this process"
        ),
    }
}

/// The body, up to `max` bytes; a longer one is 413, one that cannot be read 400.
async fn read_body<B>(headers: &HeaderMap, body: B, max: usize) -> Result<Bytes, Refusal>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    let too_large = || {
        Refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            Bytes::from_static(b"body too large"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > u64::try_from(max).unwrap_or(u64::MAX)) {
        return Err(too_large());
    }
    match Limited::new(body, max).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Err(error) => {
            tracing::warn!(error = %error, "could not read a callback's body");
            Err(Refusal::bad_request(Bytes::from_static(b"cannot read the body")))
        }
    }
}

/// An answer that refuses the request: its status and its short text body.
#[derive(Debug)]
struct Refusal(StatusCode, Bytes);

impl Refusal {
    fn bad_request(body: impl Into<Bytes>) -> Self {
        Refusal(StatusCode::BAD_REQUEST, body.into())
    }

    fn response(self) -> Response<ResponseBody> {
        respond(self.0, TEXT, self.1)
    }
}

/// A refusal: 403 for a bad signature, 400 for the rest, the official code in the body.
fn refuse(error: &CallbackError, what: &str) -> Response<ResponseBody> {
    let status = match error {
        CallbackError::ValidateSignature(_) => StatusCode::FORBIDDEN,
        _ => StatusCode::BAD_REQUEST,
    };
    // The detail never holds the token or the key, but it is for the log, not the caller.
    tracing::warn!(
        code = error.code(),
        name = error.name(),
        detail = error.detail(),
        "{what} refused"
    );
    respond(
        status,
        TEXT,
        Bytes::from(format!("{} {}", error.code(), error.name())),
    )
}

const TEXT: &str = "text/plain; charset=utf-8";
const XML: &str = "application/xml; charset=utf-8";
const JSON: &str = "application/json";

fn respond(status: StatusCode, content_type: &'static str, body: Bytes) -> Response<ResponseBody> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// The query string's parameters, percent-decoded.
///
/// A `+` stays a `+`: the signed values are base64, digits and hex, none of which holds a
/// space, while a base64 `+` that WeCom (or a proxy) left unescaped must survive.
struct Query(Vec<(String, String)>);

impl Query {
    fn parse(query: &str) -> Result<Query, Refusal> {
        let mut pairs = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| percent_decode_str(s).decode_utf8().map(|s| s.into_owned());
            match (decode(name), decode(value)) {
                (Ok(name), Ok(value)) => pairs.push((name, value)),
                _ => {
                    return Err(Refusal::bad_request(Bytes::from_static(
                        b"the query is not UTF-8",
                    )));
                }
            }
        }
        Ok(Query(pairs))
    }

    /// The first value of each of `names`, or 400 naming the first one missing.
    fn require<const N: usize>(&self, names: [&str; N]) -> Result<[&str; N], Refusal> {
        let mut found = [""; N];
        for (slot, name) in found.iter_mut().zip(names) {
            match self.0.iter().find(|(n, _)| n == name) {
                Some((_, value)) => *slot = value.as_str(),
                None => return Err(Refusal::bad_request(format!("missing query parameter {name}"))),
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::callback::parse_xml_tree;

    fn received(xml: &str) -> Received {
        Received::new(parse_xml_tree(xml.as_bytes()).unwrap())
    }

    fn named(name: &'static str) -> impl Handler {
        move |_: Received| async move { Ok(Some(PassiveReply::text(name))) }
    }

    fn route(builder: &CallbackServiceBuilder, xml: &str) -> Option<&'static str> {
        builder.routes.find(&received(xml)).map(|(route, _)| route)
    }

    fn crypto() -> Crypto {
        Crypto::new(
            "QDG6eK",
            "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
            "wx5823bf96d3bd56c7",
        )
        .unwrap()
    }

    #[test]
    fn the_most_specific_route_wins() {
        let all = CallbackService::builder(crypto())
            .on_event_key("KEY", named("key"))
            .on_change("change_contact", "create_user", named("change"))
            .on_event("change_contact", named("event"))
            .on_event("click", named("click"))
            .on_info_change("change_contact", "create_user", named("info_change"))
            .on_info_type("change_contact", named("info"))
            .on_msg_type("EVENT", named("events"))
            .on_msg_type("text", named("text"))
            .on_agent(7, named("agent"))
            .fallback(named("fallback"));
        let event = |inner: &str| format!("<xml><MsgType>event</MsgType>{inner}</xml>");
        assert_eq!(
            route(&all, &event("<Event>click</Event><EventKey>KEY</EventKey>")),
            Some("event_key")
        );
        assert_eq!(
            route(&all, &event("<Event>click</Event><EventKey>other</EventKey>")),
            Some("event")
        );
        assert_eq!(
            route(&all, &event("<Event>click</Event><EventKey></EventKey>")),
            Some("event")
        );
        assert_eq!(
            route(
                &all,
                &event("<Event>change_contact</Event><ChangeType>create_user</ChangeType>")
            ),
            Some("event+change_type")
        );
        assert_eq!(
            route(
                &all,
                &event("<Event>change_contact</Event><ChangeType>delete_user</ChangeType>")
            ),
            Some("event")
        );
        assert_eq!(
            route(&all, &event("<Event>LOCATION</Event>")),
            Some("msg_type"),
            "case-blind"
        );
        assert_eq!(
            route(
                &all,
                "<xml><InfoType>change_contact</InfoType><ChangeType>create_user</ChangeType></xml>"
            ),
            Some("info_type+change_type")
        );
        assert_eq!(
            route(&all, "<xml><InfoType>change_contact</InfoType></xml>"),
            Some("info_type")
        );
        assert_eq!(
            route(&all, "<xml><MsgType>TEXT</MsgType><AgentID>7</AgentID></xml>"),
            Some("msg_type")
        );
        assert_eq!(
            route(&all, "<xml><MsgType>image</MsgType><AgentID>7</AgentID></xml>"),
            Some("agent_id")
        );
        assert_eq!(
            route(&all, "<xml><MsgType>image</MsgType><AgentID>8</AgentID></xml>"),
            Some("fallback")
        );
        let none = CallbackService::builder(crypto()).on_msg_type("text", named("text"));
        assert_eq!(route(&none, "<xml><MsgType>image</MsgType></xml>"), None);
        assert_eq!(none.routes.len(), 1);
    }

    #[test]
    fn received_reads_xml_and_robot_json_alike() {
        let xml = received(
            "<xml><ToUserName>ww1</ToUserName><FromUserName>zhangsan</FromUserName><CreateTime>1409659813</CreateTime>\
             <MsgType>event</MsgType><Event>click</Event><EventKey>K</EventKey><AgentID> 1000002 </AgentID>\
             <MsgId>42</MsgId></xml>",
        );
        assert_eq!(xml.to_user_name(), Some("ww1"));
        assert_eq!(xml.from_user_name(), Some("zhangsan"));
        assert_eq!(xml.create_time(), Some(1409659813));
        assert_eq!(
            (xml.msg_type(), xml.event_name(), xml.event_key()),
            (Some("event"), Some("click"), Some("K"))
        );
        assert_eq!(xml.agent_id(), Some(1000002));
        assert_eq!(xml.msg_id(), Some("42"));
        assert_eq!((xml.change_type(), xml.info_type()), (None, None));
        let robot = Received::new(
            crate::callback::parse_json_tree(
                br#"{"msgid":"m1","create_time":1700000000,"aibotid":"B","from":{"userid":"lisi"},
                    "msgtype":"event","event":{"eventtype":"enter_chat"}}"#,
            )
            .unwrap(),
        );
        assert_eq!(robot.msg_id(), Some("m1"));
        assert_eq!(robot.create_time(), Some(1700000000));
        assert_eq!(robot.from_user_name(), Some("lisi"));
        assert_eq!(
            (robot.msg_type(), robot.event_name()),
            (Some("event"), Some("enter_chat"))
        );
    }

    #[test]
    fn debug_of_received_names_elements_without_their_text() {
        let shown = format!(
            "{:?}",
            received(
                "<xml><InfoType>suite_ticket</InfoType><SuiteTicket>very-secret-ticket</SuiteTicket></xml>"
            )
        );
        assert!(
            shown.contains("SuiteTicket") && shown.contains("suite_ticket"),
            "{shown}"
        );
        assert!(!shown.contains("very-secret-ticket"), "{shown}");
    }

    #[test]
    fn queries_decode_percent_escapes_and_keep_plus() {
        let query = Query::parse("a=x%2By+z&b=%E4%B8%AD&c&a=second").unwrap();
        assert_eq!(query.require(["a", "b", "c"]).ok(), Some(["x+y+z", "中", ""]));
        assert!(query.require(["d"]).is_err());
        assert!(Query::parse("a=%FF").is_err());
    }

    #[tokio::test]
    async fn closures_of_every_output_are_handlers() {
        let tree = || parse_xml_tree(b"<xml><MsgType>text</MsgType></xml>").unwrap();
        let unit = handler_of(|_: Received| async {});
        let reply = handler_of(|_: Received| async { PassiveReply::text("a") });
        let option = handler_of(|_: Received| async { Some(PassiveReply::text("b")) });
        let ok_none = handler_of(|_: Received| async { Ok(None) });
        let ok_unit = handler_of(|_: Received| async { Ok(()) });
        let failing = handler_of(|_: Received| async { Err::<(), BoxError>("no".into()) });
        let question_mark = handler_of(|r: Received| async move {
            let n: u32 = r.text("MsgType").unwrap_or_default().parse()?;
            Ok(Some(PassiveReply::text(n.to_string())))
        });
        // An async closure that borrows nothing from its captures is a handler too.
        let async_closure =
            handler_of(async |r: Received| Some(PassiveReply::text(r.msg_type().unwrap_or_default())));
        assert!(
            async_closure
                .handle(Received::new(tree()))
                .await
                .unwrap()
                .is_some()
        );
        assert!(unit.handle(Received::new(tree())).await.unwrap().is_none());
        assert!(reply.handle(Received::new(tree())).await.unwrap().is_some());
        assert!(option.handle(Received::new(tree())).await.unwrap().is_some());
        assert!(ok_none.handle(Received::new(tree())).await.unwrap().is_none());
        assert!(ok_unit.handle(Received::new(tree())).await.unwrap().is_none());
        assert!(failing.handle(Received::new(tree())).await.is_err());
        assert!(question_mark.handle(Received::new(tree())).await.is_err());
    }
}
