//! Retry budgets, backoff and the proactive rate-limit throttle.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;

/// How a call retries.
///
/// - A `429` is always safe to retry (Heroku did not process the request), so
///   every method is retried, up to `max_rate_limit_retries` times, waiting
///   `Retry-After` (seconds or an HTTP date) when the server sends it.
///   Otherwise it waits for its turn in the [`Throttle`]'s queue (a 429
///   holds the queue for one pause, multiplied by 1.5 once per episode, to
///   at least 0.8 s), after a full-jitter share of `base_delay`; with the
///   throttle disabled, exponential backoff with full jitter. The retry's
///   wait and the throttle's end at the later of the two, never one after
///   the other.
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

    /// The ceiling of backoff step `retry` (from 0): `base · 2^retry`, at
    /// most `max_delay`. The wait is drawn below it (full jitter; see
    /// `retry_state.rs`).
    pub(crate) fn backoff_ceiling(&self, retry: u32) -> Duration {
        self.base_delay
            .saturating_mul(2u32.saturating_pow(retry.min(20)))
            .min(self.max_delay)
    }
}

/// What the client knows about the account's token pool, and its pacing.
#[derive(Debug)]
pub(crate) struct RateState {
    /// Last `RateLimit-Remaining`, or `u64::MAX` before the first response.
    remaining: AtomicU64,
    /// The largest `RateLimit-Remaining` seen: the pool's size, learned.
    largest: AtomicU64,
    /// The current pause between requests, in nanoseconds.
    interval_ns: AtomicU64,
    /// When the last paced request went out, in nanoseconds after `epoch`
    /// (`u64::MAX`: none yet).
    last_slot_ns: AtomicU64,
    /// The queue of paced requests: one at a time, first come first
    /// served (tokio's mutex is fair), each waiting the pause as it stands
    /// when its turn comes, so the answers that arrived meanwhile count.
    gate: Arc<tokio::sync::Mutex<()>>,
    /// No slot before this (set by a 429), in nanoseconds after `epoch`.
    floor_ns: AtomicU64,
    /// When the last 429 arrived, in nanoseconds after `epoch` (0: none).
    last_429_ns: AtomicU64,
    epoch: tokio::time::Instant,
}

const UNKNOWN: u64 = u64::MAX;
/// Heroku's documented pool size; raised when a larger value is observed.
const DEFAULT_POOL: u64 = 4_500;

impl RateState {
    pub(crate) fn new() -> Self {
        RateState {
            remaining: AtomicU64::new(UNKNOWN),
            largest: AtomicU64::new(DEFAULT_POOL),
            interval_ns: AtomicU64::new(0),
            last_slot_ns: AtomicU64::new(UNKNOWN),
            gate: Arc::new(tokio::sync::Mutex::new(())),
            floor_ns: AtomicU64::new(0),
            last_429_ns: AtomicU64::new(0),
            epoch: tokio::time::Instant::now(),
        }
    }

    fn since_epoch(&self, at: tokio::time::Instant) -> u64 {
        at.saturating_duration_since(self.epoch)
            .as_nanos()
            .min(u64::MAX as u128) as u64
    }

    /// No slot before `at`.
    fn push_schedule(&self, at: tokio::time::Instant) {
        self.floor_ns
            .fetch_max(self.since_epoch(at), Ordering::AcqRel);
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

    fn interval(&self) -> f64 {
        self.interval_ns.load(Ordering::Relaxed) as f64 / 1e9
    }

    fn set_interval(&self, secs: f64) {
        let ns = (secs.max(0.0) * 1e9).min(u64::MAX as f64) as u64;
        self.interval_ns.store(ns, Ordering::Relaxed);
    }
}

/// A request's turn in the throttle's queue.
#[derive(Debug, Default)]
pub(crate) struct Turn {
    /// How long the request waited for it.
    pub(crate) waited: Duration,
    /// Held by a fresh client's first request until its answer is in:
    /// the queue stays closed meanwhile.
    _probe: Option<tokio::sync::OwnedMutexGuard<()>>,
}

/// Paces requests as the account's token pool runs low, so that clients
/// sharing one account slow down together instead of running into 429s.
///
/// Every request of a client (and of its clones), sequential or
/// concurrent, takes its turn in one first-come, first-served queue, and
/// the turns are a pause apart: 40 calls made at once go out one pause
/// after another, not all together. A request waits the pause as it
/// stands when its turn comes, so the answers that arrived while it queued
/// count. The pause is driven by the `RateLimit-Remaining` each answer
/// reports (which all clients of the account see alike, so they converge
/// on shares of the pool without talking to each other), against a pool of
/// Heroku's documented 4,500 tokens until a larger value is seen:
/// - while the pool is above `threshold` (a fraction of its size), no pause
///   and no queue;
/// - below it, the pause shrinks in proportion while the pool is above
///   `reserve` tokens; under `reserve` it starts at the pool's refill period
///   (0.8 s for 4,500 an hour) and grows by up to `growth` per answer, so
///   the clients settle where the pool refills as fast as they spend it,
///   keeping a few tokens in hand;
/// - a 429 multiplies the pause by 1.5 (to at least `base_interval`,
///   Heroku's refill period of 0.8 s), once per episode: the 429s of
///   requests that were already on their way when the first one arrived
///   do not multiply it again. It holds every request of the client until
///   `Retry-After` has passed (or, without one, one new pause), and the
///   request that met the 429 goes when the hold ends, with no pause on
///   top of it.
///
/// Before its first answer a client knows nothing of the pool: its first
/// request goes alone, and concurrent callers wait for its answer rather
/// than all meeting an empty pool together.
///
/// The pause never exceeds `max_interval`, and each one is jittered by
/// ±10 % so clients do not move in lockstep. A turn that would come after
/// the call's deadline is not taken: the call fails at once with
/// [`Error::Timeout`](crate::Error::Timeout), waiting for
/// [`WaitingFor::RateLimitSlot`](crate::WaitingFor::RateLimitSlot).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Throttle {
    /// Whether the throttle runs at all.
    pub enabled: bool,
    /// Fraction of the pool under which pacing starts (default 0.2).
    pub threshold: f64,
    /// Tokens to keep in hand (default 20).
    pub reserve: u64,
    /// Largest relative growth of the pause per answer (default 0.25).
    pub growth: f64,
    /// The pause a 429 at least sets (default 0.8 s).
    pub base_interval: Duration,
    /// The longest pause (default 30 s).
    pub max_interval: Duration,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            enabled: true,
            threshold: 0.2,
            reserve: 20,
            growth: 0.25,
            base_interval: Duration::from_millis(800),
            max_interval: Duration::from_secs(30),
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

    /// Waits for this request's turn in the client's queue of paced
    /// requests. Its turn comes a pause after the request before it went
    /// out (the pause as it stands then, jittered by ±10 %), and not before
    /// a 429's hold. With the pool healthy and no hold, there is no queue
    /// and no wait.
    ///
    /// Until the client has seen one answer it knows nothing of the pool,
    /// so its first request goes alone: the [`Turn`] keeps the queue
    /// closed until it is dropped, after the answer, and concurrent callers
    /// of a fresh client do not all meet an empty pool together.
    ///
    /// `told` is set when the server said when to come back (`Retry-After`,
    /// already waited out by the caller): then no pause is added on top.
    ///
    /// A turn that would come after `latest` (the call's deadline) is not
    /// taken: `Err`, and the queue goes on without it.
    pub(crate) async fn turn(
        &self,
        state: &RateState,
        told: bool,
        latest: Option<tokio::time::Instant>,
    ) -> Result<Turn, ()> {
        let start = tokio::time::Instant::now();
        if !self.enabled
            || (state.remaining().is_some()
                && state.interval() <= 0.0
                && state.floor_ns.load(Ordering::Acquire) <= state.since_epoch(start))
        {
            return Ok(Turn::default());
        }
        let gate = state.gate.clone();
        let queue = match latest {
            Some(at) => tokio::time::timeout_at(at, gate.lock_owned())
                .await
                .map_err(drop)?,
            None => gate.lock_owned().await,
        };
        let jitter = rand::rng().random_range(0.9..1.1);
        loop {
            let now = tokio::time::Instant::now();
            let pause = if told {
                0.0
            } else {
                (state.interval() * jitter).min(self.max_interval.as_secs_f64())
            };
            let pause = (pause * 1e9) as u64;
            let last = state.last_slot_ns.load(Ordering::Acquire);
            let at = (if last == UNKNOWN {
                0
            } else {
                last.saturating_add(pause)
            })
            .max(state.floor_ns.load(Ordering::Acquire))
            .max(state.since_epoch(now));
            let at = later(state.epoch, Duration::from_nanos(at));
            if latest.is_some_and(|latest| at > latest) {
                return Err(());
            }
            if at <= now {
                state
                    .last_slot_ns
                    .store(state.since_epoch(now), Ordering::Release);
                return Ok(Turn {
                    waited: now - start,
                    _probe: state.remaining().is_none().then_some(queue),
                });
            }
            // A 429 or a drained pool may move the turn while it waits:
            // look again when it comes.
            tokio::time::sleep_until(at).await;
        }
    }

    /// Adjusts the pause after an answer that was not a 429.
    pub(crate) fn succeeded(&self, state: &RateState) {
        if !self.enabled {
            return;
        }
        let Some(remaining) = state.remaining() else {
            return;
        };
        let remaining = remaining as f64;
        let threshold = (state.pool() as f64 * self.threshold).max(self.reserve as f64 + 1.0);
        let reserve = self.reserve as f64;
        let current = state.interval();
        let next = if remaining >= threshold {
            0.0
        } else if remaining < reserve {
            // Entering the reserve: start at the pool's refill period (one
            // token every 3600 / pool s), the pace at which one client alone
            // spends no more than the pool gains.
            let start = if current > 0.0 {
                current
            } else {
                3600.0 / state.pool().max(1) as f64
            };
            start * (1.0 + self.growth * (reserve - remaining) / reserve.max(1.0))
        } else {
            current * (1.0 - (remaining - reserve) / (threshold - reserve))
        };
        state.set_interval(next.min(self.max_interval.as_secs_f64()));
    }

    /// Adjusts the pause after a 429 to a request sent at `sent`, and holds
    /// every request of the client until `Retry-After` (when the server
    /// sent one) or one new pause from now: the pool is empty.
    ///
    /// The pause grows once per episode: a 429 to a request that was
    /// already on its way when the previous 429 arrived (concurrent
    /// callers meeting one empty pool) says nothing new, and multiplying
    /// again for each of them would leave the client far slower than the
    /// others sharing the account.
    pub(crate) fn rate_limited(
        &self,
        state: &RateState,
        retry_after: Option<Duration>,
        sent: tokio::time::Instant,
    ) {
        if !self.enabled {
            return;
        }
        let now = tokio::time::Instant::now();
        let previous = state
            .last_429_ns
            .fetch_max(state.since_epoch(now).max(1), Ordering::AcqRel);
        let same_episode = previous != 0 && state.since_epoch(sent) < previous;
        let grown = if same_episode {
            state.interval()
        } else {
            state.interval() * 1.5
        };
        let next = grown
            .max(self.base_interval.as_secs_f64())
            .min(self.max_interval.as_secs_f64());
        state.set_interval(next);
        let hold = retry_after
            .unwrap_or_else(|| Duration::try_from_secs_f64(next).unwrap_or(self.max_interval));
        state.push_schedule(later(now, hold));
    }
}

/// `at + wait`, or as late as can be held when that overflows (a pause or
/// delay configured as `Duration::MAX`): time arithmetic never panics.
pub(crate) fn later(at: tokio::time::Instant, wait: Duration) -> tokio::time::Instant {
    at.checked_add(wait)
        .or_else(|| at.checked_add(Duration::from_secs(100 * 365 * 86_400)))
        .unwrap_or(at)
}

/// The longest `Retry-After` honoured: a larger one (or a date far ahead)
/// is clamped to this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// Parses `Retry-After` in both of its forms (RFC 9110 §10.2.3): seconds,
/// or an HTTP date, measured from now. Clamped to [`MAX_RETRY_AFTER`]; a
/// date in the past is zero.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    parse_retry_after_at(value, std::time::SystemTime::now())
}

fn parse_retry_after_at(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs >= 0.0 => {
            Duration::from_secs_f64(secs.min(MAX_RETRY_AFTER.as_secs_f64()))
        }
        Ok(_) => return None,
        Err(_) => {
            let at = httpdate::parse_http_date(value).ok()?;
            at.duration_since(now).unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// How the workflows poll while they wait for Heroku (a build to finish, a
/// release to leave `pending`, a promotion's targets).
///
/// The first check is made at once; after it the pause starts at `initial`
/// and doubles with each check, up to `max`. Every check is an ordinary
/// call of the client, so it takes its slot in the [`Throttle`]'s shared
/// schedule like any other request. The defaults, 1 s growing to 10 s,
/// spend about 65 requests on a ten-minute wait, where a fixed half-second
/// poll spends 1,200 of the account's 4,500 an hour.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PollPolicy {
    /// The pause after the first check (default 1 s).
    pub initial: Duration,
    /// The longest pause (default 10 s).
    pub max: Duration,
}

impl Default for PollPolicy {
    fn default() -> Self {
        PollPolicy {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(10),
        }
    }
}

impl PollPolicy {
    /// Sets `initial`.
    pub fn initial(mut self, d: Duration) -> Self {
        self.initial = d;
        self
    }

    /// Sets `max`.
    pub fn max(mut self, d: Duration) -> Self {
        self.max = d;
        self
    }

    /// The pause before check number `check` + 1 (`check` counts from 0).
    pub fn pause(&self, check: u32) -> Duration {
        self.initial
            .saturating_mul(2u32.saturating_pow(check.min(31)))
            .min(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Departures of `n` concurrent turns, from now.
    async fn departures(t: &Throttle, s: &RateState, n: usize) -> Vec<Duration> {
        let start = tokio::time::Instant::now();
        let turns = (0..n).map(|_| async {
            drop(t.turn(s, false, None).await.unwrap());
            start.elapsed()
        });
        let mut at = futures_util::future::join_all(turns).await;
        at.sort();
        at
    }

    #[tokio::test(start_paused = true)]
    async fn a_turn_past_the_deadline_is_refused_and_not_taken() {
        let s = RateState::new();
        let t = Throttle::default();
        s.set_interval(2.0);
        s.observe(3);
        drop(t.turn(&s, false, None).await.unwrap());
        let start = tokio::time::Instant::now();
        // The next turn is about 2 s away: past a 1 s deadline.
        let refused = t
            .turn(&s, false, Some(start + Duration::from_secs(1)))
            .await;
        assert!(refused.is_err());
        assert_eq!(start.elapsed(), Duration::ZERO, "refused at once");
        // Refusing it left the queue alone: the next caller's turn is as
        // it would have been.
        let waited = t.turn(&s, false, None).await.unwrap().waited;
        assert!(waited >= Duration::from_millis(1_800), "{waited:?}");
        assert!(waited <= Duration::from_millis(2_200), "{waited:?}");
    }

    #[test]
    fn polling_starts_at_a_second_and_doubles_to_ten() {
        let p = PollPolicy::default();
        let pauses: Vec<u64> = (0..6).map(|i| p.pause(i).as_secs()).collect();
        assert_eq!(pauses, [1, 2, 4, 8, 10, 10]);
        assert_eq!(p.pause(u32::MAX), Duration::from_secs(10));
        let quick = PollPolicy::default()
            .initial(Duration::from_millis(10))
            .max(Duration::from_millis(25));
        assert_eq!(quick.pause(1), Duration::from_millis(20));
        assert_eq!(quick.pause(2), Duration::from_millis(25));
    }

    #[test]
    fn retry_after_takes_seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Wed, 02 Dec 2026 18:00:00 GMT").unwrap();
        let at = |v| parse_retry_after_at(v, now);
        assert_eq!(at("4"), Some(Duration::from_secs(4)));
        assert_eq!(at(" 1.5 "), Some(Duration::from_millis(1500)));
        assert_eq!(
            at("Wed, 02 Dec 2026 18:00:04 GMT"),
            Some(Duration::from_secs(4))
        );
        assert_eq!(
            at("Wednesday, 02-Dec-26 18:00:09 GMT"),
            Some(Duration::from_secs(9))
        );
        assert_eq!(
            at("Wed, 02 Dec 2026 17:59:00 GMT"),
            Some(Duration::ZERO),
            "in the past"
        );
        assert_eq!(
            at("Thu, 03 Dec 2026 18:00:00 GMT"),
            Some(MAX_RETRY_AFTER),
            "clamped"
        );
        assert_eq!(at("99999999"), Some(MAX_RETRY_AFTER));
        assert_eq!(at("-1"), None);
        assert_eq!(at("soon"), None);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy::default()
            .base_delay(Duration::from_secs(1))
            .max_delay(Duration::from_secs(8));
        let steps: Vec<u64> = (0..6).map(|r| p.backoff_ceiling(r).as_secs()).collect();
        assert_eq!(steps, [1, 2, 4, 8, 8, 8]);
        assert_eq!(p.backoff_ceiling(u32::MAX), Duration::from_secs(8));
    }

    /// The wait between two turns taken back to back.
    async fn gap(t: &Throttle, s: &RateState) -> Duration {
        drop(t.turn(s, false, None).await.unwrap());
        t.turn(s, false, None).await.unwrap().waited
    }

    #[tokio::test(start_paused = true)]
    async fn the_throttle_paces_only_when_the_pool_runs_low() {
        let t = Throttle::default();
        let s = RateState::new();
        assert_eq!(gap(&t, &s).await, Duration::ZERO, "nothing known yet");
        s.observe(4_500);
        t.succeeded(&s);
        assert_eq!(gap(&t, &s).await, Duration::ZERO, "a full pool");
        // Below the reserve the pause starts at the refill period (0.8 s for
        // 4,500 an hour) and grows with every answer.
        s.observe(5);
        t.succeeded(&s);
        let first = gap(&t, &s).await;
        assert!(first >= Duration::from_millis(720), "{first:?}");
        t.succeeded(&s);
        t.succeeded(&s);
        assert!(gap(&t, &s).await > first);
        // Back above the threshold: no pause.
        s.observe(2_000);
        t.succeeded(&s);
        assert_eq!(gap(&t, &s).await, Duration::ZERO);
        // Never beyond the cap.
        for _ in 0..100 {
            t.rate_limited(&s, None, tokio::time::Instant::now());
        }
        assert!(gap(&t, &s).await <= Duration::from_secs(33));
        let off = Throttle::disabled();
        assert_eq!(
            off.turn(&s, false, None).await.unwrap().waited,
            Duration::ZERO
        );
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_requests_take_successive_turns() {
        let t = Throttle::default();
        let s = RateState::new();
        s.observe(3);
        t.succeeded(&s);
        let at = departures(&t, &s, 5).await;
        for pair in at.windows(2) {
            assert!(pair[1] - pair[0] >= Duration::from_millis(700), "{at:?}");
        }
    }

    /// The pause a turn waits is the pause when its turn comes, not when
    /// it joined the queue: a pool that drains while requests queue slows
    /// the ones still waiting.
    #[tokio::test(start_paused = true)]
    async fn a_queued_turn_waits_the_pause_as_it_stands_when_its_turn_comes() {
        let t = Throttle::default();
        let s = RateState::new();
        s.set_interval(1.0);
        let start = tokio::time::Instant::now();
        let queued = async {
            let turns = (0..3).map(|_| async {
                drop(t.turn(&s, false, None).await.unwrap());
                start.elapsed()
            });
            futures_util::future::join_all(turns).await
        };
        let drain = async {
            // After the first departure, the pause grows to 5 s.
            tokio::time::sleep(Duration::from_millis(100)).await;
            s.set_interval(5.0);
        };
        let (mut at, ()) = tokio::join!(queued, drain);
        at.sort();
        assert!(at[1] >= Duration::from_millis(4_500), "{at:?}");
        assert!(at[2] - at[1] >= Duration::from_millis(4_500), "{at:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_429s_of_one_episode_grow_the_pause_once() {
        let t = Throttle::default();
        let s = RateState::new();
        let sent = tokio::time::Instant::now();
        tokio::time::sleep(Duration::from_millis(50)).await;
        // Sixteen requests sent together, all answered 429.
        for _ in 0..16 {
            t.rate_limited(&s, None, sent);
        }
        assert!((s.interval() - 0.8).abs() < 1e-9, "{}", s.interval());
        // A request sent after that episode meets a new one.
        let later = tokio::time::Instant::now();
        tokio::time::sleep(Duration::from_millis(50)).await;
        t.rate_limited(&s, None, later);
        assert!((s.interval() - 1.2).abs() < 1e-9, "{}", s.interval());
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_holds_every_turn_until_retry_after_or_one_pause() {
        let t = Throttle::default();
        let s = RateState::new();
        t.rate_limited(
            &s,
            Some(Duration::from_secs(4)),
            tokio::time::Instant::now(),
        );
        s.observe(3);
        let waited = t.turn(&s, true, None).await.unwrap().waited;
        assert!(waited >= Duration::from_secs(4) && waited < Duration::from_millis(4100));
        let s = RateState::new();
        s.observe(3);
        t.rate_limited(&s, None, tokio::time::Instant::now());
        let waited = t.turn(&s, false, None).await.unwrap().waited;
        assert!(waited >= Duration::from_millis(800), "{waited:?}");
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
