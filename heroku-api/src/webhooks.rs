//! Receiving Heroku's app webhooks: verify a delivery, then decode it.
//!
//! An app webhook subscription (`client.app_webhook().create(..)`) makes
//! Heroku POST an event to your URL whenever a subscribed entity of the app
//! changes: `api:build`, `api:release`, `api:formation`, `api:addon`, and
//! so on. With a `secret` on the subscription, every delivery carries
//! `Heroku-Webhook-Hmac-SHA256`, the base64 HMAC-SHA256 of the raw body
//! keyed with that secret; with an `authorization`, it carries that value
//! as its `Authorization` header ([Dev Center: App
//! Webhooks](https://devcenter.heroku.com/articles/app-webhooks)).
//!
//! [`Verifier::verify_and_decode`] takes the request's headers and its raw
//! bytes, so it works under any server framework: axum, hyper, actix, a
//! Lambda function. Verify before you parse, and hand it the body exactly
//! as it arrived (re-serialised JSON does not keep the signature).
//!
//! ```
//! use heroku_api::webhooks::{sign, EventData, Verifier, SIGNATURE_HEADER};
//! use reqwest::header::HeaderMap;
//!
//! # fn main() -> Result<(), heroku_api::webhooks::WebhookError> {
//! let body = br#"{"id": "e1", "action": "update", "resource": "release",
//!   "webhook_metadata": {"event": {"id": "e1", "include": "api:release"}},
//!   "data": {"id": "r1", "version": 12, "status": "succeeded", "description": "Deploy 4f1e9c2"}}"#;
//! let mut headers = HeaderMap::new();
//! headers.insert(SIGNATURE_HEADER, sign("my-secret", body).parse().unwrap());
//!
//! let event = Verifier::new("my-secret").verify_and_decode(&headers, body)?;
//! if let EventData::Release(release) = &event.data {
//!     assert_eq!((release.version, event.action.as_str()), (12, "update"));
//! }
//! # Ok(()) }
//! ```
//!
//! Event data is decoded as tolerantly as API answers (see
//! [`decode`](crate::decode)): Heroku sends the resource as the API shows
//! it, with extra keys and at times an older shape. The envelope's and the
//! data's deviations are in [`Event::deviations`], data pointers under
//! `/data`. An entity this crate does not know decodes as
//! [`EventData::Other`] with its raw JSON, never as an error.

use std::fmt;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use reqwest::header::HeaderMap;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::decode::{Decode, DecodeContext, Deviation};

/// The header that carries a delivery's signature.
pub const SIGNATURE_HEADER: &str = "Heroku-Webhook-Hmac-SHA256";

/// Checks deliveries against a subscription's secret (and, optionally, its
/// `authorization` value). `Debug` never shows either.
#[derive(Clone)]
pub struct Verifier {
    secret: Vec<u8>,
    authorization: Option<Vec<u8>>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("secret", &"[redacted]")
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

impl Verifier {
    /// Verifies with the subscription's `secret`.
    pub fn new(secret: impl AsRef<[u8]>) -> Self {
        Verifier {
            secret: secret.as_ref().to_vec(),
            authorization: None,
        }
    }

    /// Also requires the delivery's `Authorization` header to equal
    /// `value` (the subscription's `authorization`), compared in constant
    /// time.
    pub fn authorization(mut self, value: impl AsRef<[u8]>) -> Self {
        self.authorization = Some(value.as_ref().to_vec());
        self
    }

    /// Checks the signature (and the `Authorization` header, if set) of a
    /// delivery's raw body.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
        if let Some(expected) = &self.authorization {
            let sent = headers
                .get(reqwest::header::AUTHORIZATION)
                .ok_or(WebhookError::MissingAuthorization)?;
            if !bool::from(sent.as_bytes().ct_eq(expected)) {
                return Err(WebhookError::BadAuthorization);
            }
        }
        let sent = headers
            .get(SIGNATURE_HEADER)
            .ok_or(WebhookError::MissingSignature)?;
        let sent = base64::engine::general_purpose::STANDARD
            .decode(sent.as_bytes().trim_ascii())
            .map_err(|_| WebhookError::BadSignature)?;
        // `verify_slice` compares in constant time, and refuses a
        // signature of the wrong length.
        mac(&self.secret, body)
            .ok_or(WebhookError::BadSignature)?
            .verify_slice(&sent)
            .map_err(|_| WebhookError::BadSignature)
    }

    /// Verifies a delivery, then decodes it.
    pub fn verify_and_decode(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Event, WebhookError> {
        self.verify(headers, body)?;
        decode_event(body)
    }
}

/// The HMAC of `body`; `None` only if the key were refused, which HMAC
/// never does (it takes keys of any length).
fn mac(secret: &[u8], body: &[u8]) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(body);
    Some(mac)
}

/// The `Heroku-Webhook-Hmac-SHA256` value Heroku sends for `body` under
/// `secret`: for tests of your receiver, and for fakes.
pub fn sign(secret: impl AsRef<[u8]>, body: &[u8]) -> String {
    match mac(secret.as_ref(), body) {
        Some(mac) => base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()),
        None => String::new(),
    }
}

/// Why a delivery was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// No `Heroku-Webhook-Hmac-SHA256` header: unsigned, or the
    /// subscription has no secret.
    #[error("the delivery has no {SIGNATURE_HEADER} header")]
    MissingSignature,
    /// The signature does not match the body under this secret (a wrong
    /// secret, a changed body, or not base64 of 32 bytes).
    #[error("the delivery's signature does not match its body")]
    BadSignature,
    /// An `Authorization` value was required and none came.
    #[error("the delivery has no Authorization header")]
    MissingAuthorization,
    /// The `Authorization` header is not the subscription's.
    #[error("the delivery's Authorization header is not the expected one")]
    BadAuthorization,
    /// The body is not JSON, or not an object.
    #[error(transparent)]
    Decode(Box<crate::DecodeError>),
}

/// What happened to the entity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Action {
    /// `create`
    Create,
    /// `update`
    Update,
    /// `destroy`
    Destroy,
    /// Anything else (empty when absent).
    #[default]
    Unknown,
    /// A value this version does not know.
    Other(String),
}

impl Action {
    /// The value as sent.
    pub fn as_str(&self) -> &str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Destroy => "destroy",
            Action::Unknown => "",
            Action::Other(s) => s,
        }
    }

    fn parse(s: &str) -> Action {
        match s {
            "create" => Action::Create,
            "update" => Action::Update,
            "destroy" => Action::Destroy,
            "" => Action::Unknown,
            other => Action::Other(other.to_string()),
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who caused the event.
pub type Actor = crate::app_webhook_event::AppWebhookEventActor;

/// The ids of a delivery: of this attempt, the delivery, the event and the
/// subscription (`webhook_metadata`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metadata {
    /// This attempt's id (a `sync` delivery may be attempted several times).
    pub attempt_id: String,
    /// The delivery's id, as in `app_webhook_delivery().info(..)`.
    pub delivery_id: String,
    /// The event's id, as in `app_webhook_event().info(..)`.
    pub event_id: String,
    /// The entity subscribed to (`api:release`).
    pub include: String,
    /// The subscription's id.
    pub webhook_id: String,
}

/// The changed resource, typed by its entity.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EventData {
    /// `api:app`
    App(Box<crate::app::App>),
    /// `api:build`
    Build(Box<crate::build::Build>),
    /// `api:release`
    Release(Box<crate::release::Release>),
    /// `api:formation`
    Formation(Box<crate::formation::Formation>),
    /// `api:dyno` and `dyno`
    Dyno(Box<crate::dyno::Dyno>),
    /// `api:addon`
    AddOn(Box<crate::add_on::AddOn>),
    /// `api:addon-attachment`
    AddOnAttachment(Box<crate::add_on_attachment::AddOnAttachment>),
    /// `api:domain`
    Domain(Box<crate::domain::Domain>),
    /// `api:collaborator`
    Collaborator(Box<crate::collaborator::Collaborator>),
    /// `api:sni-endpoint`
    SniEndpoint(Box<crate::sni_endpoint::SniEndpoint>),
    /// An entity this crate does not know, or data that is not an object.
    Other {
        /// The entity (`api:something`), as the delivery names it.
        entity: String,
        /// The data as it came.
        data: serde_json::Value,
    },
}

/// One webhook delivery, decoded.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Event {
    /// The event's id.
    pub id: String,
    /// `create`, `update` or `destroy`.
    pub action: Action,
    /// Who caused it.
    pub actor: Actor,
    /// The resource's name (`release`, `build`, `dyno`).
    pub resource: String,
    /// The entity (`api:release`, `dyno`): from `webhook_metadata`, else
    /// `api:` and the resource.
    pub entity: String,
    /// The API version the data is shown in.
    pub version: String,
    /// When the event was created.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When the event was updated.
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// When Heroku published it, if it says.
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The resource, typed by its entity.
    pub data: EventData,
    /// The fields that changed, with their values before (`{}` when none).
    pub previous_data: serde_json::Value,
    /// The ids of this delivery.
    pub metadata: Metadata,
    /// How the body differed from what this crate knows of events and of
    /// the resource's model (pointers into the body, data under `/data`).
    pub deviations: Vec<Deviation>,
}

/// Decodes a delivery's body without verifying it: for bodies verified
/// elsewhere, and for tests. Prefer [`Verifier::verify_and_decode`].
pub fn decode_event(body: &[u8]) -> Result<Event, WebhookError> {
    let envelope = crate::decode::from_slice::<Envelope>(body).map_err(into_webhook_error)?;
    let mut deviations = envelope.deviations;
    let e = envelope.value;
    let entity = if e.webhook_metadata.event.include.is_empty() {
        format!("api:{}", e.resource)
    } else {
        e.webhook_metadata.event.include.clone()
    };
    let (data, found) = typed_data(&entity, e.data);
    deviations.extend(found.into_iter().map(|d| d.under("/data")));
    let m = e.webhook_metadata;
    Ok(Event {
        id: e.id,
        action: Action::parse(&e.action),
        actor: e.actor,
        resource: e.resource,
        entity,
        version: e.version,
        created_at: e.created_at,
        updated_at: e.updated_at,
        published_at: e.published_at,
        data,
        previous_data: e.previous_data,
        metadata: Metadata {
            attempt_id: m.attempt.id,
            delivery_id: m.delivery.id,
            event_id: m.event.id,
            include: m.event.include,
            webhook_id: m.webhook.id,
        },
        deviations,
    })
}

fn into_webhook_error(e: crate::Error) -> WebhookError {
    match e {
        crate::Error::Decode(d) => WebhookError::Decode(d),
        // `from_slice` fails only with `Error::Decode`.
        other => WebhookError::Decode(Box::new(crate::DecodeError::new(
            0,
            None,
            String::new(),
            other.to_string(),
            Default::default(),
            Vec::new(),
        ))),
    }
}

/// The data as the entity's model, or `Other` for an unknown entity or data
/// that is not an object.
fn typed_data(entity: &str, data: serde_json::Value) -> (EventData, Vec<Deviation>) {
    fn as_model<T: Decode>(
        entity: &str,
        data: serde_json::Value,
        wrap: fn(Box<T>) -> EventData,
    ) -> (EventData, Vec<Deviation>) {
        match crate::decode::from_value::<T>(&data) {
            Ok(d) => (wrap(Box::new(d.value)), d.deviations),
            Err(deviation) => (
                EventData::Other {
                    entity: entity.to_string(),
                    data,
                },
                vec![deviation],
            ),
        }
    }
    match entity {
        "api:app" => as_model(entity, data, EventData::App),
        "api:build" => as_model(entity, data, EventData::Build),
        "api:release" => as_model(entity, data, EventData::Release),
        "api:formation" => as_model(entity, data, EventData::Formation),
        "api:dyno" | "dyno" => as_model(entity, data, EventData::Dyno),
        "api:addon" => as_model(entity, data, EventData::AddOn),
        "api:addon-attachment" => as_model(entity, data, EventData::AddOnAttachment),
        "api:domain" => as_model(entity, data, EventData::Domain),
        "api:collaborator" => as_model(entity, data, EventData::Collaborator),
        "api:sni-endpoint" => as_model(entity, data, EventData::SniEndpoint),
        _ => (
            EventData::Other {
                entity: entity.to_string(),
                data,
            },
            Vec::new(),
        ),
    }
}

// ---------------------------------------------------------------- the envelope

/// A delivery's body as Heroku sends it
/// (<https://devcenter.heroku.com/articles/webhook-events>), decoded with
/// the same tolerant machinery as the generated models.
#[derive(Debug, Default)]
struct Envelope {
    action: String,
    actor: Actor,
    created_at: chrono::DateTime<chrono::Utc>,
    data: serde_json::Value,
    id: String,
    previous_data: serde_json::Value,
    published_at: Option<chrono::DateTime<chrono::Utc>>,
    resource: String,
    updated_at: chrono::DateTime<chrono::Utc>,
    version: String,
    webhook_metadata: WebhookMetadata,
}

#[derive(Debug, Default)]
struct WebhookMetadata {
    attempt: Id,
    delivery: Id,
    event: EventRef,
    webhook: Id,
}

#[derive(Debug, Default)]
struct Id {
    id: String,
}

#[derive(Debug, Default)]
struct EventRef {
    id: String,
    include: String,
}

/// `Fields` and `Decode` for a hand-written model, as the generator writes
/// them for generated ones: `(field, "key")` pairs in key order.
macro_rules! tolerant_model {
    ($ty:ident { $($field:ident: $key:literal),* $(,)? }) => {
        impl crate::__private::Fields for $ty {
            fn fields<'de, A: serde::de::MapAccess<'de>>(
                mut map: A,
                cx: &mut DecodeContext,
            ) -> Result<Self, A::Error> {
                const KEYS: &[&str] = &[$($key),*];
                let mut out = <Self as Default>::default();
                let mut seen = crate::__private::Seen::<1>::default();
                while let Some(key) = map.next_key::<crate::__private::Key<'de>>()? {
                    let Some(index) = KEYS.iter().position(|k| *k == key.as_str()) else {
                        crate::__private::skip_value(&mut map)?;
                        continue;
                    };
                    match KEYS[index] {
                        $($key => out.$field = crate::__private::field(&mut map, cx, $key)?,)*
                        _ => crate::__private::skip_value(&mut map)?,
                    }
                    seen.set(index);
                }
                seen.report_absent(cx, KEYS, KEYS.len());
                Ok(out)
            }
        }

        impl Decode for $ty {
            fn decode<'de, D: serde::Deserializer<'de>>(
                deserializer: D,
                cx: &mut DecodeContext,
            ) -> Result<Self, D::Error> {
                crate::__private::object(deserializer, cx)
            }
        }
    };
}

tolerant_model!(Envelope {
    action: "action",
    actor: "actor",
    created_at: "created_at",
    data: "data",
    id: "id",
    previous_data: "previous_data",
    published_at: "published_at",
    resource: "resource",
    updated_at: "updated_at",
    version: "version",
    webhook_metadata: "webhook_metadata",
});
tolerant_model!(WebhookMetadata {
    attempt: "attempt",
    delivery: "delivery",
    event: "event",
    webhook: "webhook",
});
tolerant_model!(Id { id: "id" });
tolerant_model!(EventRef {
    id: "id",
    include: "include",
});
