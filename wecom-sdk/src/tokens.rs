//! Tokens: fetched once, shared by every caller, refreshed shortly before they expire or when
//! WeCom says they are no longer valid. In a process, concurrent callers share one fetch; across
//! processes, a shared [`TokenStore`] and its refresh lock let one process fetch for all.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use futures_util::future::{BoxFuture, FutureExt, Shared};

use crate::store::{StoredToken, TokenStore};
use crate::{Error, Secret};

/// A token and when to stop using it.
pub(crate) struct Token {
    pub(crate) value: Secret,
    refresh_at: Instant,
    stored: StoredToken,
}

impl Token {
    /// A token that WeCom says lives `expires_in` seconds, to be replaced `margin` before that.
    pub(crate) fn new(value: Secret, expires_in: Duration, margin: Duration) -> Self {
        // A lifetime shorter than twice the margin would leave little or nothing; use half of it.
        let usable = if expires_in > margin * 2 {
            expires_in - margin
        } else {
            expires_in / 2
        };
        let now = SystemTime::now();
        Token {
            stored: StoredToken {
                value: value.clone(),
                refresh_at: now + usable,
                expires_at: now + expires_in,
            },
            value,
            refresh_at: Instant::now() + usable,
        }
    }

    fn from_stored(stored: StoredToken) -> Self {
        let left = stored
            .refresh_at
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO);
        Token {
            value: stored.value.clone(),
            refresh_at: Instant::now() + left,
            stored,
        }
    }

    fn is_fresh(&self) -> bool {
        Instant::now() < self.refresh_at
    }
}

type Fetch = Shared<BoxFuture<'static, Result<Arc<Token>, Error>>>;

/// How long a refused fetch (a wrong secret, say) answers for itself: callers in that window get
/// the same error without asking WeCom again, so a burst of calls cannot hammer the rate-limited
/// token endpoint. Later calls ask again, once each.
const REFUSAL_HOLD: Duration = Duration::from_secs(2);

/// The longest a process waits for another's refresh before fetching itself.
const WAIT_CAP: Duration = Duration::from_secs(60);

/// How often a process waiting on another's refresh looks in the store.
const POLL: Duration = Duration::from_millis(50);

/// One credential's token: the copy in this process, the fetch in flight, and the store shared
/// with other processes.
pub(crate) struct TokenCache {
    key: String,
    store: Arc<dyn TokenStore>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    current: Option<Arc<Token>>,
    in_flight: Option<Fetch>,
    refused: Option<(Error, Instant)>,
}

impl TokenCache {
    pub(crate) fn new(key: String, store: Arc<dyn TokenStore>) -> Self {
        TokenCache {
            key,
            store,
            state: Mutex::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is three `Option`s; a panic elsewhere cannot leave it inconsistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// This process's copy of the token, when it is still fresh: the path of almost every call,
    /// which then needs nothing built for a fetch.
    pub(crate) fn fresh(&self) -> Option<Arc<Token>> {
        self.lock().current.as_ref().filter(|t| t.is_fresh()).cloned()
    }

    /// A fresh token: this process's copy, or the result of the fetch in flight, or of a new
    /// acquisition (from the store, or from WeCom under the store's lock).
    pub(crate) async fn get<F>(&self, fetch: F) -> Result<Arc<Token>, Error>
    where
        F: FnOnce() -> BoxFuture<'static, Result<Token, Error>> + Send + 'static,
    {
        let shared = {
            let mut state = self.lock();
            if let Some(token) = state.current.as_ref().filter(|t| t.is_fresh()) {
                return Ok(Arc::clone(token));
            }
            if let Some((error, at)) = &state.refused
                && at.elapsed() < REFUSAL_HOLD
            {
                return Err(error.clone());
            }
            match &state.in_flight {
                Some(fetching) => fetching.clone(),
                None => {
                    let fetching = acquire(Arc::clone(&self.store), self.key.clone(), fetch)
                        .map(|r| r.map(Arc::new))
                        .boxed()
                        .shared();
                    state.in_flight = Some(fetching.clone());
                    fetching
                }
            }
        };
        let result = shared.clone().await;
        let mut state = self.lock();
        if state.in_flight.as_ref().is_some_and(|f| f.ptr_eq(&shared)) {
            state.in_flight = None;
            match &result {
                Ok(token) => {
                    state.current = Some(Arc::clone(token));
                    state.refused = None;
                }
                // A refusal (wrong secret, say) holds; "busy" is worth asking again at once.
                Err(error @ Error::Api(e)) if !crate::policy::BUSY.contains(&e.code) => {
                    state.refused = Some((error.clone(), Instant::now()))
                }
                Err(_) => {}
            }
        }
        result
    }

    /// Forgets `used`, here and in the store, if it still is the token held; a newer token is
    /// kept, so many calls failing with the same stale token cause one refresh.
    pub(crate) async fn invalidate(&self, used: &Arc<Token>) {
        {
            let mut state = self.lock();
            if state.current.as_ref().is_some_and(|c| Arc::ptr_eq(c, used)) {
                state.current = None;
            }
        }
        if let Err(e) = self.store.invalidate(&self.key, used.value.expose()).await {
            tracing::warn!(error = %e, "could not invalidate the token in the store");
        }
    }
}

/// A fresh token from the store, or fetched from WeCom by whichever process holds the store's
/// refresh lock; the others wait for it to appear. A lock whose holder died expires, and the
/// next waiter takes over. A store that fails is bypassed.
async fn acquire<F>(store: Arc<dyn TokenStore>, key: String, fetch: F) -> Result<Token, Error>
where
    F: FnOnce() -> BoxFuture<'static, Result<Token, Error>>,
{
    let owner = format!("{:032x}", fastrand::u128(..));
    let ttl = store.lock_ttl();
    // The holder renews its lock while it fetches, so waiting is bounded by its fetch; this cap
    // only guards against a store that misbehaves.
    let give_up = Instant::now() + (ttl * 3).max(WAIT_CAP);
    loop {
        match store.load(&key).await {
            Ok(Some(stored)) if stored.is_fresh() => return Ok(Token::from_stored(stored)),
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "token store unavailable; fetching directly");
                return fetch().await;
            }
        }
        match store.try_lock(&key, &owner, ttl).await {
            Ok(true) => {
                // Another process may have saved a token between our look and our lock.
                if let Ok(Some(stored)) = store.load(&key).await
                    && stored.is_fresh()
                {
                    release(&*store, &key, &owner).await;
                    return Ok(Token::from_stored(stored));
                }
                let result = holding(&*store, &key, &owner, ttl, fetch()).await;
                if let Ok(token) = &result
                    && let Err(e) = store.save(&key, &token.stored).await
                {
                    tracing::warn!(error = %e, "could not save the token in the store");
                }
                release(&*store, &key, &owner).await;
                return result;
            }
            Ok(false) if Instant::now() > give_up => {
                tracing::warn!("another process's refresh did not finish in time; fetching directly");
                return fetch().await;
            }
            Ok(false) => tokio::time::sleep(POLL).await,
            Err(e) => {
                tracing::warn!(error = %e, "token store unavailable; fetching directly");
                return fetch().await;
            }
        }
    }
}

/// Runs `work` while renewing the refresh lock every third of its lifetime, so the lock lapses
/// only if this process dies.
async fn holding<T>(
    store: &dyn TokenStore,
    key: &str,
    owner: &str,
    ttl: Duration,
    work: BoxFuture<'static, T>,
) -> T {
    let renew = async {
        loop {
            tokio::time::sleep(ttl / 3).await;
            match store.extend_lock(key, owner, ttl).await {
                Ok(true) => {}
                Ok(false) => tracing::warn!("lost the refresh lock while fetching"),
                Err(e) => tracing::warn!(error = %e, "could not renew the refresh lock"),
            }
        }
    };
    futures_util::pin_mut!(renew);
    match futures_util::future::select(work, renew).await {
        futures_util::future::Either::Left((done, _)) => done,
        futures_util::future::Either::Right((never, _)) => never,
    }
}

async fn release(store: &dyn TokenStore, key: &str, owner: &str) {
    if let Err(e) = store.unlock(key, owner).await {
        tracing::warn!(error = %e, "could not release the refresh lock (it expires by itself)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn cache() -> TokenCache {
        TokenCache::new("test".into(), Arc::new(crate::store::MemoryStore::new()))
    }

    fn fetcher(
        count: Arc<AtomicUsize>,
        lifetime: Duration,
    ) -> impl FnOnce() -> BoxFuture<'static, Result<Token, Error>> + Send + 'static {
        move || {
            async move {
                let n = count.fetch_add(1, Ordering::SeqCst);
                tokio::task::yield_now().await;
                Ok(Token::new(
                    Secret::from(format!("token-{n}")),
                    lifetime,
                    Duration::ZERO,
                ))
            }
            .boxed()
        }
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch() {
        let cache = Arc::new(cache());
        let count = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let (cache, count) = (cache.clone(), count.clone());
                tokio::spawn(async move {
                    cache
                        .get(fetcher(count, Duration::from_secs(60)))
                        .await
                        .map(|t| t.value.expose().to_string())
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap(), "token-0");
        }
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn invalidation_compares_the_token_used() {
        let cache = cache();
        let count = Arc::new(AtomicUsize::new(0));
        let first = cache
            .get(fetcher(count.clone(), Duration::from_secs(60)))
            .await
            .unwrap();
        cache.invalidate(&first).await;
        let second = cache
            .get(fetcher(count.clone(), Duration::from_secs(60)))
            .await
            .unwrap();
        assert_eq!(second.value.expose(), "token-1");
        // A late failure reported against the old token must not throw the new one away.
        cache.invalidate(&first).await;
        let third = cache
            .get(fetcher(count.clone(), Duration::from_secs(60)))
            .await
            .unwrap();
        assert!(Arc::ptr_eq(&second, &third));
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn short_lifetimes_keep_half() {
        let token = Token::new(
            Secret::from("t"),
            Duration::from_secs(100),
            Duration::from_secs(300),
        );
        let left = token.refresh_at - Instant::now();
        assert!(
            left <= Duration::from_secs(50) && left > Duration::from_secs(45),
            "{left:?}"
        );
    }
}
