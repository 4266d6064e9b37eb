//! App webhooks: subscriptions, the events that changes to subscribed
//! entities make, and their delivery to the subscriber's URL.
//!
//! A successful write to an entity (see [`EVENTS`]) and the fake's own
//! state changes (a build finishing, a release leaving `pending`) make an
//! event for each subscription of the app that includes the entity. Each
//! event is recorded for `app-webhook-event` and, per subscription, a
//! delivery for `app-webhook-delivery`, and is POSTed to the subscription's
//! URL, signed with its secret (`Heroku-Webhook-Hmac-SHA256`, the base64
//! HMAC-SHA256 of the body) and carrying its `authorization`. The body is
//! the envelope Dev Center documents
//! (<https://devcenter.heroku.com/articles/webhook-events>). Level `notify`
//! is one attempt; `sync` is retried, with growing pauses, until the
//! receiver answers 2xx or the attempts run out. Only loopback URLs are
//! delivered to: the fake never sends to the network.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::server::{lock, Shared};

/// Operations whose successful answer is an entity's new state, with the
/// entity and action they publish. An array answer publishes each item.
pub const EVENTS: &[(&str, &str, &str)] = &[
    ("app.update", "api:app", "update"),
    ("app.enable_acm", "api:app", "update"),
    ("app.disable_acm", "api:app", "update"),
    ("build.create", "api:build", "create"),
    ("formation.update", "api:formation", "update"),
    ("formation.batch_update", "api:formation", "update"),
    ("dyno.create", "api:dyno", "create"),
    ("add-on.create", "api:addon", "create"),
    ("add-on.update", "api:addon", "update"),
    ("add-on.delete", "api:addon", "destroy"),
    ("add-on-attachment.create", "api:addon-attachment", "create"),
    (
        "add-on-attachment.delete",
        "api:addon-attachment",
        "destroy",
    ),
    ("domain.create", "api:domain", "create"),
    ("domain.update", "api:domain", "update"),
    ("domain.delete", "api:domain", "destroy"),
    ("collaborator.create", "api:collaborator", "create"),
    ("collaborator.update", "api:collaborator", "update"),
    ("collaborator.delete", "api:collaborator", "destroy"),
    ("sni-endpoint.create", "api:sni-endpoint", "create"),
    ("sni-endpoint.update", "api:sni-endpoint", "update"),
    ("sni-endpoint.delete", "api:sni-endpoint", "destroy"),
];

/// One subscription, with what the API never shows again.
pub struct Subscription {
    /// The `AppWebhook` record.
    pub value: Value,
    pub app_id: String,
    pub secret: Option<String>,
    pub authorization: Option<String>,
}

/// A delivery waiting to be sent.
pub struct Outgoing {
    pub delivery_id: String,
    pub url: String,
    /// The body without its attempt id, which each attempt fills in.
    pub envelope: Value,
    pub secret: Option<String>,
    pub authorization: Option<String>,
    pub sync: bool,
}

/// Webhook state of the whole platform.
#[derive(Default)]
pub struct Hooks {
    pub subscriptions: Vec<Subscription>,
    /// `AppWebhookEvent` records, by app id.
    pub events: Vec<(String, Value)>,
    /// `AppWebhookDelivery` records, by app id.
    pub deliveries: Vec<(String, Value)>,
    pub outbox: Vec<Outgoing>,
}

impl Hooks {
    /// Subscriptions of `app_id` that include `entity`.
    pub fn subscribed(&self, app_id: &str, entity: &str) -> Vec<usize> {
        self.subscriptions
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                s.app_id == app_id
                    && s.value["include"]
                        .as_array()
                        .is_some_and(|i| i.iter().any(|e| e == entity))
            })
            .map(|(i, _)| i)
            .collect()
    }

    fn delivery_mut(&mut self, id: &str) -> Option<&mut Value> {
        self.deliveries
            .iter_mut()
            .map(|(_, d)| d)
            .find(|d| d["id"] == id)
    }

    /// Counts an attempt of a delivery.
    pub fn begin_attempt(&mut self, id: &str, ts: &str) {
        if let Some(d) = self.delivery_mut(id) {
            let n = d["num_attempts"].as_i64().unwrap_or(0) + 1;
            d["num_attempts"] = json!(n);
            d["updated_at"] = json!(ts);
        }
    }

    /// Records how an attempt ended and what the delivery's status is now.
    pub fn end_attempt(&mut self, id: &str, attempt: Value, status: &str, next: Option<&str>) {
        if let Some(d) = self.delivery_mut(id) {
            d["updated_at"] = attempt["updated_at"].clone();
            d["last_attempt"] = attempt;
            d["status"] = json!(status);
            d["next_attempt_at"] = next.map_or(Value::Null, |n| json!(n));
        }
    }
}

/// The `Heroku-Webhook-Hmac-SHA256` value for `body`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        // HMAC takes keys of any length.
        return String::new();
    };
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Sends one delivery, attempt after attempt, recording each.
pub async fn deliver(shared: Arc<Shared>, out: Outgoing) {
    let attempts = if out.sync {
        shared.config.timings.webhook_attempts.max(1)
    } else {
        1
    };
    let mut pause = shared.config.timings.webhook_retry;
    for attempt in 1..=attempts {
        let (attempt_id, started) = {
            let mut world = lock(&shared.world);
            let id = world.id();
            let ts = world.timestamp();
            world.hooks.begin_attempt(&out.delivery_id, &ts);
            (id, ts)
        };
        let mut envelope = out.envelope.clone();
        envelope["webhook_metadata"]["attempt"] = json!({ "id": attempt_id });
        let body = serde_json::to_vec(&envelope).unwrap_or_default();
        let mut headers = vec![("content-type", "application/json".to_string())];
        if let Some(secret) = &out.secret {
            headers.push(("heroku-webhook-hmac-sha256", sign(secret, &body)));
        }
        if let Some(a) = &out.authorization {
            headers.push(("authorization", a.clone()));
        }
        let result = post(&out.url, &headers, body).await;
        let succeeded = matches!(result, Ok(code) if (200..300).contains(&code));
        let last = attempt == attempts || succeeded;
        {
            let mut world = lock(&shared.world);
            let ended = world.timestamp();
            let (code, error_class) = match &result {
                Ok(code) => (json!(code), Value::Null),
                Err(e) => (Value::Null, json!(e)),
            };
            let record = json!({
                "id": attempt_id,
                "code": code,
                "error_class": error_class,
                "status": if succeeded { "succeeded" } else { "failed" },
                "created_at": started,
                "updated_at": ended,
            });
            let status = match (succeeded, last) {
                (true, _) => "succeeded",
                (false, true) => "failed",
                (false, false) => "retrying",
            };
            let next = (!last).then(|| world.timestamp());
            world
                .hooks
                .end_attempt(&out.delivery_id, record, status, next.as_deref());
        }
        if last {
            return;
        }
        tokio::time::sleep(pause).await;
        pause = pause.saturating_mul(2);
    }
}

/// POSTs `body` to a loopback `http://` URL; the answer's status, or why
/// there was none.
async fn post(url: &str, headers: &[(&str, String)], body: Vec<u8>) -> Result<u16, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or("only http:// loopback URLs get deliveries from the fake")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() && !p.contains(']') => {
            (h, p.parse().map_err(|_| "bad port")?)
        }
        _ => (authority, 80u16),
    };
    let ip = match host {
        "127.0.0.1" | "localhost" => "127.0.0.1",
        "[::1]" => "::1",
        _ => {
            return Err(format!(
                "{host} is not a loopback host; the fake delivers only to loopback"
            ))
        }
    };
    let connect = tokio::net::TcpStream::connect((ip, port));
    let stream = tokio::time::timeout(Duration::from_secs(5), connect)
        .await
        .map_err(|_| "connect timed out".to_string())?
        .map_err(|e| format!("connect failed: {e}"))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake failed: {e}"))?;
    tokio::spawn(conn);
    let mut req = hyper::Request::post(path)
        .header("host", authority)
        .header("user-agent", "heroku-fake webhooks");
    for (name, value) in headers {
        req = req.header(*name, value);
    }
    let req = req
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| format!("bad request: {e}"))?;
    let resp = tokio::time::timeout(Duration::from_secs(10), sender.send_request(req))
        .await
        .map_err(|_| "the receiver did not answer in time".to_string())?
        .map_err(|e| format!("request failed: {e}"))?;
    Ok(resp.status().as_u16())
}
