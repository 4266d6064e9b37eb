//! The stateful core of the fake platform: apps, config, formation, dynos,
//! sources, builds, slugs, releases, pipelines, promotions, add-ons,
//! domains, log sessions and collaborators, consistent across calls.
//!
//! Records are built from the schema's own bodies (so they are always
//! schema-valid) and then given real values.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};
use tokio::time::Instant;

use crate::spec::{Operation, Schema, Segment, Spec};
use crate::synth;

/// What a handler answers.
pub enum Reply {
    /// A JSON body with a status.
    Json(u16, Value),
    /// A Heroku error `{id, message}`.
    Error(u16, &'static str, String),
    /// No stateful handler: answer with a body synthesised from the schema.
    Synthesize,
    /// A body synthesised from the schema (with the real app, for an
    /// operation under `/apps/{app}`), for the server to mark as such.
    Synthesized(Value),
}

/// The operation the server answers from the caller's token bucket: its
/// body is synthesised, its `remaining` is real.
pub(crate) const RATE_LIMIT_INFO: &str = "rate-limit.info";

fn not_found(what: &str) -> Reply {
    Reply::Error(404, "not_found", format!("Couldn't find that {what}."))
}

/// Heroku's answer for a process type the app's release does not have.
fn no_process_type(ty: &str) -> Reply {
    Reply::Error(
        404,
        "not_found",
        format!("Couldn't find that process type ({ty})."),
    )
}

fn invalid(message: impl Into<String>) -> Reply {
    Reply::Error(422, "invalid_params", message.into())
}

/// Timing of the fake's asynchronous work.
#[derive(Debug, Clone)]
pub struct Timings {
    /// How long a build stays `pending`.
    pub build: Duration,
    /// How long a release stays `pending`.
    pub release: Duration,
    /// How long a promotion and its targets stay `pending`.
    pub promotion: Duration,
    /// How long a custom domain stays `pending` before it is `succeeded`
    /// (Heroku checks its DNS target, and with ACM issues a certificate).
    pub domain: Duration,
    /// The pause before a `sync` webhook delivery's second attempt; it
    /// doubles after each failed attempt.
    pub webhook_retry: Duration,
    /// How many attempts a `sync` webhook delivery gets (`notify` gets one).
    pub webhook_attempts: u32,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            build: Duration::from_millis(300),
            release: Duration::from_millis(100),
            promotion: Duration::from_millis(200),
            domain: Duration::from_millis(200),
            webhook_retry: Duration::from_millis(100),
            webhook_attempts: 5,
        }
    }
}

struct Release {
    value: Value,
    config: BTreeMap<String, String>,
    created: Instant,
}

struct Build {
    value: Value,
    created: Instant,
    /// Whether the uploaded source was usable.
    ok: bool,
    /// The process types its slug will have: the source's Procfile, else
    /// the buildpack default `web`.
    process_types: BTreeMap<String, String>,
    /// Set once the build's release exists.
    finished: bool,
}

struct Promotion {
    value: Value,
    targets: Vec<Value>,
    created: Instant,
    finished: bool,
}

/// Every piece of platform state.
pub struct World {
    rng: StdRng,
    clock: u64,
    pub timings: Timings,
    account: Value,
    apps: Vec<Value>,
    /// Position in `apps` by id and by name.
    app_index: HashMap<String, usize>,
    /// Releases still `pending`, so settling is free when there are none.
    pending_releases: usize,
    config: HashMap<String, BTreeMap<String, String>>,
    releases: HashMap<String, Vec<Release>>,
    formation: HashMap<String, Vec<Value>>,
    one_off_dynos: HashMap<String, Vec<Value>>,
    /// Source blobs by id: the uploaded bytes, once PUT.
    pub blobs: HashMap<String, Option<Vec<u8>>>,
    builds: HashMap<String, Vec<Build>>,
    slugs: HashMap<String, Value>,
    pipelines: Vec<Value>,
    couplings: Vec<Value>,
    promotions: Vec<Promotion>,
    addons: Vec<Value>,
    domains: HashMap<String, Vec<Value>>,
    /// When each pending custom domain was added, by id.
    pending_domains: HashMap<String, Instant>,
    collaborators: HashMap<String, Vec<Value>>,
    /// Log drains by app id.
    log_drains: HashMap<String, Vec<Value>>,
    authorizations: Vec<Value>,
    /// Log sessions: id → app id.
    pub log_sessions: HashMap<String, String>,
    /// App webhook subscriptions, events, deliveries, and the outbox.
    pub hooks: crate::webhooks::Hooks,
}

/// A UUID (version 5 layout) derived from `name`: the same name gives the
/// same id.
fn stable_uuid(name: &str) -> String {
    use sha2::Digest;
    let h = sha2::Sha256::digest(name.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Puts into a synthesized answer what the request sent, where the answer
/// has a field of that name and the same JSON shape: an operation that
/// accepts a field answers with it (`name`, `redirect_uri`, `url`,
/// `level`, `branch`, a nested `pipeline.id`). Objects merge key by key,
/// and a list of strings replaces a list of strings. Anything else is left
/// as synthesized: the synthesized value has the schema's type, and a sent
/// value of another type (or a `null`) would answer with one the schema
/// may not allow.
fn keep_writes(answer: &mut Value, sent: &Value) {
    let (Value::Object(answer), Value::Object(sent)) = (answer, sent) else {
        return;
    };
    let strings = |items: &[Value]| items.iter().all(Value::is_string);
    for (key, sent) in sent {
        let Some(slot) = answer.get_mut(key) else {
            continue;
        };
        match (&mut *slot, sent) {
            (Value::Object(_), Value::Object(_)) => keep_writes(slot, sent),
            (Value::String(_), Value::String(_))
            | (Value::Bool(_), Value::Bool(_))
            | (Value::Number(_), Value::Number(_)) => *slot = sent.clone(),
            (Value::Array(have), Value::Array(new))
                if !have.is_empty() && strings(have) && strings(new) =>
            {
                *slot = sent.clone()
            }
            _ => {}
        }
    }
}

/// Context a handler needs.
pub struct Ctx<'a> {
    pub spec: &'a Spec,
    pub op: &'a Operation,
    pub params: &'a BTreeMap<String, String>,
    pub body: &'a Value,
    pub base_url: &'a str,
    pub now: Instant,
}

impl Ctx<'_> {
    fn param(&self, name: &str) -> &str {
        self.params.get(name).map(String::as_str).unwrap_or("")
    }

    /// The last path parameter: the identity of the record addressed.
    fn last(&self) -> &str {
        self.op
            .path
            .iter()
            .rev()
            .find_map(|s| match s {
                crate::spec::Segment::Param { param } => Some(param.as_str()),
                crate::spec::Segment::Lit { .. } => None,
            })
            .map(|name| self.param(name))
            .unwrap_or("")
    }

    /// The record shape this operation returns (the item, for lists).
    fn template(&self) -> Value {
        let reference = match &self.op.response {
            Some(Schema::Ref { reference }) => Some(reference),
            Some(Schema::Array { array }) => match array.as_ref() {
                Schema::Ref { reference } => Some(reference),
                _ => None,
            },
            _ => None,
        };
        reference
            .map(|r| synth::of_type(self.spec, r))
            .unwrap_or_else(|| json!({}))
    }

    fn str_field(&self, name: &str) -> Option<String> {
        match self.body.get(name) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Object(o)) => o
                .get("name")
                .or_else(|| o.get("id"))
                .and_then(Value::as_str)
                .map(str::to_string),
            _ => None,
        }
    }
}

/// An identity object `{id, name}` (or the keys that exist in `shape`).
fn reference(shape: Option<&Value>, record: &Value) -> Value {
    let mut out = Map::new();
    let keys: Vec<String> = match shape {
        Some(Value::Object(m)) => m.keys().cloned().collect(),
        _ => vec!["id".into(), "name".into()],
    };
    for k in keys {
        if let Some(v) = record.get(&k) {
            out.insert(k, v.clone());
        }
    }
    Value::Object(out)
}

/// Sets `key` on `target` only if the schema shape has it.
fn set(target: &mut Value, key: &str, value: Value) {
    if let Some(obj) = target.as_object_mut() {
        if obj.contains_key(key) {
            obj.insert(key.to_string(), value);
        }
    }
}

/// Sets `key` to a reference to `record`, shaped like the schema's.
/// What an app holds in a per-app collection, as JSON (empty if nothing).
fn of_app<T: serde::Serialize + Clone + Default>(
    records: &HashMap<String, T>,
    app: &Value,
) -> Value {
    json!(records.get(app_id(app)).cloned().unwrap_or_default())
}

/// Adds a record to an app's entry of a per-app collection.
fn add_to_app(records: &mut HashMap<String, Vec<Value>>, app: &Value, record: Value) {
    records
        .entry(app_id(app).to_string())
        .or_default()
        .push(record);
}

fn set_ref(target: &mut Value, key: &str, record: &Value) {
    let shape = target.get(key).cloned();
    if shape.is_some() {
        let r = reference(shape.as_ref().filter(|s| s.is_object()), record);
        set(target, key, r);
    }
}

const WORDS: &[&str] = &[
    "amber", "brisk", "calm", "dusty", "eager", "fuzzy", "gentle", "hidden", "icy", "jolly",
    "keen", "lively", "misty", "noble", "odd", "proud", "quiet", "rapid", "shiny", "tidy", "vast",
    "warm",
];
const NOUNS: &[&str] = &[
    "anchor", "brook", "canyon", "delta", "ember", "forest", "glacier", "harbor", "island",
    "jungle", "lagoon", "meadow", "nebula", "ocean", "peak", "river", "summit", "tundra", "valley",
    "willow",
];

impl World {
    pub fn new(seed: u64, timings: Timings) -> Self {
        World {
            rng: StdRng::seed_from_u64(seed),
            clock: 0,
            timings,
            account: Value::Null,
            apps: Vec::new(),
            app_index: HashMap::new(),
            pending_releases: 0,
            config: HashMap::new(),
            releases: HashMap::new(),
            formation: HashMap::new(),
            one_off_dynos: HashMap::new(),
            blobs: HashMap::new(),
            builds: HashMap::new(),
            slugs: HashMap::new(),
            pipelines: Vec::new(),
            couplings: Vec::new(),
            promotions: Vec::new(),
            addons: Vec::new(),
            domains: HashMap::new(),
            pending_domains: HashMap::new(),
            collaborators: HashMap::new(),
            log_drains: HashMap::new(),
            authorizations: Vec::new(),
            log_sessions: HashMap::new(),
            hooks: Default::default(),
        }
    }

    /// A seeded, uuid-shaped id.
    pub fn id(&mut self) -> String {
        let a: u32 = self.rng.random();
        let b: u16 = self.rng.random();
        let c: u16 = self.rng.random::<u16>() & 0x0fff | 0x4000;
        let d: u16 = self.rng.random::<u16>() & 0x3fff | 0x8000;
        let e: u64 = self.rng.random::<u64>() & 0xffff_ffff_ffff;
        format!("{a:08x}-{b:04x}-{c:04x}-{d:04x}-{e:012x}")
    }

    /// A deterministic timestamp that moves forward one second per call.
    pub fn timestamp(&mut self) -> String {
        self.clock += 1;
        let secs = self.clock;
        let (h, m, s) = ((secs / 3600) % 24, (secs / 60) % 60, secs % 60);
        let day = 1 + secs / 86_400 % 28;
        format!("2026-01-{day:02}T{h:02}:{m:02}:{s:02}Z")
    }

    fn words(&mut self) -> String {
        let w = WORDS[self.rng.random_range(0..WORDS.len())];
        let n = NOUNS[self.rng.random_range(0..NOUNS.len())];
        let k: u16 = self.rng.random_range(10..99);
        format!("{w}-{n}-{k}")
    }

    fn account(&mut self, spec: &Spec) -> Value {
        if self.account.is_null() {
            let mut a = synth::of_type(spec, "account::Account");
            let id = self.id();
            set(&mut a, "id", json!(id));
            set(&mut a, "email", json!("developer@example.com"));
            set(&mut a, "name", json!("Fake Developer"));
            self.account = a;
        }
        self.account.clone()
    }

    /// The answer of an operation that keeps no state: synthesised from the
    /// schema, but under `/apps/{app}` only for an app that exists (else
    /// 404, as Heroku answers), with that app wherever the answer shows
    /// one.
    fn synthesize(&self, cx: &Ctx) -> Reply {
        let app = match cx.op.path.as_slice() {
            [Segment::Lit { lit }, Segment::Param { param }, ..] if lit == "/apps/" => {
                match self.app(cx.param(param)) {
                    Ok(app) => Some(app),
                    Err(reply) => return reply,
                }
            }
            _ => None,
        };
        let mut value = synth::answer(cx.spec, cx.op);
        // What a write sends, its answer shows.
        if cx.op.method != "GET" {
            match &mut value {
                Value::Array(items) => items.iter_mut().for_each(|v| keep_writes(v, cx.body)),
                one => keep_writes(one, cx.body),
            }
        }
        if let Some(app) = app {
            match &mut value {
                Value::Array(items) => items.iter_mut().for_each(|v| set_ref(v, "app", &app)),
                one => set_ref(one, "app", &app),
            }
        }
        Reply::Synthesized(value)
    }

    fn find_app(&self, identity: &str) -> Option<usize> {
        self.app_index.get(identity).copied()
    }

    /// Rebuilds the id/name index after apps are added, renamed or removed.
    fn reindex_apps(&mut self) {
        self.app_index.clear();
        for (i, a) in self.apps.iter().enumerate() {
            for key in ["id", "name"] {
                if let Some(v) = a.get(key).and_then(Value::as_str) {
                    self.app_index.insert(v.to_string(), i);
                }
            }
        }
    }

    fn app(&self, identity: &str) -> Result<Value, Reply> {
        self.find_app(identity)
            .map(|i| self.apps[i].clone())
            .ok_or_else(|| not_found("app"))
    }

    /// Whether operation `op` keeps state: asked of a fresh world with no
    /// parameters, a stateful handler answers (mostly a 404), and only an
    /// operation without one leaves the answer to synthesis. `rate-limit.info`
    /// is answered from the token bucket.
    pub fn is_stateful(spec: &Spec, op: &Operation) -> bool {
        if op.id == RATE_LIMIT_INFO {
            return true;
        }
        let params = BTreeMap::new();
        let cx = Ctx {
            spec,
            op,
            params: &params,
            body: &Value::Null,
            base_url: "http://127.0.0.1:0",
            now: Instant::now(),
        };
        !matches!(
            World::new(0, Timings::default()).dispatch(&cx),
            Ok(Reply::Synthesize)
        )
    }

    /// The answer to one request, or `Synthesize` when the operation keeps
    /// no state.
    pub fn handle(&mut self, cx: &Ctx) -> Reply {
        self.settle(cx.spec, cx.now);
        let reply = match self.dispatch(cx) {
            Ok(Reply::Synthesize) => self.synthesize(cx),
            Ok(reply) => reply,
            Err(reply) => reply,
        };
        // A successful write to a subscribable entity publishes its new state.
        if let Reply::Json(status, body) = &reply {
            let event = crate::webhooks::EVENTS
                .iter()
                .find(|(op, _, _)| *op == cx.op.id);
            if let (true, Some((_, entity, action))) = (*status < 300, event) {
                let items = match body {
                    Value::Array(items) => items.clone(),
                    one => vec![one.clone()],
                };
                for data in items {
                    let app = if *entity == "api:app" {
                        data["id"].clone()
                    } else {
                        data["app"]["id"].clone()
                    };
                    if let Some(app) = app.as_str() {
                        self.emit(app, entity, action, &data, json!({}));
                    }
                }
            }
        }
        reply
    }

    /// Publishes a change of `entity` in app `app_id` to its subscriptions:
    /// an event, a delivery per subscription, and the deliveries to send.
    pub fn emit(
        &mut self,
        app_id: &str,
        entity: &str,
        action: &str,
        data: &Value,
        previous: Value,
    ) {
        let subscribed = self.hooks.subscribed(app_id, entity);
        if subscribed.is_empty() {
            return;
        }
        let event_id = self.id();
        let ts = self.timestamp();
        let actor = json!({ "email": self.account["email"], "id": self.account["id"] });
        let actor = if actor["id"].is_null() {
            json!({ "email": "developer@example.com", "id": self.id() })
        } else {
            actor
        };
        let resource = entity.trim_start_matches("api:");
        let version = "application/vnd.heroku+json; version=3";
        self.hooks.events.push((
            app_id.to_string(),
            json!({
                "id": event_id,
                "include": entity,
                "payload": {
                    "action": action,
                    "actor": actor,
                    "data": data,
                    "previous_data": previous,
                    "resource": resource,
                    "version": version,
                },
                "created_at": ts,
                "updated_at": ts,
            }),
        ));
        for i in subscribed {
            let delivery_id = self.id();
            let sub = &self.hooks.subscriptions[i];
            let webhook = json!({ "id": sub.value["id"], "level": sub.value["level"] });
            let envelope = json!({
                "action": action,
                "actor": actor,
                "created_at": ts,
                "data": data,
                "id": event_id,
                "previous_data": previous,
                "published_at": ts,
                "resource": resource,
                "sequence": null,
                "updated_at": ts,
                "version": version,
                "webhook_metadata": {
                    "attempt": { "id": null },
                    "delivery": { "id": delivery_id },
                    "event": { "id": event_id, "include": entity },
                    "webhook": { "id": sub.value["id"] },
                },
            });
            let out = crate::webhooks::Outgoing {
                delivery_id: delivery_id.clone(),
                url: sub.value["url"].as_str().unwrap_or_default().to_string(),
                envelope,
                secret: sub.secret.clone(),
                authorization: sub.authorization.clone(),
                sync: sub.value["level"] == "sync",
            };
            self.hooks.deliveries.push((
                app_id.to_string(),
                json!({
                    "id": delivery_id,
                    "event": { "id": event_id, "include": entity },
                    "webhook": webhook,
                    "status": "pending",
                    "num_attempts": 0,
                    "next_attempt_at": ts,
                    "last_attempt": null,
                    "created_at": ts,
                    "updated_at": ts,
                }),
            ));
            self.hooks.outbox.push(out);
        }
    }

    /// Publishes the attachment an add-on makes to its own app (named after
    /// its config var, `DATABASE` for `DATABASE_URL`) as `api:addon-attachment`.
    fn attachment_event(&mut self, spec: &Spec, addon: &Value, var: &str, action: &str) {
        let Some(app_id) = addon
            .pointer("/app/id")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            return;
        };
        if self
            .hooks
            .subscribed(&app_id, "api:addon-attachment")
            .is_empty()
        {
            return;
        }
        let mut t = synth::of_type(spec, "add_on_attachment::AddOnAttachment");
        let id = self.id();
        set(&mut t, "id", json!(id));
        set(&mut t, "name", json!(var.trim_end_matches("_URL")));
        set(&mut t, "created_at", addon["created_at"].clone());
        set(&mut t, "updated_at", addon["updated_at"].clone());
        if let Some(a) = t.get_mut("addon") {
            set(a, "id", addon["id"].clone());
            set(a, "name", addon["name"].clone());
            set(a, "app", addon["app"].clone());
        }
        set(&mut t, "app", addon["app"].clone());
        self.emit(&app_id, "api:addon-attachment", action, &t, json!({}));
    }

    /// The deliveries made since the last call, to be sent.
    pub fn take_outbox(&mut self) -> Vec<crate::webhooks::Outgoing> {
        std::mem::take(&mut self.hooks.outbox)
    }

    fn dispatch(&mut self, cx: &Ctx) -> Result<Reply, Reply> {
        let id = cx.op.id.as_str();
        let ok = |v: Value| Ok(Reply::Json(200, v));
        let created = |v: Value| Ok(Reply::Json(201, v));
        match id {
            // ---------------------------------------------------- account
            "account.info" => ok(self.account(cx.spec)),
            "account.update" => {
                let mut a = self.account(cx.spec);
                if let Some(obj) = cx.body.as_object() {
                    for (k, v) in obj {
                        if k != "password" {
                            set(&mut a, k, v.clone());
                        }
                    }
                }
                self.account = a.clone();
                ok(a)
            }
            "rate-limit.info" => Ok(Reply::Synthesize),

            // ---------------------------------------------------- app webhooks
            "app-webhook.create" => {
                let app = self.app(cx.param("app_identity"))?;
                let url = cx.str_field("url").unwrap_or_default();
                let include = cx.body.get("include").cloned().unwrap_or(json!([]));
                let level = cx.str_field("level").unwrap_or_else(|| "notify".into());
                if !matches!(level.as_str(), "notify" | "sync") {
                    return Err(invalid("level must be notify or sync"));
                }
                if include.as_array().is_none_or(|i| i.is_empty()) {
                    return Err(invalid("include must name at least one entity"));
                }
                let id = self.id();
                let ts = self.timestamp();
                let mut w = cx.template();
                set(&mut w, "id", json!(id));
                set(&mut w, "url", json!(url));
                set(&mut w, "include", include);
                set(&mut w, "level", json!(level));
                set(&mut w, "created_at", json!(ts));
                set(&mut w, "updated_at", json!(ts));
                set_ref(&mut w, "app", &app);
                self.hooks
                    .subscriptions
                    .push(crate::webhooks::Subscription {
                        value: w.clone(),
                        app_id: app_id(&app).to_string(),
                        secret: cx.str_field("secret"),
                        authorization: cx.str_field("authorization"),
                    });
                created(w)
            }
            "app-webhook.list" => {
                let app = self.app(cx.param("app_identity"))?;
                let list: Vec<Value> = self
                    .hooks
                    .subscriptions
                    .iter()
                    .filter(|s| s.app_id == app_id(&app))
                    .map(|s| s.value.clone())
                    .collect();
                ok(json!(list))
            }
            "app-webhook.info" | "app-webhook.update" | "app-webhook.delete" => {
                let app = self.app(cx.param("app_identity"))?;
                let want = cx.last().to_string();
                let i = self
                    .hooks
                    .subscriptions
                    .iter()
                    .position(|s| s.app_id == app_id(&app) && s.value["id"] == want.as_str())
                    .ok_or_else(|| not_found("app-webhook"))?;
                match id {
                    "app-webhook.delete" => ok(self.hooks.subscriptions.remove(i).value),
                    "app-webhook.update" => {
                        let ts = self.timestamp();
                        let s = &mut self.hooks.subscriptions[i];
                        for key in ["url", "include", "level"] {
                            if let Some(v) = cx.body.get(key).filter(|v| !v.is_null()) {
                                set(&mut s.value, key, v.clone());
                            }
                        }
                        if let Some(v) = cx.body.get("secret") {
                            s.secret = v.as_str().map(str::to_string);
                        }
                        if let Some(v) = cx.body.get("authorization") {
                            s.authorization = v.as_str().map(str::to_string);
                        }
                        set(&mut s.value, "updated_at", json!(ts));
                        ok(s.value.clone())
                    }
                    _ => ok(self.hooks.subscriptions[i].value.clone()),
                }
            }
            "app-webhook-event.list" | "app-webhook-delivery.list" => {
                let app = self.app(cx.param("app_identity"))?;
                let records = if id == "app-webhook-event.list" {
                    &self.hooks.events
                } else {
                    &self.hooks.deliveries
                };
                let list: Vec<Value> = records
                    .iter()
                    .filter(|(a, _)| a == app_id(&app))
                    .map(|(_, v)| v.clone())
                    .collect();
                ok(json!(list))
            }
            "app-webhook-event.info" | "app-webhook-delivery.info" => {
                let app = self.app(cx.param("app_identity"))?;
                let want = cx.last();
                let (records, what) = if id == "app-webhook-event.info" {
                    (&self.hooks.events, "app-webhook-event")
                } else {
                    (&self.hooks.deliveries, "app-webhook-delivery")
                };
                records
                    .iter()
                    .find(|(a, v)| a == app_id(&app) && v["id"] == want)
                    .map(|(_, v)| Reply::Json(200, v.clone()))
                    .ok_or_else(|| not_found(what))
            }

            // ---------------------------------------------------- apps
            "app.create" => {
                let name = match cx.str_field("name") {
                    Some(n) => n,
                    None => self.words(),
                };
                if !valid_app_name(&name) {
                    return Err(invalid(format!(
                        "Name must start with a letter, end with a letter or digit and can only contain lowercase letters, digits, and dashes: {name}"
                    )));
                }
                if self.find_app(&name).is_some() {
                    return Err(invalid("Name is already taken"));
                }
                let mut app = cx.template();
                let id = self.id();
                let now = self.timestamp();
                let account = self.account(cx.spec);
                set(&mut app, "id", json!(id));
                set(&mut app, "name", json!(name));
                set(&mut app, "created_at", json!(now));
                set(&mut app, "updated_at", json!(now));
                set(&mut app, "released_at", json!(now));
                set(
                    &mut app,
                    "git_url",
                    json!(format!("https://git.heroku.com/{name}.git")),
                );
                set(
                    &mut app,
                    "web_url",
                    json!(format!("https://{name}.herokuapp.com/")),
                );
                set(&mut app, "maintenance", json!(false));
                set_ref(&mut app, "owner", &account);
                if let Some(region) = cx.str_field("region") {
                    if let Some(r) = app.get_mut("region") {
                        set(r, "name", json!(region));
                    }
                }
                if let Some(stack) = cx.str_field("stack") {
                    for key in ["stack", "build_stack"] {
                        if let Some(s) = app.get_mut(key) {
                            set(s, "name", json!(stack));
                        }
                    }
                }
                for key in ["organization", "team", "space"] {
                    set(&mut app, key, Value::Null);
                }
                self.apps.push(app.clone());
                let i = self.apps.len() - 1;
                self.app_index.insert(id.clone(), i);
                self.app_index.insert(name.clone(), i);
                self.config.insert(id.clone(), BTreeMap::new());
                self.new_release(cx.spec, &id, "Initial release", None, cx.now);
                created(app)
            }
            "app.info" => ok(self.app(cx.param("app_identity"))?),
            // Heroku's Automated Certificate Management: the app's `acm`
            // flag, which `info` then shows (refreshing changes nothing
            // the fake models).
            "app.enable_acm" | "app.disable_acm" | "app.refresh_acm" => {
                let i = self
                    .find_app(cx.param("app_identity"))
                    .ok_or_else(|| not_found("app"))?;
                if id != "app.refresh_acm" {
                    set(&mut self.apps[i], "acm", json!(id == "app.enable_acm"));
                    let now = self.timestamp();
                    set(&mut self.apps[i], "updated_at", json!(now));
                }
                ok(self.apps[i].clone())
            }
            "app.list" | "app.list_owned_and_collaborated" => ok(json!(self.apps)),
            "app.update" => {
                let i = self
                    .find_app(cx.param("app_identity"))
                    .ok_or_else(|| not_found("app"))?;
                if let Some(name) = cx.str_field("name") {
                    if !valid_app_name(&name) {
                        return Err(invalid("Name is invalid"));
                    }
                    if self.find_app(&name).is_some_and(|j| j != i) {
                        return Err(invalid("Name is already taken"));
                    }
                    set(&mut self.apps[i], "name", json!(name));
                    self.reindex_apps();
                    set(
                        &mut self.apps[i],
                        "git_url",
                        json!(format!("https://git.heroku.com/{name}.git")),
                    );
                }
                if let Some(m) = cx.body.get("maintenance").and_then(Value::as_bool) {
                    set(&mut self.apps[i], "maintenance", json!(m));
                }
                if let Some(stack) = cx.str_field("build_stack") {
                    if let Some(s) = self.apps[i].get_mut("build_stack") {
                        set(s, "name", json!(stack));
                    }
                }
                let now = self.timestamp();
                set(&mut self.apps[i], "updated_at", json!(now));
                ok(self.apps[i].clone())
            }
            "app.delete" => {
                let i = self
                    .find_app(cx.param("app_identity"))
                    .ok_or_else(|| not_found("app"))?;
                let app = self.apps.remove(i);
                self.reindex_apps();
                let app_id = app["id"].as_str().unwrap_or("").to_string();
                self.config.remove(&app_id);
                if let Some(gone) = self.releases.remove(&app_id) {
                    let pending = gone
                        .iter()
                        .filter(|r| r.value["status"] == "pending")
                        .count();
                    self.pending_releases -= pending;
                }
                self.formation.remove(&app_id);
                self.domains.remove(&app_id);
                self.log_drains.remove(&app_id);
                self.collaborators.remove(&app_id);
                self.builds.remove(&app_id);
                self.addons
                    .retain(|a| a.pointer("/app/id").and_then(Value::as_str) != Some(&app_id));
                self.couplings
                    .retain(|c| c.pointer("/app/id").and_then(Value::as_str) != Some(&app_id));
                ok(app)
            }

            // ---------------------------------------------------- config vars
            "config-var.info_for_app" => {
                let app = self.app(cx.param("app_identity"))?;
                ok(of_app(&self.config, &app))
            }
            "config-var.info_for_app_release" => {
                let app = self.app(cx.param("app_identity"))?;
                let r = self.find_release(app_id(&app), cx.last())?;
                ok(json!(self.releases[app_id(&app)][r].config))
            }
            "config-var.update" => {
                let app = self.app(cx.param("app_identity"))?;
                let id = app_id(&app).to_string();
                let changes = cx.body.as_object().cloned().unwrap_or_default();
                let vars = self.config.entry(id.clone()).or_default();
                let mut set_keys = Vec::new();
                let mut removed = Vec::new();
                for (k, v) in &changes {
                    match v {
                        Value::Null => {
                            if vars.remove(k).is_some() {
                                removed.push(k.clone());
                            }
                        }
                        Value::String(s) => {
                            vars.insert(k.clone(), s.clone());
                            set_keys.push(k.clone());
                        }
                        other => {
                            return Err(invalid(format!(
                                "{k} must be a string or null, not {other}"
                            )))
                        }
                    }
                }
                let result = json!(vars);
                let mut parts = Vec::new();
                if !set_keys.is_empty() {
                    parts.push(format!("Set {} config vars", set_keys.join(", ")));
                }
                if !removed.is_empty() {
                    parts.push(format!("Remove {} config vars", removed.join(", ")));
                }
                if !parts.is_empty() {
                    let slug = self.current_slug(&id);
                    self.new_release(cx.spec, &id, &parts.join("; "), slug, cx.now);
                }
                ok(result)
            }

            // ---------------------------------------------------- releases
            "release.list" => {
                let app = self.app(cx.param("app_identity"))?;
                let list: Vec<Value> = self
                    .releases
                    .get(app_id(&app))
                    .map(|rs| rs.iter().map(|r| r.value.clone()).collect())
                    .unwrap_or_default();
                ok(json!(list))
            }
            "release.info" => {
                let app = self.app(cx.param("app_identity"))?;
                let r = self.find_release(app_id(&app), cx.last())?;
                ok(self.releases[app_id(&app)][r].value.clone())
            }
            "release.create" => {
                let app = self.app(cx.param("app_identity"))?;
                let slug = cx
                    .str_field("slug")
                    .ok_or_else(|| invalid("slug is required"))?;
                if !self.slugs.contains_key(&slug) {
                    return Err(not_found("slug"));
                }
                let desc = cx
                    .str_field("description")
                    .unwrap_or_else(|| "Deploy".to_string());
                let r = self.new_release(cx.spec, app_id(&app), &desc, Some(slug), cx.now);
                created(r)
            }
            "release.rollback" => {
                let app = self.app(cx.param("app_identity"))?;
                let target = cx
                    .str_field("release")
                    .ok_or_else(|| invalid("release is required"))?;
                let id = app_id(&app).to_string();
                let r = self.find_release(&id, &target)?;
                let (version, slug, config) = {
                    let old = &self.releases[&id][r];
                    (
                        old.value["version"].as_i64().unwrap_or(0),
                        old.value
                            .pointer("/slug/id")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        old.config.clone(),
                    )
                };
                self.config.insert(id.clone(), config);
                let r = self.new_release(
                    cx.spec,
                    &id,
                    &format!("Rollback to v{version}"),
                    slug,
                    cx.now,
                );
                created(r)
            }

            // ---------------------------------------------------- formation and dynos
            "formation.list" => {
                let app = self.app(cx.param("app_identity"))?;
                ok(of_app(&self.formation, &app))
            }
            "formation.info" => {
                let app = self.app(cx.param("app_identity"))?;
                let ty = cx.last();
                self.formation
                    .get(app_id(&app))
                    .and_then(|f| f.iter().find(|p| p["type"] == ty || p["id"] == ty))
                    .cloned()
                    .map(|f| Reply::Json(200, f))
                    .ok_or_else(|| not_found("process type"))
            }
            "formation.update" => {
                let app = self.app(cx.param("app_identity"))?;
                let ty = cx.last().to_string();
                let p = self.scale(&app, &ty, cx.body)?;
                ok(p)
            }
            "formation.batch_update" => {
                let app = self.app(cx.param("app_identity"))?;
                let updates = cx
                    .body
                    .get("updates")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                // All or nothing: an unknown type fails the batch before
                // any change.
                let known = self.formation.get(app_id(&app));
                for u in &updates {
                    let ty = u.get("type").and_then(Value::as_str).unwrap_or("");
                    if !ty.is_empty() && known.is_none_or(|f| !f.iter().any(|p| p["type"] == ty)) {
                        return Err(no_process_type(ty));
                    }
                }
                let mut out = Vec::new();
                for u in &updates {
                    let ty = u
                        .get("type")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    out.push(self.scale(&app, &ty, u)?);
                }
                ok(json!(out))
            }
            "dyno.list" => {
                let app = self.app(cx.param("app_identity"))?;
                ok(json!(self.dynos(cx, &app)))
            }
            "dyno.info" => {
                let app = self.app(cx.param("app_identity"))?;
                let want = cx.last();
                self.dynos(cx, &app)
                    .into_iter()
                    .find(|d| d["name"] == want || d["id"] == want)
                    .map(|d| Reply::Json(200, d))
                    .ok_or_else(|| not_found("dyno"))
            }
            "dyno.create" => {
                let app = self.app(cx.param("app_identity"))?;
                let command = cx.str_field("command").unwrap_or_default();
                let mut d = cx.template();
                let id = self.id();
                let n = self.one_off_dynos.get(app_id(&app)).map_or(0, Vec::len) + 1;
                let now = self.timestamp();
                set(&mut d, "id", json!(id));
                set(&mut d, "name", json!(format!("run.{n}")));
                set(&mut d, "command", json!(command));
                set(&mut d, "type", json!("run"));
                set(&mut d, "state", json!("up"));
                set(&mut d, "created_at", json!(now));
                set(&mut d, "updated_at", json!(now));
                set(&mut d, "attach_url", Value::Null);
                set_ref(&mut d, "app", &app);
                add_to_app(&mut self.one_off_dynos, &app, d.clone());
                created(d)
            }
            "dyno.restart" | "dyno.stop" => {
                let app = self.app(cx.param("app_identity"))?;
                let want = cx.last();
                if !self
                    .dynos(cx, &app)
                    .iter()
                    .any(|d| d["name"] == want || d["id"] == want)
                {
                    return Err(not_found("dyno"));
                }
                ok(json!({}))
            }
            "dyno.restart_all" | "dyno.restart_formation" | "dyno.stop_formation" => {
                self.app(cx.param("app_identity"))?;
                ok(json!({}))
            }

            // ---------------------------------------------------- sources, builds, slugs
            "source.create" | "source.create_deprecated" => {
                let blob = self.id();
                self.blobs.insert(blob.clone(), None);
                let url = format!("{}/__fake/blobs/{blob}", cx.base_url);
                let mut s = cx.template();
                if let Some(sb) = s.get_mut("source_blob") {
                    set(sb, "get_url", json!(url));
                    set(sb, "put_url", json!(url));
                }
                created(s)
            }
            "build.create" => {
                let app = self.app(cx.param("app_identity"))?;
                let url = cx
                    .body
                    .pointer("/source_blob/url")
                    .and_then(Value::as_str)
                    .ok_or_else(|| invalid("source_blob.url is required"))?
                    .to_string();
                let blob = url.rsplit('/').next().unwrap_or("");
                let source = match self.blobs.get(blob) {
                    Some(Some(bytes)) if !bytes.is_empty() => Some(bytes.as_slice()),
                    _ => None,
                };
                let ok_source = source.is_some();
                let process_types = source.and_then(procfile_of).unwrap_or_else(|| {
                    BTreeMap::from([("web".to_string(), "bin/web".to_string())])
                });
                let mut b = cx.template();
                let id = self.id();
                let now = self.timestamp();
                set(&mut b, "id", json!(id));
                set(&mut b, "status", json!("pending"));
                set(&mut b, "created_at", json!(now));
                set(&mut b, "updated_at", json!(now));
                set(
                    &mut b,
                    "output_stream_url",
                    json!(format!("{}/__fake/streams/builds/{id}", cx.base_url)),
                );
                set(&mut b, "release", Value::Null);
                set(&mut b, "slug", Value::Null);
                set_ref(&mut b, "app", &app);
                let account = self.account(cx.spec);
                set_ref(&mut b, "user", &account);
                if let Some(sb) = b.get_mut("source_blob") {
                    set(sb, "url", json!(url));
                    // The rest of what was sent (version, checksum, its
                    // description) is kept, as Heroku keeps it.
                    for key in ["version", "checksum", "version_description"] {
                        let sent = cx.body.pointer(&format!("/source_blob/{key}"));
                        set(sb, key, sent.cloned().unwrap_or(Value::Null));
                    }
                }
                self.builds
                    .entry(app_id(&app).to_string())
                    .or_default()
                    .push(Build {
                        value: b.clone(),
                        created: cx.now,
                        ok: ok_source,
                        process_types,
                        finished: false,
                    });
                created(b)
            }
            "build.info" => {
                let app = self.app(cx.param("app_identity"))?;
                let want = cx.last();
                self.builds
                    .get(app_id(&app))
                    .and_then(|bs| bs.iter().find(|b| b.value["id"] == want))
                    .map(|b| Reply::Json(200, b.value.clone()))
                    .ok_or_else(|| not_found("build"))
            }
            "build.list" => {
                let app = self.app(cx.param("app_identity"))?;
                let list: Vec<Value> = self
                    .builds
                    .get(app_id(&app))
                    .map(|bs| bs.iter().map(|b| b.value.clone()).collect())
                    .unwrap_or_default();
                ok(json!(list))
            }
            "slug.info" => {
                self.app(cx.param("app_identity"))?;
                self.slugs
                    .get(cx.last())
                    .cloned()
                    .map(|s| Reply::Json(200, s))
                    .ok_or_else(|| not_found("slug"))
            }
            "slug.create" => {
                let app = self.app(cx.param("app_identity"))?;
                let mut s = cx.template();
                let id = self.id();
                set(&mut s, "id", json!(id));
                if let Some(pt) = cx.body.get("process_types") {
                    set(&mut s, "process_types", pt.clone());
                }
                if let Some(blob) = s.get_mut("blob") {
                    set(
                        blob,
                        "url",
                        json!(format!("{}/__fake/blobs/{id}", cx.base_url)),
                    );
                }
                let _ = app;
                self.blobs.insert(id.clone(), None);
                self.slugs.insert(id, s.clone());
                created(s)
            }

            // ---------------------------------------------------- pipelines
            "pipeline.create" => {
                let name = cx
                    .str_field("name")
                    .ok_or_else(|| invalid("name is required"))?;
                if self.pipelines.iter().any(|p| p["name"] == name.as_str()) {
                    return Err(invalid("Name is already taken"));
                }
                let mut p = cx.template();
                let id = self.id();
                let now = self.timestamp();
                set(&mut p, "id", json!(id));
                set(&mut p, "name", json!(name));
                set(&mut p, "created_at", json!(now));
                set(&mut p, "updated_at", json!(now));
                self.pipelines.push(p.clone());
                created(p)
            }
            "pipeline.info" => {
                let want = cx.last();
                self.pipeline(want).map(|p| Reply::Json(200, p))
            }
            "pipeline.list" => ok(json!(self.pipelines)),
            "pipeline.update" => {
                let want = cx.last().to_string();
                let i = self
                    .pipeline_index(&want)
                    .ok_or_else(|| not_found("pipeline"))?;
                if let Some(name) = cx.str_field("name") {
                    set(&mut self.pipelines[i], "name", json!(name));
                }
                ok(self.pipelines[i].clone())
            }
            "pipeline.delete" => {
                let want = cx.last().to_string();
                let i = self
                    .pipeline_index(&want)
                    .ok_or_else(|| not_found("pipeline"))?;
                let p = self.pipelines.remove(i);
                self.couplings
                    .retain(|c| c.pointer("/pipeline/id") != p.get("id"));
                ok(p)
            }
            "pipeline-coupling.create" => {
                let app = self.app(&cx.str_field("app").unwrap_or_default())?;
                let pipeline = self.pipeline(&cx.str_field("pipeline").unwrap_or_default())?;
                let stage = cx.str_field("stage").unwrap_or_default();
                if self
                    .couplings
                    .iter()
                    .any(|c| c.pointer("/app/id") == app.get("id"))
                {
                    return Err(invalid("App is already part of a pipeline"));
                }
                let mut c = cx.template();
                let id = self.id();
                let now = self.timestamp();
                set(&mut c, "id", json!(id));
                set(&mut c, "stage", json!(stage));
                set(&mut c, "created_at", json!(now));
                set(&mut c, "updated_at", json!(now));
                set_ref(&mut c, "app", &app);
                set_ref(&mut c, "pipeline", &pipeline);
                self.couplings.push(c.clone());
                created(c)
            }
            "pipeline-coupling.list" | "pipeline-coupling.list_by_current_user" => {
                ok(json!(self.couplings))
            }
            "pipeline-coupling.list_by_pipeline" => {
                let p = self.pipeline(cx.last())?;
                let list: Vec<Value> = self
                    .couplings
                    .iter()
                    .filter(|c| c.pointer("/pipeline/id") == p.get("id"))
                    .cloned()
                    .collect();
                ok(json!(list))
            }
            "pipeline-coupling.info" => {
                let want = cx.last();
                self.couplings
                    .iter()
                    .find(|c| c["id"] == want)
                    .cloned()
                    .map(|c| Reply::Json(200, c))
                    .ok_or_else(|| not_found("pipeline coupling"))
            }
            "pipeline-coupling.info_by_app" => {
                let app = self.app(cx.param("app_identity"))?;
                self.couplings
                    .iter()
                    .find(|c| c.pointer("/app/id") == app.get("id"))
                    .cloned()
                    .map(|c| Reply::Json(200, c))
                    .ok_or_else(|| not_found("pipeline coupling"))
            }
            "pipeline-coupling.update" | "pipeline-coupling.delete" => {
                let want = cx.last();
                let i = self
                    .couplings
                    .iter()
                    .position(|c| c["id"] == want)
                    .ok_or_else(|| not_found("pipeline coupling"))?;
                if id == "pipeline-coupling.delete" {
                    return ok(self.couplings.remove(i));
                }
                if let Some(stage) = cx.str_field("stage") {
                    set(&mut self.couplings[i], "stage", json!(stage));
                }
                ok(self.couplings[i].clone())
            }
            "pipeline-promotion.create" => {
                let pipeline = self.pipeline(
                    cx.body
                        .pointer("/pipeline/id")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                )?;
                let source_id = cx
                    .body
                    .pointer("/source/app/id")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                let source = self.app(&source_id)?;
                let source_release = self
                    .releases
                    .get(app_id(&source))
                    .and_then(|rs| rs.last())
                    .map(|r| r.value.clone())
                    .ok_or_else(|| invalid("The source app has no release to promote"))?;
                let mut p = cx.template();
                let id = self.id();
                let now = self.timestamp();
                set(&mut p, "id", json!(id));
                set(&mut p, "status", json!("pending"));
                set(&mut p, "created_at", json!(now));
                set(&mut p, "updated_at", Value::Null);
                set_ref(&mut p, "pipeline", &pipeline);
                if let Some(src) = p.get_mut("source") {
                    set_ref(src, "app", &source);
                    set_ref(src, "release", &source_release);
                }
                let mut targets = Vec::new();
                let target_template = synth::of_type(
                    cx.spec,
                    "pipeline_promotion_target::PipelinePromotionTarget",
                );
                for t in cx
                    .body
                    .get("targets")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
                {
                    let tid = t
                        .pointer("/app/id")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    let app = self.app(&tid)?;
                    let mut target = target_template.clone();
                    let target_id = self.id();
                    set(&mut target, "id", json!(target_id));
                    set(&mut target, "status", json!("pending"));
                    set(&mut target, "error_message", Value::Null);
                    set(&mut target, "release", Value::Null);
                    set_ref(&mut target, "app", &app);
                    set_ref(&mut target, "pipeline_promotion", &p);
                    targets.push(target);
                }
                self.promotions.push(Promotion {
                    value: p.clone(),
                    targets,
                    created: cx.now,
                    finished: false,
                });
                created(p)
            }
            "pipeline-promotion.info" => {
                let want = cx.last();
                self.promotions
                    .iter()
                    .find(|p| p.value["id"] == want)
                    .map(|p| Reply::Json(200, p.value.clone()))
                    .ok_or_else(|| not_found("promotion"))
            }
            "pipeline-promotion-target.list" => {
                let want = cx.last();
                self.promotions
                    .iter()
                    .find(|p| p.value["id"] == want)
                    .map(|p| Reply::Json(200, json!(p.targets)))
                    .ok_or_else(|| not_found("promotion"))
            }

            // ---------------------------------------------------- add-ons
            "add-on.create" => {
                let app = self.app(cx.param("app_identity"))?;
                let plan = cx
                    .str_field("plan")
                    .ok_or_else(|| invalid("plan is required"))?;
                let service = plan.split(':').next().unwrap_or(&plan).to_string();
                let var = match service.as_str() {
                    "heroku-postgresql" => "DATABASE_URL".to_string(),
                    "heroku-redis" => "REDIS_URL".to_string(),
                    other => format!("{}_URL", other.to_ascii_uppercase().replace('-', "_")),
                };
                let mut a = cx.template();
                let id = self.id();
                let now = self.timestamp();
                let words = self.words();
                let name = cx
                    .str_field("name")
                    .unwrap_or_else(|| format!("{service}-{words}"));
                set(&mut a, "id", json!(id));
                set(&mut a, "name", json!(name));
                set(&mut a, "config_vars", json!([var]));
                set(&mut a, "state", json!("provisioned"));
                set(&mut a, "created_at", json!(now));
                set(&mut a, "updated_at", json!(now));
                // A string in the schema (not nullable): no message from the
                // provider is the empty string, not `null`.
                set(&mut a, "provision_message", json!(""));
                set_ref(&mut a, "app", &app);
                if let Some(p) = a.get_mut("plan") {
                    set(p, "name", json!(plan));
                }
                if let Some(s) = a.get_mut("addon_service") {
                    set(s, "name", json!(service));
                }
                let app_key = app_id(&app).to_string();
                // Heroku Postgres URLs start `postgres://`
                // (../shared/reference/api-behaviour.md).
                let scheme = match service.as_str() {
                    "heroku-postgresql" => "postgres".to_string(),
                    other => other.replace("heroku-", ""),
                };
                let value = format!("{scheme}://fake:{}@localhost:5432/{}", &id[..8], name);
                self.config
                    .entry(app_key.clone())
                    .or_default()
                    .insert(var.clone(), value);
                let slug = self.current_slug(&app_key);
                self.new_release(
                    cx.spec,
                    &app_key,
                    &format!("Attach {} ({name})", var.trim_end_matches("_URL")),
                    slug,
                    cx.now,
                );
                self.addons.push(a.clone());
                self.attachment_event(cx.spec, &a, &var, "create");
                created(a)
            }
            "add-on.list" | "add-on.list_by_user" => ok(json!(self.addons)),
            "add-on.list_by_app" => {
                let app = self.app(cx.param("app_identity"))?;
                let list: Vec<Value> = self
                    .addons
                    .iter()
                    .filter(|a| a.pointer("/app/id") == app.get("id"))
                    .cloned()
                    .collect();
                ok(json!(list))
            }
            "add-on.info" | "add-on.info_by_app" | "add-on.delete" | "add-on.update" => {
                if id == "add-on.info_by_app" {
                    self.app(cx.param("app_identity"))?;
                }
                let want = cx.last();
                let i = self
                    .addons
                    .iter()
                    .position(|a| a["id"] == want || a["name"] == want)
                    .ok_or_else(|| not_found("add-on"))?;
                match id {
                    "add-on.delete" => {
                        let a = self.addons.remove(i);
                        let app_key = a
                            .pointer("/app/id")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string();
                        if let Some(vars) = self.config.get_mut(&app_key) {
                            for v in a
                                .get("config_vars")
                                .and_then(Value::as_array)
                                .into_iter()
                                .flatten()
                            {
                                if let Some(v) = v.as_str() {
                                    vars.remove(v);
                                }
                            }
                        }
                        let slug = self.current_slug(&app_key);
                        let name = a["name"].as_str().unwrap_or("").to_string();
                        self.new_release(
                            cx.spec,
                            &app_key,
                            &format!("Detach {name}"),
                            slug,
                            cx.now,
                        );
                        let var = a
                            .pointer("/config_vars/0")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string();
                        self.attachment_event(cx.spec, &a, &var, "destroy");
                        ok(a)
                    }
                    "add-on.update" => {
                        if let Some(plan) = cx.str_field("plan") {
                            if let Some(p) = self.addons[i].get_mut("plan") {
                                set(p, "name", json!(plan));
                            }
                        }
                        ok(self.addons[i].clone())
                    }
                    _ => ok(self.addons[i].clone()),
                }
            }

            // ---------------------------------------------------- domains
            "domain.create" => {
                let app = self.app(cx.param("app_identity"))?;
                let hostname = cx
                    .str_field("hostname")
                    .ok_or_else(|| invalid("hostname is required"))?;
                let list = self.domains.entry(app_id(&app).to_string()).or_default();
                if list.iter().any(|d| d["hostname"] == hostname.as_str()) {
                    return Err(invalid("Domain already added to this app."));
                }
                let mut d = cx.template();
                let id = self.id();
                let now = self.timestamp();
                let cname = format!("{}.herokudns.com", self.words());
                set(&mut d, "id", json!(id));
                set(&mut d, "hostname", json!(hostname));
                set(&mut d, "cname", json!(cname));
                set(&mut d, "kind", json!("custom"));
                set(&mut d, "status", json!("pending"));
                set(&mut d, "created_at", json!(now));
                set(&mut d, "updated_at", json!(now));
                set(&mut d, "sni_endpoint", Value::Null);
                set_ref(&mut d, "app", &app);
                self.pending_domains.insert(id.clone(), cx.now);
                add_to_app(&mut self.domains, &app, d.clone());
                created(d)
            }
            "domain.list" => {
                let app = self.app(cx.param("app_identity"))?;
                ok(of_app(&self.domains, &app))
            }
            "domain.info" | "domain.delete" | "domain.update" => {
                let app = self.app(cx.param("app_identity"))?;
                let want = cx.last().to_string();
                let list = self.domains.entry(app_id(&app).to_string()).or_default();
                let i = list
                    .iter()
                    .position(|d| d["id"] == want.as_str() || d["hostname"] == want.as_str())
                    .ok_or_else(|| not_found("domain"))?;
                match id {
                    "domain.delete" => ok(list.remove(i)),
                    "domain.update" => {
                        if let Some(sni) = cx.body.get("sni_endpoint") {
                            let v = if sni.is_null() {
                                Value::Null
                            } else {
                                json!({ "id": sni, "name": sni })
                            };
                            set(&mut list[i], "sni_endpoint", v);
                        }
                        ok(list[i].clone())
                    }
                    _ => ok(list[i].clone()),
                }
            }

            // ---------------------------------------------------- log sessions
            "log-session.create" => {
                let app = self.app(cx.param("app_identity"))?;
                let id = self.id();
                let lines = cx.body.get("lines").and_then(Value::as_i64).unwrap_or(100);
                let tail = cx
                    .body
                    .get("tail")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                self.log_sessions
                    .insert(id.clone(), app_id(&app).to_string());
                let mut s = cx.template();
                let now = self.timestamp();
                set(&mut s, "id", json!(id));
                set(&mut s, "created_at", json!(now));
                set(&mut s, "updated_at", json!(now));
                set(
                    &mut s,
                    "logplex_url",
                    json!(format!(
                        "{}/__fake/logs/{id}?lines={lines}&tail={tail}",
                        cx.base_url
                    )),
                );
                created(s)
            }

            // ---------------------------------------------------- log drains
            // Heroku takes syslog, syslog+tls, http and https drain URLs
            // (Dev Center "Log Drains"); one URL per app. The 422 messages
            // are Rails-style validation messages as Heroku words them for
            // other fields; the exact text for drains is not recorded.
            "log-drain.create" => {
                let app = self.app(cx.param("app_identity"))?;
                let url = cx
                    .str_field("url")
                    .ok_or_else(|| invalid("url is required"))?;
                let scheme = url.split_once("://").map(|(s, rest)| (s, rest.is_empty()));
                if !matches!(
                    scheme,
                    Some(("syslog" | "syslog+tls" | "http" | "https", false))
                ) {
                    return Err(invalid("Url is invalid"));
                }
                let list = self.log_drains.entry(app_id(&app).to_string()).or_default();
                if list.iter().any(|d| d["url"] == url.as_str()) {
                    return Err(invalid("Url has already been taken"));
                }
                let mut d = cx.template();
                let id = self.id();
                let token = format!("d.{}", self.id());
                let now = self.timestamp();
                set(&mut d, "id", json!(id));
                set(&mut d, "token", json!(token));
                set(&mut d, "url", json!(url));
                set(&mut d, "addon", Value::Null);
                set(&mut d, "created_at", json!(now));
                set(&mut d, "updated_at", json!(now));
                set_ref(&mut d, "app", &app);
                add_to_app(&mut self.log_drains, &app, d.clone());
                created(d)
            }
            "log-drain.list" => {
                let app = self.app(cx.param("app_identity"))?;
                ok(of_app(&self.log_drains, &app))
            }
            "log-drain.info" | "log-drain.delete" => {
                let app = self.app(cx.param("app_identity"))?;
                let want = cx.last();
                let list = self.log_drains.entry(app_id(&app).to_string()).or_default();
                let i = list
                    .iter()
                    .position(|d| d["id"] == want || d["url"] == want || d["token"] == want)
                    .ok_or_else(|| not_found("log drain"))?;
                if id == "log-drain.delete" {
                    ok(list.remove(i))
                } else {
                    ok(list[i].clone())
                }
            }

            // ---------------------------------------------------- collaborators
            "collaborator.create" => {
                let app = self.app(cx.param("app_identity"))?;
                let email = cx
                    .str_field("user")
                    .ok_or_else(|| invalid("user is required"))?;
                let list = self
                    .collaborators
                    .entry(app_id(&app).to_string())
                    .or_default();
                if list.iter().any(|c| {
                    c.pointer("/user/email").and_then(Value::as_str) == Some(email.as_str())
                }) {
                    return Err(invalid("User is already a collaborator on this app."));
                }
                let mut c = cx.template();
                let id = self.id();
                let user_id = self.id();
                let now = self.timestamp();
                set(&mut c, "id", json!(id));
                set(&mut c, "created_at", json!(now));
                set(&mut c, "updated_at", json!(now));
                set(&mut c, "role", Value::Null);
                if let Some(u) = c.get_mut("user") {
                    set(u, "email", json!(email));
                    set(u, "id", json!(user_id));
                }
                set_ref(&mut c, "app", &app);
                add_to_app(&mut self.collaborators, &app, c.clone());
                created(c)
            }
            "collaborator.list" => {
                let app = self.app(cx.param("app_identity"))?;
                ok(of_app(&self.collaborators, &app))
            }
            "collaborator.info" | "collaborator.delete" => {
                let app = self.app(cx.param("app_identity"))?;
                let want = cx.last().to_string();
                let list = self
                    .collaborators
                    .entry(app_id(&app).to_string())
                    .or_default();
                let i = list
                    .iter()
                    .position(|c| {
                        c["id"] == want.as_str()
                            || c.pointer("/user/email").and_then(Value::as_str)
                                == Some(want.as_str())
                    })
                    .ok_or_else(|| not_found("collaborator"))?;
                if id == "collaborator.delete" {
                    ok(list.remove(i))
                } else {
                    ok(list[i].clone())
                }
            }

            // ---------------------------------------------------- authorizations
            "oauth-authorization.create" => {
                let mut a = cx.template();
                let id = self.id();
                let now = self.timestamp();
                let n = self.authorizations.len() + 1;
                let expires_in = cx.body.get("expires_in").and_then(Value::as_i64);
                set(&mut a, "id", json!(id));
                set(
                    &mut a,
                    "description",
                    json!(cx.str_field("description").unwrap_or_default()),
                );
                set(
                    &mut a,
                    "scope",
                    cx.body.get("scope").cloned().unwrap_or(json!(["global"])),
                );
                set(&mut a, "created_at", json!(now));
                set(&mut a, "updated_at", json!(now));
                let token_id = self.id();
                set(
                    &mut a,
                    "access_token",
                    json!({ "id": token_id, "token": format!("fake-authorization-token-{n}"), "expires_in": expires_in }),
                );
                let refresh = match expires_in {
                    Some(_) => {
                        let rid = self.id();
                        json!({ "id": rid, "token": format!("fake-authorization-refresh-{n}"), "expires_in": null })
                    }
                    None => Value::Null,
                };
                set(&mut a, "refresh_token", refresh);
                self.authorizations.push(a.clone());
                created(a)
            }
            "oauth-authorization.list" => ok(json!(self.authorizations)),
            "oauth-authorization.info" | "oauth-authorization.delete" => {
                let want = cx.last().to_string();
                let i = self
                    .authorizations
                    .iter()
                    .position(|a| a["id"] == want.as_str())
                    .ok_or_else(|| not_found("authorization"))?;
                if id == "oauth-authorization.delete" {
                    ok(self.authorizations.remove(i))
                } else {
                    ok(self.authorizations[i].clone())
                }
            }

            _ => Ok(Reply::Synthesize),
        }
    }

    fn pipeline_index(&self, want: &str) -> Option<usize> {
        self.pipelines
            .iter()
            .position(|p| p["id"] == want || p["name"] == want)
    }

    fn pipeline(&self, want: &str) -> Result<Value, Reply> {
        self.pipeline_index(want)
            .map(|i| self.pipelines[i].clone())
            .ok_or_else(|| not_found("pipeline"))
    }

    fn find_release(&self, app: &str, identity: &str) -> Result<usize, Reply> {
        let list = self.releases.get(app).ok_or_else(|| not_found("release"))?;
        let version: Option<i64> = identity.parse().ok();
        list.iter()
            .position(|r| {
                r.value["id"] == identity
                    || (version.is_some() && r.value["version"].as_i64() == version)
            })
            .ok_or_else(|| not_found("release"))
    }

    fn current_slug(&self, app: &str) -> Option<String> {
        self.releases
            .get(app)
            .and_then(|rs| rs.last())
            .and_then(|r| {
                r.value
                    .pointer("/slug/id")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
    }

    /// Appends a release: the next version, the app's config at this moment.
    fn new_release(
        &mut self,
        spec: &Spec,
        app: &str,
        description: &str,
        slug: Option<String>,
        now: Instant,
    ) -> Value {
        let mut r = synth::of_type(spec, "release::Release");
        let id = self.id();
        let ts = self.timestamp();
        let version = self.releases.get(app).map_or(0, Vec::len) as i64 + 1;
        let account = self.account(spec);
        let app_value = self
            .apps
            .iter()
            .find(|a| a["id"] == app)
            .cloned()
            .unwrap_or(Value::Null);
        set(&mut r, "id", json!(id));
        set(&mut r, "version", json!(version));
        set(&mut r, "description", json!(description));
        set(
            &mut r,
            "status",
            json!(if slug.is_some() {
                "pending"
            } else {
                "succeeded"
            }),
        );
        if slug.is_some() {
            self.pending_releases += 1;
        }
        set(&mut r, "created_at", json!(ts));
        set(&mut r, "updated_at", json!(ts));
        set(&mut r, "current", json!(true));
        set(&mut r, "output_stream_url", Value::Null);
        set(&mut r, "addon_plan_names", json!([]));
        set(&mut r, "artifacts", json!([]));
        set(&mut r, "oci_image", Value::Null);
        set(
            &mut r,
            "slug",
            slug.as_ref().map_or(Value::Null, |s| json!({ "id": s })),
        );
        set_ref(&mut r, "app", &app_value);
        set_ref(&mut r, "user", &account);
        let config = self.config.get(app).cloned().unwrap_or_default();
        let list = self.releases.entry(app.to_string()).or_default();
        for old in list.iter_mut() {
            set(&mut old.value, "current", json!(false));
        }
        list.push(Release {
            value: r.clone(),
            config,
            created: now,
        });
        if let Some(a) = self.apps.iter_mut().find(|a| a["id"] == app) {
            set(a, "released_at", json!(ts));
        }
        self.emit(app, "api:release", "create", &r, json!({}));
        r
    }

    /// Sets the quantity and size of one process type.
    fn scale(&mut self, app: &Value, ty: &str, change: &Value) -> Result<Value, Reply> {
        if ty.is_empty() {
            return Err(invalid("type is required"));
        }
        let now = self.timestamp();
        // The formation holds the process types of the current release's
        // slug (its Procfile); Heroku answers 404 for any other, and so for
        // every type before the first deploy.
        let list = self.formation.entry(app_id(app).to_string()).or_default();
        let Some(i) = list.iter().position(|p| p["type"] == ty) else {
            return Err(no_process_type(ty));
        };
        let p = &mut list[i];
        if let Some(q) = change.get("quantity") {
            if !q.is_i64() || q.as_i64().unwrap_or(0) < 0 {
                return Err(invalid("quantity must be a non-negative integer"));
            }
            set(p, "quantity", q.clone());
        }
        let size = change
            .get("size")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| {
                change
                    .pointer("/dyno_size/name")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
        if let Some(size) = size {
            set(p, "size", json!(size));
            if let Some(s) = p.get_mut("dyno_size") {
                set(s, "name", json!(size));
            }
        }
        set(p, "updated_at", json!(now));
        Ok(p.clone())
    }

    /// The dynos an app runs: one per formation unit, plus one-offs.
    fn dynos(&mut self, cx: &Ctx, app: &Value) -> Vec<Value> {
        let template = synth::of_type(cx.spec, "dyno::Dyno");
        let mut out = Vec::new();
        let key = app_id(app).to_string();
        for p in self.formation.get(&key).cloned().unwrap_or_default() {
            let ty = p["type"].as_str().unwrap_or("web").to_string();
            for n in 1..=p["quantity"].as_i64().unwrap_or(0) {
                let mut d = template.clone();
                // A UUID, as Heroku's are, and the same one for the same
                // unit of the formation on every listing.
                set(&mut d, "id", json!(stable_uuid(&format!("{key}/{ty}/{n}"))));
                set(&mut d, "name", json!(format!("{ty}.{n}")));
                set(&mut d, "type", json!(ty));
                set(&mut d, "state", json!("up"));
                set(&mut d, "command", p["command"].clone());
                set(&mut d, "size", p["size"].clone());
                set(&mut d, "attach_url", Value::Null);
                set_ref(&mut d, "app", app);
                out.push(d);
            }
        }
        out.extend(self.one_off_dynos.get(&key).cloned().unwrap_or_default());
        out
    }

    /// The formation after a release of a slug with `process_types`: types
    /// the slug no longer has go, new ones come at 0 dynos, except `web`
    /// on an app's first formation, which starts at 1 (as on Heroku).
    fn reform(&mut self, spec: &Spec, app: &str, process_types: &BTreeMap<String, String>) {
        let app_value = self
            .apps
            .iter()
            .find(|a| a["id"] == app)
            .cloned()
            .unwrap_or(Value::Null);
        let first = self.formation.get(app).is_none_or(Vec::is_empty);
        let mut kept: Vec<Value> = self
            .formation
            .remove(app)
            .unwrap_or_default()
            .into_iter()
            .filter(|p| {
                p["type"]
                    .as_str()
                    .is_some_and(|t| process_types.contains_key(t))
            })
            .collect();
        for (ty, command) in process_types {
            if let Some(p) = kept.iter_mut().find(|p| p["type"] == ty.as_str()) {
                set(p, "command", json!(command));
                continue;
            }
            let mut p = synth::of_type(spec, "formation::Formation");
            let id = self.id();
            let ts = self.timestamp();
            set(&mut p, "id", json!(id));
            set(&mut p, "type", json!(ty));
            set(&mut p, "quantity", json!(i64::from(first && ty == "web")));
            set(&mut p, "command", json!(command));
            set(&mut p, "size", json!("Basic"));
            if let Some(s) = p.get_mut("dyno_size") {
                set(s, "name", json!("Basic"));
            }
            set(&mut p, "created_at", json!(ts));
            set(&mut p, "updated_at", json!(ts));
            set_ref(&mut p, "app", &app_value);
            kept.push(p);
        }
        self.formation.insert(app.to_string(), kept);
    }

    /// Moves time-driven work forward: builds finish, releases and
    /// promotions leave `pending`.
    fn settle(&mut self, spec: &Spec, now: Instant) {
        // Builds.
        let mut finished = Vec::new();
        for (app, builds) in &self.builds {
            for (i, b) in builds.iter().enumerate() {
                if !b.finished && now.duration_since(b.created) >= self.timings.build {
                    finished.push((app.clone(), i, b.ok));
                }
            }
        }
        for (app, i, ok) in finished {
            let release = if ok {
                let process_types = self
                    .builds
                    .get(&app)
                    .and_then(|bs| bs.get(i))
                    .map(|b| b.process_types.clone())
                    .unwrap_or_default();
                let slug_id = self.id();
                let mut slug = synth::of_type(spec, "slug::Slug");
                set(&mut slug, "id", json!(slug_id));
                set(&mut slug, "process_types", json!(process_types));
                self.slugs.insert(slug_id.clone(), slug);
                let r = self.new_release(spec, &app, "Deploy", Some(slug_id.clone()), now);
                self.reform(spec, &app, &process_types);
                Some((r, slug_id))
            } else {
                None
            };
            let ts = self.timestamp();
            if let Some(b) = self.builds.get_mut(&app).and_then(|bs| bs.get_mut(i)) {
                b.finished = true;
                set(&mut b.value, "updated_at", json!(ts));
                match release {
                    Some((r, slug)) => {
                        set(&mut b.value, "status", json!("succeeded"));
                        set(&mut b.value, "release", json!({ "id": r["id"] }));
                        set(&mut b.value, "slug", json!({ "id": slug }));
                    }
                    None => set(&mut b.value, "status", json!("failed")),
                }
                let build = b.value.clone();
                self.emit(
                    &app,
                    "api:build",
                    "update",
                    &build,
                    json!({ "status": "pending" }),
                );
            }
        }
        // Releases.
        let release_time = self.timings.release;
        if self.pending_releases > 0 {
            let mut released = Vec::new();
            for (app, list) in self.releases.iter_mut() {
                for r in list.iter_mut() {
                    if r.value["status"] == "pending"
                        && now.duration_since(r.created) >= release_time
                    {
                        set(&mut r.value, "status", json!("succeeded"));
                        self.pending_releases -= 1;
                        released.push((app.clone(), r.value.clone()));
                    }
                }
            }
            for (app, r) in released {
                self.emit(
                    &app,
                    "api:release",
                    "update",
                    &r,
                    json!({ "status": "pending" }),
                );
            }
        }
        // Custom domains.
        let domain_time = self.timings.domain;
        let ready: Vec<String> = self
            .pending_domains
            .iter()
            .filter(|(_, added)| now.duration_since(**added) >= domain_time)
            .map(|(id, _)| id.clone())
            .collect();
        for id in ready {
            self.pending_domains.remove(&id);
            let ts = self.timestamp();
            for d in self.domains.values_mut().flatten() {
                if d["id"] == id.as_str() && d["status"] == "pending" {
                    set(d, "status", json!("succeeded"));
                    set(d, "updated_at", json!(ts.clone()));
                }
            }
        }
        // Promotions.
        let promotion_time = self.timings.promotion;
        let mut due = Vec::new();
        for (i, p) in self.promotions.iter().enumerate() {
            if !p.finished && now.duration_since(p.created) >= promotion_time {
                due.push(i);
            }
        }
        for i in due {
            let source_app = self.promotions[i]
                .value
                .pointer("/source/app/id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let slug = self.current_slug(&source_app);
            let targets = self.promotions[i].targets.clone();
            let mut done = Vec::new();
            for mut t in targets {
                let app = t
                    .pointer("/app/id")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                if self.find_app(&app).is_none() {
                    set(&mut t, "status", json!("failed"));
                    set(
                        &mut t,
                        "error_message",
                        json!("The target app no longer exists"),
                    );
                } else if slug.is_none() {
                    set(&mut t, "status", json!("failed"));
                    set(
                        &mut t,
                        "error_message",
                        json!("The source app has no slug to promote"),
                    );
                } else {
                    let r = self.new_release(spec, &app, "Promote", slug.clone(), now);
                    set(&mut t, "status", json!("succeeded"));
                    set(&mut t, "release", json!({ "id": r["id"] }));
                }
                done.push(t);
            }
            let ts = self.timestamp();
            let p = &mut self.promotions[i];
            p.targets = done;
            p.finished = true;
            set(&mut p.value, "status", json!("completed"));
            set(&mut p.value, "updated_at", json!(ts));
        }
    }

    /// Build output lines so far, and whether the build is done.
    pub fn build_output(
        &mut self,
        spec: &Spec,
        build_id: &str,
        now: Instant,
    ) -> Option<(Vec<String>, bool)> {
        self.settle(spec, now);
        let b = self
            .builds
            .values()
            .flatten()
            .find(|b| b.value["id"] == build_id)?;
        let elapsed = now.duration_since(b.created);
        let total = self.timings.build.max(Duration::from_millis(1));
        let mut lines = vec![
            "-----> Building on the Heroku-24 stack".to_string(),
            "-----> Using buildpack: heroku/fake".to_string(),
            "-----> Installing dependencies".to_string(),
            "-----> Compiling the application".to_string(),
            "-----> Discovering process types".to_string(),
            "       Procfile declares types -> web".to_string(),
            "-----> Compressing...".to_string(),
        ];
        if !b.ok {
            lines.truncate(2);
            lines.push(" !     Push rejected: the source archive is missing or empty".to_string());
        } else {
            lines.push("-----> Launching...".to_string());
        }
        let shown = if b.finished {
            lines.len()
        } else {
            ((elapsed.as_secs_f64() / total.as_secs_f64()) * lines.len() as f64).floor() as usize
        };
        lines.truncate(shown.min(lines.len()));
        if b.finished && b.ok {
            let version = b
                .value
                .pointer("/release/id")
                .and_then(Value::as_str)
                .and_then(|rid| {
                    self.releases
                        .values()
                        .flatten()
                        .find(|r| r.value["id"] == rid)
                        .and_then(|r| r.value["version"].as_i64())
                })
                .unwrap_or(0);
            lines.push(format!("       Released v{version}"));
        }
        Some((lines, b.finished))
    }

    /// Log lines for a log session's app.
    pub fn log_lines(&self, session: &str) -> Option<Vec<String>> {
        let app = self.log_sessions.get(session)?;
        let name = self
            .apps
            .iter()
            .find(|a| a["id"] == app.as_str())
            .and_then(|a| a["name"].as_str())
            .unwrap_or("app");
        let mut out = Vec::new();
        for r in self.releases.get(app).into_iter().flatten() {
            let ts = r.value["created_at"].as_str().unwrap_or("");
            let v = r.value["version"].as_i64().unwrap_or(0);
            let d = r.value["description"].as_str().unwrap_or("");
            out.push(format!(
                "{ts} app[api]: Release v{v} created by developer@example.com: {d}"
            ));
        }
        for p in self.formation.get(app).into_iter().flatten() {
            let ty = p["type"].as_str().unwrap_or("web");
            for n in 1..=p["quantity"].as_i64().unwrap_or(0) {
                out.push(format!("2026-01-01T00:00:00Z heroku[{ty}.{n}]: State changed from starting to up ({name})"));
            }
        }
        Some(out)
    }
}

fn app_id(app: &Value) -> &str {
    app.get("id").and_then(Value::as_str).unwrap_or("")
}

/// Heroku's app name rule: 3–30 characters, lowercase letters, digits and
/// dashes, starting with a letter.
fn valid_app_name(name: &str) -> bool {
    (3..=30).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-')
}

/// The process types of a source tarball's Procfile (`name: command` per
/// line, at the top of the tree), as Heroku reads it; `None` when the
/// source is not a gzipped tarball or has no Procfile.
fn procfile_of(source: &[u8]) -> Option<BTreeMap<String, String>> {
    use std::io::Read;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(source));
    for entry in archive.entries().ok()? {
        let mut entry = entry.ok()?;
        let path = entry.path().ok()?.into_owned();
        let top = path.strip_prefix("./").unwrap_or(&path);
        if top != std::path::Path::new("Procfile") {
            continue;
        }
        let mut text = String::new();
        entry.read_to_string(&mut text).ok()?;
        let types: BTreeMap<String, String> = text
            .lines()
            .filter_map(|line| {
                let (name, command) = line.split_once(':')?;
                let name = name.trim();
                let valid = !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                valid.then(|| (name.to_string(), command.trim().to_string()))
            })
            .collect();
        return Some(types);
    }
    None
}
