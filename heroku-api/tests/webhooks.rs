//! Verifying and decoding app webhook deliveries.

use heroku_api::webhooks::{
    decode_event, sign, Action, EventData, Verifier, WebhookError, SIGNATURE_HEADER,
};
use proptest::prelude::*;
use reqwest::header::HeaderMap;
use serde_json::{json, Value};

/// A fixed vector computed outside Rust, with both of:
///
/// ```sh
/// printf '%s' '{"action":"update","resource":"release","data":{"id":"r1","version":12}}' > body.json
/// openssl dgst -sha256 -hmac 'whsec-4a7c' -binary body.json | base64
/// python3 -c "import hmac,hashlib,base64;print(base64.b64encode(hmac.new(b'whsec-4a7c', open('body.json','rb').read(), hashlib.sha256).digest()).decode())"
/// ```
const BODY: &[u8] = br#"{"action":"update","resource":"release","data":{"id":"r1","version":12}}"#;
const SECRET: &str = "whsec-4a7c";
const SIGNATURE: &str = "Vx771PQZFO9v6hYvv3gjoiCTVvMKd9DjyEpb0sdiLLs=";

fn signed(signature: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(SIGNATURE_HEADER, signature.parse().unwrap());
    h
}

#[test]
fn the_fixed_vector_verifies_and_sign_reproduces_it() {
    assert_eq!(sign(SECRET, BODY), SIGNATURE);
    let event = Verifier::new(SECRET)
        .verify_and_decode(&signed(SIGNATURE), BODY)
        .unwrap();
    assert_eq!(event.action, Action::Update);
    assert_eq!(event.entity, "api:release");
    let EventData::Release(release) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!((release.id.as_str(), release.version), ("r1", 12));
}

#[test]
fn a_missing_header_is_refused() {
    let err = Verifier::new(SECRET)
        .verify(&HeaderMap::new(), BODY)
        .unwrap_err();
    assert!(matches!(err, WebhookError::MissingSignature), "{err}");
}

#[test]
fn a_wrong_secret_is_refused() {
    let err = Verifier::new("another-secret")
        .verify(&signed(SIGNATURE), BODY)
        .unwrap_err();
    assert!(matches!(err, WebhookError::BadSignature), "{err}");
}

#[test]
fn one_changed_byte_of_the_body_is_refused() {
    for i in 0..BODY.len() {
        let mut body = BODY.to_vec();
        body[i] ^= 0x01;
        let err = Verifier::new(SECRET)
            .verify(&signed(SIGNATURE), &body)
            .unwrap_err();
        assert!(matches!(err, WebhookError::BadSignature), "byte {i}: {err}");
    }
}

#[test]
fn a_signature_of_the_wrong_length_or_not_base64_is_refused() {
    let short = &SIGNATURE[..SIGNATURE.len() - 8];
    let long = format!("{SIGNATURE}AAAA");
    for sig in [short, long.as_str(), "", "not base64 at all!", "Vx771PQZ"] {
        let err = Verifier::new(SECRET)
            .verify(&signed(sig), BODY)
            .unwrap_err();
        assert!(matches!(err, WebhookError::BadSignature), "{sig:?}: {err}");
    }
}

#[test]
fn the_authorization_header_is_checked_when_asked() {
    let v = Verifier::new(SECRET).authorization("Bearer hook-token");
    let mut h = signed(SIGNATURE);
    assert!(matches!(
        v.verify(&h, BODY),
        Err(WebhookError::MissingAuthorization)
    ));
    h.insert("authorization", "Bearer other".parse().unwrap());
    assert!(matches!(
        v.verify(&h, BODY),
        Err(WebhookError::BadAuthorization)
    ));
    h.insert("authorization", "Bearer hook-token".parse().unwrap());
    v.verify(&h, BODY).unwrap();
    let shown = format!("{v:?}");
    assert!(
        !shown.contains(SECRET) && !shown.contains("hook-token"),
        "{shown}"
    );
}

/// The release create event from Dev Center's "Webhook Events" page
/// (https://devcenter.heroku.com/articles/webhook-events), trimmed.
fn release_event() -> Value {
    json!({
        "action": "create",
        "actor": {"email": "user-0165@example.com", "id": "33500732-3b64-436f-9710-64cc569c3e4f"},
        "created_at": "2016-10-26T22:48:45Z",
        "id": "7846bee9-b017-4492-9bed-34cd8327e71d",
        "data": {
            "id": "9ad7e3a0-45bb-46a6-ae1c-d1dfc8d9fb6f",
            "app": {"id": "d2f24bd2-399a-4868-9467-bc0ba2411cc2", "name": "sample-app-0084"},
            "slug": null,
            "user": {"id": "33500732-3b64-436f-9710-64cc569c3e4f", "email": "user-0165@example.com"},
            "status": "pending",
            "current": false,
            "version": 11,
            "created_at": "2016-10-26T22:48:45Z",
            "updated_at": "2016-10-26T22:48:45Z",
            "description": "Deploy 4f1e9c2",
            "output_stream_url": null,
            "addon_plan_names": ["heroku-postgresql:mini"],
            "a_key_the_schema_does_not_have": true
        },
        "previous_data": {},
        "published_at": null,
        "resource": "release",
        "sequence": null,
        "updated_at": "2016-10-26T22:48:45Z",
        "version": "application/vnd.heroku+json; version=3",
        "webhook_metadata": {
            "attempt": {"id": "8a44f820-2354-489d-9a11-a793cbf49979"},
            "delivery": {"id": "d244009a-670f-4340-88e9-789a4f9002d5"},
            "event": {"id": "7846bee9-b017-4492-9bed-34cd8327e71d", "include": "api:release"},
            "webhook": {"id": "b54e6a7e-d162-4bd7-ab42-1011582c19cc"}
        }
    })
}

#[test]
fn a_documented_event_decodes_with_its_envelope_and_typed_data() {
    let body = serde_json::to_vec(&release_event()).unwrap();
    let e = decode_event(&body).unwrap();
    assert_eq!(e.action, Action::Create);
    assert_eq!(e.actor.email, "user-0165@example.com");
    assert_eq!(
        e.metadata.delivery_id,
        "d244009a-670f-4340-88e9-789a4f9002d5"
    );
    assert_eq!(e.metadata.include, "api:release");
    assert_eq!(e.published_at, None);
    let EventData::Release(r) = &e.data else {
        panic!("{:?}", e.data)
    };
    assert_eq!((r.version, r.description.as_str()), (11, "Deploy 4f1e9c2"));
    // The trimmed data lacks fields the model lists: recorded under /data.
    assert!(
        e.deviations.iter().all(|d| d.pointer.starts_with("/data/")),
        "{:?}",
        e.deviations
    );
    assert!(!e.deviations.is_empty());
}

#[test]
fn an_unknown_entity_is_raw_data_not_an_error() {
    let mut v = release_event();
    v["resource"] = json!("pipeline-something");
    v["webhook_metadata"]["event"]["include"] = json!("api:pipeline-something");
    let e = decode_event(&serde_json::to_vec(&v).unwrap()).unwrap();
    let EventData::Other { entity, data } = &e.data else {
        panic!("{:?}", e.data)
    };
    assert_eq!(entity, "api:pipeline-something");
    assert_eq!(data["version"], 11);
}

#[test]
fn a_body_that_is_not_an_object_is_a_decode_error() {
    for body in [&b"[]"[..], b"nope", b"", b"{\"action\": "] {
        assert!(
            matches!(decode_event(body), Err(WebhookError::Decode(_))),
            "{body:?}"
        );
    }
}

const ENTITIES: &[(&str, &str)] = &[
    ("api:app", "app::App"),
    ("api:build", "build::Build"),
    ("api:release", "release::Release"),
    ("api:formation", "formation::Formation"),
    ("api:dyno", "dyno::Dyno"),
    ("dyno", "dyno::Dyno"),
    ("api:addon", "add_on::AddOn"),
    ("api:addon-attachment", "add_on_attachment::AddOnAttachment"),
    ("api:domain", "domain::Domain"),
    ("api:collaborator", "collaborator::Collaborator"),
    ("api:sni-endpoint", "sni_endpoint::SniEndpoint"),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    /// Every entity's event, its data the model's example with keys added
    /// and removed, decodes into its typed variant, and every removed key
    /// is a deviation under /data.
    #[test]
    fn event_payloads_with_extra_keys_and_missing_fields_decode(
        which in 0..ENTITIES.len(),
        drop_mask: u64,
        extra in proptest::collection::btree_map("[a-z_]{1,12}", any::<i32>(), 0..4),
    ) {
        let (entity, model) = ENTITIES[which];
        let mut data = heroku_fake::sample(model).unwrap();
        let obj = data.as_object_mut().unwrap();
        let keys: Vec<String> = obj.keys().cloned().collect();
        let mut dropped = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            if drop_mask & (1 << (i % 64)) != 0 {
                obj.remove(k);
                dropped.push(format!("/data/{k}"));
            }
        }
        for (k, v) in &extra {
            if !keys.contains(k) {
                obj.insert(format!("x_{k}"), json!(v));
            }
        }
        let mut v = release_event();
        v["data"] = data;
        v["resource"] = json!(entity.trim_start_matches("api:"));
        v["webhook_metadata"]["event"]["include"] = json!(entity);
        let body = serde_json::to_vec(&v).unwrap();
        let e = Verifier::new("s").verify_and_decode(&signed(&sign("s", &body)), &body).unwrap();
        prop_assert!(!matches!(e.data, EventData::Other { .. }), "{entity}: {:?}", e.data);
        let absent: Vec<&str> = e
            .deviations
            .iter()
            .filter(|d| d.kind == heroku_api::DeviationKind::Absent)
            .map(|d| d.pointer.as_str())
            .collect();
        prop_assert_eq!(absent, dropped.iter().map(String::as_str).collect::<Vec<_>>());
    }
}
