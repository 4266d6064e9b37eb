//! Where the fake keeps state it answers as Heroku does, and where it
//! keeps none it says so: a synthesised answer carries a header, can be
//! turned into a 501, and never invents an app.

use heroku_fake::{Config, Synthesized, SYNTHESIZED_HEADER};
use serde_json::{json, Value};

mod raw;

/// Status, whether the answer was marked synthesised, and the body.
async fn answer(
    fake: &heroku_fake::FakeHeroku,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, bool, Value) {
    let raw = raw::call(fake, method, path, &[], body).await;
    let synthesized = raw.headers.contains_key(SYNTHESIZED_HEADER);
    (raw.status, synthesized, raw.body)
}

/// A strict heroku-api client of `fake`.
fn client_of(fake: &heroku_fake::FakeHeroku) -> heroku_api::Client {
    heroku_api::Client::builder()
        .token(fake.token())
        .base_url(fake.base_url())
        .strict_decoding(true)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_synthesized_answer_says_so_and_never_invents_an_app() {
    let fake = heroku_fake::start().await.unwrap();
    let (status, synthesized, app) =
        answer(&fake, "POST", "/apps", Some(json!({"name": "real-app"}))).await;
    assert_eq!((status, synthesized), (201, false), "state, not fiction");

    // SNI endpoints keep no state in the fake: the answer is marked, and it
    // shows the real app rather than the schema's example.
    let (status, synthesized, endpoints) =
        answer(&fake, "GET", "/apps/real-app/sni-endpoints", None).await;
    assert_eq!((status, synthesized), (200, true), "{endpoints}");
    for endpoint in endpoints.as_array().unwrap() {
        assert_eq!(endpoint["app"]["id"], app["id"], "{endpoint}");
        assert_eq!(endpoint["app"]["name"], "real-app", "{endpoint}");
    }

    // For an app that does not exist, Heroku answers 404, and so does the
    // fake, stateful or not.
    for path in [
        "/apps/no-such-app/sni-endpoints",
        "/apps/no-such-app/features",
        "/apps/no-such-app/log-drains",
    ] {
        let (status, _, body) = answer(&fake, "GET", path, None).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_eq!(body["id"], "not_found", "{path}: {body}");
    }
}

#[tokio::test]
async fn synthesized_operations_can_answer_501_instead() {
    let fake = heroku_fake::start_with(Config {
        synthesized: Synthesized::NotImplemented,
        ..Config::default()
    })
    .await
    .unwrap();
    answer(&fake, "POST", "/apps", Some(json!({"name": "strict-app"}))).await;
    let (status, _, body) = answer(&fake, "GET", "/apps/strict-app/sni-endpoints", None).await;
    assert_eq!(status, 501, "{body}");
    assert_eq!(body["id"], "not_implemented");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("sni-endpoint.list"),
        "{body}"
    );
    // Stateful operations answer as before, and so does the rate limit,
    // which the token bucket answers.
    let (status, _, _) = answer(&fake, "GET", "/apps/strict-app", None).await;
    assert_eq!(status, 200);
    let (status, synthesized, body) = answer(&fake, "GET", "/account/rate-limits", None).await;
    assert_eq!((status, synthesized), (200, false), "{body}");
}

#[tokio::test]
async fn acm_is_kept_on_the_app() {
    let fake = heroku_fake::start().await.unwrap();
    let client = client_of(&fake);
    client.app().create().name("acm-app").await.unwrap();
    let enabled = client.app().enable_acm("acm-app").await.unwrap();
    assert_eq!((enabled.name.as_str(), enabled.acm), ("acm-app", true));
    assert!(client.app().info("acm-app").await.unwrap().acm);
    let disabled = client.app().disable_acm("acm-app").await.unwrap();
    assert!(!disabled.acm);
    assert!(!client.app().info("acm-app").await.unwrap().acm);
    let err = client.app().enable_acm("no-such-app").await.unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");
}

/// Heroku: "Couldn't find that process type (web)." for a type the current
/// release does not have, so for any type before the first deploy.
#[tokio::test]
async fn scaling_a_process_type_the_app_does_not_have_is_404() {
    let fake = heroku_fake::start().await.unwrap();
    answer(&fake, "POST", "/apps", Some(json!({"name": "undeployed"}))).await;
    let (status, _, body) = answer(
        &fake,
        "PATCH",
        "/apps/undeployed/formation/web",
        Some(json!({"quantity": 1})),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["id"], "not_found");
    assert_eq!(body["message"], "Couldn't find that process type (web).");
    let (status, _, _) = answer(
        &fake,
        "PATCH",
        "/apps/undeployed/formation",
        Some(json!({"updates": [{"type": "web", "quantity": 1}]})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _, formation) = answer(&fake, "GET", "/apps/undeployed/formation", None).await;
    assert_eq!((status, formation), (200, json!([])), "nothing was changed");
}

/// The fake's own table (`heroku_fake::operations`, rendered into
/// `tests/OPERATIONS.md`) agrees with what it answers: every read it calls
/// synthesised carries the header, and no stateful one does.
#[tokio::test]
async fn the_operation_table_matches_the_answers() {
    let fake = heroku_fake::start_with(Config {
        rate_limit: heroku_fake::RateLimit::unlimited(),
        ..Config::default()
    })
    .await
    .unwrap();
    answer(&fake, "POST", "/apps", Some(json!({"name": "table-app"}))).await;
    let mut checked = 0;
    for op in heroku_fake::operations()
        .into_iter()
        .filter(|o| o.method == "GET")
    {
        let mut path = String::new();
        for (i, part) in op.path.split('{').enumerate() {
            match part.split_once('}') {
                Some((param, rest)) if i > 0 => {
                    path.push_str(if param == "app_identity" {
                        "table-app"
                    } else {
                        "x"
                    });
                    path.push_str(rest);
                }
                _ => path.push_str(part),
            }
        }
        let (status, synthesized, body) = answer(&fake, "GET", &path, None).await;
        // Input the schema refuses (a required query field) is a 422 before
        // any answer, synthesised or not.
        if op.stateful || status < 300 {
            assert_eq!(
                synthesized, !op.stateful,
                "{} {path}: {status} {body}",
                op.id
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} reads checked");
}

/// Log drains are kept: what was sent is in the answer and in later reads,
/// a drain is found by id, URL or token, and bad or repeated URLs are 422s.
#[tokio::test]
async fn log_drains_keep_what_was_written() {
    let fake = heroku_fake::start().await.unwrap();
    let client = client_of(&fake);
    let app = client.app().create().name("drained").await.unwrap();
    let url = "syslog+tls://logs.example.com:12345";
    let drain = client.log_drain().create("drained", url).await.unwrap();
    assert_eq!(drain.url, url);
    assert!(drain.token.starts_with("d."), "{}", drain.token);
    assert_eq!(
        drain.app.as_ref().map(|a| a.id.as_str()),
        Some(app.id.as_str())
    );
    let listed = client.log_drain().list("drained").await.unwrap();
    assert_eq!(
        listed.iter().map(|d| d.url.as_str()).collect::<Vec<_>>(),
        [url]
    );
    for key in [drain.id.as_str(), url, drain.token.as_str()] {
        let found = client.log_drain().info("drained", key).await.unwrap();
        assert_eq!(found.id, drain.id, "found by {key}");
    }
    for bad in [url, "ftp://logs.example.com", "not a url"] {
        let err = client.log_drain().create("drained", bad).await.unwrap_err();
        assert_eq!(err.status(), Some(422), "{bad}: {err}");
    }
    client
        .log_drain()
        .delete("drained", drain.id.as_str())
        .await
        .unwrap();
    assert!(client.log_drain().list("drained").await.unwrap().is_empty());
    let err = client
        .log_drain()
        .info("drained", drain.id.as_str())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
}

/// `provision_message` is a string where the schema says so (it may be
/// absent, never null), on create, info and list.
#[tokio::test]
async fn add_on_answers_conform_where_the_schema_says_string() {
    let fake = heroku_fake::start().await.unwrap();
    answer(&fake, "POST", "/apps", Some(json!({"name": "with-addon"}))).await;
    let (status, _, created) = answer(
        &fake,
        "POST",
        "/apps/with-addon/addons",
        Some(json!({"plan": "heroku-postgresql:essential-0"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let (_, _, info) = answer(&fake, "GET", &format!("/addons/{id}"), None).await;
    let (_, _, listed) = answer(&fake, "GET", "/apps/with-addon/addons", None).await;
    for answer in [&created, &info, &listed[0]] {
        let message = answer.get("provision_message");
        assert!(
            message.is_none_or(Value::is_string),
            "provision_message must be a string or absent: {answer}"
        );
    }
}

/// An operation that accepts a field answers with it, kept or not: the
/// synthesized answers of writes carry what was sent, and a build keeps
/// its source's version and checksum.
#[tokio::test]
async fn writes_answer_with_what_they_sent() {
    let fake = heroku_fake::start().await.unwrap();
    let (status, synthesized, client) = answer(
        &fake,
        "POST",
        "/oauth/clients",
        Some(json!({"name": "my-integration", "redirect_uri": "https://example.org/back"})),
    )
    .await;
    assert_eq!((status, synthesized), (201, true));
    assert_eq!(client["name"], "my-integration");
    assert_eq!(client["redirect_uri"], "https://example.org/back");

    let pipeline = "01234567-89ab-cdef-0123-0123456789ab";
    let (_, synthesized, transfer) = answer(
        &fake,
        "POST",
        "/pipeline-transfers",
        Some(json!({"pipeline": {"id": pipeline}, "new_owner": {"id": "x", "type": "team"}})),
    )
    .await;
    assert!(synthesized);
    assert_eq!(transfer["pipeline"]["id"], pipeline);

    let (_, synthesized, review) = answer(
        &fake,
        "POST",
        "/review-apps",
        Some(json!({
            "branch": "feature-x",
            "pipeline": pipeline,
            "source_blob": {"url": "https://example.org/app.tgz", "version": "abc123"},
        })),
    )
    .await;
    assert!(synthesized);
    assert_eq!(review["branch"], "feature-x");

    answer(&fake, "POST", "/apps", Some(json!({"name": "builds"}))).await;
    let (_, synthesized, attachment) = answer(
        &fake,
        "POST",
        "/addon-attachments",
        Some(json!({"addon": "my-db", "app": "builds", "name": "ANALYTICS_DB"})),
    )
    .await;
    assert!(synthesized);
    assert_eq!(attachment["name"], "ANALYTICS_DB");

    let (status, _, build) = answer(
        &fake,
        "POST",
        "/apps/builds/builds",
        Some(json!({"source_blob": {
            "url": "https://example.org/app.tgz",
            "version": "v1.3.0",
            "checksum": "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        }})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(build["source_blob"]["version"], "v1.3.0");
    assert!(build["source_blob"]["checksum"]
        .as_str()
        .unwrap()
        .starts_with("SHA256:"));
    let id = build["id"].as_str().unwrap();
    let (_, _, read) = answer(&fake, "GET", &format!("/apps/builds/builds/{id}"), None).await;
    assert_eq!(
        read["source_blob"]["version"], "v1.3.0",
        "a later read shows it"
    );
}

/// Dynos of the formation have UUIDs, the same on every listing, and can
/// be read back by id or name.
#[tokio::test]
async fn formation_dynos_have_stable_uuids() {
    let fake = heroku_fake::start().await.unwrap();
    let client = client_of(&fake);
    client.app().create().name("dynos").await.unwrap();
    let source = heroku_fake::tarball(&[("Procfile", "web: bin/web\n")]).unwrap();
    client
        .deploy("dynos")
        .tarball(source)
        .run(|_| {})
        .await
        .unwrap();
    client
        .formation()
        .update("dynos", "web")
        .quantity(2)
        .await
        .unwrap();
    let first = client.dyno().list("dynos").await.unwrap();
    let again = client.dyno().list("dynos").await.unwrap();
    assert_eq!(first.len(), 2);
    let ids: Vec<&str> = first.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, again.iter().map(|d| d.id.as_str()).collect::<Vec<_>>());
    for id in &ids {
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
        assert!(
            id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()),
            "{id}"
        );
        let by_id = client.dyno().info("dynos", *id).await.unwrap();
        assert_eq!(by_id.id, *id);
    }
}

/// A synthesized IP address is one (the audit trail's `request.ip_address`
/// is `format: ipv4`).
#[tokio::test]
async fn a_synthesized_ip_address_is_an_ipv4_address() {
    let fake = heroku_fake::start().await.unwrap();
    let (status, synthesized, events) = answer(
        &fake,
        "GET",
        "/enterprise-accounts/my-enterprise/events",
        None,
    )
    .await;
    assert_eq!((status, synthesized), (200, true));
    let ip = events[0]["request"]["ip_address"].as_str().unwrap();
    assert!(ip.parse::<std::net::Ipv4Addr>().is_ok(), "{ip}");
}
