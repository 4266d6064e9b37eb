//! The generated models' written-out `Deserialize` impls and the request
//! futures, checked against what a serde derive would have done.

use futures_util::StreamExt;
use heroku_api::app::{App, AppIdentity};
use heroku_api::release::ReleaseIdentity;
use heroku_api::{Client, ItemStream, ListFuture, ResponseFuture};
use serde_json::json;

fn app() -> serde_json::Value {
    json!({
        "acm": false,
        "archived_at": null,
        "build_stack": {"id": "01234567-89ab-cdef-0123-456789abcdef", "name": "heroku-24"},
        "buildpack_provided_description": "Ruby/Rack",
        "created_at": "2012-01-01T12:00:00Z",
        "generation": {"id": "01234567-89ab-cdef-0123-456789abcdef", "name": "cedar"},
        "git_url": "https://git.heroku.com/example.git",
        "id": "01234567-89ab-cdef-0123-456789abcdef",
        "internal_routing": null,
        "maintenance": false,
        "name": "example",
        "organization": null,
        "owner": {"email": "u@example.com", "id": "01234567-89ab-cdef-0123-456789abcdef"},
        "region": {"id": "01234567-89ab-cdef-0123-456789abcdef", "name": "us"},
        "released_at": "2012-01-01T12:00:00Z",
        "repo_size": 0,
        "slug_size": 0,
        "space": null,
        "stack": {"id": "01234567-89ab-cdef-0123-456789abcdef", "name": "heroku-24"},
        "team": null,
        "updated_at": "2012-01-01T12:00:00Z",
        "web_url": "https://example.herokuapp.com/"
    })
}

#[test]
fn a_model_decodes_from_bytes_and_from_a_value() {
    let text = serde_json::to_vec(&app()).unwrap();
    let from_bytes: App = serde_json::from_slice(&text).unwrap();
    let from_value: App = serde_json::from_value(app()).unwrap();
    assert_eq!(from_bytes, from_value);
    assert_eq!(from_bytes.name, "example");
    assert_eq!(from_bytes.archived_at, None);
    assert_eq!(
        from_bytes.buildpack_provided_description.as_deref(),
        Some("Ruby/Rack")
    );
}

#[test]
fn unknown_fields_are_skipped_and_absent_optional_fields_are_none() {
    let mut v = app();
    let obj = v.as_object_mut().unwrap();
    obj.insert(
        "a_field_from_the_future".into(),
        json!({"nested": [1, 2, {"x": null}]}),
    );
    obj.remove("archived_at");
    obj.remove("space");
    let app: App = serde_json::from_value(v).unwrap();
    assert_eq!(app.archived_at, None);
    assert_eq!(app.space, None);
}

#[test]
fn a_missing_field_decodes_to_its_fallback_and_is_recorded() {
    let mut v = app();
    v.as_object_mut().unwrap().remove("git_url");
    let bytes = serde_json::to_vec(&v).unwrap();
    let decoded = heroku_api::decode::from_slice::<App>(&bytes).unwrap();
    assert_eq!(decoded.value.git_url, "");
    assert_eq!(decoded.deviations.len(), 1);
    assert_eq!(decoded.deviations[0].pointer, "/git_url");
    assert_eq!(
        decoded.deviations[0].kind,
        heroku_api::DeviationKind::Absent
    );
    assert_eq!(
        decoded.deviations[0].to_string(),
        "`/git_url`: absent, though the schema lists it"
    );
    // serde's own entry point is as tolerant, and strict mode is not.
    assert_eq!(serde_json::from_value::<App>(v).unwrap().git_url, "");
    let err = heroku_api::decode::from_slice_strict::<App>(&bytes).unwrap_err();
    let heroku_api::Error::Decode(err) = err else {
        panic!("{err:?}")
    };
    assert_eq!(err.pointer, "/git_url");
}

#[test]
fn a_null_where_the_schema_allows_none_is_recorded() {
    let mut v = app();
    v["name"] = serde_json::Value::Null;
    let decoded = heroku_api::decode::from_slice::<App>(&serde_json::to_vec(&v).unwrap()).unwrap();
    assert_eq!(decoded.value.name, "");
    assert_eq!(decoded.deviations[0].kind, heroku_api::DeviationKind::Null);
}

#[test]
fn escaped_keys_and_repeated_keys_decode() {
    // `n\u0061me` is `name` with an escape, so the key cannot be borrowed.
    let text = serde_json::to_string(&app()).unwrap().replacen(
        "\"name\":\"example\"",
        "\"n\\u0061me\":\"first\",\"name\":\"second\"",
        1,
    );
    let app: App = serde_json::from_str(&text).unwrap();
    assert_eq!(app.name, "second", "the last of repeated keys wins");
}

#[test]
fn only_objects_are_models() {
    for wrong in ["[]", "[false]", "\"app\"", "1", "null"] {
        let err = serde_json::from_str::<App>(wrong).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("expected "), "{wrong}: {err}");
    }
}

#[test]
fn a_model_round_trips_through_serialize() {
    let app: App = serde_json::from_value(app()).unwrap();
    let again: App = serde_json::from_value(serde_json::to_value(&app).unwrap()).unwrap();
    assert_eq!(app, again);
}

#[test]
fn identities_decode_from_strings_and_integers() {
    let by_name: AppIdentity = serde_json::from_str("\"example\"").unwrap();
    assert_eq!(by_name.as_str(), "example");
    let version: ReleaseIdentity = serde_json::from_str("42").unwrap();
    assert_eq!(version.as_str(), "42");
    assert_eq!(serde_json::to_string(&version).unwrap(), "\"42\"");
    assert!(serde_json::from_str::<AppIdentity>("{}").is_err());
}

fn assert_send<T: Send>(_: &T) {}

#[tokio::test]
async fn request_futures_are_send_and_spawnable() {
    let fake = unreachable_client();
    let info: ResponseFuture<'_, App> = fake.app().info("missing").send();
    assert_send(&info);
    let list: ListFuture<App> = fake.app().list().send();
    assert_send(&list);
    let stream: ItemStream<App> = fake.app().list().stream();
    assert_send(&stream);
    drop((info, list, stream));

    // A spawned future owns its client; it fails (nothing listens) with a
    // typed transport error rather than hanging or panicking.
    let owned = fake.clone();
    let joined = tokio::spawn(async move { owned.app().info("missing").await })
        .await
        .unwrap();
    assert!(joined.is_err());

    // A stream is Unpin: `next()` needs no pinning.
    let mut s = fake.app().list().stream();
    assert!(s.next().await.unwrap().is_err());
    assert!(s.next().await.is_none(), "the stream ends after its error");
}

/// A client aimed at a port nothing listens on, with no retries.
fn unreachable_client() -> Client {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    Client::builder()
        .token("t")
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry(heroku_api::RetryPolicy::none())
        .build()
        .unwrap()
}

/// Fields every answer carries are plain, also in definitions without
/// `strictProperties` (pipeline): only a schema-nullable field is an Option.
#[test]
fn pipeline_fields_heroku_always_sends_are_plain() {
    let p = heroku_api::pipeline::Pipeline::default();
    let _: &String = &p.id;
    let _: &String = &p.name;
    let _: &chrono::DateTime<chrono::Utc> = &p.created_at;
    let _: &chrono::DateTime<chrono::Utc> = &p.updated_at;
    let _: &Option<heroku_api::pipeline::PipelineOwner> = &p.owner; // nullable in the schema
    assert_eq!(p.id.as_str(), "");
}

/// Credentials and URLs that grant access never show in a model's `Debug`:
/// OAuth tokens and client secrets, presigned source URLs, log and dyno
/// stream URLs. By a name rule in the generator, so fields a new schema
/// adds are covered too.
#[test]
fn secrets_in_models_are_redacted_in_debug() {
    const SECRET: &str = "s3cr3t-value-visible-nowhere";
    let mut access = heroku_api::oauth_authorization::OauthAuthorizationAccessToken::default();
    access.token = SECRET.into();
    let mut refresh = heroku_api::oauth_authorization::OauthAuthorizationRefreshToken::default();
    refresh.token = SECRET.into();
    let mut client = heroku_api::oauth_client::OauthClient::default();
    client.secret = SECRET.into();
    client.name = "my-integration".into();
    let mut blob = heroku_api::source::SourceSourceBlob::default();
    blob.put_url = format!("https://s3.example.com/up?X-Amz-Signature={SECRET}");
    blob.get_url = format!("https://s3.example.com/down?X-Amz-Signature={SECRET}");
    let mut session = heroku_api::log_session::LogSession::default();
    session.logplex_url = format!("https://logplex.example.com/sessions/{SECRET}");
    let mut dyno = heroku_api::dyno::Dyno::default();
    dyno.attach_url = Some(format!("rendezvous://rendezvous.example.com:5000/{SECRET}"));
    let shown = [
        format!("{access:?}"),
        format!("{refresh:?}"),
        format!("{client:?}"),
        format!("{blob:?}"),
        format!("{session:?}"),
        format!("{dyno:?}"),
    ];
    for s in &shown {
        assert!(!s.contains(SECRET), "leaked: {s}");
        assert!(s.contains("[redacted]"), "{s}");
    }
    // Everything else still shows.
    assert!(shown[2].contains("my-integration"), "{}", shown[2]);
    assert!(format!("{:?}", heroku_api::dyno::Dyno::default()).contains("attach_url: None"));
}

/// Secrets the name rule alone would miss, marked by the overlay
/// `schema/overlays/0007-values-that-grant-access.json` or by the name
/// rules for keys and stream URLs: their shape shows, their value does not.
#[test]
fn overlay_marked_secrets_show_their_shape_only() {
    const SECRET: &str = "s3cr3t-value-visible-nowhere";
    let mut tunnel = heroku_api::vpn_connection::VpnConnectionTunnel::default();
    tunnel.pre_shared_key = SECRET.into();
    tunnel.ip = "10.0.0.1".into();
    let mut exporter = heroku_api::telemetry_drain::TelemetryDrainExporter::default();
    exporter.headers = Some([("x-api-key".to_string(), SECRET.to_string())].into());
    let mut drain = heroku_api::log_drain::LogDrain::default();
    drain.url = format!("https://user:{SECRET}@logs.example.com");
    let mut config = heroku_api::add_on_config::AddOnConfig::default();
    config.name = "DATABASE_URL".into();
    config.value = Some(format!("postgres://u:{SECRET}@db.example.com/d"));
    let mut blob = heroku_api::build::BuildSourceBlob::default();
    blob.url = format!("https://s3.example.com/down?X-Amz-Signature={SECRET}");
    let mut hook = heroku_api::app_webhook::AppWebhook::default();
    hook.url = format!("https://hooks.example.com/in?key={SECRET}");
    let shown = [
        format!("{tunnel:?}"),
        format!("{exporter:?}"),
        format!("{drain:?}"),
        format!("{config:?}"),
        format!("{blob:?}"),
        format!("{hook:?}"),
    ];
    for s in &shown {
        assert!(!s.contains(SECRET), "leaked: {s}");
        assert!(s.contains("[redacted]"), "{s}");
    }
    // The shape stays: other fields, a map's keys, an option's presence.
    assert!(shown[0].contains("10.0.0.1"), "{}", shown[0]);
    assert!(
        shown[1].contains(r#"headers: Some({"x-api-key": "[redacted]"})"#),
        "{}",
        shown[1]
    );
    assert!(shown[3].contains("DATABASE_URL"), "{}", shown[3]);
    assert!(
        shown[3].contains(r#"value: Some("[redacted]")"#),
        "{}",
        shown[3]
    );
}
