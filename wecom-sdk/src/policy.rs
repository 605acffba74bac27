//! What the client does when a call fails, and how fast it lets calls go out.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::Error;

/// `errcode`s that mean "busy, try again": retried with backoff.
pub(crate) const BUSY: &[i64] = &[
    -1,   // 系统繁忙
    6000, // 数据版本冲突
];

/// `errcode`s that mean "too many calls": returned at once as [`Error::RateLimited`], never
/// retried (45009 blocks the app for the rest of its window; retrying only extends it).
pub(crate) const RATE_LIMITED: &[i64] = &[
    45009, // 接口调用超过限制
    45033, // 接口并发调用超过限制
];

/// How a failing call is retried. Only failures that cannot have changed anything, or that
/// WeCom asks to be retried, are retried:
///
/// - `errcode` -1 (system busy) and 6000 (data version conflict), any endpoint;
/// - a connection that could not be made, any endpoint (nothing reached the server);
/// - for idempotent endpoints (the GETs that only read) also a connection dropped before the
///   answer was complete and HTTP 502/503/504.
///
/// Timeouts are not retried: the call may be running, and the wait would only grow.
///
/// It may grow fields: build one with [`RetryPolicy::new`] or from [`RetryPolicy::default`],
/// not with a struct literal.
///
/// ```compile_fail
/// # use std::time::Duration;
/// let policy = wecom_sdk::RetryPolicy {
///     max_attempts: 5,
///     base_delay: Duration::from_millis(100),
///     max_delay: Duration::from_secs(1),
/// };
/// ```
///
/// ```
/// # use std::time::Duration;
/// let policy = wecom_sdk::RetryPolicy::new(5, Duration::from_millis(100), Duration::from_secs(1));
/// assert_eq!(policy.max_attempts, 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (default 3; 1 turns retrying off).
    pub max_attempts: u32,
    /// The wait before the second attempt; it doubles each time (default 200 ms).
    pub base_delay: Duration,
    /// The longest wait between attempts (default 2 s).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    /// `max_attempts` attempts in all, waiting `base_delay` before the second (doubling each
    /// time) and never more than `max_delay` between two.
    pub const fn new(max_attempts: u32, base_delay: Duration, max_delay: Duration) -> Self {
        RetryPolicy {
            max_attempts,
            base_delay,
            max_delay,
        }
    }

    /// No retries: every failure is returned as it happens.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The wait after failed attempt `attempt` (1-based): exponential, with "full jitter"
    /// (a random share of the exponential step) so that many clients do not retry in step.
    pub(crate) fn delay(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(16);
        let ceiling = self.base_delay.saturating_mul(1 << exponent).min(self.max_delay);
        let jitter = fastrand::f64();
        ceiling.mul_f64(0.5 + jitter / 2.0)
    }

    /// Whether `error`, from attempt `attempt` of a call to an endpoint that is (or is not)
    /// idempotent, is worth another attempt.
    pub(crate) fn retries(&self, error: &Error, idempotent: bool, attempt: u32) -> bool {
        if attempt >= self.max_attempts {
            return false;
        }
        match error {
            Error::Api(e) => BUSY.contains(&e.code),
            Error::Transport { source, .. } => source.is_connect() || idempotent,
            Error::Http { status, .. } => idempotent && matches!(status, 502..=504),
            _ => false,
        }
    }
}

/// A client-side brake: at most `per_second` calls a second and `in_flight` at once.
pub(crate) struct Limiter {
    interval: Option<Duration>,
    next_slot: Mutex<Instant>,
    permits: Option<tokio::sync::Semaphore>,
}

impl Limiter {
    pub(crate) fn new(per_second: Option<u32>, in_flight: Option<usize>) -> Self {
        Limiter {
            interval: per_second.filter(|n| *n > 0).map(|n| Duration::from_secs(1) / n),
            next_slot: Mutex::new(Instant::now()),
            permits: in_flight.filter(|n| *n > 0).map(tokio::sync::Semaphore::new),
        }
    }

    /// Waits for this call's turn; the permit (if any) is held until it is dropped.
    pub(crate) async fn admit(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        if let Some(interval) = self.interval {
            let slot = {
                let mut next = self
                    .next_slot
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let slot = (*next).max(Instant::now());
                *next = slot + interval;
                slot
            };
            tokio::time::sleep_until(slot.into()).await;
        }
        match &self.permits {
            // The semaphore is never closed, so acquiring cannot fail.
            Some(permits) => permits.acquire().await.ok(),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_capped() {
        let policy = RetryPolicy::default();
        for attempt in 1..10 {
            let d = policy.delay(attempt);
            assert!(d <= policy.max_delay, "{attempt}: {d:?}");
            let ceiling = policy
                .base_delay
                .saturating_mul(1 << (attempt - 1))
                .min(policy.max_delay);
            assert!(d >= ceiling / 2, "{attempt}: {d:?} below half of {ceiling:?}");
        }
    }

    #[test]
    fn only_safe_failures_are_retried() {
        let policy = RetryPolicy::default();
        let http = |status| Error::Http {
            endpoint: "x",
            status,
            excerpt: String::new(),
        };
        assert!(policy.retries(&http(503), true, 1));
        assert!(!policy.retries(&http(503), false, 1));
        assert!(!policy.retries(&http(503), true, 3), "three attempts in all");
        assert!(!policy.retries(&http(404), true, 1));
        assert!(!RetryPolicy::none().retries(&http(503), true, 1));
    }

    #[tokio::test]
    async fn the_limiter_spaces_calls() {
        let limiter = Limiter::new(Some(50), None);
        let start = Instant::now();
        for _ in 0..6 {
            limiter.admit().await;
        }
        // Six calls at 50 a second take at least five intervals of 20 ms.
        assert!(
            start.elapsed() >= Duration::from_millis(95),
            "{:?}",
            start.elapsed()
        );
    }
}
