//! A local fake of the Heroku Platform API, for tests, examples and demos.
//!
//! Its routes are every operation of the schema heroku-api is generated from
//! (the route table is generated into this crate, so nothing here reads the
//! schema). The core of the platform keeps real state: apps, config vars
//! with releases, formation and dynos, sources and builds with streamed
//! output, slugs, releases and rollbacks, pipelines with couplings and
//! promotions, add-ons that attach config vars, domains, log sessions and
//! collaborators, and app webhooks: subscriptions whose events (builds,
//! releases, formation, dynos, add-ons, domains, collaborators, app updates)
//! are POSTed, signed, to loopback receivers, with their events and
//! deliveries recorded, log drains (kept per app, found by id, URL or
//! token), and the app's ACM flag. A build reads the Procfile of its source
//! tarball (a gzipped tar, as `workflows::deploy` packs it) for the slug's
//! process types, `web` alone without one; only those types can be scaled
//! (404 `Couldn't find that process type (..)` otherwise, as on Heroku, so
//! for every type before the first deploy).
//!
//! Every other operation answers with a body built from the schema and its
//! examples, marked with the [`SYNTHESIZED_HEADER`] response header: it
//! keeps no state, so a later read does not show what was written. Under
//! `/apps/{app}` it answers 404 for an app that does not exist and shows the
//! real app where the answer has one. [`Synthesized::NotImplemented`] makes
//! those operations answer `501` instead, for tests that must not pass on
//! fiction. [`operations`] says which operations keep state;
//! `tests/OPERATIONS.md` is that list as a table.
//!
//! It speaks the protocol around the schema too: bearer auth, `Range` /
//! `Next-Range` pagination on every list, a token bucket per token with
//! `RateLimit-Remaining` and 429s, Heroku-style errors, and seeded fault
//! injection (resets, 5xx, truncated bodies, 429 bursts, slow answers).
//!
//! ```no_run
//! # async fn demo() {
//! let fake = heroku_fake::start().await.expect("fake");
//! println!("{} (token {})", fake.base_url(), fake.token());
//! # }
//! ```

#![warn(missing_docs)]

mod range;
mod server;
mod spec;
mod state;
mod synth;
mod webhooks;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use spec::{Field, Schema, TypeDef};
pub use state::Timings;

/// The response header on an answer synthesised from the schema (not
/// Heroku's): the operation keeps no state in the fake, so the answer's
/// values are examples, and a later read will not show what was written.
pub const SYNTHESIZED_HEADER: &str = "x-fake-heroku-synthesized";

/// What the fake does for an operation it keeps no state for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Synthesized {
    /// Answer with a body synthesised from the schema's examples, marked
    /// with [`SYNTHESIZED_HEADER`]; under `/apps/{app}` only for an app
    /// that exists (else 404), showing that app.
    #[default]
    Answer,
    /// Answer `501 not_implemented`, naming the operation: for tests that
    /// must not pass on fiction.
    NotImplemented,
}

/// One operation of the fake's route table.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OperationInfo {
    /// The schema's operation id, e.g. `app.info`.
    pub id: String,
    /// The HTTP method.
    pub method: String,
    /// The path template, e.g. `/apps/{app_identity}`.
    pub path: String,
    /// Whether the fake keeps state for it; if not, its answers are
    /// synthesised from the schema and marked with [`SYNTHESIZED_HEADER`].
    pub stateful: bool,
}

/// Every operation the fake routes, in the schema's order, and whether it
/// keeps state for it.
pub fn operations() -> Vec<OperationInfo> {
    let spec = spec::spec();
    spec.operations
        .iter()
        .map(|op| OperationInfo {
            id: op.id.clone(),
            method: op.method.clone(),
            path: op
                .path
                .iter()
                .map(|s| match s {
                    spec::Segment::Lit { lit } => lit.clone(),
                    spec::Segment::Param { param } => format!("{{{param}}}"),
                })
                .collect(),
            stateful: state::World::is_stateful(spec, op),
        })
        .collect()
}

/// The token the fake accepts unless configured otherwise.
pub const DEFAULT_TOKEN: &str = "fake-heroku-token";

/// How the fake behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// The bearer token requests must carry.
    pub token: String,
    /// Seeds ids and fault injection, so runs are reproducible.
    pub seed: u64,
    /// The token bucket (capacity, start, refill).
    pub rate_limit: RateLimit,
    /// Faults to inject.
    pub faults: Faults,
    /// How long builds, releases and promotions stay pending.
    pub timings: Timings,
    /// The OAuth client the fake accepts at `POST /oauth/tokens`, if any.
    pub oauth: Option<OAuth>,
    /// Answer every operation with a body synthesised from the schema,
    /// keeping no state (for checking that every operation decodes).
    pub stateless: bool,
    /// What operations that keep no state answer.
    pub synthesized: Synthesized,
    /// Where the standalone server listens; in-process fakes use an
    /// ephemeral port on 127.0.0.1.
    pub addr: SocketAddr,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            token: DEFAULT_TOKEN.to_string(),
            seed: 0x4845_524f_4b55,
            rate_limit: RateLimit::default(),
            faults: Faults::default(),
            timings: Timings::default(),
            stateless: false,
            synthesized: Synthesized::Answer,
            oauth: None,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }
}

/// An OAuth client: the refresh token and secret it accepts, and how long
/// the access tokens it issues live.
#[derive(Debug, Clone)]
pub struct OAuth {
    /// The refresh token the exchange accepts.
    pub refresh_token: String,
    /// The OAuth client secret the exchange accepts.
    pub client_secret: String,
    /// Lifetime of issued access tokens.
    pub lifetime: Duration,
}

impl Default for OAuth {
    fn default() -> Self {
        OAuth {
            refresh_token: "fake-refresh-token".into(),
            client_secret: "fake-client-secret".into(),
            lifetime: Duration::from_secs(3600),
        }
    }
}

/// One token bucket per API token.
#[derive(Debug, Clone)]
pub struct RateLimit {
    /// Most tokens the bucket holds (Heroku: 4,500).
    pub capacity: f64,
    /// Tokens the bucket starts with.
    pub initial: f64,
    /// Tokens added per second (Heroku: 4,500 per hour).
    pub refill_per_second: f64,
}

impl RateLimit {
    /// A bucket that never runs dry, for load and fault tests.
    pub fn unlimited() -> Self {
        RateLimit {
            capacity: 1e12,
            initial: 1e12,
            refill_per_second: 0.0,
        }
    }
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            capacity: 4500.0,
            initial: 4500.0,
            refill_per_second: 1.25,
        }
    }
}

/// Faults injected at random, by probability (0.0–1.0 each), drawn from
/// the seeded generator, plus targeted rules that fire first.
#[derive(Debug, Clone)]
pub struct Faults {
    /// Drop the connection without an answer.
    pub reset: f64,
    /// Answer 503 with an HTML page, as a proxy would.
    pub status_503: f64,
    /// Send half the body, then fail.
    pub truncate: f64,
    /// Answer 429 `rate_limit` (with `Retry-After: 1`).
    pub rate_limit: f64,
    /// Wait `slow_for` before answering.
    pub slow: f64,
    /// The `Retry-After` (seconds) an injected 429 carries.
    pub retry_after: u64,
    /// How long a slow answer waits.
    pub slow_for: Duration,
    /// Targeted faults, checked before the probabilities.
    pub rules: Vec<FaultRule>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            reset: 0.0,
            status_503: 0.0,
            truncate: 0.0,
            rate_limit: 0.0,
            slow: 0.0,
            retry_after: 1,
            slow_for: Duration::ZERO,
            rules: Vec::new(),
        }
    }
}

/// A body for a type of the schema, built as the fake builds its answers
/// (from the schema's examples, coerced to their types), or `None` for an
/// unknown type. Types are named `module::Type`, e.g. `app::App`.
pub fn sample(type_name: &str) -> Option<serde_json::Value> {
    spec::spec()
        .types
        .contains_key(type_name)
        .then(|| synth::of_type(spec::spec(), type_name))
}

/// The schema's named type `type_name` (`"app::App"`) as the fake knows
/// it: for tests that walk answers field by field.
pub fn type_def(type_name: &str) -> Option<&'static TypeDef> {
    spec::spec().types.get(type_name)
}

/// A body for `type_name` built the way the fake builds answers, from
/// another schema's spec (the `spec.json` that `heroku-codegen` writes for
/// that schema): for tests that decode what an older schema describes.
pub fn sample_in(spec_json: &str, type_name: &str) -> Result<serde_json::Value, String> {
    let spec: spec::Spec =
        serde_json::from_str(spec_json).map_err(|e| format!("the spec does not parse: {e}"))?;
    if !spec.types.contains_key(type_name) {
        return Err(format!("the spec has no type `{type_name}`"));
    }
    Ok(synth::of_type(&spec, type_name))
}

/// A fault for the next `remaining` requests matching a method and a path
/// prefix.
#[derive(Debug, Clone)]
pub struct FaultRule {
    /// Only this method (any when `None`).
    pub method: Option<String>,
    /// Only paths starting with this.
    pub path_prefix: String,
    /// The fault.
    pub fault: Fault,
    /// How many more requests it applies to.
    pub remaining: u32,
}

/// One injected fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Drop the connection without an answer.
    Reset,
    /// Answer with this status and an HTML page.
    Status(u16),
    /// Send half the body, then fail.
    Truncate,
    /// Answer 429 `rate_limit`.
    RateLimited,
    /// Wait this long, then answer normally.
    Slow(Duration),
}

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    /// HTTP method.
    pub method: String,
    /// Path, percent-encoded as received.
    pub path: String,
    /// Query string.
    pub query: String,
    /// The schema operation it matched (`app.create`), if any.
    pub operation: Option<String>,
    /// The status answered (0 for a dropped connection).
    pub status: u16,
    /// Whether it carried an `Authorization` header.
    pub authorized: bool,
    /// The request's `Request-Id` (the client's, else the fake's).
    pub request_id: String,
    /// The fault injected, if any.
    pub fault: Option<Fault>,
}

/// A running fake. Dropping it stops the server.
pub struct FakeHeroku {
    shared: Arc<server::Shared>,
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for FakeHeroku {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeHeroku")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

/// A gzipped tarball holding `files` (path, content): source code for a
/// build, as a test would upload it. A `Procfile` among them gives the
/// build's process types, as on Heroku. A path tar cannot hold (absolute,
/// or with `..`) is an error.
///
/// ```
/// let tarball = heroku_fake::tarball(&[("Procfile", "web: bin/web\n")])?;
/// assert_eq!(&tarball[..2], &[0x1f, 0x8b]);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn tarball(files: &[(&str, &str)]) -> std::io::Result<Vec<u8>> {
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut archive = tar::Builder::new(encoder);
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        archive.append_data(&mut header, path, content.as_bytes())?;
    }
    archive.into_inner()?.finish()
}

/// Starts a fake with the default configuration on an ephemeral port.
pub async fn start() -> std::io::Result<FakeHeroku> {
    start_with(Config::default()).await
}

/// Starts a fake with `config`.
pub async fn start_with(config: Config) -> std::io::Result<FakeHeroku> {
    let listener = TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let base_url = format!("http://{addr}");
    let shared = Arc::new(server::Shared {
        world: Mutex::new(state::World::new(config.seed, config.timings.clone())),
        oauth: Mutex::new(Default::default()),
        faults: Mutex::new(server::FaultState::new(
            config.seed,
            config.faults.rules.clone(),
        )),
        config,
        base_url,
        log: Mutex::new(Vec::new()),
        buckets: Mutex::new(Default::default()),
    });
    let accept = shared.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let shared = accept.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| server::handle(shared.clone(), req));
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(FakeHeroku { shared, addr, task })
}

impl FakeHeroku {
    /// `http://127.0.0.1:<port>`: pass it to `ClientBuilder::base_url`.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The socket address the fake listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The token the fake accepts.
    pub fn token(&self) -> &str {
        &self.shared.config.token
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        server::lock(&self.shared.log).clone()
    }

    /// How many requests with this method reached this exact path.
    pub fn count(&self, method: &str, path: &str) -> usize {
        server::lock(&self.shared.log)
            .iter()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && r.path == path)
            .count()
    }

    /// Adds a targeted fault rule.
    pub fn inject(&self, rule: FaultRule) {
        server::lock(&self.shared.faults).rules.push(rule);
    }

    /// The bytes uploaded to a source blob, if any.
    pub fn blob(&self, put_url: &str) -> Option<Vec<u8>> {
        let id = put_url.rsplit('/').next()?;
        server::lock(&self.shared.world)
            .blobs
            .get(id)
            .cloned()
            .flatten()
    }

    /// How many OAuth token exchanges the fake answered (refused ones too).
    pub fn oauth_exchanges(&self) -> u64 {
        server::lock(&self.shared.oauth).exchanges
    }

    /// Revokes the refresh token: later exchanges are refused.
    pub fn revoke_refresh_token(&self) {
        server::lock(&self.shared.oauth).revoked = true;
    }

    /// Answers one request in memory, without a socket: for tests that run
    /// on a paused clock (plug it into a client with a `Transport`). The
    /// answer's body is read whole; an injected reset is an error.
    pub async fn call(
        &self,
        request: hyper::Request<bytes::Bytes>,
    ) -> std::io::Result<hyper::Response<bytes::Bytes>> {
        let (parts, body) = request.into_parts();
        let response = server::handle_bytes(self.shared.clone(), parts, body)
            .await
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::ConnectionReset, e))?;
        let (parts, body) = response.into_parts();
        let bytes = http_body_util::BodyExt::collect(body)
            .await
            .map(|b| b.to_bytes())?;
        Ok(hyper::Response::from_parts(parts, bytes))
    }

    /// Waits until the server is stopped (for the standalone binary).
    pub async fn serve_forever(self) {
        let _ = (&mut { self }.task).await;
    }
}

impl Drop for FakeHeroku {
    fn drop(&mut self) {
        self.task.abort();
    }
}
