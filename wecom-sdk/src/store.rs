//! Where tokens live between fetches. The in-memory store (the default) serves one process; a
//! shared store such as Redis (feature `redis`) lets a fleet of processes fetch each token once
//! between them, under a lock that expires if its holder dies.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use futures_util::future::BoxFuture;

use crate::Secret;

#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis")]
pub use self::redis::RedisStore;

/// A token as a store keeps it: the value, when to stop using it, when WeCom drops it.
///
/// It may grow fields: a store of one's own builds it with [`StoredToken::new`].
///
/// ```compile_fail
/// let now = std::time::SystemTime::now();
/// let token = wecom_sdk::StoredToken { value: "t".into(), refresh_at: now, expires_at: now };
/// ```
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct StoredToken {
    /// The token or ticket.
    pub value: Secret,
    /// When holders should fetch a new one (shortly before `expires_at`).
    pub refresh_at: SystemTime,
    /// When WeCom stops accepting it.
    pub expires_at: SystemTime,
}

impl fmt::Debug for StoredToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredToken")
            .field("value", &self.value)
            .field("refresh_at", &self.refresh_at)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl StoredToken {
    /// A token to hand out until `refresh_at`, which WeCom accepts until `expires_at` (what a
    /// [`TokenStore`] of one's own builds from what it keeps).
    pub fn new(value: impl Into<Secret>, refresh_at: SystemTime, expires_at: SystemTime) -> Self {
        StoredToken {
            value: value.into(),
            refresh_at,
            expires_at,
        }
    }

    /// Whether it is still the one to use.
    pub fn is_fresh(&self) -> bool {
        SystemTime::now() < self.refresh_at
    }
}

/// A store that could not be reached or answered nonsense. The client then fetches the token
/// itself (logging a warning), so a store outage degrades to one fetch per process.
#[derive(Debug, Clone, thiserror::Error)]
#[error("token store: {0}")]
pub struct StoreError(pub String);

/// Shared storage for tokens, keyed per corp, app and kind of credential.
///
/// Implementations must make `save` atomic (a reader sees the old token or the new one, never
/// half of one), `invalidate` a compare-and-delete, and the lock an expiring lease that only
/// its owner can release.
pub trait TokenStore: Send + Sync + 'static {
    /// The token under `key`, if any (it may be stale; the caller checks).
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<StoredToken>, StoreError>>;

    /// Stores `token` under `key`, replacing what was there.
    fn save<'a>(&'a self, key: &'a str, token: &'a StoredToken) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Deletes the token under `key` if it still is `value`: of many callers that saw the same
    /// token rejected, only the first deletes, and a newer token survives.
    fn invalidate<'a>(&'a self, key: &'a str, value: &'a str) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Takes the refresh lock for `key` as `owner` for `ttl`, if no one holds it; `true` when
    /// taken. A store serving one process may always answer `true`.
    fn try_lock<'a>(
        &'a self,
        key: &'a str,
        owner: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;

    /// Extends the refresh lock for `key` by `ttl` if `owner` still holds it (the holder renews
    /// it while its fetch runs, so only a dead holder's lock lapses); `true` when extended.
    fn extend_lock<'a>(
        &'a self,
        key: &'a str,
        owner: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        let _ = (key, owner, ttl);
        Box::pin(async { Ok(true) })
    }

    /// Releases the refresh lock for `key` if `owner` still holds it.
    fn unlock<'a>(&'a self, key: &'a str, owner: &'a str) -> BoxFuture<'a, Result<(), StoreError>>;

    /// How long a refresh lock lasts before another process may take over.
    fn lock_ttl(&self) -> Duration {
        Duration::from_secs(10)
    }
}

/// Tokens in this process's memory: the default store.
#[derive(Default)]
pub struct MemoryStore {
    tokens: Mutex<HashMap<String, StoredToken>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.tokens.lock().unwrap_or_else(PoisonError::into_inner).len();
        f.debug_struct("MemoryStore").field("tokens", &count).finish()
    }
}

impl TokenStore for MemoryStore {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<StoredToken>, StoreError>> {
        let found = self
            .tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned();
        Box::pin(async move { Ok(found) })
    }

    fn save<'a>(&'a self, key: &'a str, token: &'a StoredToken) -> BoxFuture<'a, Result<(), StoreError>> {
        self.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_string(), token.clone());
        Box::pin(async { Ok(()) })
    }

    fn invalidate<'a>(&'a self, key: &'a str, value: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        if tokens.get(key).is_some_and(|t| t.value.expose() == value) {
            tokens.remove(key);
        }
        Box::pin(async { Ok(()) })
    }

    fn try_lock<'a>(
        &'a self,
        _key: &'a str,
        _owner: &'a str,
        _ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        // One process: the client's own single flight already lets one fetch through.
        Box::pin(async { Ok(true) })
    }

    fn unlock<'a>(&'a self, _key: &'a str, _owner: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async { Ok(()) })
    }
}

/// The store key of one credential: corp (or provider, or suite) id, the app (a digest of its
/// secret, never the secret), and the kind.
pub(crate) fn key(kind: &str, id: &str, secret: &Secret) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(secret.expose().as_bytes());
    let app: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("wecom:{kind}:{id}:{app}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_corp_app_and_kind_but_not_the_secret() {
        let a = key("access_token", "ww1", &Secret::from("secret-one"));
        let b = key("access_token", "ww1", &Secret::from("secret-two"));
        assert!(a.starts_with("wecom:access_token:ww1:"), "{a}");
        assert_ne!(a, b, "two apps of one corp");
        assert!(!a.contains("secret"), "{a}");
    }

    #[tokio::test]
    async fn memory_invalidation_compares() {
        let store = MemoryStore::new();
        let token = |v: &str| StoredToken {
            value: Secret::from(v),
            refresh_at: SystemTime::now() + Duration::from_secs(60),
            expires_at: SystemTime::now() + Duration::from_secs(120),
        };
        store.save("k", &token("new")).await.unwrap();
        store.invalidate("k", "old").await.unwrap();
        assert!(store.load("k").await.unwrap().is_some(), "a newer token survives");
        store.invalidate("k", "new").await.unwrap();
        assert!(store.load("k").await.unwrap().is_none());
    }
}
