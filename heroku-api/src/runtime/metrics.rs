//! Client metrics: lock-free counters, a snapshot, and tracing events.
//!
//! Every HTTP attempt is counted once, by what came back, so the numbers
//! line up with a server's request log: `requests` = `responses_ok` +
//! `responses_error` + `responses_429` + `transport_errors`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Counters kept by a [`Client`](crate::Client); read them with
/// [`Client::metrics`](crate::Client::metrics).
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    requests: AtomicU64,
    responses_ok: AtomicU64,
    responses_error: AtomicU64,
    responses_429: AtomicU64,
    transport_errors: AtomicU64,
    calls_ok: AtomicU64,
    calls_api: AtomicU64,
    calls_decode: AtomicU64,
    calls_transport: AtomicU64,
    calls_rate_limited: AtomicU64,
    calls_credentials: AtomicU64,
    retries: AtomicU64,
    retry_wait_ns: AtomicU64,
    throttle_wait_ns: AtomicU64,
    longest_wait_ns: AtomicU64,
    bytes_sent: AtomicU64,
    bytes_received: AtomicU64,
    deviations: AtomicU64,
}

/// Why the runtime waited.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Wait {
    /// Before a retry (backoff or `Retry-After`).
    Retry,
    /// Proactive pacing as the token pool ran low.
    Throttle,
}

/// How a call ended in failure.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Failure {
    Api,
    Decode,
    Transport,
    RateLimited,
    Credentials,
}

const R: Ordering = Ordering::Relaxed;

fn nanos(d: Duration) -> u64 {
    d.as_nanos().min(u64::MAX as u128) as u64
}

impl Metrics {
    pub(crate) fn sent(&self, body_bytes: usize) {
        self.requests.fetch_add(1, R);
        self.bytes_sent.fetch_add(body_bytes as u64, R);
    }

    pub(crate) fn received(&self, status: u16, body_bytes: usize) {
        self.bytes_received.fetch_add(body_bytes as u64, R);
        let counter = match status {
            429 => &self.responses_429,
            s if s >= 400 => &self.responses_error,
            _ => &self.responses_ok,
        };
        counter.fetch_add(1, R);
        tracing::trace!(target: "heroku_api::metrics", event = "response", status, bytes = body_bytes);
    }

    pub(crate) fn transport_failure(&self) {
        self.transport_errors.fetch_add(1, R);
        tracing::trace!(target: "heroku_api::metrics", event = "transport_error");
    }

    pub(crate) fn wait(&self, why: Wait, d: Duration) {
        let n = nanos(d);
        match why {
            Wait::Retry => {
                self.retries.fetch_add(1, R);
                self.retry_wait_ns.fetch_add(n, R);
            }
            Wait::Throttle => {
                self.throttle_wait_ns.fetch_add(n, R);
            }
        }
        self.longest_wait_ns.fetch_max(n, R);
        tracing::debug!(target: "heroku_api::metrics", event = "wait", reason = ?why, wait_ms = d.as_millis() as u64);
    }

    pub(crate) fn deviations(&self, n: usize) {
        self.deviations.fetch_add(n as u64, R);
    }

    pub(crate) fn call_succeeded(&self) {
        self.calls_ok.fetch_add(1, R);
    }

    pub(crate) fn call_failed(&self, how: Failure) {
        let counter = match how {
            Failure::Api => &self.calls_api,
            Failure::Decode => &self.calls_decode,
            Failure::Transport => &self.calls_transport,
            Failure::RateLimited => &self.calls_rate_limited,
            Failure::Credentials => &self.calls_credentials,
        };
        counter.fetch_add(1, R);
        tracing::debug!(target: "heroku_api::metrics", event = "call_failed", kind = ?how);
    }

    pub(crate) fn snapshot(&self, rate_limit_remaining: Option<u64>) -> MetricsSnapshot {
        MetricsSnapshot {
            requests: self.requests.load(R),
            responses_ok: self.responses_ok.load(R),
            responses_error: self.responses_error.load(R),
            responses_429: self.responses_429.load(R),
            transport_errors: self.transport_errors.load(R),
            calls_succeeded: self.calls_ok.load(R),
            calls_failed: FailureCounts {
                api: self.calls_api.load(R),
                decode: self.calls_decode.load(R),
                transport: self.calls_transport.load(R),
                rate_limited: self.calls_rate_limited.load(R),
                credentials: self.calls_credentials.load(R),
            },
            retries: self.retries.load(R),
            retry_wait: Duration::from_nanos(self.retry_wait_ns.load(R)),
            throttle_wait: Duration::from_nanos(self.throttle_wait_ns.load(R)),
            longest_wait: Duration::from_nanos(self.longest_wait_ns.load(R)),
            bytes_sent: self.bytes_sent.load(R),
            bytes_received: self.bytes_received.load(R),
            deviations: self.deviations.load(R),
            rate_limit_remaining,
        }
    }
}

/// A point-in-time copy of a client's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MetricsSnapshot {
    /// HTTP requests sent, retries included.
    pub requests: u64,
    /// Answers with a status below 400.
    pub responses_ok: u64,
    /// Answers with a status of 400 or more, other than 429.
    pub responses_error: u64,
    /// 429 answers.
    pub responses_429: u64,
    /// Attempts that got no answer (connection errors, timeouts, cut-off bodies).
    pub transport_errors: u64,
    /// Calls that returned `Ok`.
    pub calls_succeeded: u64,
    /// Calls that returned an error, by kind.
    pub calls_failed: FailureCounts,
    /// Retries (waits before another attempt).
    pub retries: u64,
    /// Time spent waiting before retries.
    pub retry_wait: Duration,
    /// Time spent in proactive pacing.
    pub throttle_wait: Duration,
    /// The longest single wait, of either kind.
    pub longest_wait: Duration,
    /// Request body bytes sent.
    pub bytes_sent: u64,
    /// Response body bytes received.
    pub bytes_received: u64,
    /// Values in answers that differed from the schema (see
    /// [`decode`](crate::decode)), strict-mode failures included.
    pub deviations: u64,
    /// The last `RateLimit-Remaining` seen.
    pub rate_limit_remaining: Option<u64>,
}

/// Failed calls by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FailureCounts {
    /// Heroku answered with an error status (not 429).
    pub api: u64,
    /// The answer did not decode.
    pub decode: u64,
    /// No answer: network errors and timeouts.
    pub transport: u64,
    /// The 429 retry budget ran out.
    pub rate_limited: u64,
    /// No token could be had (a refused OAuth refresh).
    pub credentials: u64,
}
