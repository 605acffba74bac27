//! The access token: fetched once, shared by every caller, refreshed shortly before it expires
//! or when WeCom says it is no longer valid.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use futures_util::future::{BoxFuture, FutureExt, Shared};

use crate::{Error, Secret};

/// A token and when to stop using it.
pub(crate) struct Token {
    pub(crate) value: Secret,
    refresh_at: Instant,
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
        Token {
            value,
            refresh_at: Instant::now() + usable,
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

/// The cached token and the fetch in flight, if any. Every caller that finds no fresh token
/// waits on the same fetch, so a cold client under load asks `gettoken` once.
#[derive(Default)]
pub(crate) struct TokenCache {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    current: Option<Arc<Token>>,
    in_flight: Option<Fetch>,
    refused: Option<(Error, Instant)>,
}

impl TokenCache {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is two `Option`s; a panic elsewhere cannot leave it inconsistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A fresh token: the cached one, or the result of the fetch in flight, or of a new fetch.
    pub(crate) async fn get<F>(&self, fetch: F) -> Result<Arc<Token>, Error>
    where
        F: FnOnce() -> BoxFuture<'static, Result<Token, Error>>,
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
                    let fetching = fetch().map(|r| r.map(Arc::new)).boxed().shared();
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
                Err(error @ Error::Api(_)) => state.refused = Some((error.clone(), Instant::now())),
                Err(_) => {}
            }
        }
        result
    }

    /// Forgets `used` if it is still the cached token; a newer token is kept, so many calls
    /// failing with the same stale token cause one refresh.
    pub(crate) fn invalidate(&self, used: &Arc<Token>) {
        let mut state = self.lock();
        if state.current.as_ref().is_some_and(|c| Arc::ptr_eq(c, used)) {
            state.current = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn fetcher(
        count: Arc<AtomicUsize>,
        lifetime: Duration,
    ) -> impl FnOnce() -> BoxFuture<'static, Result<Token, Error>> {
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
        let cache = Arc::new(TokenCache::default());
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
        let cache = TokenCache::default();
        let count = Arc::new(AtomicUsize::new(0));
        let first = cache
            .get(fetcher(count.clone(), Duration::from_secs(60)))
            .await
            .unwrap();
        cache.invalidate(&first);
        let second = cache
            .get(fetcher(count.clone(), Duration::from_secs(60)))
            .await
            .unwrap();
        assert_eq!(second.value.expose(), "token-1");
        // A late failure reported against the old token must not throw the new one away.
        cache.invalidate(&first);
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
