//! Tokens in Redis, shared by every process that points at the same server.
//!
//! A token is one key holding `{"value", "refresh_at", "expires_at"}` (one `SET`, so readers see
//! a whole token or none), expiring with the token. The refresh lock is `SET key:lock owner NX
//! PX ttl`; it is released, and a token invalidated, by scripts that compare before deleting.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::future::BoxFuture;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};

use super::{StoreError, StoredToken, TokenStore};
use crate::Secret;

/// A [`TokenStore`] in Redis.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let store = wecom_sdk::RedisStore::connect("redis://127.0.0.1:6379/").await?;
/// let client = wecom_sdk::Client::builder("ww0123456789abcdef", "app-secret")
///     .token_store(store)
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    lock_ttl: Duration,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("lock_ttl", &self.lock_ttl)
            .finish_non_exhaustive()
    }
}

/// The JSON a token is kept as (times in Unix milliseconds).
#[derive(Serialize, Deserialize)]
struct Record {
    value: String,
    refresh_at: u64,
    expires_at: u64,
}

fn millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn from_millis(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}

fn failed(context: &str) -> impl FnOnce(redis::RedisError) -> StoreError + '_ {
    // Redis errors name the command and the server's reply, never the values sent.
    move |e| StoreError(format!("{context}: {e}"))
}

/// Deletes `KEYS[1]` if its JSON `value` is `ARGV[1]`.
const INVALIDATE: &str = r#"
local current = redis.call('GET', KEYS[1])
if current and cjson.decode(current)['value'] == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

/// Extends `KEYS[1]` to `ARGV[2]` milliseconds if it holds `ARGV[1]` (the lock's owner).
const EXTEND: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"#;

/// Deletes `KEYS[1]` if it holds `ARGV[1]` (the lock's owner).
const UNLOCK: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"#;

impl RedisStore {
    /// Connects to `url` (`redis://host:port/db`); the connection reconnects by itself.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(failed("bad Redis URL"))?;
        let connection = ConnectionManager::new(client)
            .await
            .map_err(failed("cannot connect"))?;
        Ok(RedisStore {
            connection,
            lock_ttl: Duration::from_secs(10),
        })
    }

    /// How long a refresh lock lasts (default 10 s): long enough for one `gettoken`, short
    /// enough that the others take over soon when its holder dies.
    pub fn with_lock_ttl(mut self, ttl: Duration) -> Self {
        self.lock_ttl = ttl;
        self
    }
}

impl TokenStore for RedisStore {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<StoredToken>, StoreError>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let raw: Option<String> = connection.get(key).await.map_err(failed("GET"))?;
            let Some(raw) = raw else { return Ok(None) };
            let record: Record = serde_json::from_str(&raw)
                .map_err(|e| StoreError(format!("unreadable token record: {e}")))?;
            Ok(Some(StoredToken {
                value: Secret::from(record.value),
                refresh_at: from_millis(record.refresh_at),
                expires_at: from_millis(record.expires_at),
            }))
        })
    }

    fn save<'a>(&'a self, key: &'a str, token: &'a StoredToken) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let record = Record {
                value: token.value.expose().to_string(),
                refresh_at: millis(token.refresh_at),
                expires_at: millis(token.expires_at),
            };
            let raw = serde_json::to_string(&record).map_err(|e| StoreError(e.to_string()))?;
            let lifetime = token
                .expires_at
                .duration_since(SystemTime::now())
                .unwrap_or(Duration::from_secs(1))
                .max(Duration::from_secs(1));
            let mut connection = self.connection.clone();
            let _: () = connection
                .pset_ex(key, raw, lifetime.as_millis() as u64)
                .await
                .map_err(failed("SET"))?;
            Ok(())
        })
    }

    fn invalidate<'a>(&'a self, key: &'a str, value: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let _: i64 = redis::Script::new(INVALIDATE)
                .key(key)
                .arg(value)
                .invoke_async(&mut connection)
                .await
                .map_err(failed("invalidate"))?;
            Ok(())
        })
    }

    fn try_lock<'a>(
        &'a self,
        key: &'a str,
        owner: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let taken: Option<String> = redis::cmd("SET")
                .arg(format!("{key}:lock"))
                .arg(owner)
                .arg("NX")
                .arg("PX")
                .arg(ttl.as_millis().max(1) as u64)
                .query_async(&mut connection)
                .await
                .map_err(failed("SET NX"))?;
            Ok(taken.is_some())
        })
    }

    fn extend_lock<'a>(
        &'a self,
        key: &'a str,
        owner: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let extended: i64 = redis::Script::new(EXTEND)
                .key(format!("{key}:lock"))
                .arg(owner)
                .arg(ttl.as_millis().max(1) as u64)
                .invoke_async(&mut connection)
                .await
                .map_err(failed("extend lock"))?;
            Ok(extended == 1)
        })
    }

    fn unlock<'a>(&'a self, key: &'a str, owner: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let _: i64 = redis::Script::new(UNLOCK)
                .key(format!("{key}:lock"))
                .arg(owner)
                .invoke_async(&mut connection)
                .await
                .map_err(failed("unlock"))?;
            Ok(())
        })
    }

    fn lock_ttl(&self) -> Duration {
        self.lock_ttl
    }
}
