//! Dropping WeCom's retries: a callback seen once is not handled again.
//!
//! WeCom resends a callback that got no answer within five seconds (three times in all), and a
//! robot's callbacks may arrive twice "for network reasons". A [`CallbackService`] asks its
//! [`Dedup`] whether each callback's [`dedup_key`] is new before handing it to a handler: in
//! memory by default ([`MemoryDedup`]), or in Redis ([`RedisDedup`], feature `redis`) so that
//! a fleet behind one callback URL handles each callback once between them.
//!
//! [`CallbackService`]: super::CallbackService

use std::collections::{BTreeSet, HashMap};
use std::fmt::{self, Write as _};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use thiserror::Error;

use super::Tree;

/// A dedup backend that could not answer. The service then handles the callback anyway (and
/// logs a warning): a callback handled twice is better than one lost.
#[derive(Debug, Clone, Error)]
#[error("callback dedup: {0}")]
pub struct DedupError(pub String);

/// Remembers which callbacks were seen.
///
/// Implementations must make [`first_time`](Self::first_time) atomic: of many callers
/// offering one key at once, exactly one hears `true`.
pub trait Dedup: Send + Sync + 'static {
    /// `true` the first time `key` is offered, remembering it for `ttl`; `false` while it is
    /// remembered.
    fn first_time<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool, DedupError>>;
}

/// The key a callback is remembered by: the same for a retry, different for any other
/// callback.
///
/// - A message, or anything else that carries a message id (`MsgId`; a robot's `msgid`):
///   `msg:` and a digest of the id with `ToUserName`, `AgentID` and the robot's `aibotid`
///   (ids are unique per corp and app, not across them).
/// - Everything else (events without an id, contact changes, a suite's instruction
///   callbacks): `doc:` and a digest of the whole document, every element and its text.
///
/// The usual advice, `FromUserName` + `CreateTime` (and `SuiteId` + `InfoType` + `TimeStamp`
/// for a suite), merges callbacks that are not retries: two members changed in one second
/// arrive as two `change_contact` events from `sys` with the same `CreateTime`, told apart only
/// by their `UserID`; two customers added by one member in the same second differ only in
/// `ExternalUserID`; a suite's `change_auth` for two corps in one second differs only in
/// `AuthCorpId`. A retry is the same document again, so the whole document identifies it
/// without a list of id elements per event that would fall behind the docs. Element order does
/// not matter (the digest sorts names), so processes built with and without serde_json's
/// `preserve_order` agree.
///
/// ```
/// use wecom_sdk::callback::{dedup_key, parse_tree};
///
/// # fn main() -> Result<(), wecom_sdk::callback::CallbackError> {
/// let change = |user: &str| parse_tree(format!(
///     "<xml><ToUserName>ww1</ToUserName><FromUserName>sys</FromUserName><CreateTime>1403610513</CreateTime>\
///      <MsgType>event</MsgType><Event>change_contact</Event><ChangeType>update_user</ChangeType>\
///      <UserID>{user}</UserID></xml>").as_bytes());
/// assert_ne!(dedup_key(&change("zhangsan")?), dedup_key(&change("lisi")?));
/// assert_eq!(dedup_key(&change("zhangsan")?), dedup_key(&change("zhangsan")?));
/// # Ok(()) }
/// ```
pub fn dedup_key(tree: &Tree) -> String {
    let text = |name: &str| tree.get(name).and_then(Value::as_str).filter(|s| !s.is_empty());
    let mut sha = Sha256::new();
    let kind = match text("MsgId").or_else(|| text("msgid")) {
        Some(id) => {
            for part in [text("ToUserName"), text("AgentID"), text("aibotid"), Some(id)] {
                hash_str(&mut sha, part.unwrap_or(""));
            }
            "msg"
        }
        None => {
            hash_map(&mut sha, tree);
            "doc"
        }
    };
    let digest = sha.finalize();
    let mut key = String::with_capacity(4 + 32);
    key.push_str(kind);
    key.push(':');
    for byte in digest.iter().take(16) {
        let _ = write!(key, "{byte:02x}");
    }
    key
}

/// Length-prefixed, so that no two sequences of strings hash alike.
fn hash_str(sha: &mut Sha256, s: &str) {
    sha.update((s.len() as u64).to_be_bytes());
    sha.update(s.as_bytes());
}

fn hash_map(sha: &mut Sha256, map: &serde_json::Map<String, Value>) {
    let mut names: Vec<&String> = map.keys().collect();
    names.sort_unstable();
    sha.update(b"{");
    sha.update((names.len() as u64).to_be_bytes());
    for name in names {
        hash_str(sha, name);
        if let Some(value) = map.get(name) {
            hash_value(sha, value);
        }
    }
}

fn hash_value(sha: &mut Sha256, value: &Value) {
    match value {
        Value::Null => sha.update(b"n"),
        Value::Bool(b) => sha.update(if *b { b"t" } else { b"f" }),
        Value::Number(n) => {
            sha.update(b"#");
            hash_str(sha, &n.to_string());
        }
        Value::String(s) => {
            sha.update(b"s");
            hash_str(sha, s);
        }
        Value::Array(items) => {
            sha.update(b"[");
            sha.update((items.len() as u64).to_be_bytes());
            for item in items {
                hash_value(sha, item);
            }
        }
        Value::Object(map) => hash_map(sha, map),
    }
}

/// Seen keys in this process's memory: the default [`Dedup`].
///
/// Each key is forgotten when its time to live is over; at most `capacity` are remembered, and
/// when full the one closest to expiring is forgotten first.
pub struct MemoryDedup {
    capacity: usize,
    seen: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    expiry_of: HashMap<String, Instant>,
    by_expiry: BTreeSet<(Instant, String)>,
}

impl Seen {
    fn pop_oldest(&mut self) {
        if let Some((_, key)) = self.by_expiry.pop_first() {
            self.expiry_of.remove(&key);
        }
    }
}

impl MemoryDedup {
    /// The default capacity: 100,000 keys (a few megabytes).
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// Remembers up to `capacity` keys (at least one).
    pub fn new(capacity: usize) -> Self {
        MemoryDedup {
            capacity: capacity.max(1),
            seen: Mutex::new(Seen::default()),
        }
    }

    /// How many keys are remembered now (expired ones included until the next offer).
    pub fn len(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .expiry_of
            .len()
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn offer(&self, key: &str, ttl: Duration, now: Instant) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        while seen.by_expiry.first().is_some_and(|(expiry, _)| *expiry <= now) {
            seen.pop_oldest();
        }
        if seen.expiry_of.contains_key(key) {
            return false;
        }
        while seen.expiry_of.len() >= self.capacity {
            seen.pop_oldest();
        }
        let expiry = now.checked_add(ttl).unwrap_or(now);
        seen.expiry_of.insert(key.to_string(), expiry);
        seen.by_expiry.insert((expiry, key.to_string()));
        true
    }
}

impl Default for MemoryDedup {
    fn default() -> Self {
        MemoryDedup::new(MemoryDedup::DEFAULT_CAPACITY)
    }
}

impl fmt::Debug for MemoryDedup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryDedup")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish()
    }
}

impl Dedup for MemoryDedup {
    fn first_time<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool, DedupError>> {
        let first = self.offer(key, ttl, Instant::now());
        Box::pin(async move { Ok(first) })
    }
}

#[cfg(feature = "redis")]
pub use self::redis_dedup::RedisDedup;

#[cfg(feature = "redis")]
mod redis_dedup {
    use std::fmt;
    use std::time::Duration;

    use futures_util::future::BoxFuture;
    use redis::aio::ConnectionManager;

    use super::{Dedup, DedupError};

    /// Seen keys in Redis, shared by every process that points at the same server: one
    /// `SET key 1 NX PX ttl` per callback, which only the first caller succeeds in.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use wecom_sdk::callback::{CallbackService, Crypto, RedisDedup};
    ///
    /// let crypto = Crypto::new("token", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "ww0123456789abcdef")?;
    /// let service = CallbackService::builder(crypto)
    ///     .dedup(RedisDedup::connect("redis://127.0.0.1:6379/").await?)
    ///     .build();
    /// # let _ = service; Ok(()) }
    /// ```
    #[derive(Clone)]
    pub struct RedisDedup {
        connection: ConnectionManager,
        prefix: String,
    }

    impl fmt::Debug for RedisDedup {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("RedisDedup")
                .field("prefix", &self.prefix)
                .finish_non_exhaustive()
        }
    }

    impl RedisDedup {
        /// The prefix of every key (default `wecom:callback:seen:`).
        pub const DEFAULT_PREFIX: &'static str = "wecom:callback:seen:";

        /// Connects to `url` (`redis://host:port/db`); the connection reconnects by itself.
        pub async fn connect(url: &str) -> Result<Self, DedupError> {
            // Redis errors name the command and the server's reply, never the values sent.
            let client = redis::Client::open(url).map_err(|e| DedupError(format!("bad Redis URL: {e}")))?;
            let connection = ConnectionManager::new(client)
                .await
                .map_err(|e| DedupError(format!("cannot connect: {e}")))?;
            Ok(RedisDedup {
                connection,
                prefix: RedisDedup::DEFAULT_PREFIX.to_string(),
            })
        }

        /// Puts every key under `prefix` instead (to keep apps sharing a server apart, say).
        pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
            self.prefix = prefix.into();
            self
        }
    }

    impl Dedup for RedisDedup {
        fn first_time<'a>(&'a self, key: &'a str, ttl: Duration) -> BoxFuture<'a, Result<bool, DedupError>> {
            Box::pin(async move {
                let mut connection = self.connection.clone();
                let set: Option<String> = redis::cmd("SET")
                    .arg(format!("{}{key}", self.prefix))
                    .arg(1)
                    .arg("NX")
                    .arg("PX")
                    .arg(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1))
                    .query_async(&mut connection)
                    .await
                    .map_err(|e| DedupError(format!("SET NX: {e}")))?;
                Ok(set.is_some())
            })
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::callback::parse_tree;

    fn key(xml: &str) -> String {
        dedup_key(&parse_tree(xml.as_bytes()).unwrap())
    }

    #[test]
    fn messages_are_keyed_by_their_id_and_app() {
        let msg = |agent: &str, id: &str, content: &str| {
            key(&format!(
                "<xml><ToUserName>ww1</ToUserName><FromUserName>u</FromUserName><CreateTime>1</CreateTime>\
                 <MsgType>text</MsgType><Content>{content}</Content><MsgId>{id}</MsgId><AgentID>{agent}</AgentID></xml>"
            ))
        };
        assert!(msg("1", "42", "a").starts_with("msg:"));
        assert_eq!(msg("1", "42", "a"), msg("1", "42", "a"));
        assert_ne!(msg("1", "42", "a"), msg("1", "43", "a"));
        assert_ne!(
            msg("1", "42", "a"),
            msg("2", "42", "a"),
            "two apps' ids are apart"
        );
        // The id decides: same id, same message.
        assert_eq!(msg("1", "42", "a"), msg("1", "42", "b"));
        let robot = |id: &str| {
            dedup_key(
                &parse_tree(format!(r#"{{"msgid":"{id}","aibotid":"B","msgtype":"text"}}"#).as_bytes())
                    .unwrap(),
            )
        };
        assert!(robot("x").starts_with("msg:"));
        assert_ne!(robot("x"), robot("y"));
    }

    #[test]
    fn documents_without_an_id_are_keyed_by_everything_in_them() {
        let ext = |external: &str| {
            key(&format!(
                "<xml><ToUserName>ww1</ToUserName><FromUserName>sys</FromUserName><CreateTime>1</CreateTime>\
                 <MsgType>event</MsgType><Event>change_external_contact</Event><ChangeType>add_external_contact</ChangeType>\
                 <UserID>zhangsan</UserID><ExternalUserID>{external}</ExternalUserID></xml>"
            ))
        };
        assert!(ext("wm1").starts_with("doc:"));
        assert_ne!(ext("wm1"), ext("wm2"));
        let suite = |corp: &str| {
            key(&format!(
                "<xml><SuiteId>s</SuiteId><InfoType>change_auth</InfoType><TimeStamp>1</TimeStamp><AuthCorpId>{corp}</AuthCorpId></xml>"
            ))
        };
        assert_ne!(suite("c1"), suite("c2"));
        assert_eq!(suite("c1"), suite("c1"));
        // Order of elements does not matter; structure does.
        assert_eq!(
            key("<xml><A>1</A><B>2</B></xml>"),
            key("<xml><B>2</B><A>1</A></xml>")
        );
        assert_ne!(
            key("<xml><A>1</A><B>2</B></xml>"),
            key("<xml><A>12</A><B></B></xml>")
        );
        assert_ne!(
            key("<xml><A>1</A><A>2</A></xml>"),
            key("<xml><A><x>1</x></A></xml>")
        );
        // An empty MsgId is no id.
        assert!(key("<xml><MsgId></MsgId><A>1</A></xml>").starts_with("doc:"));
    }

    #[test]
    fn memory_dedup_expires_and_stays_bounded() {
        let dedup = MemoryDedup::new(2);
        let t0 = Instant::now();
        let ttl = Duration::from_secs(10);
        assert!(dedup.offer("a", ttl, t0));
        assert!(!dedup.offer("a", ttl, t0 + Duration::from_secs(9)));
        assert!(dedup.offer("a", ttl, t0 + Duration::from_secs(10)), "expired");
        assert!(dedup.offer("b", ttl, t0 + Duration::from_secs(11)));
        assert!(dedup.offer("c", ttl, t0 + Duration::from_secs(12)));
        assert_eq!(dedup.len(), 2, "the capacity holds");
        // The oldest ("a", expiring first) went to make room.
        assert!(dedup.offer("a", ttl, t0 + Duration::from_secs(13)));
        assert!(!dedup.offer("c", ttl, t0 + Duration::from_secs(13)));
    }

    #[tokio::test]
    async fn concurrent_offers_of_one_key_let_one_through() {
        let dedup = std::sync::Arc::new(MemoryDedup::default());
        let tasks: Vec<_> = (0..32)
            .map(|_| {
                let dedup = dedup.clone();
                tokio::spawn(async move { dedup.first_time("k", Duration::from_secs(60)).await.unwrap() })
            })
            .collect();
        let mut firsts = 0;
        for task in tasks {
            firsts += usize::from(task.await.unwrap());
        }
        assert_eq!(firsts, 1);
    }
}
