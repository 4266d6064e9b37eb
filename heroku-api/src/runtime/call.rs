//! One call's life: from an operation's path and payload to the decoded
//! answer or a typed error.
//!
//! [`Client::execute`] gives the call a request id and a `tracing` span;
//! its attempts each go through three stages: *build* the request (URL,
//! headers, token, body), *exchange* it for an answer within the deadlines,
//! and *decide*, with the call's [`RetryState`](super::retry_state), whether
//! another attempt follows. The answer that ends the call becomes its
//! result ([`conclude`]), and a successful body is decoded by
//! [`Client::decode`] (generic over the output type, so only the
//! operations a program awaits compile a decoder).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tokio::time::Instant;
use tracing::Instrument;

use crate::runtime::auth::Token;
use crate::runtime::client::{Client, USER_AGENT};
use crate::runtime::decode::{decode_bytes, strict_failure, Decode, Deviation};
use crate::runtime::error::{api_error, DecodeError, Error, RateLimitedError, Result, WaitingFor};
use crate::runtime::metrics::{Failure, Metrics, Wait};
use crate::runtime::operation::{Method, OperationInfo};
use crate::runtime::options::{Payload, RequestOptions};
use crate::runtime::response::{read, ReadError, ResponseMeta, REQUEST_ID};
use crate::runtime::retry::later;
use crate::runtime::retry_state::{Decision, Outcome, RetryState, Why};

/// How many distinct deviations a client remembers having logged; past it,
/// it forgets them all and logs each once more.
const MAX_REPORTED_DEVIATIONS: usize = 4096;

impl Client {
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

    /// The attempts of one call, each in three stages: build the request
    /// ([`build_attempt`](Self::build_attempt)), exchange it for an answer
    /// ([`exchange`](Self::exchange)), and let the call's [`RetryState`]
    /// decide whether another attempt follows. Before each attempt come the
    /// retry's own wait, the request's turn in the throttle's queue, and a
    /// token.
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
        let inner = &self.inner;
        let metrics = &inner.metrics;
        let request_id_text = request_id.to_str().unwrap_or_default();
        // One deadline for the whole call; each attempt may have its own,
        // shorter one.
        let call_timeout = options.timeout.or(inner.timeout);
        let attempt_timeout = options.attempt_timeout.or(inner.attempt_timeout);
        let deadline = call_timeout.and_then(|t| Instant::now().checked_add(t));
        let mut retry = RetryState::new(
            options.retry.as_ref().unwrap_or(&inner.retry),
            op.method.is_idempotent(),
            inner.throttle.enabled,
            deadline,
        );
        let timed_out = |waiting_for: WaitingFor, after: Option<Duration>| Error::Timeout {
            request_id: Some(request_id_text.to_string()),
            waiting_for,
            after,
            source: None,
        };
        // A plain GET (not a page of a list) may be revalidated from the cache.
        let cache = inner
            .etags
            .as_ref()
            .filter(|_| op.method == Method::Get && range.is_none());
        let cache_key = cache.map(|_| {
            let variant = options.variant.as_deref().unwrap_or(&inner.variant);
            format!("{variant} {url}")
        });
        let cached = cache.zip(cache_key.as_deref()).and_then(|(c, k)| c.get(k));
        // The first attempt takes the URL; a retry builds it again.
        let mut first_url = Some(url);
        // When the next attempt may go: set by a retry's delay.
        let mut not_before: Option<Instant> = None;
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
            let _turn = match inner
                .throttle
                .turn(&inner.rate, std::mem::take(&mut told), deadline)
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
            tracing::Span::current().record("attempts", retry.start_attempt());
            let token = match inner.credentials.ready_token() {
                Some(t) => t,
                None => {
                    // The provider's own wait (an exchange, or another
                    // caller's) ends at the call's deadline at the latest;
                    // giving up drops the lock it may hold.
                    let token = inner.credentials.token(&inner.credential_context);
                    let token = match deadline {
                        Some(d) => tokio::time::timeout_at(d, token).await.unwrap_or_else(|_| {
                            Err(timed_out(WaitingFor::Credentials, call_timeout))
                        }),
                        None => token.await,
                    };
                    token.inspect_err(|_| metrics.call_failed(Failure::Credentials))?
                }
            };

            // 1. Build.
            let url = match first_url.take() {
                Some(url) => url,
                None => self.url_for(path, &payload.query, &options.query)?,
            };
            let etag = cached.as_ref().map(|(etag, _)| etag.as_str());
            let request =
                self.build_attempt(op, url, payload, options, range, request_id, &token, etag)?;
            metrics.sent(payload.body.as_ref().map_or(0, Bytes::len));
            let sent_at = Instant::now();

            // 2. Exchange.
            let exchanged = self
                .exchange(
                    request,
                    request_id_text,
                    deadline,
                    attempt_timeout,
                    call_timeout,
                )
                .await;
            let (mut meta, body) = match exchanged {
                Ok(answer) => answer,
                // Not a passing fault: asking again gets the same answer.
                Err(Some(ReadError::TooLarge { limit })) => {
                    metrics.call_failed(Failure::Transport);
                    return Err(Error::BodyTooLarge {
                        limit,
                        request_id: Some(request_id_text.to_string()),
                    });
                }
                Err(failure) => {
                    metrics.transport_failure();
                    // 3. Decide.
                    if let Decision::Retry { delay, .. } =
                        retry.decide(Outcome::NoAnswer, Instant::now())
                    {
                        metrics.wait(Wait::Retry, delay);
                        tracing::debug!(
                            timed_out = failure.is_none(),
                            delay_ms = delay.as_millis() as u64,
                            "retrying after a transport error"
                        );
                        not_before = Some(later(Instant::now(), delay));
                        continue;
                    }
                    metrics.call_failed(Failure::Transport);
                    return Err(match failure {
                        Some(ReadError::Http(e)) => transport_error(e, request_id_text),
                        _ => {
                            let call_over = deadline.is_some_and(|d| Instant::now() >= d);
                            timed_out(
                                WaitingFor::Answer,
                                if call_over {
                                    call_timeout
                                } else {
                                    attempt_timeout
                                },
                            )
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
                inner.rate.observe(n);
            }
            meta.attempts = retry.attempts();
            meta.waited = retry.waited();
            let status = meta.status;
            if status == 429 {
                inner
                    .throttle
                    .rate_limited(&inner.rate, meta.retry_after, sent_at);
            } else {
                inner.throttle.succeeded(&inner.rate);
            }

            // 3. Decide.
            let outcome = Outcome::Answer {
                status,
                retry_after: meta.retry_after,
            };
            match retry.decide(outcome, Instant::now()) {
                Decision::Retry { delay, why } => {
                    metrics.wait(Wait::Retry, delay);
                    tracing::debug!(
                        status,
                        delay_ms = delay.as_millis() as u64,
                        "{}",
                        match why {
                            Why::RateLimited => "rate limited (429); waiting",
                            _ => "retrying after a gateway error",
                        }
                    );
                    not_before = Some(later(Instant::now(), delay));
                    told = status == 429 && meta.retry_after.is_some();
                    continue;
                }
                // An expired or revoked token: the provider may refresh it.
                Decision::Refresh if inner.credentials.invalidate(&token) => {
                    tracing::debug!("401: retrying once with a fresh token");
                    continue;
                }
                Decision::Refresh | Decision::Stop => {}
            }
            return conclude(metrics, &retry, meta, body);
        }
    }

    /// Stage 1: the request of one attempt, its headers built afresh
    /// (nothing is copied for the attempt that is usually the only one).
    #[allow(clippy::too_many_arguments)]
    fn build_attempt(
        &self,
        op: &'static OperationInfo,
        url: reqwest::Url,
        payload: &Payload,
        options: &RequestOptions,
        range: Option<&str>,
        request_id: &HeaderValue,
        token: &Token,
        etag: Option<&str>,
    ) -> Result<reqwest::Request> {
        let mut request = reqwest::Request::new(op.method.to_reqwest(), url);
        let headers = request.headers_mut();
        self.fill_headers(headers, options, range, request_id)?;
        let bearer = token.bearer().ok_or_else(|| {
            Error::Config("the API token contains characters not allowed in a header".into())
        })?;
        headers.insert(reqwest::header::AUTHORIZATION, bearer);
        if let Some(etag) = etag {
            headers.insert(reqwest::header::IF_NONE_MATCH, header_value(etag)?);
        }
        if let Some(body) = &payload.body {
            headers.insert(
                reqwest::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            *request.body_mut() = Some(body.clone().into());
        }
        Ok(request)
    }

    /// Stage 2: sends one attempt and reads its answer, within the
    /// attempt's deadline or the call's, whichever comes first. `Err(None)`
    /// is a deadline that passed.
    async fn exchange(
        &self,
        request: reqwest::Request,
        request_id: &str,
        deadline: Option<Instant>,
        attempt_timeout: Option<Duration>,
        call_timeout: Option<Duration>,
    ) -> std::result::Result<(ResponseMeta, Bytes), Option<ReadError>> {
        let max_body = self.inner.max_body_bytes;
        let exchange = async {
            match self.inner.transport.send(request).await {
                Ok(resp) => read(resp, request_id, max_body).await,
                Err(e) => Err(ReadError::Http(e)),
            }
        };
        let attempt_deadline = attempt_timeout.and_then(|t| Instant::now().checked_add(t));
        let ends = match (deadline, attempt_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match ends {
            Some(at) => {
                if let Some(t) = attempt_timeout.or(call_timeout) {
                    self.anchor_deadlines(t);
                }
                match tokio::time::timeout_at(at, exchange).await {
                    Ok(result) => result.map_err(Some),
                    Err(_) => Err(None),
                }
            }
            None => exchange.await.map_err(Some),
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

pub(super) fn accept_header(variant: &str) -> Result<HeaderValue> {
    header_value(&format!("application/vnd.heroku+json; version={variant}"))
}

pub(super) fn header_value(s: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(s).map_err(|_| Error::Config(format!("invalid header value {s:?}")))
}

fn transport_error(e: reqwest::Error, request_id: &str) -> Error {
    let request_id = Some(request_id.to_string());
    if e.is_timeout() {
        Error::Timeout {
            request_id,
            waiting_for: WaitingFor::Answer,
            after: None,
            source: Some(e.into()),
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
            source: e.into(),
        }
    }
}

/// The call's result from the answer that ended it: a redirect (never
/// followed) and error statuses become errors, a 429 with the retry budget
/// spent a [`RateLimitedError`], anything else is the answer.
fn conclude(
    metrics: &Metrics,
    retry: &RetryState<'_>,
    mut meta: ResponseMeta,
    body: Bytes,
) -> Result<(ResponseMeta, Bytes)> {
    let status = meta.status;
    if status == 429 {
        metrics.call_failed(Failure::RateLimited);
        return Err(Error::RateLimited(Box::new(RateLimitedError {
            attempts: retry.attempts(),
            waited: retry.waited(),
            retry_after: meta.retry_after,
            last: api_error(status, meta.request_id.clone(), body),
        })));
    }
    // Not followed (our client has no redirect policy; see
    // `ClientBuilder::build`): a redirect would take the headers of this
    // request elsewhere.
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
    Ok((meta, body))
}
