//! The client, its builder, and the one request path every call takes.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tracing::Instrument;

use crate::runtime::auth::{resolve_token, Token, TokenSource, TOKEN_ENV};
use crate::runtime::credentials::{CredentialContext, CredentialProvider, StaticToken};
use crate::runtime::decode::{decode_bytes, strict_failure, Decode, Deviation};
use crate::runtime::error::{
    api_error, ApiError, DecodeError, Error, RateLimitedError, Result, WaitingFor,
};
use crate::runtime::etag::EtagCache;
use crate::runtime::metrics::{Failure, Metrics, MetricsSnapshot, Wait};
use crate::runtime::pagination::Cursor;
use crate::runtime::retry::{
    later, parse_retry_after, PollPolicy, RateState, RetryPolicy, Throttle,
};
use crate::runtime::transport::Transport;

/// Heroku's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.heroku.com";
/// Sent as `User-Agent` on every request, also through a caller's own
/// `reqwest::Client`.
pub const USER_AGENT: &str = concat!("heroku-api-rust/", env!("CARGO_PKG_VERSION"));
/// The `Accept` variant sent when none is chosen.
pub const DEFAULT_VARIANT: &str = "3";
/// The deadline of a call, when none is chosen ([`ClientBuilder::timeout`]).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
/// The deadline of one attempt, when none is chosen
/// ([`ClientBuilder::attempt_timeout`]).
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);

/// A Heroku Platform API client. Cheap to clone: clones share the connection
/// pool and the rate-limit state.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    transport: Arc<dyn Transport>,
    metrics: Metrics,
    etags: Option<EtagCache>,
    /// The deadline of a whole call: credentials, every attempt, and the
    /// waits between them.
    timeout: Option<Duration>,
    /// The deadline of one attempt (connect, send, read); by default only
    /// when this client built its own HTTP client.
    attempt_timeout: Option<Duration>,
    /// Set once the deadline anchor runs (see `anchor_deadlines`).
    deadline_anchor: OnceLock<()>,
    base_url: reqwest::Url,
    credentials: Arc<dyn CredentialProvider>,
    credential_context: CredentialContext,
    token_source: TokenSource,
    variant: String,
    /// `Accept` for `variant`, built once.
    accept: HeaderValue,
    retry: RetryPolicy,
    throttle: Throttle,
    poll: PollPolicy,
    rate: RateState,
    /// Any deviation from the schema fails the call.
    strict_decoding: bool,
    /// The largest body read from an answer.
    max_body_bytes: usize,
    /// What `report_deviations` has logged: operation, pointer pattern, kind.
    reported_deviations: Mutex<HashSet<(&'static str, String, &'static str)>>,
}

/// How many distinct deviations a client remembers having logged; past it,
/// it forgets them all and logs each once more.
const MAX_REPORTED_DEVIATIONS: usize = 4096;

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .field("credentials", &self.inner.credentials)
            .field("token_source", &self.inner.token_source)
            .field("variant", &self.inner.variant)
            .field("retry", &self.inner.retry)
            .field("throttle", &self.inner.throttle)
            .field("rate_limit_remaining", &self.inner.rate.remaining())
            .finish()
    }
}

impl Client {
    /// A client for `https://api.heroku.com` with the token found the way
    /// the Heroku CLI finds it: `HEROKU_API_KEY`, then `~/.netrc`.
    pub fn new() -> Result<Client> {
        Client::builder().build()
    }

    /// A builder for a client with custom settings.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The API origin requests go to.
    pub fn base_url(&self) -> &str {
        self.inner.base_url.as_str()
    }

    /// Where the token came from.
    pub fn token_source(&self) -> TokenSource {
        self.inner.token_source
    }

    /// The HTTP client, for requests outside the API (no token added).
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The last `RateLimit-Remaining` the API reported, if any response has
    /// been seen yet.
    pub fn rate_limit_remaining(&self) -> Option<u64> {
        self.inner.rate.remaining()
    }

    /// Decodes a successful answer of `op`, counting the call's outcome.
    /// Deviations from the schema go into `meta`, to the `tracing` log
    /// (once per operation, pointer pattern and kind), and, in strict mode,
    /// into the error.
    pub(crate) fn decode<T: Decode>(
        &self,
        op: &'static OperationInfo,
        meta: &mut ResponseMeta,
        body: Bytes,
    ) -> Result<T> {
        let bytes: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &body
        };
        let metrics = &self.inner.metrics;
        let failed = |pointer: String, message: String, deviations: Vec<Deviation>| {
            metrics.call_failed(Failure::Decode);
            Error::Decode(Box::new(DecodeError::new(
                meta.status,
                meta.request_id.clone(),
                pointer,
                message,
                body.clone(),
                deviations,
            )))
        };
        let decoded = match decode_bytes::<T>(bytes) {
            Ok(d) => d,
            Err((pointer, message)) => return Err(failed(pointer, message, Vec::new())),
        };
        if !decoded.deviations.is_empty() {
            metrics.deviations(decoded.deviations.len());
            self.report_deviations(op, &decoded.deviations);
            if self.inner.strict_decoding {
                if let Some((pointer, message)) = strict_failure(&decoded.deviations) {
                    return Err(failed(pointer, message, decoded.deviations));
                }
            }
        }
        metrics.call_succeeded();
        meta.deviations = decoded.deviations;
        Ok(decoded.value)
    }

    /// One `warn` event per operation, pointer pattern and kind for the life
    /// of the client, however many items of however many answers share it.
    fn report_deviations(&self, op: &'static OperationInfo, deviations: &[Deviation]) {
        let mut groups: BTreeMap<(&str, &'static str), (usize, &Deviation)> = BTreeMap::new();
        for d in deviations {
            groups
                .entry((d.pattern(), d.kind.name()))
                .or_insert((0, d))
                .0 += 1;
        }
        let Ok(mut reported) = self.inner.reported_deviations.lock() else {
            return;
        };
        for ((pattern, kind), (count, example)) in groups {
            if reported.len() >= MAX_REPORTED_DEVIATIONS {
                reported.clear();
            }
            if reported.insert((op.id, pattern.to_string(), kind)) {
                tracing::warn!(
                    target: "heroku_api::decode",
                    operation = op.id,
                    pointer = pattern,
                    kind,
                    count,
                    "Heroku's answer differs from the schema: {example}"
                );
            }
        }
    }

    /// How the workflows poll while they wait (see [`PollPolicy`]).
    pub fn poll_policy(&self) -> &PollPolicy {
        &self.inner.poll
    }

    /// The deadline of one call ([`ClientBuilder::timeout`]), if any.
    pub(crate) fn call_timeout(&self) -> Option<Duration> {
        self.inner.timeout
    }

    /// A snapshot of this client's counters (shared by its clones).
    pub fn metrics(&self) -> MetricsSnapshot {
        self.inner.metrics.snapshot(self.inner.rate.remaining())
    }

    /// The request path: throttle, send, observe rate limits, retry within
    /// the budget, and turn error answers into [`Error`]s.
    pub(crate) async fn execute(
        &self,
        op: &'static OperationInfo,
        path: &str,
        payload: &Payload,
        options: &RequestOptions,
        range: Option<&str>,
    ) -> Result<(ResponseMeta, Bytes)> {
        let url = self.url_for(path, &payload.query, &options.query)?;
        // A v4 uuid from the thread-local generator (no system call per
        // request), written straight into the header value.
        let uuid =
            uuid::Builder::from_random_bytes(rand::Rng::random(&mut rand::rng())).into_uuid();
        let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
        let request_id = HeaderValue::from_str(uuid.hyphenated().encode_lower(&mut text))
            .map_err(|_| Error::Config("a request id is not a valid header value".into()))?;
        let span = tracing::debug_span!(
            "heroku_api.request",
            operation = op.id,
            method = op.method.as_str(),
            path = op.href,
            request_id = request_id.to_str().unwrap_or_default(),
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = tokio::time::Instant::now();
        let result = self
            .attempts(op, path, url, payload, options, range, &request_id)
            .instrument(span.clone())
            .await;
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok((meta, _)) => {
                span.record("status", meta.status);
            }
            Err(e) => {
                if let Some(s) = e.status() {
                    span.record("status", s);
                }
                tracing::debug!(parent: &span, error = %e, "request failed");
            }
        }
        result
    }

    #[allow(clippy::too_many_arguments)]
    async fn attempts(
        &self,
        op: &'static OperationInfo,
        path: &str,
        url: reqwest::Url,
        payload: &Payload,
        options: &RequestOptions,
        range: Option<&str>,
        request_id: &HeaderValue,
    ) -> Result<(ResponseMeta, Bytes)> {
        let policy = options.retry.as_ref().unwrap_or(&self.inner.retry);
        let request_id_text = request_id.to_str().unwrap_or_default();
        let idempotent = op.method.is_idempotent();
        let metrics = &self.inner.metrics;
        // One deadline for the whole call; each attempt may have its own,
        // shorter one.
        let started = tokio::time::Instant::now();
        let call_timeout = options.timeout.or(self.inner.timeout);
        let attempt_timeout = options.attempt_timeout.or(self.inner.attempt_timeout);
        let deadline = call_timeout.and_then(|t| started.checked_add(t));
        let timed_out = |waiting_for: WaitingFor, after: Option<Duration>| Error::Timeout {
            request_id: Some(request_id_text.to_string()),
            waiting_for,
            after,
            source: None,
        };
        let mut attempts = 0u32;
        let mut fault_retries = 0u32;
        let mut rate_retries = 0u32;
        let mut reauthenticated = false;
        let mut waited = Duration::ZERO;
        // A plain GET (not a page of a list) may be revalidated from the cache.
        let cache = self
            .inner
            .etags
            .as_ref()
            .filter(|_| op.method == Method::Get && range.is_none());
        let cache_key = cache.map(|_| {
            let variant = options.variant.as_deref().unwrap_or(&self.inner.variant);
            format!("{variant} {url}")
        });
        let cached = cache.zip(cache_key.as_deref()).and_then(|(c, k)| c.get(k));
        // The first attempt takes the URL; a retry builds it again.
        let mut first_url = Some(url);
        // A retry may wait `delay` if the budget allows it and the next
        // attempt still starts before the call's deadline.
        let budget_allows = |waited: Duration, delay: Duration| {
            waited.saturating_add(delay) <= policy.max_retry_time
                && deadline.is_none_or(|d| later(tokio::time::Instant::now(), delay) < d)
        };
        // When the next attempt may go: set by a retry's backoff or
        // Retry-After.
        let mut not_before: Option<tokio::time::Instant> = None;
        // The server said when to come back (`Retry-After`).
        let mut told = false;
        loop {
            // A retry's own wait first (counted when it was chosen), then
            // the request's turn in the throttle's queue: one wait each,
            // never the same pause twice.
            if let Some(at) = not_before.take() {
                tokio::time::sleep_until(at).await;
            }
            // A turn past the deadline is not taken (the queue goes on
            // without it): waiting for it would only end in a timeout, so
            // the call says so now.
            // (A fresh client's first request keeps the queue closed until
            // its answer is in: `_turn` lives to the end of this attempt.)
            let _turn = match self
                .inner
                .throttle
                .turn(&self.inner.rate, std::mem::take(&mut told), deadline)
                .await
            {
                Ok(turn) => {
                    if turn.waited > Duration::ZERO {
                        metrics.wait(Wait::Throttle, turn.waited);
                    }
                    turn
                }
                Err(()) => {
                    metrics.call_failed(Failure::Transport);
                    return Err(timed_out(WaitingFor::RateLimitSlot, call_timeout));
                }
            };
            attempts += 1;
            tracing::Span::current().record("attempts", attempts);
            let credentials = &self.inner.credentials;
            let token = match credentials.ready_token() {
                Some(t) => t,
                None => {
                    // The provider's own wait (an exchange, or another
                    // caller's) ends at the call's deadline at the latest;
                    // giving up drops the lock it may hold.
                    let token = credentials.token(&self.inner.credential_context);
                    let token = match deadline {
                        Some(d) => tokio::time::timeout_at(d, token).await.unwrap_or_else(|_| {
                            Err(timed_out(WaitingFor::Credentials, call_timeout))
                        }),
                        None => token.await,
                    };
                    match token {
                        Ok(t) => t,
                        Err(e) => {
                            metrics.call_failed(Failure::Credentials);
                            return Err(e);
                        }
                    }
                }
            };
            // A request of its own per attempt, its headers built afresh:
            // nothing is copied for the attempt that is usually the only one.
            let url = match first_url.take() {
                Some(url) => url,
                None => self.url_for(path, &payload.query, &options.query)?,
            };
            let mut request = reqwest::Request::new(op.method.to_reqwest(), url);
            let headers = request.headers_mut();
            self.fill_headers(headers, options, range, request_id)?;
            let bearer = token.bearer().ok_or_else(|| {
                Error::Config("the API token contains characters not allowed in a header".into())
            })?;
            headers.insert(reqwest::header::AUTHORIZATION, bearer);
            if let Some((etag, _)) = &cached {
                headers.insert(reqwest::header::IF_NONE_MATCH, header_value(etag)?);
            }
            if let Some(body) = &payload.body {
                headers.insert(
                    reqwest::header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                *request.body_mut() = Some(body.clone().into());
            }
            metrics.sent(payload.body.as_ref().map_or(0, Bytes::len));
            let sent_at = tokio::time::Instant::now();
            let max_body = self.inner.max_body_bytes;
            let exchange = async {
                match self.inner.transport.send(request).await {
                    Ok(resp) => read(resp, request_id_text, max_body).await,
                    Err(e) => Err(ReadError::Http(e)),
                }
            };
            // This attempt ends at its own deadline or the call's,
            // whichever comes first.
            let attempt_deadline =
                attempt_timeout.and_then(|t| tokio::time::Instant::now().checked_add(t));
            let ends = match (deadline, attempt_deadline) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let outcome = match ends {
                Some(at) => match {
                    if let Some(t) = attempt_timeout.or(call_timeout) {
                        self.anchor_deadlines(t);
                    }
                    tokio::time::timeout_at(at, exchange)
                }
                .await
                {
                    Ok(result) => result.map_err(Some),
                    Err(_) => Err(None),
                },
                None => exchange.await.map_err(Some),
            };
            let (mut meta, body) = match outcome {
                Ok(ok) => ok,
                Err(e) => {
                    let e = match e {
                        Some(ReadError::Http(e)) => Some(e),
                        None => None,
                        // Not a passing fault: asking again gets the same answer.
                        Some(ReadError::TooLarge { limit }) => {
                            metrics.call_failed(Failure::Transport);
                            return Err(Error::BodyTooLarge {
                                limit,
                                request_id: Some(request_id_text.to_string()),
                            });
                        }
                    };
                    metrics.transport_failure();
                    if idempotent && fault_retries < policy.max_retries {
                        let delay = policy.backoff(fault_retries);
                        if budget_allows(waited, delay) {
                            fault_retries += 1;
                            waited = waited.saturating_add(delay);
                            metrics.wait(Wait::Retry, delay);
                            tracing::debug!(
                                timed_out = e.is_none(),
                                delay_ms = delay.as_millis() as u64,
                                "retrying after a transport error"
                            );
                            not_before = Some(later(tokio::time::Instant::now(), delay));
                            continue;
                        }
                    }
                    metrics.call_failed(Failure::Transport);
                    return Err(match e {
                        Some(e) => transport_error(e, request_id_text),
                        None => {
                            let call_over =
                                deadline.is_some_and(|d| tokio::time::Instant::now() >= d);
                            let after = if call_over {
                                call_timeout
                            } else {
                                attempt_timeout
                            };
                            timed_out(WaitingFor::Answer, after)
                        }
                    });
                }
            };
            metrics.received(meta.status, body.len());
            // Not modified: the cached body is the answer.
            let body = match (&cached, meta.status) {
                (Some((_, cached_body)), 304) => cached_body.clone(),
                _ => body,
            };
            if let (Some(c), Some(key), Some(etag), 200) =
                (cache, &cache_key, &meta.etag, meta.status)
            {
                c.put(key.clone(), etag.clone(), body.clone());
            }
            if let Some(n) = meta.rate_limit_remaining {
                self.inner.rate.observe(n);
            }
            meta.attempts = attempts;
            meta.waited = waited;
            let status = meta.status;
            if status == 429 {
                self.inner
                    .throttle
                    .rate_limited(&self.inner.rate, meta.retry_after, sent_at);
                let last = api_error(status, meta.request_id.clone(), body);
                if rate_retries < policy.max_rate_limit_retries {
                    // Retry-After wins. Otherwise, with the throttle on, a
                    // full-jitter share of the base delay, then the
                    // throttle's turn (held by the 429 for one new pause,
                    // so the turn comes at the later of the two); with it
                    // off, exponential backoff with full jitter.
                    let delay = meta.retry_after.unwrap_or_else(|| {
                        if self.inner.throttle.enabled {
                            policy.backoff(0)
                        } else {
                            policy.backoff(rate_retries)
                        }
                    });
                    if budget_allows(waited, delay) {
                        rate_retries += 1;
                        waited = waited.saturating_add(delay);
                        metrics.wait(Wait::Retry, delay);
                        tracing::debug!(
                            delay_ms = delay.as_millis() as u64,
                            "rate limited (429); waiting"
                        );
                        not_before = Some(later(tokio::time::Instant::now(), delay));
                        told = meta.retry_after.is_some();
                        continue;
                    }
                }
                metrics.call_failed(Failure::RateLimited);
                return Err(Error::RateLimited(Box::new(RateLimitedError {
                    attempts,
                    waited,
                    last,
                    retry_after: meta.retry_after,
                })));
            }
            self.inner.throttle.succeeded(&self.inner.rate);
            // An expired or revoked token: the provider may refresh it, once.
            if status == 401 && !reauthenticated && self.inner.credentials.invalidate(&token) {
                reauthenticated = true;
                tracing::debug!("401: retrying once with a fresh token");
                continue;
            }
            if matches!(status, 502..=504) && idempotent && fault_retries < policy.max_retries {
                let delay = meta
                    .retry_after
                    .unwrap_or_else(|| policy.backoff(fault_retries));
                if budget_allows(waited, delay) {
                    fault_retries += 1;
                    waited = waited.saturating_add(delay);
                    metrics.wait(Wait::Retry, delay);
                    tracing::debug!(
                        status,
                        delay_ms = delay.as_millis() as u64,
                        "retrying after a gateway error"
                    );
                    not_before = Some(later(tokio::time::Instant::now(), delay));
                    continue;
                }
            }
            // Not followed (our client has no redirect policy; see `build`):
            // a redirect would take the headers of this request elsewhere.
            if (300..400).contains(&status) && status != 304 {
                metrics.call_failed(Failure::Api);
                return Err(Error::Redirected {
                    status,
                    location: meta.location.take(),
                    request_id: meta.request_id.clone(),
                });
            }
            if status >= 400 {
                metrics.call_failed(Failure::Api);
                return Err(Error::Api(Box::new(api_error(
                    status,
                    meta.request_id.clone(),
                    body,
                ))));
            }
            return Ok((meta, body));
        }
    }

    /// Keeps one timer pending in the runtime that always expires before
    /// any request deadline, so that registering a deadline never has to
    /// wake the runtime's timer driver.
    ///
    /// Tokio wakes its parked timer driver whenever a timer is registered
    /// that expires sooner than anything the driver waits for. With no
    /// other timer pending, that is every request's deadline: one thread
    /// wake-up per request, which sequential calls pay in full. A timer at
    /// half the request timeout, re-armed when it fires, takes it away. It
    /// is started once per client, in the runtime of its first request,
    /// and ends within one period of the client being dropped. Timeouts
    /// under two seconds get no anchor (it would wake too often).
    fn anchor_deadlines(&self, timeout: Duration) {
        if timeout < Duration::from_secs(2) {
            return;
        }
        self.inner.deadline_anchor.get_or_init(|| {
            let Ok(runtime) = tokio::runtime::Handle::try_current() else {
                return;
            };
            let client = Arc::downgrade(&self.inner);
            let period = timeout / 2;
            runtime.spawn(async move {
                while client.strong_count() > 0 {
                    tokio::time::sleep(period).await;
                }
            });
        });
    }

    /// Joins the base URL and an already-encoded path, and checks that URL
    /// parsing did not reinterpret it (a `..` segment, say): a path may only
    /// ever reach the route it names.
    fn url_for(
        &self,
        path: &str,
        query: &[(String, String)],
        extra: &[(String, String)],
    ) -> Result<reqwest::Url> {
        let base = self.inner.base_url.as_str().trim_end_matches('/');
        let mut url = reqwest::Url::parse(&format!("{base}{path}"))
            .map_err(|e| Error::Config(format!("cannot build a URL for `{path}`: {e}")))?;
        let base_path = self.inner.base_url.path().trim_end_matches('/');
        if url.path().strip_prefix(base_path) != Some(path) {
            return Err(Error::Config(format!(
                "refusing to send `{path}`: a path parameter would change the route (is an identity `.` or `..`?)"
            )));
        }
        if !query.is_empty() || !extra.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().chain(extra));
        }
        Ok(url)
    }

    /// The headers every attempt of a call sends, besides `Authorization`,
    /// `If-None-Match` and `Content-Type`. Options come last, so that they
    /// may replace the defaults.
    fn fill_headers(
        &self,
        h: &mut HeaderMap,
        options: &RequestOptions,
        range: Option<&str>,
        request_id: &HeaderValue,
    ) -> Result<()> {
        h.reserve(6 + options.headers.len());
        let accept = match &options.variant {
            None => self.inner.accept.clone(),
            Some(variant) => accept_header(variant)?,
        };
        h.insert(reqwest::header::ACCEPT, accept);
        h.insert(REQUEST_ID.clone(), request_id.clone());
        h.insert(
            reqwest::header::USER_AGENT,
            HeaderValue::from_static(USER_AGENT),
        );
        if let Some(range) = range {
            h.insert(reqwest::header::RANGE, header_value(range)?);
        }
        for (name, value, sensitive) in &options.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::Config(format!("`{name}` is not a valid header name")))?;
            let mut value = header_value(value)
                .map_err(|_| Error::Config(format!("the value of header `{name}` is not valid")))?;
            value.set_sensitive(*sensitive);
            h.insert(name, value);
        }
        Ok(())
    }
}

/// Loopback hosts: `localhost`, `127.0.0.0/8` and `::1`.
fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Heroku's API hosts: `api.heroku.com` and the other `*.heroku.com` hosts.
fn is_heroku_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host == "heroku.com" || host.ends_with(".heroku.com")
}

/// A URL for messages, without a user name or password.
fn redacted_url(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

static REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
static RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
static NEXT_RANGE: HeaderName = HeaderName::from_static("next-range");
static WARNING_MESSAGE: HeaderName = HeaderName::from_static("warning-message");
static X_HEROKU_WARNING: HeaderName = HeaderName::from_static("x-heroku-warning");

fn accept_header(variant: &str) -> Result<HeaderValue> {
    header_value(&format!("application/vnd.heroku+json; version={variant}"))
}

fn header_value(s: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(s).map_err(|_| Error::Config(format!("invalid header value {s:?}")))
}

fn transport_error(e: reqwest::Error, request_id: &str) -> Error {
    let request_id = Some(request_id.to_string());
    if e.is_timeout() {
        Error::Timeout {
            request_id,
            waiting_for: WaitingFor::Answer,
            after: None,
            source: Some(e),
        }
    } else {
        let context = if e.is_connect() {
            "connection failed"
        } else if e.is_body() || e.is_decode() {
            "the response body was cut off"
        } else if e.is_redirect() {
            "too many redirects"
        } else {
            "request failed"
        };
        Error::Transport {
            context: context.to_string(),
            request_id,
            source: e,
        }
    }
}

/// Why an answer could not be read.
pub(crate) enum ReadError {
    Http(reqwest::Error),
    /// The body is larger than the client's cap.
    TooLarge {
        limit: usize,
    },
}

/// Reads status, headers and the whole body, up to `limit` bytes.
async fn read(
    resp: reqwest::Response,
    request_id: &str,
    limit: usize,
) -> std::result::Result<(ResponseMeta, Bytes), ReadError> {
    let meta = ResponseMeta::from_response(&resp, request_id);
    let body = read_capped(resp, limit).await?;
    Ok((meta, body))
}

/// A response's body, refusing more than `limit` bytes (after gzip), so an
/// answer cannot exhaust memory.
pub(crate) async fn read_capped(
    mut resp: reqwest::Response,
    limit: usize,
) -> std::result::Result<Bytes, ReadError> {
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(ReadError::TooLarge { limit });
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = resp.chunk().await.map_err(ReadError::Http)? {
        if body.len() + chunk.len() > limit {
            return Err(ReadError::TooLarge { limit });
        }
        if body.is_empty() && resp.content_length().is_some() {
            body.reserve(resp.content_length().unwrap_or(0).min(limit as u64) as usize);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// How large an answer may be unless the client says otherwise:
/// [`ClientBuilder::max_body_bytes`].
pub const DEFAULT_MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// A successful answer: the typed body and the headers worth keeping.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Response<T> {
    /// The decoded body.
    pub body: T,
    /// Status and headers of the answer.
    pub meta: ResponseMeta,
}

impl<T> Response<T> {
    /// The body, dropping the headers.
    pub fn into_body(self) -> T {
        self.body
    }
}

/// Headers of an answer that callers need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseMeta {
    /// HTTP status code.
    pub status: u16,
    /// The server's `Request-Id`, else the one this client sent.
    pub request_id: Option<String>,
    /// `RateLimit-Remaining`: request tokens left in the account's pool.
    pub rate_limit_remaining: Option<u64>,
    /// `Next-Range` of a partial (206) list answer.
    pub next_range: Option<Cursor>,
    /// `ETag`, for conditional requests.
    pub etag: Option<String>,
    /// `Warning-Message` and `X-Heroku-Warning`, to show to the user.
    pub warnings: Vec<String>,
    /// `Retry-After`, when the server sent one (seconds or an HTTP date,
    /// clamped to [`MAX_RETRY_AFTER`](crate::MAX_RETRY_AFTER)).
    pub retry_after: Option<Duration>,
    /// `Location`, on a redirect (which API calls do not follow).
    pub location: Option<String>,
    /// How many requests this call sent, the first one included.
    pub attempts: u32,
    /// How long this call waited between attempts (backoff and
    /// `Retry-After`; not the proactive throttle).
    pub waited: Duration,
    /// How the body differed from the schema: fields absent, `null`,
    /// converted, unknown enum values (see [`decode`](crate::decode)).
    /// Empty when the body matched.
    pub deviations: Vec<Deviation>,
}

impl ResponseMeta {
    fn from_response(resp: &reqwest::Response, sent_request_id: &str) -> Self {
        let h = resp.headers();
        let get = |name: &HeaderName| {
            h.get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let warnings = [&WARNING_MESSAGE, &X_HEROKU_WARNING]
            .into_iter()
            .flat_map(|n| h.get_all(n).iter())
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        ResponseMeta {
            status: resp.status().as_u16(),
            request_id: get(&REQUEST_ID).or_else(|| Some(sent_request_id.to_string())),
            rate_limit_remaining: h
                .get(&RATELIMIT_REMAINING)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok()),
            next_range: get(&NEXT_RANGE).filter(|v| !v.is_empty()).map(Cursor::new),
            etag: get(&reqwest::header::ETAG),
            warnings,
            retry_after: get(&reqwest::header::RETRY_AFTER)
                .as_deref()
                .and_then(parse_retry_after),
            location: resp
                .status()
                .is_redirection()
                .then(|| get(&reqwest::header::LOCATION))
                .flatten(),
            attempts: 1,
            waited: Duration::ZERO,
            deviations: Vec::new(),
        }
    }
}

/// What a request carries besides its path.
#[doc(hidden)]
#[derive(Debug, Clone, Default)]
pub struct Payload {
    pub body: Option<Bytes>,
    pub query: Vec<(String, String)>,
}

impl Payload {
    pub fn none() -> Self {
        Payload::default()
    }

    /// A JSON body.
    pub fn json<B: serde::Serialize>(body: &B) -> Result<Self> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::Config(format!("cannot encode the request body: {e}")))?;
        Ok(Payload {
            body: Some(Bytes::from(bytes)),
            query: Vec::new(),
        })
    }

    /// Query parameters from a struct's fields (GET links with a schema).
    pub fn query<B: serde::Serialize>(params: &B) -> Result<Self> {
        let value = serde_json::to_value(params)
            .map_err(|e| Error::Config(format!("cannot encode the query: {e}")))?;
        let mut query = Vec::new();
        if let serde_json::Value::Object(map) = value {
            for (k, v) in map {
                match v {
                    serde_json::Value::Null => {}
                    serde_json::Value::String(s) => query.push((k, s)),
                    other => query.push((k, other.to_string())),
                }
            }
        }
        Ok(Payload { body: None, query })
    }
}

/// Per-request settings: extra headers, the `Accept` variant, extra query
/// parameters, and the retry policy.
#[derive(Clone, Default)]
pub struct RequestOptions {
    headers: Vec<(String, String, bool)>,
    variant: Option<String>,
    pub(crate) query: Vec<(String, String)>,
    retry: Option<RetryPolicy>,
    timeout: Option<Duration>,
    attempt_timeout: Option<Duration>,
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<_> = self
            .headers
            .iter()
            .map(|(n, v, sensitive)| {
                (
                    n.as_str(),
                    if *sensitive { "[redacted]" } else { v.as_str() },
                )
            })
            .collect();
        f.debug_struct("RequestOptions")
            .field("headers", &headers)
            .field("variant", &self.variant)
            .field("query", &self.query)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .finish()
    }
}

impl RequestOptions {
    /// Empty options: the client's defaults apply.
    pub fn new() -> Self {
        RequestOptions::default()
    }

    /// Adds a header (replacing one of the same name).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into(), false));
        self
    }

    /// The second factor Heroku asks for with a 403 `two_factor` error.
    pub fn two_factor_code(mut self, code: impl Into<String>) -> Self {
        self.headers
            .push(("Heroku-Two-Factor-Code".into(), code.into(), true));
        self
    }

    /// The account password, which deleting an account requires.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.headers
            .push(("Heroku-Password".into(), password.into(), true));
        self
    }

    /// Sends `Accept: application/vnd.heroku+json; version=<variant>`
    /// (for example `3.sdk` or `3.webhooks`) instead of the client's.
    pub fn variant(mut self, variant: impl Into<String>) -> Self {
        self.variant = Some(variant.into());
        self
    }

    /// Adds a query parameter the schema does not describe (audit-trail
    /// filters, for instance).
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Overrides the client's retry policy for this request.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Overrides the client's deadline for this call (see
    /// [`ClientBuilder::timeout`]).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// Overrides the client's deadline for each attempt of this call (see
    /// [`ClientBuilder::attempt_timeout`]).
    pub fn attempt_timeout(mut self, d: Duration) -> Self {
        self.attempt_timeout = Some(d);
        self
    }
}

/// Builds a [`Client`].
#[derive(Default)]
pub struct ClientBuilder {
    token: Option<Token>,
    base_url: Option<String>,
    http: Option<reqwest::Client>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    attempt_timeout: Option<Duration>,
    variant: Option<String>,
    retry: Option<RetryPolicy>,
    throttle: Option<Throttle>,
    poll: Option<PollPolicy>,
    transport: Option<Arc<dyn Transport>>,
    credentials: Option<Arc<dyn CredentialProvider>>,
    etag_cache: Option<usize>,
    strict_decoding: bool,
    max_body_bytes: Option<usize>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token)
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("variant", &self.variant)
            .field("retry", &self.retry)
            .field("throttle", &self.throttle)
            .field("strict_decoding", &self.strict_decoding)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Uses this token instead of looking in `HEROKU_API_KEY` and `~/.netrc`.
    pub fn token(mut self, token: impl Into<Token>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Sends requests here instead of `https://api.heroku.com` (a proxy, or
    /// the fake Heroku in tests). The token is only ever sent to this origin.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Uses the caller's `reqwest::Client` (its timeouts, proxy and TLS
    /// settings apply; `connect_timeout` here is ignored, and there is no
    /// [`attempt_timeout`](Self::attempt_timeout) unless one is set). The
    /// call deadline, [`timeout`](Self::timeout), still applies.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// How long to wait for a connection (default 10 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = Some(d);
        self
    }

    /// The deadline of each call (default [`DEFAULT_TIMEOUT`], 5 minutes),
    /// covering all it waits for: credentials (an OAuth exchange), its slot
    /// in the rate-limit schedule, connecting, sending, reading the answer,
    /// and the waits between retries. A retry that would start past it is
    /// not made: the call fails with what the last attempt met. A slot of
    /// the schedule that lies past it fails the call at once, with
    /// [`Error::Timeout`] (waiting for [`WaitingFor::RateLimitSlot`]).
    ///
    /// [`RetryPolicy::max_retry_time`] bounds the waits between attempts
    /// as well; whichever ends first applies. Each page of a list is a call
    /// of its own. `Duration::MAX` means no deadline.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// The deadline of one attempt: connecting, sending and reading the
    /// answer (default [`DEFAULT_ATTEMPT_TIMEOUT`], 60 s, with the HTTP
    /// client this builder makes; none with a caller's, whose own timeouts
    /// apply). A timed-out idempotent request is retried while the call's
    /// [`timeout`](Self::timeout) allows.
    pub fn attempt_timeout(mut self, d: Duration) -> Self {
        self.attempt_timeout = Some(d);
        self
    }

    /// The default `Accept` variant (default `3`).
    pub fn variant(mut self, variant: impl Into<String>) -> Self {
        self.variant = Some(variant.into());
        self
    }

    /// The retry policy for every request (see [`RetryPolicy`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// How the workflows poll while they wait (see [`PollPolicy`]): from
    /// 1 s, doubling to 10 s, by default.
    pub fn poll(mut self, policy: PollPolicy) -> Self {
        self.poll = Some(policy);
        self
    }

    /// The proactive throttle (see [`Throttle`]); on by default.
    pub fn throttle(mut self, throttle: Throttle) -> Self {
        self.throttle = Some(throttle);
        self
    }

    /// Caches up to `entries` GET answers and revalidates them with
    /// `If-None-Match`; a `304 Not Modified` is answered from the cache.
    /// Off by default. Pages of lists are not cached, nor answers over 1 MiB.
    pub fn etag_cache(mut self, entries: usize) -> Self {
        self.etag_cache = Some(entries);
        self
    }

    /// Fails every call whose answer differs from the schema (see
    /// [`decode`](crate::decode)) with an [`Error::Decode`] naming the
    /// first deviation's JSON pointer, instead of decoding it tolerantly.
    /// Off by default: Heroku's answers do differ from its schema, and the
    /// tolerant result is usually what a program wants. Turn it on in tests
    /// against the fake Heroku, where a deviation is a bug.
    pub fn strict_decoding(mut self, strict: bool) -> Self {
        self.strict_decoding = strict;
        self
    }

    /// The largest answer body read, after decompression (default
    /// [`DEFAULT_MAX_BODY_BYTES`], 32 MiB; a page of 1,000 apps is about
    /// 1 MiB). A larger answer is [`Error::BodyTooLarge`], not retried.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = Some(limit);
        self
    }

    /// Gets tokens from `provider` (an [`OAuthRefresh`](crate::OAuthRefresh),
    /// or your own) instead of a fixed token.
    pub fn credentials(mut self, provider: impl CredentialProvider) -> Self {
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// Sends requests through `transport` instead of the HTTP client (to
    /// record, replay or simulate traffic). Only API requests go through
    /// it; upload and stream URLs use the HTTP client.
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Builds the client, finding the token if none was given.
    pub fn build(self) -> Result<Client> {
        let base = self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL);
        let base_url = reqwest::Url::parse(base)
            .map_err(|e| Error::Config(format!("the base URL `{base}` is not valid: {e}")))?;
        let shown = redacted_url(&base_url);
        if !matches!(base_url.scheme(), "http" | "https") || base_url.host().is_none() {
            return Err(Error::Config(format!(
                "the base URL `{shown}` must be an http(s) URL with a host"
            )));
        }
        if !base_url.username().is_empty() || base_url.password().is_some() {
            return Err(Error::Config(format!(
                "the base URL `{shown}` carries a user name or password; \
                 pass the token with ClientBuilder::token instead"
            )));
        }
        let loopback = is_loopback(&base_url);
        if base_url.scheme() == "http" && !loopback {
            return Err(Error::Config(format!(
                "the base URL `{shown}` is plain http: credentials would travel in clear text; \
                 use https (http is accepted only for loopback hosts, such as the fake Heroku)"
            )));
        }
        let host = base_url.host_str().unwrap_or("api.heroku.com").to_string();
        let (credentials, token_source): (Arc<dyn CredentialProvider>, TokenSource) =
            match self.credentials {
                Some(provider) => (provider, TokenSource::Provider),
                None => {
                    let (token, source) = resolve_token(self.token, &host)?;
                    // A token found in the environment is for Heroku: like the
                    // Heroku CLI, send it only to Heroku's API hosts and to
                    // loopback. (A netrc entry names its host, so it may go
                    // there.)
                    if source == TokenSource::Environment && !loopback && !is_heroku_host(&host) {
                        return Err(Error::Config(format!(
                        "refusing to send the token from {TOKEN_ENV} to `{host}`, which is not a \
                             Heroku API host; pass it with ClientBuilder::token to send it there"
                    )));
                    }
                    (Arc::new(StaticToken(token)), source)
                }
            };
        // A deadline per call, whatever the HTTP client. Per attempt: ours
        // by default with our own HTTP client; a caller's keeps its own.
        let timeout = Some(self.timeout.unwrap_or(DEFAULT_TIMEOUT));
        let attempt_timeout = match &self.http {
            Some(_) => self.attempt_timeout,
            None => Some(self.attempt_timeout.unwrap_or(DEFAULT_ATTEMPT_TIMEOUT)),
        };
        // API calls never follow redirects (the Platform API does not send
        // them; following one would take this request's headers, the 2FA
        // code and password among them, to another origin). URLs the API
        // hands back may redirect: requests to them carry no credential.
        let connect_timeout = self.connect_timeout.unwrap_or(Duration::from_secs(10));
        let build_http = |redirects: reqwest::redirect::Policy| {
            reqwest::Client::builder()
                .connect_timeout(connect_timeout)
                .redirect(redirects)
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
        };
        let (api_http, http) = match self.http {
            Some(c) => (c.clone(), c),
            None => (
                build_http(reqwest::redirect::Policy::none())?,
                build_http(reqwest::redirect::Policy::limited(10))?,
            ),
        };
        let variant = self.variant.unwrap_or_else(|| DEFAULT_VARIANT.to_string());
        let accept = accept_header(&variant).map_err(|_| {
            Error::Config(format!(
                "the variant `{variant}` is not valid in an Accept header"
            ))
        })?;
        let transport = self
            .transport
            .unwrap_or_else(|| Arc::new(api_http) as Arc<dyn Transport>);
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                credential_context: CredentialContext {
                    transport: transport.clone(),
                    base_url: base_url.clone(),
                    timeout: attempt_timeout,
                },
                transport,
                metrics: Metrics::default(),
                etags: self.etag_cache.map(EtagCache::new),
                timeout,
                attempt_timeout,
                deadline_anchor: OnceLock::new(),
                base_url,
                credentials,
                token_source,
                accept,
                variant,
                retry: self.retry.unwrap_or_default(),
                throttle: self.throttle.unwrap_or_default(),
                poll: self.poll.unwrap_or_default(),
                rate: RateState::new(),
                strict_decoding: self.strict_decoding,
                max_body_bytes: self.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES),
                reported_deviations: Mutex::new(HashSet::new()),
            }),
        })
    }
}

/// HTTP methods the schema uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PATCH`
    Patch,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
    /// `HEAD`
    Head,
}

impl Method {
    /// The method name in capitals.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
        }
    }

    /// Safe to repeat after a failure that may have reached the server.
    pub fn is_idempotent(self) -> bool {
        matches!(
            self,
            Method::Get | Method::Head | Method::Put | Method::Delete
        )
    }

    fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Patch => reqwest::Method::PATCH,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
            Method::Head => reqwest::Method::HEAD,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The schema's stability label for a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stability {
    /// Stable: changes are announced and versioned.
    Production,
    /// Still changing; may change without notice.
    Development,
    /// Experimental; may change or go away.
    Prototype,
}

/// Static facts about one generated operation. The full table is
/// [`OPERATIONS`](crate::operations::OPERATIONS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct OperationInfo {
    /// `<resource>.<function>`, e.g. `app.create`.
    pub id: &'static str,
    /// HTTP method.
    pub method: Method,
    /// The path with named placeholders, e.g. `/apps/{app_identity}`.
    pub href: &'static str,
    /// Stability of the resource in the schema.
    pub stability: Stability,
    /// A list that follows `Range` / `Next-Range`.
    pub paginated: bool,
    /// Fields the list can be ranged by, first the default.
    pub ranges: &'static [&'static str],
}

impl OperationInfo {
    #[doc(hidden)]
    pub const fn new(
        id: &'static str,
        method: Method,
        href: &'static str,
        stability: Stability,
        paginated: bool,
        ranges: &'static [&'static str],
    ) -> Self {
        OperationInfo {
            id,
            method,
            href,
            stability,
            paginated,
            ranges,
        }
    }
}

impl ApiError {
    /// True for a 404 `not_found`.
    pub fn is_not_found(&self) -> bool {
        self.status == 404
    }
}
