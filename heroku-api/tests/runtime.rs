//! The runtime under the generated endpoints, against a local HTTP server:
//! paging, 429 and fault retries, errors, secrets and path safety.
//! Backoff runs on a paused tokio clock: nothing really sleeps.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::TryStreamExt;
use heroku_api::{Client, Cursor, Error, ErrorId, Range, RetryPolicy};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "hk-test-token-5f1c0e9a";

fn app_json(i: usize) -> Value {
    json!({
        "acm": false, "archived_at": null,
        "build_stack": { "id": "01234567-89ab-cdef-0123-456789abcdef", "name": "heroku-24" },
        "buildpack_provided_description": null,
        "created_at": "2012-01-01T12:00:00Z",
        "generation": { "id": "01234567-89ab-cdef-0123-456789abcdef", "name": "cedar" },
        "git_url": format!("https://git.heroku.com/app-{i:05}.git"),
        "id": format!("00000000-0000-0000-0000-{i:012}"),
        "internal_routing": null, "maintenance": false,
        "name": format!("app-{i:05}"),
        "organization": null,
        "owner": { "email": "user@example.com", "id": "01234567-89ab-cdef-0123-456789abcdef" },
        "region": { "id": "01234567-89ab-cdef-0123-456789abcdef", "name": "us" },
        "released_at": null, "repo_size": null, "slug_size": null, "space": null,
        "stack": { "id": "01234567-89ab-cdef-0123-456789abcdef", "name": "heroku-24" },
        "team": null,
        "updated_at": "2012-01-01T12:00:00Z",
        "web_url": null
    })
}

/// A client for `server` whose HTTP client has no timers of its own, so
/// the paused clock only moves for the runtime's own waits.
fn client(server: &MockServer) -> Client {
    client_with(server, RetryPolicy::default())
}

fn client_with(server: &MockServer, retry: RetryPolicy) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(server.uri())
        .http_client(reqwest::Client::new())
        // Several tests run on a paused clock, which jumps to the next
        // timer while a real socket is awaited: no call deadline here.
        .timeout(Duration::MAX)
        .retry(retry)
        .build()
        .expect("client")
}

/// Serves 2,500 apps through `Range: name ..; max=N` and `Next-Range`.
fn paged_apps(total: usize) -> impl Fn(&Request) -> ResponseTemplate + Send + Sync + 'static {
    move |req: &Request| {
        let range = req
            .headers
            .get("range")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        // `name ..; max=1000` or `name ]app-00999..; max=1000`
        let (start, max) = parse_range(&range);
        let first = start.map_or(0, |after| after + 1);
        let last = (first + max).min(total);
        let items: Vec<Value> = (first..last).map(app_json).collect();
        if last < total {
            ResponseTemplate::new(206)
                .set_body_json(items)
                .insert_header(
                    "next-range",
                    format!("name ]app-{:05}..; max={max}", last - 1).as_str(),
                )
                .insert_header("ratelimit-remaining", "4000")
        } else {
            ResponseTemplate::new(200).set_body_json(items)
        }
    }
}

fn parse_range(range: &str) -> (Option<usize>, usize) {
    let max = range
        .split("max=")
        .nth(1)
        .and_then(|m| m.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|m| m.parse().ok())
        .unwrap_or(200);
    let start = range
        .split(']')
        .nth(1)
        .and_then(|s| s.split("..").next())
        .and_then(|s| s.strip_prefix("app-"))
        .and_then(|s| s.parse().ok());
    (start, max)
}

#[tokio::test]
async fn a_list_of_2500_comes_back_complete_in_3_requests_and_resumes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/apps"))
        .respond_with(paged_apps(2500))
        .mount(&server)
        .await;
    let client = client(&server);
    let apps: Vec<_> = client
        .app()
        .list()
        .range(Range::by("name"))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(apps.len(), 2500);
    for (i, app) in apps.iter().enumerate() {
        assert_eq!(app.name, format!("app-{i:05}"));
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    let sent: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            r.headers
                .get("range")
                .unwrap()
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(sent[0], "name ..; max=1000");
    assert_eq!(sent[1], "name ]app-00999..; max=1000");

    // Page by page, saving the cursor, then resuming from it.
    let pager = client
        .app()
        .list()
        .range(Range::by("name"))
        .paginate()
        .unwrap();
    let page = pager.page(None).await.unwrap();
    assert_eq!(page.items.len(), 1000);
    let saved = page.next.clone().expect("a next cursor").to_string();
    let rest: Vec<_> = client
        .app()
        .list()
        .paginate()
        .unwrap()
        .stream_from(Some(Cursor::new(saved)))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rest.len(), 1500);
    assert_eq!(rest[0].name, "app-01000");
    assert_eq!(client.rate_limit_remaining(), Some(4000));
}

#[tokio::test]
async fn awaiting_a_list_collects_every_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/apps"))
        .respond_with(paged_apps(1500))
        .mount(&server)
        .await;
    let apps = client(&server)
        .app()
        .list()
        .range(Range::by("name").max(500))
        .await
        .unwrap();
    assert_eq!(apps.len(), 1500);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_repeated_cursor_ends_the_stream_with_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/apps"))
        .respond_with(
            ResponseTemplate::new(206)
                .set_body_json(vec![app_json(1)])
                .insert_header("next-range", "name ]app-00001..; max=1"),
        )
        .mount(&server)
        .await;
    let result: Result<Vec<_>, _> = client(&server).app().list().stream().try_collect().await;
    assert!(
        matches!(result, Err(Error::PaginationLoop { .. })),
        "{result:?}"
    );
    // First page, then the cursor once; the repeat is refused before sending.
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

/// Answers 429 (with `Retry-After: 2`) to the first `n` requests, then `ok`.
fn storm(n: usize, ok: ResponseTemplate) -> impl Fn(&Request) -> ResponseTemplate + Send + Sync {
    let seen = Arc::new(Mutex::new(0usize));
    move |_req: &Request| {
        let mut count = seen.lock().unwrap();
        *count += 1;
        if *count <= n {
            ResponseTemplate::new(429)
                .insert_header("retry-after", "2")
                .insert_header("ratelimit-remaining", "0")
                .set_body_json(json!({"id": "rate_limit", "message": "Your account reached the API rate limit"}))
        } else {
            ok.clone()
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_429_storm_is_waited_out_following_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/apps/my-app"))
        .respond_with(storm(
            3,
            ResponseTemplate::new(200).set_body_json(app_json(7)),
        ))
        .mount(&server)
        .await;
    let resp = client(&server)
        .app()
        .info("my-app")
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!(resp.body.name, "app-00007");
    assert_eq!(resp.meta.attempts, 4);
    assert_eq!(
        resp.meta.waited,
        Duration::from_secs(6),
        "three Retry-After: 2 waits"
    );
}

#[tokio::test(start_paused = true)]
async fn the_429_budget_ends_in_a_rate_limit_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/apps/my-app"))
        .respond_with(storm(usize::MAX, ResponseTemplate::new(200)))
        .mount(&server)
        .await;
    let client = client_with(&server, RetryPolicy::default().max_rate_limit_retries(2));
    let err = client.app().info("my-app").await.unwrap_err();
    let Error::RateLimited(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.attempts, 3);
    assert_eq!(e.waited, Duration::from_secs(4));
    assert_eq!(
        e.retry_after,
        Some(Duration::from_secs(2)),
        "the last Retry-After"
    );
    assert_eq!(e.last.id, Some(ErrorId::RateLimit));
    assert_eq!(server.received_requests().await.unwrap().len(), 3);

    // A total-time budget stops earlier than the attempt budget.
    let client = client_with(
        &server,
        RetryPolicy::default().max_retry_time(Duration::from_secs(3)),
    );
    let err = client.app().info("my-app").await.unwrap_err();
    let Error::RateLimited(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.attempts, 2, "2 s + 2 s would exceed 3 s");
    assert!(err.to_string().contains("rate limit"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_post_under_429_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/apps"))
        .respond_with(storm(
            2,
            ResponseTemplate::new(201).set_body_json(app_json(1)),
        ))
        .expect(3)
        .mount(&server)
        .await;
    let app = client(&server)
        .app()
        .create()
        .name("app-00001")
        .await
        .unwrap();
    assert_eq!(app.name, "app-00001");
    server.verify().await;
    // The body is replayed identically on every attempt.
    let bodies: Vec<Value> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert!(
        bodies.iter().all(|b| *b == json!({"name": "app-00001"})),
        "{bodies:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_post_under_503_is_not_retried_but_a_get_is() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/apps"))
        .respond_with(
            ResponseTemplate::new(503).set_body_string("<html>Service Unavailable</html>"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).app().create().await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    server.verify().await;

    let server = MockServer::start().await;
    let seen = Arc::new(Mutex::new(0));
    let counter = seen.clone();
    Mock::given(method("GET"))
        .and(path("/apps/x"))
        .respond_with(move |_: &Request| {
            let mut n = counter.lock().unwrap();
            *n += 1;
            if *n < 3 {
                ResponseTemplate::new(503)
            } else {
                ResponseTemplate::new(200).set_body_json(app_json(3))
            }
        })
        .mount(&server)
        .await;
    let resp = client(&server)
        .app()
        .info("x")
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!(resp.meta.attempts, 3);
    assert_eq!(*seen.lock().unwrap(), 3);
}

#[tokio::test]
async fn an_api_error_carries_every_field_and_the_request_id() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/apps/nope"))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("request-id", "req-123")
                .set_body_json(json!({
                    "id": "not_found",
                    "message": "Couldn't find that app.",
                    "url": "https://devcenter.heroku.com/articles/platform-api-reference#errors"
                })),
        )
        .mount(&server)
        .await;
    let err = client(&server).app().info("nope").await.unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status, 404);
    assert_eq!(api.id, Some(ErrorId::NotFound));
    assert_eq!(api.message, "Couldn't find that app.");
    assert_eq!(
        api.url.as_deref(),
        Some("https://devcenter.heroku.com/articles/platform-api-reference#errors")
    );
    assert_eq!(api.request_id.as_deref(), Some("req-123"));
    assert!(String::from_utf8_lossy(&api.body).contains("not_found"));
    assert!(err.is_not_found());
    let shown = err.to_string();
    assert!(
        shown.contains("404") && shown.contains("not_found") && shown.contains("req-123"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_non_json_502_page_is_a_typed_error_with_a_snippet() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/apps"))
        .respond_with(
            ResponseTemplate::new(502)
                .set_body_string("<html><body>Bad Gateway from the proxy</body></html>"),
        )
        .mount(&server)
        .await;
    let err = client(&server).app().create().await.unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status, 502);
    assert_eq!(api.id, None);
    assert!(
        api.message.contains("Bad Gateway from the proxy"),
        "{}",
        api.message
    );
    assert!(err.request_id().is_some(), "our own Request-Id is kept");
}

#[tokio::test]
async fn a_value_that_differs_from_the_schema_is_a_recorded_deviation() {
    let server = MockServer::start().await;
    let mut old = app_json(1);
    old["created_at"] = json!("yesterday");
    old["maintenance"] = json!("true");
    old["stack"]["name"] = json!(null);
    old.as_object_mut().unwrap().remove("acm");
    old["joined"] = json!(true); // a key the schema does not declare
    Mock::given(method("GET"))
        .and(path("/apps/x"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&old))
        .mount(&server)
        .await;
    let answer = client(&server)
        .app()
        .info("x")
        .send_with_meta()
        .await
        .expect("a tolerant decode");
    assert!(answer.body.maintenance);
    assert!(!answer.body.acm, "an absent field holds its fallback");
    assert_eq!(
        answer.body.created_at,
        chrono::DateTime::<chrono::Utc>::UNIX_EPOCH
    );
    let found: Vec<(&str, &str)> = answer
        .meta
        .deviations
        .iter()
        .map(|d| (d.pointer.as_str(), d.kind.name()))
        .collect();
    assert_eq!(
        found,
        [
            ("/created_at", "mismatched"),
            ("/maintenance", "coerced"),
            ("/stack/name", "null"),
            ("/acm", "absent"),
        ]
    );
}

#[tokio::test]
async fn strict_decoding_fails_on_the_first_deviation_and_keeps_the_bytes() {
    let server = MockServer::start().await;
    let mut broken = app_json(1);
    broken["created_at"] = json!("yesterday");
    Mock::given(method("GET"))
        .and(path("/apps/x"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&broken))
        .mount(&server)
        .await;
    let strict = Client::builder()
        .token(TOKEN)
        .base_url(server.uri())
        .strict_decoding(true)
        .build()
        .expect("client");
    let err = strict.app().info("x").await.unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(d.pointer, "/created_at");
    assert_eq!(d.deviations.len(), 1);
    assert_eq!(serde_json::from_slice::<Value>(&d.body).unwrap(), broken);
    assert!(
        !err.to_string().contains("yesterday"),
        "no values in messages: {err}"
    );
    assert_eq!(strict.metrics().calls_failed.decode, 1);
}

#[tokio::test]
async fn only_a_body_that_is_not_json_or_of_the_wrong_shape_fails_a_tolerant_decode() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/apps/cut"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"name": "hunter2-secret", "owner": {"id": 1"#),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/apps/list"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([app_json(1)])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/apps"))
        .respond_with(ResponseTemplate::new(200).set_body_json(app_json(1)))
        .mount(&server)
        .await;
    let c = client(&server);
    let Error::Decode(d) = c.app().info("cut").await.unwrap_err() else {
        panic!("a cut-off body is a decode error")
    };
    assert_eq!(d.pointer, "/owner/id");
    // Where and why, never the body's values.
    for shown in [d.to_string(), format!("{d:?}")] {
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("/owner/id"), "{shown}");
    }
    let Error::Decode(d) = c.app().info("list").await.unwrap_err() else {
        panic!("a list where an object belongs is a decode error")
    };
    assert_eq!(
        (d.pointer.as_str(), d.message.as_str()),
        ("", "expected an object, found an array")
    );
    let Error::Decode(d) = c.app().list().await.unwrap_err() else {
        panic!("an object where a list belongs is a decode error")
    };
    assert_eq!(d.message, "expected an array, found an object");
}

#[tokio::test]
async fn a_list_page_carries_its_deviations_and_logs_each_place_once() {
    let server = MockServer::start().await;
    let apps: Vec<Value> = (0..50)
        .map(|i| {
            let mut a = app_json(i);
            a.as_object_mut().unwrap().remove("generation");
            a
        })
        .collect();
    Mock::given(method("GET"))
        .and(path("/apps"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(apps)))
        .mount(&server)
        .await;
    let c = client(&server);
    let pager = c.app().list().paginate().unwrap();
    let page = pager.page(None).await.unwrap();
    assert_eq!(page.items.len(), 50);
    assert_eq!(page.deviations().len(), 50);
    assert_eq!(page.deviations()[7].pointer, "/7/generation");
    assert!(page
        .deviations()
        .iter()
        .all(|d| d.pattern() == "/*/generation"));
    assert_eq!(c.metrics().deviations, 50);
}

#[tokio::test]
async fn every_request_carries_the_protocol_headers() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/apps/x"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(app_json(1))
                .insert_header("warning-message", "This app is deprecated")
                .insert_header("etag", "\"abc\""),
        )
        .mount(&server)
        .await;
    let resp = client(&server)
        .app()
        .info("x")
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!(
        resp.meta.warnings,
        vec!["This app is deprecated".to_string()]
    );
    assert_eq!(resp.meta.etag.as_deref(), Some("\"abc\""));
    let req = &server.received_requests().await.unwrap()[0];
    let h = |n: &str| req.headers.get(n).map(|v| v.to_str().unwrap().to_string());
    assert_eq!(
        h("accept").as_deref(),
        Some("application/vnd.heroku+json; version=3")
    );
    assert_eq!(h("authorization"), Some(format!("Bearer {TOKEN}")));
    let rid = h("request-id").expect("request id");
    assert_eq!(rid.len(), 36, "a uuid: {rid}");
    assert_eq!(resp.meta.request_id.as_deref(), Some(rid.as_str()));
    assert!(h("user-agent").unwrap().starts_with("heroku-api-rust/"));

    // Per-request headers and variant.
    let opts = heroku_api::RequestOptions::new()
        .two_factor_code("123456")
        .variant("3.sdk");
    client(&server)
        .app()
        .info("x")
        .with_options(opts)
        .await
        .unwrap();
    let req = &server.received_requests().await.unwrap()[1];
    assert_eq!(req.headers.get("heroku-two-factor-code").unwrap(), "123456");
    assert_eq!(
        req.headers.get("accept").unwrap(),
        "application/vnd.heroku+json; version=3.sdk"
    );
}

#[tokio::test]
async fn identities_cannot_escape_their_path_segment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let client = client(&server);
    for name in ["../account", "a/b", "a?b=c", "a#b", "100%", "sp ace"] {
        let _ = client.app().info(name).await;
    }
    let paths: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    assert_eq!(
        paths,
        [
            "/apps/..%2Faccount",
            "/apps/a%2Fb",
            "/apps/a%3Fb%3Dc",
            "/apps/a%23b",
            "/apps/100%25",
            "/apps/sp%20ace"
        ]
    );
    for r in server.received_requests().await.unwrap() {
        assert!(r.url.query().is_none());
    }
    // A bare `..` or `.` would be normalised away by URL parsing: refused.
    for name in ["..", "."] {
        let err = client.app().info(name).await.unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err:?}");
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 6);
}

/// A provider that hands out `old` until told it was rejected, then `new`.
#[derive(Debug, Default)]
struct Rotating {
    rotated: std::sync::atomic::AtomicBool,
}

impl heroku_api::CredentialProvider for Rotating {
    fn token<'a>(&'a self, _cx: &'a heroku_api::CredentialContext) -> heroku_api::TokenFuture<'a> {
        let t = if self.rotated.load(std::sync::atomic::Ordering::SeqCst) {
            "new"
        } else {
            "old"
        };
        Box::pin(async move { Ok(heroku_api::Token::new(t)) })
    }

    fn invalidate(&self, _rejected: &heroku_api::Token) -> bool {
        self.rotated
            .store(true, std::sync::atomic::Ordering::SeqCst);
        true
    }
}

#[tokio::test]
async fn a_401_refreshes_once_and_retries_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/apps/x"))
        .respond_with(|req: &Request| {
            if req.headers.get("authorization").unwrap() == "Bearer new" {
                ResponseTemplate::new(200).set_body_json(app_json(1))
            } else {
                ResponseTemplate::new(401)
                    .set_body_json(json!({"id": "unauthorized", "message": "Expired token."}))
            }
        })
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .credentials(Rotating::default())
        .build()
        .unwrap();
    assert_eq!(client.token_source(), heroku_api::TokenSource::Provider);
    client.app().info("x").await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    // A provider that cannot refresh: the 401 is the answer, sent once.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"id": "unauthorized", "message": "Invalid credentials provided."}),
        ))
        .mount(&server)
        .await;
    let err = Client::builder()
        .token("static")
        .base_url(server.uri())
        .build()
        .unwrap()
        .app()
        .info("x")
        .await
        .unwrap_err();
    assert_eq!(err.error_id(), Some(&ErrorId::Unauthorized));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout_error_and_idempotent_calls_retry_it() {
    let server = MockServer::start().await;
    let seen = Arc::new(Mutex::new(0));
    let counter = seen.clone();
    Mock::given(method("GET"))
        .and(path("/apps/slow"))
        .respond_with(move |_: &Request| {
            let mut n = counter.lock().unwrap();
            *n += 1;
            if *n == 1 {
                ResponseTemplate::new(200)
                    .set_body_json(app_json(1))
                    .set_delay(Duration::from_millis(500))
            } else {
                ResponseTemplate::new(200).set_body_json(app_json(2))
            }
        })
        .mount(&server)
        .await;
    let client = Client::builder()
        .token(TOKEN)
        .base_url(server.uri())
        .attempt_timeout(Duration::from_millis(100))
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(1)))
        .build()
        .unwrap();
    let resp = client.app().info("slow").send_with_meta().await.unwrap();
    assert_eq!(
        (resp.body.name.as_str(), resp.meta.attempts),
        ("app-00002", 2)
    );

    let client = Client::builder()
        .token(TOKEN)
        .base_url(server.uri())
        .timeout(Duration::from_millis(100))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(app_json(3))
                .set_delay(Duration::from_millis(500)),
        )
        .mount(&server)
        .await;
    let err = client.app().create().await.unwrap_err();
    let Error::Timeout { after, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*after, Some(Duration::from_millis(100)));
    assert!(
        err.to_string()
            .contains("ran out of time waiting for the answer"),
        "{err}"
    );
}

/// Answers every request with one app, without a network.
struct OneApp;

impl heroku_api::Transport for OneApp {
    fn send(&self, _request: reqwest::Request) -> heroku_api::SendFuture {
        Box::pin(async {
            Ok(reqwest::Response::from(http::Response::new(
                app_json(0).to_string(),
            )))
        })
    }
}

/// Answers 429 (without `Retry-After`), then 503, then one app.
struct RateLimitedThenDown(Arc<Mutex<u32>>);

impl heroku_api::Transport for RateLimitedThenDown {
    fn send(&self, _request: reqwest::Request) -> heroku_api::SendFuture {
        let n = {
            let mut n = self.0.lock().unwrap();
            *n += 1;
            *n
        };
        Box::pin(async move {
            let answer = http::Response::builder().header("ratelimit-remaining", "0");
            let answer = match n {
                1 => answer
                    .status(429)
                    .body(r#"{"id":"rate_limit","message":"rate limited"}"#.to_string()),
                2 => answer
                    .status(503)
                    .body(r#"{"id":"unavailable","message":"down"}"#.to_string()),
                _ => answer.status(200).body(app_json(0).to_string()),
            };
            Ok(reqwest::Response::from(answer.unwrap()))
        })
    }
}

/// Every duration a user can configure may be `Duration::MAX` (no limit):
/// the waits it leads to are long, but no time arithmetic panics.
#[tokio::test(start_paused = true)]
async fn durations_configured_as_max_never_panic() {
    let mut throttle = heroku_api::Throttle::default();
    throttle.base_interval = Duration::MAX;
    throttle.max_interval = Duration::MAX;
    let client = Client::builder()
        .token(TOKEN)
        .base_url("https://max.invalid")
        .transport(RateLimitedThenDown(Arc::default()))
        .timeout(Duration::MAX)
        .attempt_timeout(Duration::MAX)
        .retry(
            RetryPolicy::default()
                .base_delay(Duration::MAX)
                .max_delay(Duration::MAX)
                .max_retry_time(Duration::MAX),
        )
        .throttle(throttle)
        .poll(
            heroku_api::PollPolicy::default()
                .initial(Duration::MAX)
                .max(Duration::MAX),
        )
        .build()
        .unwrap();
    let answer = client.app().info("x").send_with_meta().await.unwrap();
    assert_eq!(answer.meta.attempts, 3);
}

#[tokio::test(start_paused = true)]
async fn one_deadline_anchor_per_client_and_it_ends_with_the_client() {
    let tasks = || {
        tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks()
    };
    let before = tasks();
    let client = Client::builder()
        .token("t")
        .transport(OneApp)
        .build()
        .unwrap();
    client.app().info("app-0").await.unwrap();
    assert_eq!(tasks(), before + 1, "the first request starts the anchor");
    client.clone().app().info("app-0").await.unwrap();
    assert_eq!(tasks(), before + 1, "clones share it");
    drop(client);
    // The anchor re-arms every half timeout (30 s by default) and stops at
    // the first wake-up after the last clone is gone.
    tokio::time::sleep(Duration::from_secs(31)).await;
    tokio::task::yield_now().await;
    assert_eq!(tasks(), before);
}

#[tokio::test]
async fn a_redirect_is_an_error_and_the_other_origin_sees_nothing() {
    let api = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/apps/x", elsewhere.uri()).as_str()),
        )
        .mount(&api)
        .await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(app_json(1)))
        .mount(&elsewhere)
        .await;
    // The client's own HTTP client (no `http_client` override).
    let client = Client::builder()
        .token(TOKEN)
        .base_url(api.uri())
        .build()
        .unwrap();
    let options = heroku_api::RequestOptions::new()
        .two_factor_code("123456")
        .password("hunter2");
    let err = client
        .app()
        .delete("x")
        .with_options(options)
        .await
        .unwrap_err();
    let Error::Redirected {
        status, location, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*status, 302);
    assert_eq!(
        location.as_deref(),
        Some(format!("{}/apps/x", elsewhere.uri()).as_str())
    );
    assert!(
        elsewhere.received_requests().await.unwrap().is_empty(),
        "no request, so none of Authorization, Heroku-Two-Factor-Code or Heroku-Password, reached the other origin"
    );
}

#[tokio::test]
async fn a_handed_back_url_may_redirect_and_carries_no_credentials() {
    let storage = MockServer::start().await;
    let moved = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/upload"))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("location", format!("{}/upload", moved.uri()).as_str()),
        )
        .mount(&storage)
        .await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&moved)
        .await;
    let client = Client::builder()
        .token(TOKEN)
        .base_url(storage.uri())
        .build()
        .unwrap();
    client
        .put_presigned(&format!("{}/upload", storage.uri()), "tarball")
        .await
        .unwrap();
    let got = moved.received_requests().await.unwrap();
    assert_eq!(got.len(), 1);
    assert!(got[0].headers.get("authorization").is_none());
    assert_eq!(got[0].body, b"tarball");
}

#[test]
fn plain_http_is_for_loopback_only_and_urls_never_carry_credentials() {
    let err = Client::builder()
        .token(TOKEN)
        .base_url("http://api.example.com")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("plain http"), "{err}");
    for loopback in [
        "http://127.0.0.1:5000",
        "http://localhost:5000",
        "http://[::1]:5000",
    ] {
        Client::builder()
            .token(TOKEN)
            .base_url(loopback)
            .build()
            .unwrap();
    }
    let err = Client::builder()
        .token(TOKEN)
        .base_url("https://me:pa55word@api.heroku.com")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("user name or password"), "{err}");
    assert!(!err.to_string().contains("pa55word"), "{err}");
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let server = MockServer::start().await;
    let at = std::time::SystemTime::now() + Duration::from_secs(2);
    let date = httpdate::fmt_http_date(at);
    // The date has whole seconds: the wait ends at the start of that second.
    let until = httpdate::parse_http_date(&date).unwrap();
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", date.as_str()).set_body_json(
            json!({"id": "rate_limit", "message": "Your account reached the API rate limit"}),
        ))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(app_json(1)))
        .mount(&server)
        .await;
    let client = Client::builder()
        .token(TOKEN)
        .base_url(server.uri())
        .throttle(heroku_api::Throttle::disabled())
        .build()
        .unwrap();
    client.app().info("x").await.unwrap();
    let second = server.received_requests().await.unwrap();
    assert_eq!(second.len(), 2);
    let late = std::time::SystemTime::now()
        .duration_since(until)
        .unwrap_or_default();
    let early = until
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    assert!(
        early <= Duration::from_millis(500),
        "retried {early:?} before the date"
    );
    assert!(
        late <= Duration::from_millis(500),
        "retried {late:?} after the date"
    );
}

#[tokio::test]
async fn a_failed_upload_does_not_show_its_presigned_url() {
    let client = Client::builder()
        .token(TOKEN)
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    // Nothing listens on port 9: the upload fails to connect.
    let url = "http://127.0.0.1:9/upload?X-Amz-Signature=presigned-secret";
    let err = client.put_presigned(url, "tarball").await.unwrap_err();
    let mut shown = format!("{err} {err:?}");
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        shown.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    assert!(!shown.contains("presigned-secret"), "{shown}");
}

fn oauth_client(base: &str, timeout: Duration) -> Client {
    Client::builder()
        .base_url(base)
        .credentials(heroku_api::OAuthRefresh::new(
            "refresh-token",
            "client-secret",
        ))
        .timeout(timeout)
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_oauth_exchange_that_never_answers_times_out_within_the_calls_deadline() {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let client = oauth_client(&base, Duration::from_secs(2));
    let started = std::time::Instant::now();
    let err = client.app().info("x").await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    // The lock is free again: a second call times out on its own, too.
    let started = std::time::Instant::now();
    assert!(matches!(
        client.app().info("x").await.unwrap_err(),
        Error::Timeout { .. }
    ));
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_transient_failure_at_the_token_endpoint_does_not_break_the_client() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/tokens"))
        .respond_with(
            ResponseTemplate::new(503).set_body_string("<html>503 Service Unavailable</html>"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    // A lifetime beyond what `Instant` holds is capped, not a panic.
    Mock::given(method("POST"))
        .and(path("/oauth/tokens"))
        .respond_with(ResponseTemplate::new(201).set_body_json(
            json!({"access_token": {"token": "fresh-access", "expires_in": u64::MAX}}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/apps/x"))
        .respond_with(ResponseTemplate::new(200).set_body_json(app_json(1)))
        .mount(&server)
        .await;
    let client = oauth_client(&server.uri(), Duration::from_secs(10));
    let err = client.app().info("x").await.unwrap_err();
    assert_eq!(err.status(), Some(503), "{err:?}");
    assert!(
        !matches!(err, Error::Credentials(_)),
        "a 503 is not a refusal: {err}"
    );
    // The next call tries again (after the short backoff) and succeeds.
    let app = client.app().info("x").await.unwrap();
    assert_eq!(app.name, "app-00001");
}

#[tokio::test]
async fn a_refused_refresh_token_is_permanent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/tokens"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"id": "unauthorized", "message": "Invalid credentials provided."}),
        ))
        .mount(&server)
        .await;
    let client = oauth_client(&server.uri(), Duration::from_secs(10));
    for _ in 0..3 {
        let err = client.app().info("x").await.unwrap_err();
        assert!(matches!(err, Error::Credentials(_)), "{err:?}");
    }
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "no new exchange after a refusal"
    );
}

#[tokio::test]
async fn a_partial_list_without_next_range_is_an_error_not_a_short_list() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/apps"))
        .respond_with(ResponseTemplate::new(206).set_body_json(json!([app_json(1), app_json(2)])))
        .mount(&server)
        .await;
    let err = client(&server).app().list().await.unwrap_err();
    assert!(matches!(err, Error::PaginationIncomplete { .. }), "{err:?}");
}

#[tokio::test]
async fn a_cursor_that_does_not_advance_stops_the_stream() {
    let server = MockServer::start().await;
    // Next-Range names the very page that was asked for.
    Mock::given(method("GET"))
        .and(path("/apps"))
        .respond_with(
            ResponseTemplate::new(206)
                .set_body_json(json!([app_json(1)]))
                .insert_header("next-range", "id ..; max=1000"),
        )
        .mount(&server)
        .await;
    let err = client(&server)
        .app()
        .list()
        .range(heroku_api::Range::by("id"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::PaginationLoop { .. }), "{err:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_answer_over_the_body_cap_is_a_clear_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/apps/x"))
        .respond_with(ResponseTemplate::new(200).set_body_json(app_json(1)))
        .mount(&server)
        .await;
    let small = Client::builder()
        .token(TOKEN)
        .base_url(server.uri())
        .max_body_bytes(256)
        .build()
        .unwrap();
    let err = small.app().info("x").await.unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 256, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("256-byte limit"), "{err}");
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "not retried"
    );
    // The default cap takes it.
    client(&server).app().info("x").await.unwrap();
}

#[tokio::test]
async fn a_stream_line_over_the_cap_ends_the_stream_with_an_error() {
    use futures_util::StreamExt;
    let server = MockServer::start().await;
    let mut body = b"first line\n".to_vec();
    body.extend(std::iter::repeat_n(b'x', 2 * 1024 * 1024));
    Mock::given(method("GET"))
        .and(path("/stream"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(body))
        .mount(&server)
        .await;
    let c = client(&server);
    let mut lines = c
        .stream_lines(&format!("{}/stream", server.uri()))
        .await
        .unwrap();
    assert_eq!(lines.next().await.unwrap().unwrap(), "first line");
    let err = lines.next().await.unwrap().unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { .. }), "{err:?}");
    assert!(lines.next().await.is_none());
}

/// A pool that holds `tokens` and refills at Heroku's 75 a minute, in
/// virtual time, counting what it was sent. Each answer takes 50 ms, so
/// requests sent together are in flight together.
#[derive(Clone)]
struct Pool(std::sync::Arc<std::sync::Mutex<(f64, tokio::time::Instant, u64)>>);

impl heroku_api::Transport for Pool {
    fn send(&self, _request: reqwest::Request) -> heroku_api::SendFuture {
        let pool = self.0.clone();
        Box::pin(async move {
            let remaining = {
                let mut p = pool.lock().unwrap();
                let now = tokio::time::Instant::now();
                p.0 = (p.0 + now.duration_since(p.1).as_secs_f64() * 4500.0 / 3600.0).min(4500.0);
                p.1 = now;
                p.2 += 1;
                if p.0 >= 1.0 {
                    p.0 -= 1.0;
                    Some(p.0.floor() as u64)
                } else {
                    None
                }
            };
            let response = match remaining {
                Some(n) => http::Response::builder()
                    .status(200)
                    .header("ratelimit-remaining", n.to_string())
                    .body(app_json(1).to_string()),
                None => http::Response::builder()
                    .status(429)
                    .header("ratelimit-remaining", "0")
                    .body(r#"{"id":"rate_limit","message":"rate limited"}"#.to_string()),
            };
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok(reqwest::Response::from(response.unwrap()))
        })
    }
}

/// Sends 40 concurrent calls through `client` against `pool`, and checks
/// that at every moment what was sent (beyond the `before` already sent)
/// is at most what the pool held plus what it gained since.
async fn forty_concurrent_calls_within(client: &Client, pool: &Pool, held: f64, before: u64) {
    let started = tokio::time::Instant::now();
    let calls: Vec<_> = (0..40)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.app().info("x").await.map(drop) })
        })
        .collect();
    for step in 1..=40 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let sent = pool.0.lock().unwrap().2 - before;
        let refill = started.elapsed().as_secs_f64() * 4500.0 / 3600.0;
        assert!(
            sent as f64 <= held + refill + 1.0,
            "after {step} steps: {sent} sent, refill {refill:.1}"
        );
    }
    for c in calls {
        c.await.unwrap().unwrap();
    }
    assert_eq!(client.metrics().responses_429, 0, "paced, not rate limited");
}

fn pool_client(tokens: f64) -> (Client, Pool) {
    let pool = Pool(std::sync::Arc::new(std::sync::Mutex::new((
        tokens,
        tokio::time::Instant::now(),
        0,
    ))));
    let client = Client::builder()
        .token(TOKEN)
        .base_url("https://pool.invalid")
        .transport(pool.clone())
        .build()
        .unwrap();
    (client, pool)
}

#[tokio::test(start_paused = true)]
async fn concurrent_callers_share_one_schedule_and_stay_within_the_pool() {
    let (client, pool) = pool_client(4.0);
    // The first answer says 3 are left.
    client.app().info("x").await.unwrap();
    assert_eq!(client.rate_limit_remaining(), Some(3));
    forty_concurrent_calls_within(&client, &pool, 3.0, 1).await;
}

/// A client that has seen no answer yet knows nothing of the pool: its
/// first request goes alone, and the other callers wait for its answer
/// instead of all meeting a nearly empty pool together.
#[tokio::test(start_paused = true)]
async fn a_fresh_clients_concurrent_callers_wait_for_its_first_answer() {
    let (client, pool) = pool_client(4.0);
    assert_eq!(client.rate_limit_remaining(), None);
    forty_concurrent_calls_within(&client, &pool, 4.0, 0).await;
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_the_only_wait_not_the_throttle_on_top() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .insert_header("ratelimit-remaining", "0")
                .set_body_json(json!({"id": "rate_limit", "message": "rate limited"})),
        )
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(app_json(1)))
        .mount(&server)
        .await;
    let c = client(&server);
    let answer = c.app().info("x").send_with_meta().await.unwrap();
    assert_eq!(answer.meta.attempts, 3);
    assert_eq!(
        answer.meta.waited,
        Duration::from_secs(2),
        "two Retry-After: 1 waits"
    );
    let m = c.metrics();
    assert_eq!(
        m.throttle_wait,
        Duration::ZERO,
        "no throttle pause on top: {m:?}"
    );
}

/// The call deadline covers the waits between retries: a retry that would
/// start past it is not made, and the call ends with what the last attempt
/// met.
#[tokio::test]
async fn the_call_deadline_covers_the_waits_between_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(503)
                .insert_header("retry-after", "1")
                .set_body_json(json!({"id": "unavailable", "message": "try later"})),
        )
        .mount(&server)
        .await;
    let client = Client::builder()
        .token(TOKEN)
        .base_url(server.uri())
        .timeout(Duration::from_millis(2_500))
        .retry(RetryPolicy::default().max_retries(10))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client.app().info("x").await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.status(), Some(503), "{err:?}");
    // Attempts at 0 s, 1 s and 2 s; the one at 3 s would pass the deadline.
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    assert!(took < Duration::from_millis(2_500), "took {took:?}");
}

/// A hang with no per-attempt timeout (a caller's own HTTP client) still
/// ends at the call's deadline.
#[tokio::test]
async fn the_call_deadline_ends_a_hang_when_no_attempt_timeout_is_set() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(app_json(1))
                .set_delay(Duration::from_secs(30)),
        )
        .mount(&server)
        .await;
    let client = Client::builder()
        .token(TOKEN)
        .base_url(server.uri())
        .http_client(reqwest::Client::new())
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client.app().info("x").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(1_500));
    let Error::Timeout {
        waiting_for, after, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*waiting_for, heroku_api::WaitingFor::Answer);
    assert_eq!(*after, Some(Duration::from_millis(500)));
    // A per-call override wins over the client's deadline.
    let started = std::time::Instant::now();
    let err = client
        .app()
        .info("x")
        .with_options(heroku_api::RequestOptions::new().timeout(Duration::from_millis(200)))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Timeout { after: Some(d), .. } if d == Duration::from_millis(200))
    );
    assert!(started.elapsed() < Duration::from_millis(1_000));
}

/// When the rate-limit schedule holds every request past a call's deadline
/// (a `Retry-After` of 30 s), the call fails at once instead of sleeping
/// into a timeout.
#[tokio::test]
async fn a_schedule_slot_past_the_deadline_fails_the_call_at_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "30")
                .set_body_json(json!({"id": "rate_limit", "message": "Your account reached the API rate limit"})),
        )
        .mount(&server)
        .await;
    let client = Client::builder()
        .token(TOKEN)
        .base_url(server.uri())
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    // The 30 s wait does not fit in 2 s: the 429 is the answer.
    let err = client.app().info("x").await.unwrap_err();
    assert!(matches!(err, Error::RateLimited(_)), "{err:?}");
    // The next call's slot is 30 s away.
    let err = client.app().info("x").await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                waiting_for: heroku_api::WaitingFor::RateLimitSlot,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

/// The HTTP client's error type is not part of the API: a transport error
/// names what failed and its request id, and the `reqwest::Error` is
/// reachable only as its `source()`.
#[tokio::test]
async fn a_refused_connection_is_a_transport_error_with_the_http_error_as_source() {
    // Port 1 on loopback: nothing listens there.
    let client = Client::builder()
        .token(TOKEN)
        .base_url("http://127.0.0.1:1")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.app().list().await.unwrap_err();
    let Error::Transport {
        context,
        request_id,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(context, "connection failed");
    assert!(
        request_id.as_deref().is_some_and(|id| id.len() == 36),
        "{request_id:?}"
    );
    let source = std::error::Error::source(&err).expect("a source");
    assert!(
        source.downcast_ref::<reqwest::Error>().is_some(),
        "{source:?}"
    );
    assert!(!format!("{err} {err:?}").contains(TOKEN));
}
