//! Retry budgets, backoff and the proactive rate-limit throttle.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rand::Rng;

/// How a call retries.
///
/// - A `429` is always safe to retry (Heroku did not process the request), so
///   every method is retried, up to `max_rate_limit_retries` times, waiting
///   `Retry-After` when the server sends it and exponential backoff with full
///   jitter otherwise.
/// - Connection errors, timeouts and `502`/`503`/`504` are retried only for
///   idempotent methods (GET, HEAD, PUT, DELETE), up to `max_retries` times.
///   POST and PATCH are never retried on these, so they are never duplicated.
/// - No call waits more than `max_retry_time` in total between attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after connection errors, timeouts and 502/503/504, for idempotent methods (default 3).
    pub max_retries: u32,
    /// Retries after 429 (default 8).
    pub max_rate_limit_retries: u32,
    /// First backoff step (default 0.5 s); doubles with each retry.
    pub base_delay: Duration,
    /// Largest single backoff wait (default 60 s).
    pub max_delay: Duration,
    /// Most time one call may spend waiting between attempts (default 300 s).
    pub max_retry_time: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            max_rate_limit_retries: 8,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            max_retry_time: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// Never retry anything.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            max_rate_limit_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// Sets `max_retries`.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Sets `max_rate_limit_retries`.
    pub fn max_rate_limit_retries(mut self, n: u32) -> Self {
        self.max_rate_limit_retries = n;
        self
    }

    /// Sets `base_delay`.
    pub fn base_delay(mut self, d: Duration) -> Self {
        self.base_delay = d;
        self
    }

    /// Sets `max_delay`.
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// Sets `max_retry_time`.
    pub fn max_retry_time(mut self, d: Duration) -> Self {
        self.max_retry_time = d;
        self
    }

    /// Full jitter: a uniform wait in `[0, min(max_delay, base · 2^retry)]`.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry.min(20)));
        let cap = exp.min(self.max_delay);
        let nanos = cap.as_nanos().min(u64::MAX as u128) as u64;
        if nanos == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos(rand::rng().random_range(0..=nanos))
    }
}

/// What the client knows about the account's token pool.
#[derive(Debug)]
pub(crate) struct RateState {
    /// Last `RateLimit-Remaining`, or `u64::MAX` before the first response.
    remaining: AtomicU64,
    /// The largest `RateLimit-Remaining` seen: the pool's size, learned.
    largest: AtomicU64,
}

const UNKNOWN: u64 = u64::MAX;
/// Heroku's documented pool size; raised when a larger value is observed.
const DEFAULT_POOL: u64 = 4_500;

impl RateState {
    pub(crate) fn new() -> Self {
        RateState {
            remaining: AtomicU64::new(UNKNOWN),
            largest: AtomicU64::new(DEFAULT_POOL),
        }
    }

    pub(crate) fn observe(&self, remaining: u64) {
        self.remaining.store(remaining, Ordering::Relaxed);
        self.largest.fetch_max(remaining, Ordering::Relaxed);
    }

    pub(crate) fn remaining(&self) -> Option<u64> {
        match self.remaining.load(Ordering::Relaxed) {
            UNKNOWN => None,
            n => Some(n),
        }
    }

    fn pool(&self) -> u64 {
        self.largest.load(Ordering::Relaxed)
    }
}

/// Paces requests as the token pool runs low, so that a busy client slows
/// down smoothly instead of running into 429s.
///
/// Above `threshold` (a fraction of the pool) nothing is delayed. Below it,
/// each request waits in proportion to how far the pool has drained below
/// the threshold, reaching `interval_at_empty` when it is empty. The default
/// interval is Heroku's refill period (one token per 0.8 s), so one client
/// alone on an empty pool sends no faster than the pool refills.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Throttle {
    /// Whether the throttle runs at all.
    pub enabled: bool,
    /// Fraction of the pool under which pacing starts (default 0.2).
    pub threshold: f64,
    /// Wait per request when the pool is empty (default 0.8 s, the refill period).
    pub interval_at_empty: Duration,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            enabled: true,
            threshold: 0.2,
            interval_at_empty: Duration::from_millis(800),
        }
    }
}

impl Throttle {
    /// No proactive pacing; 429s are still retried.
    pub fn disabled() -> Self {
        Throttle {
            enabled: false,
            ..Throttle::default()
        }
    }

    pub(crate) fn delay(&self, state: &RateState) -> Duration {
        if !self.enabled {
            return Duration::ZERO;
        }
        let Some(remaining) = state.remaining() else {
            return Duration::ZERO;
        };
        let threshold = (state.pool() as f64 * self.threshold).max(1.0);
        let remaining = remaining as f64;
        if remaining >= threshold {
            return Duration::ZERO;
        }
        let drained = (threshold - remaining) / threshold;
        self.interval_at_empty.mul_f64(drained.clamp(0.0, 1.0))
    }
}

/// Parses `Retry-After` given in seconds.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let secs: f64 = value.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(86_400.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_under_the_cap() {
        let p = RetryPolicy::default()
            .base_delay(Duration::from_secs(1))
            .max_delay(Duration::from_secs(8));
        for retry in 0..30 {
            assert!(p.backoff(retry) <= Duration::from_secs(8));
        }
        assert!(p.backoff(0) <= Duration::from_secs(1));
    }

    #[test]
    fn throttle_waits_only_when_low() {
        let t = Throttle::default();
        let s = RateState::new();
        assert_eq!(t.delay(&s), Duration::ZERO);
        s.observe(4_500);
        assert_eq!(t.delay(&s), Duration::ZERO);
        s.observe(900);
        assert_eq!(t.delay(&s), Duration::ZERO);
        s.observe(450);
        assert_eq!(t.delay(&s), Duration::from_millis(400));
        s.observe(0);
        assert_eq!(t.delay(&s), Duration::from_millis(800));
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after(" 1.5 "),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }
}
