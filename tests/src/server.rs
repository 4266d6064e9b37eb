//! The HTTP side: auth, rate limit, faults, routing, validation, ranges,
//! the request log, and the URLs the API hands back (blobs and streams).

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response, StatusCode};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::spec::{self, Body, RouteMatch, Schema};
use crate::state::{Ctx, Reply, World, RATE_LIMIT_INFO};
use crate::{range, synth, Config, Fault, FaultRule, LoggedRequest};

pub type ResponseBody = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;

/// Everything a connection handler shares.
pub struct Shared {
    pub config: Config,
    pub oauth: Mutex<OAuthState>,
    pub base_url: String,
    pub world: Mutex<World>,
    pub log: Mutex<Vec<LoggedRequest>>,
    pub buckets: Mutex<HashMap<String, Bucket>>,
    pub faults: Mutex<FaultState>,
}

/// Access tokens the fake issued, and how many exchanges it answered.
#[derive(Default)]
pub struct OAuthState {
    pub issued: HashMap<String, Instant>,
    pub exchanges: u64,
    pub counter: u64,
    pub revoked: bool,
}

pub struct FaultState {
    pub rng: StdRng,
    pub rules: Vec<FaultRule>,
}

impl FaultState {
    pub fn new(seed: u64, rules: Vec<FaultRule>) -> Self {
        FaultState {
            rng: StdRng::seed_from_u64(seed),
            rules,
        }
    }
}

/// One account's pool of request tokens (a leaky bucket in continuous time).
#[derive(Debug, Clone)]
pub struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Locks a mutex, recovering the data if a handler panicked while holding it.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn full(bytes: impl Into<Bytes>) -> ResponseBody {
    Full::new(bytes.into())
        .map_err(|never: Infallible| match never {})
        .boxed()
}

fn json_response(status: u16, body: &Value) -> Response<ResponseBody> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut r = Response::new(full(bytes));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        "content-type",
        "application/json".parse().expect("static header"),
    );
    r
}

fn error_response(status: u16, id: &str, message: &str) -> Response<ResponseBody> {
    json_response(
        status,
        &json!({ "id": id, "message": message, "url": "https://devcenter.heroku.com/articles/platform-api-reference#error-responses" }),
    )
}

/// Raised to drop the connection without an answer (a reset).
#[derive(Debug)]
pub struct Reset;

impl std::fmt::Display for Reset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("injected connection reset")
    }
}

impl std::error::Error for Reset {}

pub async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<ResponseBody>, Reset> {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => Bytes::new(),
    };
    handle_bytes(shared, parts, body).await
}

/// Handles one request whose body has been read.
pub async fn handle_bytes(
    shared: Arc<Shared>,
    parts: hyper::http::request::Parts,
    body: Bytes,
) -> Result<Response<ResponseBody>, Reset> {
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let headers = parts.headers.clone();
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let auth = header("authorization");
    // Heroku answers with its own id first, and the client's after it when
    // it sent one: the header can hold several comma-separated ids
    // (../shared/reference/api-behaviour.md, "Seen in answers").
    let sent_request_id = header("request-id");
    let n = lock(&shared.log).len() as u64;
    let ours = format!(
        "{:08x}-0000-4000-8000-{:012x}",
        n >> 32,
        n & 0xffff_ffff_ffff
    );
    let request_id = match &sent_request_id {
        Some(theirs) => format!("{ours},{theirs}"),
        None => ours,
    };

    let mut entry = LoggedRequest {
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        operation: None,
        status: 0,
        authorized: auth.is_some(),
        request_id: sent_request_id
            .clone()
            .unwrap_or_else(|| request_id.clone()),
        fault: None,
    };

    // URLs the API hands back: no Heroku auth, no rate limit.
    if let Some(rest) = path.strip_prefix("/__fake/") {
        let resp = handed_back(&shared, &method, rest, &query, body).await;
        entry.status = resp.status().as_u16();
        lock(&shared.log).push(entry);
        return Ok(resp);
    }

    // Faults first: they model the network and proxies in front of the API.
    let fault = pick_fault(&shared, &method, &path);
    entry.fault = fault.clone();
    match &fault {
        Some(Fault::Reset) => {
            lock(&shared.log).push(entry);
            return Err(Reset);
        }
        Some(Fault::Status(code)) => {
            entry.status = *code;
            lock(&shared.log).push(entry);
            let mut r = Response::new(full(format!(
                "<html><body><h1>{code} injected by the fake</h1></body></html>"
            )));
            *r.status_mut() =
                StatusCode::from_u16(*code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            r.headers_mut()
                .insert("content-type", "text/html".parse().expect("static header"));
            return Ok(r);
        }
        Some(Fault::RateLimited) => {
            entry.status = 429;
            lock(&shared.log).push(entry);
            let mut r = error_response(429, "rate_limit", "Your account reached the API rate limit. Please wait a few minutes before making new requests");
            r.headers_mut()
                .insert("ratelimit-remaining", "0".parse().expect("static header"));
            r.headers_mut().insert(
                "retry-after",
                shared
                    .config
                    .faults
                    .retry_after
                    .to_string()
                    .parse()
                    .expect("number"),
            );
            return Ok(r);
        }
        Some(Fault::Slow(d)) => tokio::time::sleep(*d).await,
        _ => {}
    }

    let mut resp = api(
        &shared,
        &method,
        &path,
        &query,
        &headers,
        auth.as_deref(),
        body,
        &mut entry,
    );
    resp.headers_mut().insert(
        "request-id",
        request_id
            .parse()
            .unwrap_or_else(|_| "fake".parse().expect("static header")),
    );
    entry.status = resp.status().as_u16();
    lock(&shared.log).push(entry);
    // Webhook deliveries this request made go out on their own tasks.
    let outbox = lock(&shared.world).take_outbox();
    for out in outbox {
        tokio::spawn(crate::webhooks::deliver(shared.clone(), out));
    }
    if matches!(fault, Some(Fault::Truncate)) {
        return Ok(truncate(resp).await);
    }
    Ok(resp)
}

/// Cuts a response's body in half and then fails it, so the client sees
/// a body that ends early.
async fn truncate(resp: Response<ResponseBody>) -> Response<ResponseBody> {
    let (parts, body) = resp.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let half = bytes.slice(..bytes.len() / 2);
    let full_len = bytes.len();
    // The first half goes out (headers with it), then the body fails.
    let (tx, rx) = mpsc::channel(2);
    tokio::spawn(async move {
        let _ = tx.send(Ok(Frame::data(half))).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        let _ = tx
            .send(Err(std::io::Error::other("injected truncation")))
            .await;
    });
    let mut r = Response::from_parts(parts, StreamBody::new(ReceiverStream(rx)).boxed());
    r.headers_mut().insert(
        "content-length",
        full_len.to_string().parse().expect("number"),
    );
    r
}

/// A `Stream` over an mpsc receiver (what tokio-stream would provide).
pub struct ReceiverStream<T>(pub mpsc::Receiver<T>);

impl<T> futures_core::Stream for ReceiverStream<T> {
    type Item = T;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<T>> {
        self.0.poll_recv(cx)
    }
}

fn pick_fault(shared: &Shared, method: &str, path: &str) -> Option<Fault> {
    let mut state = lock(&shared.faults);
    for rule in state.rules.iter_mut() {
        let method_ok = rule
            .method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method));
        if method_ok && path.starts_with(&rule.path_prefix) && rule.remaining > 0 {
            rule.remaining -= 1;
            return Some(rule.fault.clone());
        }
    }
    let f = &shared.config.faults;
    let roll: f64 = state.rng.random();
    let mut edge = 0.0;
    for (p, fault) in [
        (f.reset, Fault::Reset),
        (f.status_503, Fault::Status(503)),
        (f.truncate, Fault::Truncate),
        (f.rate_limit, Fault::RateLimited),
        (f.slow, Fault::Slow(f.slow_for)),
    ] {
        edge += p;
        if roll < edge {
            return Some(fault);
        }
    }
    None
}

#[allow(clippy::too_many_arguments)]
fn api(
    shared: &Shared,
    method: &str,
    path: &str,
    query: &str,
    headers: &hyper::HeaderMap,
    auth: Option<&str>,
    body: Bytes,
    entry: &mut LoggedRequest,
) -> Response<ResponseBody> {
    let spec = spec::spec();
    let now = Instant::now();

    // The OAuth exchange is authenticated by its body, not a bearer token.
    if method == "POST" && path == "/oauth/tokens" && shared.config.oauth.is_some() {
        entry.operation = Some("oauth-token.create".into());
        return oauth_exchange(shared, &body, now);
    }

    // Auth: the configured token, or an access token the fake issued that
    // has not expired.
    // Bearer, or Basic with the token as the password (any user, usually
    // empty), which Heroku accepts too (../shared/reference/api-behaviour.md).
    let basic = auth
        .and_then(|a| a.strip_prefix("Basic "))
        .and_then(|b| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(_, password)| password.to_string())
        });
    let token = auth
        .and_then(|a| a.strip_prefix("Bearer "))
        .map(str::trim)
        .or(basic.as_deref());
    let valid = |t: &&str| {
        *t == shared.config.token
            || lock(&shared.oauth)
                .issued
                .get(*t)
                .is_some_and(|expires| now < *expires)
    };
    let Some(token) = token.filter(valid) else {
        return error_response(401, "unauthorized", "Invalid credentials provided.");
    };

    // Route.
    let candidates = match spec::route(spec, method, path) {
        RouteMatch::Found(list) => list,
        RouteMatch::WrongMethod => {
            return error_response(405, "method_not_allowed", &format!("{method} is not allowed on {path}."))
        }
        RouteMatch::NotFound => return error_response(404, "not_found", "The requested API endpoint was not found. Are you using the right HTTP verb (i.e. `GET` vs. `POST`), and did you specify your API version in the `Accept` header?"),
    };
    // Rate limit: every call but the rate-limit check spends a token.
    let free = candidates.iter().any(|m| m.op.id == RATE_LIMIT_INFO);
    let remaining = match spend(shared, token, now, !free) {
        Some(r) => r,
        None => {
            let mut r = error_response(429, "rate_limit", "Your account reached the API rate limit. Please wait a few minutes before making new requests");
            r.headers_mut()
                .insert("ratelimit-remaining", "0".parse().expect("static header"));
            return r;
        }
    };
    // Authorised answers carry the pool's state and the token's scope; a
    // 401 carries neither (../shared/reference/api-behaviour.md).
    let with_limit = |mut r: Response<ResponseBody>| {
        let h = r.headers_mut();
        h.insert(
            "ratelimit-remaining",
            remaining.to_string().parse().expect("number"),
        );
        h.insert("ratelimit-multiplier", "1".parse().expect("header"));
        h.insert("oauth-scope", "global".parse().expect("header"));
        h.insert("oauth-scope-accepted", "global".parse().expect("header"));
        r
    };

    // Body validation.
    let parsed: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                return with_limit(error_response(
                    400,
                    "bad_request",
                    &format!("The request body is not valid JSON: {e}"),
                ))
            }
        }
    };
    let matched = spec::pick(candidates, &parsed);
    entry.operation = Some(matched.op.id.clone());
    let input = match &matched.op.body {
        Some(Body::Query { fields }) => {
            let q = parse_query(query);
            let m = q.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
            let obj = Value::Object(m);
            let strings: Vec<_> = fields
                .iter()
                .map(|f| crate::spec::Field {
                    schema: Schema::Scalar("string".into()),
                    ..f.clone()
                })
                .collect();
            if let Err(e) =
                synth::validate_fields(spec, obj.as_object().expect("object"), &strings, "")
            {
                return with_limit(error_response(422, "invalid_params", &e));
            }
            obj
        }
        Some(Body::Fields { fields }) => match parsed.as_object() {
            Some(m) => match synth::validate_fields(spec, m, fields, "") {
                Ok(()) => parsed.clone(),
                Err(e) => return with_limit(error_response(422, "invalid_params", &e)),
            },
            None => {
                return with_limit(error_response(
                    422,
                    "invalid_params",
                    "The body must be a JSON object.",
                ))
            }
        },
        Some(Body::Value { schema }) => match synth::validate(spec, &parsed, schema, "") {
            Ok(()) => parsed.clone(),
            Err(e) => return with_limit(error_response(422, "invalid_params", &e)),
        },
        Some(Body::Empty) | None => parsed.clone(),
    };

    // Range, for lists.
    let range_header = headers
        .get("range")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let range = if matched.op.paginated {
        let allowed: Vec<String> = if matched.op.ranges.is_empty() {
            vec!["id".into(), "name".into()]
        } else {
            matched.op.ranges.clone()
        };
        let spec_range = match &range_header {
            None => Some(range::RangeSpec {
                field: allowed[0].clone(),
                first: None,
                last: None,
                max: range::DEFAULT_MAX,
                desc: false,
            }),
            Some(h) => range::parse(h),
        };
        match spec_range {
            Some(r) if allowed.contains(&r.field) => Some((r, allowed)),
            _ => {
                return with_limit(error_response(
                    416,
                    "requested_range_not_satisfiable",
                    &format!(
                        "Range {:?} is not satisfiable; accepted ranges: {}",
                        range_header.unwrap_or_default(),
                        allowed.join(", ")
                    ),
                ))
            }
        }
    } else {
        None
    };

    // Answer: from state, or synthesised from the schema.
    let reply = if shared.config.stateless {
        Reply::Synthesize
    } else {
        let mut world = lock(&shared.world);
        let cx = Ctx {
            spec,
            op: matched.op,
            params: &matched.params,
            body: &input,
            base_url: &shared.base_url,
            now,
        };
        world.handle(&cx)
    };
    // The rate-limit answer is the bucket's, not fiction.
    let synthesized = matches!(reply, Reply::Synthesize | Reply::Synthesized(_))
        && matched.op.id != RATE_LIMIT_INFO;
    if synthesized && shared.config.synthesized == crate::Synthesized::NotImplemented {
        return with_limit(error_response(
            501,
            "not_implemented",
            &format!(
                "the fake keeps no state for {} and is configured to say so \
                 (Config::synthesized); see the fake's list of stateful operations",
                matched.op.id
            ),
        ));
    }
    let (status, value) = match reply {
        Reply::Json(status, v) => (status, v),
        Reply::Error(status, id, message) => {
            return with_limit(error_response(status, id, &message))
        }
        Reply::Synthesize | Reply::Synthesized(_) => {
            let v = match reply {
                Reply::Synthesized(v) => v,
                _ => synth::answer(spec, matched.op),
            };
            let status = if method == "POST" { 201 } else { 200 };
            if matched.op.id == RATE_LIMIT_INFO {
                let mut v = v;
                if let Some(o) = v.as_object_mut() {
                    o.insert("remaining".into(), json!(remaining));
                }
                (200, v)
            } else {
                (status, v)
            }
        }
    };

    // Conditional GET: an ETag on every JSON answer, 304 when it matches.
    let etag = (method == "GET").then(|| {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        value.to_string().hash(&mut h);
        format!("\"{:016x}\"", h.finish())
    });
    if let (Some(tag), Some(sent)) = (
        &etag,
        headers.get("if-none-match").and_then(|v| v.to_str().ok()),
    ) {
        if range.is_none() && sent == tag {
            let mut r = Response::new(full(Bytes::new()));
            *r.status_mut() = StatusCode::NOT_MODIFIED;
            r.headers_mut().insert("etag", tag.parse().expect("header"));
            return with_limit(r);
        }
    }
    let with_limit = |mut r: Response<ResponseBody>| {
        if let Some(tag) = &etag {
            r.headers_mut().insert("etag", tag.parse().expect("header"));
        }
        // Not Heroku's: says the answer was made up from the schema, so a
        // test can tell fiction from state.
        if synthesized {
            r.headers_mut()
                .insert(crate::SYNTHESIZED_HEADER, "true".parse().expect("header"));
        }
        with_limit(r)
    };
    match (range, value) {
        (Some((r, allowed)), Value::Array(items)) => {
            let page = range::page(items, &r);
            let partial = page.next.is_some();
            let mut resp =
                json_response(if partial { 206 } else { 200 }, &Value::Array(page.items));
            let h = resp.headers_mut();
            h.insert("accept-ranges", allowed.join(", ").parse().expect("header"));
            if let Ok(v) = page.content_range.parse() {
                h.insert("content-range", v);
            }
            if let Some(next) = page.next {
                if let Ok(v) = next.parse() {
                    h.insert("next-range", v);
                }
            }
            with_limit(resp)
        }
        (_, value) => with_limit(json_response(status, &value)),
    }
}

/// `POST /oauth/tokens` with grant type `refresh_token`.
fn oauth_exchange(shared: &Shared, body: &Bytes, now: Instant) -> Response<ResponseBody> {
    let mut oauth = lock(&shared.oauth);
    oauth.exchanges += 1;
    let Some(config) = &shared.config.oauth else {
        return error_response(
            404,
            "not_found",
            "This fake has no OAuth client configured.",
        );
    };
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let refresh = v.pointer("/refresh_token/token").and_then(Value::as_str);
    let secret = v.pointer("/client/secret").and_then(Value::as_str);
    let grant = v.pointer("/grant/type").and_then(Value::as_str);
    if grant != Some("refresh_token") {
        return error_response(422, "invalid_params", "grant.type must be refresh_token.");
    }
    if oauth.revoked
        || refresh != Some(config.refresh_token.as_str())
        || secret != Some(config.client_secret.as_str())
    {
        return error_response(
            401,
            "unauthorized",
            "Invalid refresh token or client secret.",
        );
    }
    oauth.counter += 1;
    let token = format!("fake-access-{}", oauth.counter);
    oauth.issued.insert(token.clone(), now + config.lifetime);
    let mut answer = synth::of_type(spec::spec(), "oauth_token::OauthToken");
    if let Some(a) = answer.get_mut("access_token") {
        a["token"] = json!(token);
        a["expires_in"] = json!(config.lifetime.as_secs());
    }
    json_response(201, &answer)
}

/// Takes one token from the bucket of `token` (if `spend`), returning what
/// is left, or `None` when the bucket is empty.
fn spend(shared: &Shared, token: &str, now: Instant, spend: bool) -> Option<u64> {
    let rl = &shared.config.rate_limit;
    let mut buckets = lock(&shared.buckets);
    let b = buckets.entry(token.to_string()).or_insert(Bucket {
        tokens: rl.initial,
        at: now,
    });
    let elapsed = now.duration_since(b.at).as_secs_f64();
    b.tokens = (b.tokens + elapsed * rl.refill_per_second).min(rl.capacity);
    b.at = now;
    if spend {
        if b.tokens < 1.0 {
            return None;
        }
        b.tokens -= 1.0;
    }
    Some(b.tokens.floor() as u64)
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                spec::percent_decode(&k.replace('+', " ")),
                spec::percent_decode(&v.replace('+', " ")),
            )
        })
        .collect()
}

/// Blobs (`put_url`/`get_url`), build output and log streams.
async fn handed_back(
    shared: &Arc<Shared>,
    method: &str,
    rest: &str,
    query: &str,
    body: Bytes,
) -> Response<ResponseBody> {
    let mut parts = rest.splitn(3, '/');
    match (method, parts.next(), parts.next(), parts.next()) {
        ("PUT", Some("blobs"), Some(id), None) => {
            let mut world = lock(&shared.world);
            match world.blobs.get_mut(id) {
                Some(slot) => {
                    *slot = Some(body.to_vec());
                    let mut r = Response::new(full(Bytes::new()));
                    *r.status_mut() = StatusCode::OK;
                    r
                }
                None => error_response(404, "not_found", "No such upload URL."),
            }
        }
        ("GET", Some("blobs"), Some(id), None) => match lock(&shared.world).blobs.get(id) {
            Some(Some(bytes)) => Response::new(full(bytes.clone())),
            _ => error_response(404, "not_found", "No such blob."),
        },
        ("GET", Some("streams"), Some("builds"), Some(id)) => {
            build_stream(shared.clone(), id.to_string())
        }
        ("GET", Some("logs"), Some(id), None) => log_stream(shared, id, query),
        _ => error_response(404, "not_found", "Not a URL the fake handed out."),
    }
}

fn text_stream(rx: mpsc::Receiver<Result<Frame<Bytes>, std::io::Error>>) -> Response<ResponseBody> {
    let mut r = Response::new(StreamBody::new(ReceiverStream(rx)).boxed());
    r.headers_mut().insert(
        "content-type",
        "text/plain; charset=utf-8".parse().expect("static header"),
    );
    r
}

/// Streams a build's output as it is produced, ending when the build ends.
fn build_stream(shared: Arc<Shared>, id: String) -> Response<ResponseBody> {
    if lock(&shared.world)
        .build_output(spec::spec(), &id, Instant::now())
        .is_none()
    {
        return error_response(404, "not_found", "No such build.");
    }
    let (tx, rx) = mpsc::channel(16);
    let step = {
        let w = lock(&shared.world);
        (w.timings.build / 16).max(Duration::from_millis(5))
    };
    tokio::spawn(async move {
        let mut sent = 0;
        loop {
            let out = lock(&shared.world).build_output(spec::spec(), &id, Instant::now());
            let Some((lines, done)) = out else { break };
            for line in lines.iter().skip(sent) {
                if tx
                    .send(Ok(Frame::data(Bytes::from(format!("{line}\n")))))
                    .await
                    .is_err()
                {
                    return;
                }
            }
            sent = lines.len();
            if done {
                break;
            }
            tokio::time::sleep(step).await;
        }
    });
    text_stream(rx)
}

fn log_stream(shared: &Arc<Shared>, id: &str, query: &str) -> Response<ResponseBody> {
    let Some(lines) = lock(&shared.world).log_lines(id) else {
        return error_response(404, "not_found", "No such log session.");
    };
    let q = parse_query(query);
    let n: usize = q
        .iter()
        .find(|(k, _)| k == "lines")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(100);
    let tail = q.iter().any(|(k, v)| k == "tail" && v == "true");
    let start = lines.len().saturating_sub(n);
    let (tx, rx) = mpsc::channel(lines.len() + 4);
    for l in &lines[start..] {
        let _ = tx.try_send(Ok(Frame::data(Bytes::from(format!("{l}\n")))));
    }
    if tail {
        tokio::spawn(async move {
            for i in 1..=3 {
                tokio::time::sleep(Duration::from_millis(50)).await;
                let line = format!("2026-01-01T00:00:0{i}Z app[web.1]: tail line {i}\n");
                if tx.send(Ok(Frame::data(Bytes::from(line)))).await.is_err() {
                    return;
                }
            }
        });
    }
    text_stream(rx)
}
