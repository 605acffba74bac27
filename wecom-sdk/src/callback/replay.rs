//! An optional defence against replayed callbacks: a timestamp window and a nonce cache.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use thiserror::Error;

use super::error::quote;

/// The current time in Unix seconds, for [`ReplayGuard`]. Any `Fn() -> i64` is a clock, so
/// tests can move time by hand.
pub trait Clock: Send + Sync {
    /// Seconds since 1970-01-01 UTC.
    fn now(&self) -> i64;
}

impl<F: Fn() -> i64 + Send + Sync> Clock for F {
    fn now(&self) -> i64 {
        self()
    }
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }
}

/// Why [`ReplayGuard::check`] refused a request.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The `timestamp` parameter is not a whole number of seconds.
    #[error("the timestamp {0} is not a whole number of seconds")]
    BadTimestamp(String),
    /// The timestamp is further from now than the window allows, in either direction.
    #[error("the timestamp {timestamp} is {skew} s from now ({now}), outside the {window}-second window")]
    Stale {
        /// The request's timestamp.
        timestamp: i64,
        /// The clock's time.
        now: i64,
        /// How far apart they are, in seconds.
        skew: u64,
        /// The window, in seconds.
        window: u64,
    },
    /// The nonce was already seen in a request that is still within the window.
    #[error("the nonce {0} was already used within the window")]
    NonceReused(String),
}

/// Refuses callbacks whose timestamp is too far from now or whose nonce was seen recently.
///
/// WXBizMsgCrypt signs the timestamp and the nonce but does not check them, so a captured
/// request verifies forever. The guard closes that: [`check`](Self::check) accepts a request
/// once, while its timestamp is within `window` of the clock, and remembers its nonce until the
/// timestamp leaves the window (after which the timestamp alone refuses it).
///
/// Call it *after* the signature has been verified, so that only authentic requests take room
/// in the cache. The cache holds at most `capacity` nonces; when it is full the nonce closest
/// to expiring is forgotten first, so choose a capacity above the number of callbacks the
/// window can see (WeCom promises a robot's nonces do not repeat within two hours).
///
/// WeCom retries a callback that gets no answer within 5 seconds; if a retry carries the same
/// nonce the guard refuses it, so a handler that fails after the check should call
/// [`forget`](Self::forget).
///
/// ```
/// use std::time::Duration;
/// use wecom_sdk::callback::{ReplayError, ReplayGuard};
///
/// let guard = ReplayGuard::with_clock(Duration::from_secs(300), 10_000, || 1_409_659_900);
/// assert!(guard.check("1409659813", "1372623149").is_ok());
/// assert!(matches!(guard.check("1409659813", "1372623149"), Err(ReplayError::NonceReused(_))));
/// assert!(matches!(guard.check("1409650000", "42"), Err(ReplayError::Stale { .. })));
/// ```
#[derive(Debug)]
pub struct ReplayGuard<C = SystemClock> {
    window: u64,
    capacity: usize,
    clock: C,
    seen: Mutex<Seen>,
}

/// Nonces with the time (Unix seconds) after which they can be forgotten.
#[derive(Debug, Default)]
struct Seen {
    expiry_of: HashMap<String, i64>,
    by_expiry: BTreeSet<(i64, String)>,
}

impl Seen {
    fn remove(&mut self, nonce: &str) {
        if let Some(expiry) = self.expiry_of.remove(nonce) {
            self.by_expiry.remove(&(expiry, nonce.to_string()));
        }
    }

    fn pop_oldest(&mut self) {
        if let Some((_, nonce)) = self.by_expiry.pop_first() {
            self.expiry_of.remove(&nonce);
        }
    }

    fn purge(&mut self, now: i64) {
        while self.by_expiry.first().is_some_and(|(expiry, _)| *expiry < now) {
            self.pop_oldest();
        }
    }
}

impl ReplayGuard<SystemClock> {
    /// A guard on the system clock that accepts timestamps within `window` of now (WeCom's own
    /// clock may be a little off: a few minutes is usual) and remembers up to `capacity`
    /// nonces (at least one).
    pub fn new(window: Duration, capacity: usize) -> Self {
        ReplayGuard::with_clock(window, capacity, SystemClock)
    }
}

impl<C: Clock> ReplayGuard<C> {
    /// [`new`](ReplayGuard::new) with another clock.
    pub fn with_clock(window: Duration, capacity: usize, clock: C) -> Self {
        ReplayGuard {
            window: window.as_secs(),
            capacity: capacity.max(1),
            clock,
            seen: Mutex::new(Seen::default()),
        }
    }

    /// Accepts a request's `timestamp` and `nonce` (the query parameters) once: refuses a
    /// timestamp outside the window or a nonce already accepted, and otherwise remembers the
    /// nonce.
    pub fn check(&self, timestamp: &str, nonce: &str) -> Result<(), ReplayError> {
        let parsed: i64 = timestamp
            .parse()
            .map_err(|_| ReplayError::BadTimestamp(quote(timestamp, 32)))?;
        let now = self.clock.now();
        let skew = now.abs_diff(parsed);
        if skew > self.window {
            return Err(ReplayError::Stale {
                timestamp: parsed,
                now,
                skew,
                window: self.window,
            });
        }
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.purge(now);
        if seen.expiry_of.contains_key(nonce) {
            return Err(ReplayError::NonceReused(quote(nonce, 64)));
        }
        while seen.expiry_of.len() >= self.capacity {
            seen.pop_oldest();
        }
        let expiry = parsed.saturating_add(i64::try_from(self.window).unwrap_or(i64::MAX));
        seen.expiry_of.insert(nonce.to_string(), expiry);
        seen.by_expiry.insert((expiry, nonce.to_string()));
        Ok(())
    }

    /// Forgets a nonce, so that a request carrying it is accepted again (for a handler that
    /// failed after [`check`](Self::check) and wants WeCom's retry to get through).
    pub fn forget(&self, nonce: &str) {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(nonce);
    }

    /// How many nonces are remembered now.
    pub fn len(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .expiry_of
            .len()
    }

    /// Whether no nonce is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The window, in seconds.
    pub fn window(&self) -> Duration {
        Duration::from_secs(self.window)
    }
}
