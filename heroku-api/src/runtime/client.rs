//! The client and its builder. What happens to one call is in `call.rs`,
//! the retry decision in `retry_state.rs`, answers in `response.rs`.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::runtime::auth::{resolve_token, Token, TokenSource, TOKEN_ENV};
use crate::runtime::call::accept_header;
use crate::runtime::credentials::{CredentialContext, CredentialProvider, StaticToken};
use crate::runtime::error::{Error, Result};
use crate::runtime::etag::EtagCache;
use crate::runtime::metrics::{Metrics, MetricsSnapshot};
use crate::runtime::response::DEFAULT_MAX_BODY_BYTES;
use crate::runtime::retry::{PollPolicy, RateState, RetryPolicy, Throttle};
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
    pub(super) inner: Arc<Inner>,
}

/// What a client and its clones share. The call path (`call.rs`) reads it.
pub(super) struct Inner {
    pub(super) http: reqwest::Client,
    pub(super) transport: Arc<dyn Transport>,
    pub(super) metrics: Metrics,
    pub(super) etags: Option<EtagCache>,
    /// The deadline of a whole call: credentials, every attempt, and the
    /// waits between them.
    pub(super) timeout: Option<Duration>,
    /// The deadline of one attempt (connect, send, read); by default only
    /// when this client built its own HTTP client.
    pub(super) attempt_timeout: Option<Duration>,
    /// Set once the deadline anchor runs (see `anchor_deadlines`).
    pub(super) deadline_anchor: OnceLock<()>,
    pub(super) base_url: reqwest::Url,
    pub(super) credentials: Arc<dyn CredentialProvider>,
    pub(super) credential_context: CredentialContext,
    pub(super) token_source: TokenSource,
    pub(super) variant: String,
    /// `Accept` for `variant`, built once.
    pub(super) accept: HeaderValue,
    pub(super) retry: RetryPolicy,
    pub(super) throttle: Throttle,
    pub(super) poll: PollPolicy,
    pub(super) rate: RateState,
    /// Any deviation from the schema fails the call.
    pub(super) strict_decoding: bool,
    /// The largest body read from an answer.
    pub(super) max_body_bytes: usize,
    /// What `report_deviations` has logged: operation, pointer pattern, kind.
    pub(super) reported_deviations: Mutex<HashSet<(&'static str, String, &'static str)>>,
}

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
    /// [`Error::Timeout`] (waiting for [`WaitingFor::RateLimitSlot`](crate::WaitingFor::RateLimitSlot)).
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
