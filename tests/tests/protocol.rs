//! The fake's protocol: auth, routing, validation, ranges, rate limits,
//! faults, determinism; curl against the standalone binary; concurrency.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use heroku_fake::{Config, Fault, FaultRule, Faults, RateLimit};
use serde_json::{json, Value};

mod raw;

use raw::{call, ACCEPT};

#[tokio::test]
async fn auth_routes_and_validation_answer_like_heroku() {
    let fake = heroku_fake::start().await.unwrap();
    let http = reqwest::Client::new();
    for auth in [None, Some("Bearer wrong"), Some("Basic abc")] {
        let mut req = http.get(format!("{}/apps", fake.base_url()));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 401);
        let body: Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
        assert_eq!(body["id"], "unauthorized");
    }
    let r = call(&fake, "GET", "/no/such/thing", &[], None).await;
    assert_eq!((r.status, r.body["id"].as_str()), (404, Some("not_found")));
    let r = call(&fake, "PUT", "/apps", &[], None).await;
    assert_eq!(r.status, 405);

    // Body validation: types, enums, required fields.
    let r = call(&fake, "POST", "/apps", &[], Some(json!({"name": 42}))).await;
    assert_eq!(
        (r.status, r.body["id"].as_str()),
        (422, Some("invalid_params"))
    );
    assert!(
        r.body["message"].as_str().unwrap().contains("name"),
        "{}",
        r.body
    );
    assert!(r.body["url"].is_string());
    let r = call(&fake, "POST", "/apps/x/domains", &[], Some(json!({}))).await;
    assert_eq!(
        r.status, 422,
        "hostname and sni_endpoint are required: {}",
        r.body
    );
    let r = call(&fake, "POST", "/apps", &[], Some(json!({"name": "ok-app"}))).await;
    assert_eq!(r.status, 201);
    let r = call(
        &fake,
        "POST",
        "/apps/ok-app/dynos",
        &[],
        Some(json!({"command": "bash", "type": 7})),
    )
    .await;
    assert_eq!(r.status, 422);
    // A request id comes back: Heroku's own first, then ours when we send
    // one, comma-separated as Heroku's answers are.
    let r = call(&fake, "GET", "/account", &[("request-id", "abc-123")], None).await;
    let ids = r.headers["request-id"].to_str().unwrap().to_string();
    let (heroku, ours) = ids.split_once(',').expect("two ids");
    assert_eq!((heroku.len(), ours), (36, "abc-123"), "{ids}");
    let r = call(&fake, "GET", "/account", &[], None).await;
    assert_eq!(
        r.headers["request-id"].len(),
        36,
        "one id when we send none"
    );
    for h in ["ratelimit-remaining", "ratelimit-multiplier", "oauth-scope"] {
        assert!(r.headers.contains_key(h), "{h}");
    }
}

#[tokio::test]
async fn every_list_pages_with_range_headers() {
    let fake = heroku_fake::start().await.unwrap();
    for i in 0..5 {
        call(
            &fake,
            "POST",
            "/apps",
            &[],
            Some(json!({ "name": format!("app-{i}") })),
        )
        .await;
    }
    let r = call(&fake, "GET", "/apps", &[("range", "name ..; max=2")], None).await;
    assert_eq!(r.status, 206);
    assert_eq!(r.body.as_array().unwrap().len(), 2);
    assert_eq!(r.headers["next-range"], "name ]app-1..; max=2");
    assert_eq!(r.headers["content-range"], "name app-0..app-1");
    assert_eq!(r.headers["accept-ranges"], "id, name, updated_at");
    let r = call(
        &fake,
        "GET",
        "/apps",
        &[("range", "name ]app-3..; max=2")],
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body[0]["name"], "app-4");
    assert!(r.headers.get("next-range").is_none());
    for bad in ["size ..", "name ..; max=5000", "garbage"] {
        let r = call(&fake, "GET", "/apps", &[("range", bad)], None).await;
        assert_eq!(
            (r.status, r.body["id"].as_str()),
            (416, Some("requested_range_not_satisfiable")),
            "{bad}"
        );
    }
    // Default page size is 200.
    for i in 5..250 {
        call(
            &fake,
            "POST",
            "/apps",
            &[],
            Some(json!({ "name": format!("app-{i}") })),
        )
        .await;
    }
    let r = call(&fake, "GET", "/apps", &[], None).await;
    assert_eq!((r.status, r.body.as_array().unwrap().len()), (206, 200));
}

#[tokio::test]
async fn an_empty_bucket_answers_429_and_refills() {
    let config = Config {
        rate_limit: RateLimit {
            capacity: 3.0,
            initial: 3.0,
            // Slow enough that a loaded machine does not refill a token
            // between the third call and the fourth.
            refill_per_second: 1.0,
        },
        ..Config::default()
    };
    let fake = heroku_fake::start_with(config).await.unwrap();
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let r = call(&fake, "GET", "/account", &[], None).await;
        assert_eq!(r.status, 200);
        remaining.push(
            r.headers["ratelimit-remaining"]
                .to_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let r = call(&fake, "GET", "/account", &[], None).await;
    assert_eq!((r.status, r.body["id"].as_str()), (429, Some("rate_limit")));
    // The rate-limit check itself is free.
    let r = call(&fake, "GET", "/account/rate-limits", &[], None).await;
    assert_eq!(r.status, 200);
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let r = call(&fake, "GET", "/account", &[], None).await;
    assert_eq!(r.status, 200, "the bucket refilled");
}

#[tokio::test]
async fn faults_are_seeded_and_targeted() {
    let run = || async {
        let config = Config {
            faults: Faults {
                status_503: 0.2,
                rate_limit: 0.1,
                ..Faults::default()
            },
            ..Config::default()
        };
        let fake = heroku_fake::start_with(config).await.unwrap();
        let mut statuses = Vec::new();
        for _ in 0..40 {
            statuses.push(call(&fake, "GET", "/account", &[], None).await.status);
        }
        statuses
    };
    let first = run().await;
    assert_eq!(first, run().await, "same seed, same faults");
    assert!(
        first.contains(&503) && first.contains(&429) && first.contains(&200),
        "{first:?}"
    );

    let fake = heroku_fake::start().await.unwrap();
    fake.inject(FaultRule {
        method: Some("GET".into()),
        path_prefix: "/account".into(),
        fault: Fault::Reset,
        remaining: 1,
    });
    fake.inject(FaultRule {
        method: None,
        path_prefix: "/apps".into(),
        fault: Fault::Truncate,
        remaining: 1,
    });
    let http = reqwest::Client::new();
    let reset = http
        .get(format!("{}/account", fake.base_url()))
        .bearer_auth(fake.token())
        .send()
        .await;
    assert!(reset.is_err(), "the connection was dropped");
    let truncated = http
        .get(format!("{}/apps", fake.base_url()))
        .bearer_auth(fake.token())
        .send()
        .await
        .unwrap();
    assert!(truncated.bytes().await.is_err(), "the body was cut off");
    let ok = http
        .get(format!("{}/account", fake.base_url()))
        .bearer_auth(fake.token())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    let log = fake.requests();
    assert_eq!(log[0].fault, Some(Fault::Reset));
    assert_eq!(log[1].fault, Some(Fault::Truncate));
}

#[tokio::test]
async fn ids_and_timestamps_are_seeded() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let fake = heroku_fake::start().await.unwrap();
        let r = call(
            &fake,
            "POST",
            "/apps",
            &[],
            Some(json!({"name": "same-app"})),
        )
        .await;
        runs.push((r.body["id"].clone(), r.body["created_at"].clone()));
    }
    assert_eq!(runs[0], runs[1]);
}

#[tokio::test]
async fn curl_lists_apps_from_the_standalone_binary() {
    /// Stops the server even when an assertion fails.
    struct Server(std::process::Child);
    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = Server(
        Command::new(env!("CARGO_BIN_EXE_heroku-fake"))
            .args(["--port", "0", "--token", "curl-token"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the binary"),
    );
    let mut line = String::new();
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    stdout.read_line(&mut line).unwrap();
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("a URL")
        .to_string();
    let curl_as = |token: &str, args: &[&str]| {
        let out = Command::new("curl")
            .args([
                "-s",
                "-i",
                "-H",
                &format!("Accept: {ACCEPT}"),
                "-H",
                &format!("Authorization: Bearer {token}"),
            ])
            .args(args)
            .output()
            .expect("curl runs");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let curl = |args: &[&str]| curl_as("curl-token", args);
    for name in ["curl-a", "curl-b", "curl-c"] {
        let created = curl(&[
            "-X",
            "POST",
            "-H",
            "Content-Type: application/json",
            "-d",
            &format!("{{\"name\":\"{name}\"}}"),
            &format!("{base}/apps"),
        ]);
        assert!(created.starts_with("HTTP/1.1 201"), "{created}");
    }
    let listed = curl(&[&format!("{base}/apps")]);
    assert!(listed.starts_with("HTTP/1.1 200"), "{listed}");
    assert!(listed.contains("\"name\":\"curl-b\""), "{listed}");
    let paged = curl(&["-H", "Range: name ..; max=2", &format!("{base}/apps")]);
    assert!(paged.starts_with("HTTP/1.1 206"), "{paged}");
    assert!(
        paged
            .to_ascii_lowercase()
            .contains("next-range: name ]curl-b..; max=2"),
        "{paged}"
    );
    let bad = curl_as("nope", &[&format!("{base}/apps")]);
    assert!(
        bad.starts_with("HTTP/1.1 401") && bad.contains("unauthorized"),
        "{bad}"
    );
    // A synthesised answer says so in a header.
    let made_up = curl(&[&format!("{base}/apps/curl-a/sni-endpoints")]);
    assert!(
        made_up
            .to_ascii_lowercase()
            .contains("x-fake-heroku-synthesized: true"),
        "{made_up}"
    );

    // SIGTERM, as a service manager or `docker stop` sends it, stops it
    // cleanly.
    let killed = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.0.wait().unwrap();
    assert!(status.success(), "{status:?}");
    line.clear();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "SIGTERM: stopping");
}

#[test]
fn the_standalone_binary_lists_every_option_in_help() {
    let out = Command::new(env!("CARGO_BIN_EXE_heroku-fake"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for option in [
        "--port",
        "--token",
        "--seed",
        "--rate-limit",
        "--not-implemented",
        "--help",
        "SIGTERM",
    ] {
        assert!(help.contains(option), "{option} missing from:\n{help}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_heroku-fake"))
        .arg("--bogus")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bogus"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_clients_doing_1000_requests_each_stay_consistent() {
    let config = Config {
        rate_limit: RateLimit::unlimited(),
        ..Config::default()
    };
    let fake = heroku_fake::start_with(config).await.unwrap();
    let mut tasks = Vec::new();
    for c in 0..16 {
        let client = heroku_api::Client::builder()
            .token(fake.token())
            .base_url(fake.base_url())
            .strict_decoding(true)
            .build()
            .unwrap();
        tasks.push(tokio::spawn(async move {
            let name = format!("load-{c:02}");
            client.app().create().name(name.as_str()).await?;
            // 1 create + 333 × (config set, info, release list) = 1,000 requests.
            for i in 0..333 {
                let vars = [(format!("K{i:03}"), Some(format!("{c}-{i}")))];
                client.config_var().update(name.as_str(), vars).await?;
                client.app().info(name.as_str()).await?;
                client
                    .release()
                    .list(name.as_str())
                    .range(heroku_api::Range::by("version").max(1))
                    .paginate()?
                    .page(None)
                    .await?;
            }
            Ok::<_, heroku_api::Error>(name)
        }));
    }
    let client = heroku_api::Client::builder()
        .token(fake.token())
        .base_url(fake.base_url())
        .strict_decoding(true)
        .build()
        .unwrap();
    for t in tasks {
        let name = t.await.unwrap().expect("no request failed");
        let config = client
            .config_var()
            .info_for_app(name.as_str())
            .await
            .unwrap();
        assert_eq!(config.len(), 333, "{name}");
        let versions: Vec<i64> = client
            .release()
            .list(name.as_str())
            .await
            .unwrap()
            .iter()
            .map(|r| r.version)
            .collect();
        assert_eq!(
            versions,
            (1..=334).collect::<Vec<_>>(),
            "{name}: one release per change, no gaps"
        );
    }
    assert_eq!(
        fake.requests().iter().filter(|r| r.status >= 400).count(),
        0
    );
    assert_eq!(fake.count("POST", "/apps"), 16);
}

/// Basic authentication with the token as the password is accepted, as on
/// Heroku (any user, usually empty); a wrong password is a 401.
#[tokio::test]
async fn basic_auth_with_the_token_as_password_is_accepted() {
    use base64::Engine;
    let fake = heroku_fake::start().await.unwrap();
    let http = reqwest::Client::new();
    let basic = |password: &str| {
        let pair = base64::engine::general_purpose::STANDARD.encode(format!(":{password}"));
        format!("Basic {pair}")
    };
    for (auth, status) in [(basic(fake.token()), 200), (basic("wrong"), 401)] {
        let resp = http
            .get(format!("{}/account", fake.base_url()))
            .header("accept", "application/vnd.heroku+json; version=3")
            .header("authorization", auth)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), status);
        // A 401 has a request id but no rate-limit state.
        assert!(resp.headers().contains_key("request-id"));
        assert_eq!(
            resp.headers().contains_key("ratelimit-remaining"),
            status == 200
        );
    }
}
