//! The retry decision of one call, apart from any I/O.
//!
//! After each attempt the call loop (`call.rs`) reduces what happened to an
//! [`Outcome`] and asks [`RetryState::decide`] what to do next: try again
//! after a delay, try again at once with a fresh token, or stop. The state
//! counts attempts and retries and keeps the time waited within the
//! [`RetryPolicy`]'s budget and the call's deadline; the loop does the
//! waiting, sending and reading. The tests below drive it directly, without
//! HTTP or a clock.

use std::time::Duration;

use tokio::time::Instant;

use crate::runtime::retry::{later, RetryPolicy};

/// What became of an attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// No answer: the connection failed, or the attempt ran out of time.
    NoAnswer,
    /// An answer with this status and, if the server sent one, its
    /// `Retry-After`.
    Answer {
        status: u16,
        retry_after: Option<Duration>,
    },
}

/// What the call does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Try again once `delay` has passed (already counted as waited).
    Retry { delay: Duration, why: Why },
    /// Try again at once with a fresh token: the one sent was refused
    /// (401). Offered once per call.
    Refresh,
    /// Stop: this outcome is the call's result.
    Stop,
}

/// Why a retry was chosen, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Why {
    /// No answer (a connection error or an attempt's timeout).
    NoAnswer,
    /// A 429.
    RateLimited,
    /// A 502, 503 or 504.
    Gateway,
}

/// The counters of one call's attempts and the rules that read them.
pub(crate) struct RetryState<'p> {
    policy: &'p RetryPolicy,
    /// The method may be repeated after a failure that may have reached
    /// the server (see [`Method::is_idempotent`](crate::Method::is_idempotent)).
    idempotent: bool,
    /// The client's throttle is on: a 429 without `Retry-After` waits a
    /// jittered share of the base delay, and the throttle's queue the rest.
    throttled: bool,
    /// The call's deadline: no retry is chosen whose attempt would start
    /// after it.
    deadline: Option<Instant>,
    attempts: u32,
    fault_retries: u32,
    rate_retries: u32,
    refreshed: bool,
    waited: Duration,
    /// Turns a backoff step's ceiling into the delay to wait: full jitter
    /// (uniform below the ceiling) unless a test sets another rule.
    jitter: fn(Duration) -> Duration,
}

impl<'p> RetryState<'p> {
    pub(crate) fn new(
        policy: &'p RetryPolicy,
        idempotent: bool,
        throttled: bool,
        deadline: Option<Instant>,
    ) -> Self {
        RetryState {
            policy,
            idempotent,
            throttled,
            deadline,
            attempts: 0,
            fault_retries: 0,
            rate_retries: 0,
            refreshed: false,
            waited: Duration::ZERO,
            jitter: full_jitter,
        }
    }

    /// Counts an attempt about to go out; returns its number (from 1).
    pub(crate) fn start_attempt(&mut self) -> u32 {
        self.attempts = self.attempts.saturating_add(1);
        self.attempts
    }

    /// Attempts sent so far.
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Time waited between attempts so far (backoff and `Retry-After`).
    pub(crate) fn waited(&self) -> Duration {
        self.waited
    }

    /// What to do after an attempt that ended in `outcome`, at `now`.
    ///
    /// - No answer, or a 502/503/504: retried for idempotent methods, up to
    ///   `max_retries` in all, after the backoff step (or the server's
    ///   `Retry-After`).
    /// - 429: retried for every method (Heroku did not process it), up to
    ///   `max_rate_limit_retries`, after `Retry-After`, else a backoff step.
    /// - 401: once, at once, with a fresh token.
    /// - Anything else stops, and so does a retry whose delay would take
    ///   the waits past `max_retry_time` or the next attempt past the
    ///   call's deadline.
    pub(crate) fn decide(&mut self, outcome: Outcome, now: Instant) -> Decision {
        match outcome {
            Outcome::NoAnswer => self.fault_retry(None, now, Why::NoAnswer),
            Outcome::Answer {
                status: 429,
                retry_after,
            } => {
                if self.rate_retries >= self.policy.max_rate_limit_retries {
                    return Decision::Stop;
                }
                let delay = retry_after.unwrap_or_else(|| {
                    let step = if self.throttled { 0 } else { self.rate_retries };
                    (self.jitter)(self.policy.backoff_ceiling(step))
                });
                if !self.allows(delay, now) {
                    return Decision::Stop;
                }
                self.rate_retries += 1;
                self.waited = self.waited.saturating_add(delay);
                Decision::Retry {
                    delay,
                    why: Why::RateLimited,
                }
            }
            Outcome::Answer { status: 401, .. } if !self.refreshed => {
                self.refreshed = true;
                Decision::Refresh
            }
            Outcome::Answer {
                status: 502..=504,
                retry_after,
            } => self.fault_retry(retry_after, now, Why::Gateway),
            Outcome::Answer { .. } => Decision::Stop,
        }
    }

    fn fault_retry(&mut self, retry_after: Option<Duration>, now: Instant, why: Why) -> Decision {
        if !self.idempotent || self.fault_retries >= self.policy.max_retries {
            return Decision::Stop;
        }
        let delay = retry_after
            .unwrap_or_else(|| (self.jitter)(self.policy.backoff_ceiling(self.fault_retries)));
        if !self.allows(delay, now) {
            return Decision::Stop;
        }
        self.fault_retries += 1;
        self.waited = self.waited.saturating_add(delay);
        Decision::Retry { delay, why }
    }

    /// A retry may wait `delay` if the budget allows it and the next
    /// attempt still starts before the call's deadline.
    fn allows(&self, delay: Duration, now: Instant) -> bool {
        self.waited.saturating_add(delay) <= self.policy.max_retry_time
            && self.deadline.is_none_or(|d| later(now, delay) < d)
    }
}

/// Full jitter: a uniform wait in `[0, ceiling]`.
fn full_jitter(ceiling: Duration) -> Duration {
    let nanos = ceiling.as_nanos().min(u64::MAX as u128) as u64;
    if nanos == 0 {
        return Duration::ZERO;
    }
    Duration::from_nanos(rand::Rng::random_range(&mut rand::rng(), 0..=nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: Duration = Duration::from_secs(1);

    fn answer(status: u16) -> Outcome {
        Outcome::Answer {
            status,
            retry_after: None,
        }
    }

    /// A state whose delays are the backoff ceilings themselves.
    fn state(policy: &RetryPolicy, idempotent: bool) -> RetryState<'_> {
        let mut state = RetryState::new(policy, idempotent, false, None);
        state.jitter = |ceiling| ceiling;
        state
    }

    fn retry(delay: Duration, why: Why) -> Decision {
        Decision::Retry { delay, why }
    }

    #[test]
    fn a_get_is_retried_after_no_answer_with_doubling_steps_up_to_max_retries() {
        let policy = RetryPolicy::default().base_delay(SEC);
        let mut s = state(&policy, true);
        let now = Instant::now();
        assert_eq!(s.decide(Outcome::NoAnswer, now), retry(SEC, Why::NoAnswer));
        assert_eq!(s.decide(answer(503), now), retry(2 * SEC, Why::Gateway));
        assert_eq!(
            s.decide(Outcome::NoAnswer, now),
            retry(4 * SEC, Why::NoAnswer)
        );
        // max_retries (3) is shared by connection errors and gateway errors.
        assert_eq!(s.decide(answer(502), now), Decision::Stop);
        assert_eq!(s.waited(), 7 * SEC);
    }

    #[test]
    fn a_post_is_never_retried_after_no_answer_or_a_gateway_error() {
        let policy = RetryPolicy::default();
        let mut s = state(&policy, false);
        let now = Instant::now();
        assert_eq!(s.decide(Outcome::NoAnswer, now), Decision::Stop);
        assert_eq!(s.decide(answer(503), now), Decision::Stop);
        assert_eq!(s.waited(), Duration::ZERO);
    }

    #[test]
    fn a_post_is_retried_after_a_429_which_heroku_did_not_process() {
        let policy = RetryPolicy::default().base_delay(SEC);
        let mut s = state(&policy, false);
        let now = Instant::now();
        assert_eq!(s.decide(answer(429), now), retry(SEC, Why::RateLimited));
        assert_eq!(s.decide(answer(429), now), retry(2 * SEC, Why::RateLimited));
    }

    #[test]
    fn retry_after_is_the_delay_over_the_backoff_step() {
        let policy = RetryPolicy::default().base_delay(SEC);
        let mut s = state(&policy, true);
        let now = Instant::now();
        let told = Outcome::Answer {
            status: 429,
            retry_after: Some(7 * SEC),
        };
        assert_eq!(s.decide(told, now), retry(7 * SEC, Why::RateLimited));
        let gateway = Outcome::Answer {
            status: 503,
            retry_after: Some(3 * SEC),
        };
        assert_eq!(s.decide(gateway, now), retry(3 * SEC, Why::Gateway));
    }

    #[test]
    fn with_the_throttle_on_a_429_waits_only_the_first_step() {
        let policy = RetryPolicy::default().base_delay(SEC);
        let mut s = RetryState::new(&policy, true, true, None);
        s.jitter = |ceiling| ceiling;
        let now = Instant::now();
        for _ in 0..3 {
            assert_eq!(s.decide(answer(429), now), retry(SEC, Why::RateLimited));
        }
    }

    #[test]
    fn the_429_budget_is_its_own() {
        let policy = RetryPolicy::default()
            .max_retries(1)
            .max_rate_limit_retries(2)
            .base_delay(Duration::ZERO);
        let mut s = state(&policy, true);
        let now = Instant::now();
        assert!(matches!(s.decide(answer(429), now), Decision::Retry { .. }));
        assert!(matches!(s.decide(answer(503), now), Decision::Retry { .. }));
        assert!(matches!(s.decide(answer(429), now), Decision::Retry { .. }));
        assert_eq!(s.decide(answer(429), now), Decision::Stop);
        assert_eq!(s.decide(answer(503), now), Decision::Stop);
    }

    #[test]
    fn a_401_asks_for_a_fresh_token_once() {
        let policy = RetryPolicy::default();
        let mut s = state(&policy, false);
        let now = Instant::now();
        assert_eq!(s.decide(answer(401), now), Decision::Refresh);
        assert_eq!(s.decide(answer(401), now), Decision::Stop);
    }

    #[test]
    fn other_answers_stop() {
        let policy = RetryPolicy::default();
        let mut s = state(&policy, true);
        let now = Instant::now();
        for status in [200, 201, 206, 304, 400, 403, 404, 422, 500, 501] {
            assert_eq!(s.decide(answer(status), now), Decision::Stop, "{status}");
        }
    }

    #[test]
    fn no_retry_waits_past_max_retry_time() {
        let policy = RetryPolicy::default()
            .base_delay(SEC)
            .max_retry_time(2 * SEC);
        let mut s = state(&policy, true);
        let now = Instant::now();
        assert_eq!(s.decide(answer(503), now), retry(SEC, Why::Gateway));
        // The next step (2 s) would make 3 s in all.
        assert_eq!(s.decide(answer(503), now), Decision::Stop);
        assert_eq!(s.waited(), SEC);
    }

    #[test]
    fn no_retry_starts_after_the_call_deadline() {
        let policy = RetryPolicy::default();
        let now = Instant::now();
        let mut s = RetryState::new(&policy, true, false, Some(now + 5 * SEC));
        let told = |secs| Outcome::Answer {
            status: 429,
            retry_after: Some(Duration::from_secs(secs)),
        };
        assert_eq!(s.decide(told(10), now), Decision::Stop);
        assert_eq!(s.decide(told(4), now), retry(4 * SEC, Why::RateLimited));
    }

    #[test]
    fn a_retry_policy_of_none_never_retries() {
        let policy = RetryPolicy::none();
        let mut s = state(&policy, true);
        let now = Instant::now();
        assert_eq!(s.decide(Outcome::NoAnswer, now), Decision::Stop);
        assert_eq!(s.decide(answer(429), now), Decision::Stop);
        assert_eq!(s.decide(answer(503), now), Decision::Stop);
    }

    #[test]
    fn attempts_are_counted_by_the_loop() {
        let policy = RetryPolicy::default();
        let mut s = state(&policy, true);
        assert_eq!(s.start_attempt(), 1);
        assert_eq!(s.start_attempt(), 2);
        assert_eq!(s.attempts(), 2);
    }

    #[test]
    fn full_jitter_stays_under_the_ceiling() {
        for _ in 0..100 {
            assert!(full_jitter(SEC) <= SEC);
        }
        assert_eq!(full_jitter(Duration::ZERO), Duration::ZERO);
        let _ = full_jitter(Duration::MAX);
    }
}
