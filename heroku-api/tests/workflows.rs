//! The workflow helpers against the fake Heroku.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use heroku_api::formation::FormationUpdate;
use heroku_api::workflows::{SyncOptions, SyncOutcome, WorkflowError};
use heroku_api::{Client, Error};

async fn setup() -> (heroku_fake::FakeHeroku, Client) {
    let fake = heroku_fake::start().await.unwrap();
    let client = Client::builder()
        .token(fake.token())
        .base_url(fake.base_url())
        .strict_decoding(true)
        .build()
        .unwrap();
    (fake, client)
}

fn sample_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("heroku-api-wf-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(dir.join("Procfile"), "web: bin/web\n").unwrap();
    std::fs::write(dir.join(".git/config"), "secret").unwrap();
    std::fs::write(dir.join("debug.log"), "noise").unwrap();
    dir
}

#[tokio::test]
async fn a_deploy_streams_output_before_the_build_finishes_and_returns_the_release() {
    let (fake, client) = setup().await;
    client.app().create().name("deploy-me").await.unwrap();
    let dir = sample_dir("deploy");
    // Record, for every output line, whether the build was still pending.
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = seen.clone();
    let deployed = client
        .deploy("deploy-me")
        .directory(&dir)
        .ignore(["*.log"])
        .version("abc123")
        // No deadline at all: time arithmetic must not overflow.
        .timeout(Duration::MAX)
        .run(move |line| sink.lock().unwrap().push(line.to_string()))
        .await
        .unwrap();
    assert_eq!(deployed.build.status.as_str(), "succeeded");
    assert_eq!(deployed.release.version, 2);
    assert_eq!(deployed.release.status.as_str(), "succeeded");
    let lines = seen.lock().unwrap().clone();
    assert!(lines.len() >= 8, "{lines:?}");
    assert_eq!(lines.last().unwrap().trim(), "Released v2");

    // The upload went to the presigned URL without the token, and held a
    // tarball without .git or the ignored log.
    let upload = fake
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .expect("an upload");
    assert!(!upload.authorized, "the upload carried Authorization");
    let put_url = format!("{}{}", fake.base_url(), upload.path);
    let tarball = fake.blob(&put_url).expect("stored");
    let names = tar_names(&tarball);
    assert_eq!(names, ["Procfile"]);
    let stream = fake
        .requests()
        .into_iter()
        .find(|r| r.path.starts_with("/__fake/streams/"))
        .unwrap();
    assert!(
        !stream.authorized,
        "the output stream carried Authorization"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn output_arrives_while_the_build_is_still_pending() {
    let (_fake, client) = setup().await;
    client.app().create().name("watch-me").await.unwrap();
    let source = client.source().create().await.unwrap();
    client
        .put_presigned(&source.source_blob.put_url, b"tarball".to_vec())
        .await
        .unwrap();
    let build = client
        .build()
        .create(
            "watch-me",
            heroku_api::build::BuildSourceBlob::new(source.source_blob.get_url),
        )
        .await
        .unwrap();
    let mut lines = client.stream_lines(&build.output_stream_url).await.unwrap();
    let first = lines.next().await.unwrap().unwrap();
    assert!(first.contains("Building"), "{first}");
    let status = client
        .build()
        .info("watch-me", build.id.as_str())
        .await
        .unwrap()
        .status;
    assert_eq!(
        status.as_str(),
        "pending",
        "the first line came before the build finished"
    );
}

#[tokio::test]
async fn a_failed_build_carries_the_tail_of_its_output() {
    let (_fake, client) = setup().await;
    client.app().create().name("broken").await.unwrap();
    // An empty tarball: the fake's build fails.
    let err = client
        .deploy("broken")
        .tarball(Vec::new())
        .run(|_| {})
        .await
        .unwrap_err();
    let WorkflowError::BuildFailed {
        status,
        output_tail,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(status, "failed");
    assert!(
        output_tail.iter().any(|l| l.contains("Push rejected")),
        "{output_tail:?}"
    );
    assert!(err.to_string().contains("Push rejected"), "{err}");
    // Nothing to deploy is a clear error, not a request.
    let err = client.deploy("broken").run(|_| {}).await.unwrap_err();
    assert!(matches!(err, WorkflowError::Invalid(_)), "{err:?}");
}

#[tokio::test]
async fn a_deploy_that_outlives_its_timeout_says_so() {
    let config = heroku_fake::Config {
        timings: heroku_fake::Timings {
            build: Duration::from_secs(30),
            ..Default::default()
        },
        ..Default::default()
    };
    let fake = heroku_fake::start_with(config).await.unwrap();
    let client = Client::builder()
        .token(fake.token())
        .base_url(fake.base_url())
        .strict_decoding(true)
        .build()
        .unwrap();
    client.app().create().name("slow-build").await.unwrap();
    let err = client
        .deploy("slow-build")
        .tarball(b"bytes".to_vec())
        .timeout(Duration::from_millis(300))
        .run(|_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, WorkflowError::WaitTimeout { .. }), "{err:?}");
}

#[tokio::test]
async fn rollback_to_a_version_and_wait_for_the_release() {
    let (_fake, client) = setup().await;
    client.app().create().name("roll").await.unwrap();
    for v in ["a", "b"] {
        client
            .config_var()
            .update("roll", [("V", Some(v))])
            .await
            .unwrap();
    }
    let r = client.rollback_to_version("roll", 2).await.unwrap();
    assert_eq!((r.version, r.description.as_str()), (4, "Rollback to v2"));
    let vars = client.config_var().info_for_app("roll").await.unwrap();
    assert_eq!(vars["V"], "a");
    let done = client
        .wait_for_release("roll", &r.id, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(done.status.as_str(), "succeeded");
    assert!(client
        .rollback_to_version("roll", 99)
        .await
        .unwrap_err()
        .is_not_found());
}

#[tokio::test]
async fn config_sync_dry_run_changes_nothing_and_apply_changes_exactly_the_diff() {
    let (fake, client) = setup().await;
    for (app, vars) in [
        (
            "cfg-a",
            vec![("KEEP", "1"), ("OLD", "x"), ("DATABASE_URL", "pg://a")],
        ),
        ("cfg-b", vec![("KEEP", "1")]),
    ] {
        client.app().create().name(app).await.unwrap();
        let vars = vars.into_iter().map(|(k, v)| (k, Some(v)));
        client.config_var().update(app, vars).await.unwrap();
    }
    let desired: BTreeMap<String, String> = [("KEEP", "1"), ("NEW", "secret-value")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let opts = SyncOptions::new().remove_extra(true).keep(["DATABASE_URL"]);

    let before_state = (
        client.config_var().info_for_app("cfg-a").await.unwrap(),
        client.config_var().info_for_app("cfg-b").await.unwrap(),
    );
    let before = fake.requests().len();
    let report = client
        .config_sync(&desired, &["cfg-a", "cfg-b"], &opts.clone().dry_run(true))
        .await
        .unwrap();
    assert!(report
        .apps
        .iter()
        .all(|a| matches!(a.outcome, SyncOutcome::Planned)));
    assert!(
        fake.requests()[before..].iter().all(|r| r.method == "GET"),
        "a dry run only reads"
    );
    let shown: String = report.diffs().map(|d| d.to_string()).collect();
    assert!(
        !shown.contains("secret-value") && !shown.contains("pg://a"),
        "{shown}"
    );
    assert!(
        shown.contains("+ NEW = <12 chars>") && shown.contains("- OLD"),
        "{shown}"
    );
    let after_dry = (
        client.config_var().info_for_app("cfg-a").await.unwrap(),
        client.config_var().info_for_app("cfg-b").await.unwrap(),
    );
    assert_eq!(before_state, after_dry);

    let before = fake.requests().len();
    let report = client
        .config_sync(&desired, &["cfg-a", "cfg-b"], &opts)
        .await
        .unwrap();
    assert_eq!(report.applied().collect::<Vec<_>>(), ["cfg-a", "cfg-b"]);
    let patches = fake.requests()[before..]
        .iter()
        .filter(|r| r.method == "PATCH")
        .count();
    assert_eq!(patches, 2, "one PATCH per app");
    let a = client.config_var().info_for_app("cfg-a").await.unwrap();
    let keys: Vec<&str> = a.keys().map(String::as_str).collect();
    assert_eq!(keys, ["DATABASE_URL", "KEEP", "NEW"]);
    let again = client
        .config_sync(&desired, &["cfg-a", "cfg-b"], &opts)
        .await
        .unwrap();
    assert!(
        again
            .apps
            .iter()
            .all(|a| matches!(a.outcome, SyncOutcome::InSync)),
        "in sync now"
    );
}

#[tokio::test]
async fn promote_a_stage_and_scale_and_tail_logs() {
    let (_fake, client) = setup().await;
    let staging = client.app().create().name("p-staging").await.unwrap();
    // The fake reads the Procfile as Heroku does: these are the types that
    // can be scaled.
    let dir = sample_dir("promote");
    std::fs::write(dir.join("Procfile"), "web: bin/web\nworker: bin/worker\n").unwrap();
    client
        .deploy("p-staging")
        .directory(&dir)
        .run(|_| {})
        .await
        .unwrap();
    std::fs::remove_dir_all(dir).unwrap();
    let pipeline = client.pipeline().create("p").await.unwrap();
    let pid = pipeline.id;
    client
        .pipeline_coupling()
        .create("p-staging", pid.as_str(), "staging")
        .await
        .unwrap();
    for name in ["p-prod-1", "p-prod-2"] {
        client.app().create().name(name).await.unwrap();
        client
            .pipeline_coupling()
            .create(name, pid.as_str(), "production")
            .await
            .unwrap();
    }
    let result = client
        .promote_stage("p", "staging", Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(result.targets.len(), 2);
    assert!(result
        .targets
        .iter()
        .all(|t| t.status.as_str() == "succeeded" && t.release.is_some()));
    let err = client
        .promote_stage("p", "production", Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(matches!(err, WorkflowError::Invalid(_)), "{err:?}");

    // Scaling several process types at once, a size by its name.
    let formation = client
        .formation()
        .batch_update(
            staging.id.as_str(),
            [
                FormationUpdate::new("web")
                    .quantity(3)
                    .dyno_size("Standard-2X"),
                FormationUpdate::new("worker").quantity(1),
            ],
        )
        .await
        .unwrap();
    assert_eq!(formation.len(), 2);
    let web = formation.iter().find(|f| f.type_ == "web").unwrap();
    assert_eq!((web.quantity, web.size.as_str()), (3, "Standard-2X"));
    assert_eq!(client.dyno().list("p-staging").await.unwrap().len(), 4);

    let mut lines = client.log_tail("p-staging", 10, false).await.unwrap();
    let mut all = Vec::new();
    while let Some(l) = lines.next().await {
        all.push(l.unwrap());
    }
    assert!(all.iter().any(|l| l.contains("Deploy")), "{all:?}");
    assert!(all.iter().any(|l| l.contains("web.3")), "{all:?}");
}

fn tar_names(tarball: &[u8]) -> Vec<String> {
    // A tiny tar reader: names from 512-byte headers of the gunzipped data.
    let mut gz = flate2::read::GzDecoder::new(tarball);
    let mut data = Vec::new();
    std::io::Read::read_to_end(&mut gz, &mut data).unwrap();
    let mut names = Vec::new();
    let mut offset = 0;
    while offset + 512 <= data.len() {
        let header = &data[offset..offset + 512];
        if header.iter().all(|b| *b == 0) {
            break;
        }
        let name = String::from_utf8_lossy(&header[..100])
            .trim_end_matches('\0')
            .to_string();
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&header[124..135])
                .trim_matches(|c: char| c == '\0' || c == ' '),
            8,
        )
        .unwrap();
        names.push(name);
        offset += 512 + size.div_ceil(512) * 512;
    }
    names
}

#[tokio::test]
async fn authorization_helpers_redact_their_secrets() {
    let (fake, client) = setup().await;
    let short = client
        .create_authorization("ci deploys", Some(Duration::from_secs(3600)))
        .await
        .unwrap();
    let token = short.access_token.clone().expect("a token on creation");
    assert!(!format!("{short:?}").contains(token.expose()));
    let all = client.list_authorizations().await.unwrap();
    assert!(!all.is_empty());
    client.revoke_authorization(&short.id).await.unwrap();
    let sent: Vec<_> = fake
        .requests()
        .iter()
        .map(|r| (r.method.clone(), r.operation.clone()))
        .collect();
    assert!(
        sent.contains(&(
            "DELETE".to_string(),
            Some("oauth-authorization.delete".to_string())
        )),
        "{sent:?}"
    );
    let body = fake
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(body.path, "/oauth/authorizations");
}

/// Answers every request with a release that stays `pending` for the
/// first `pending` checks, and records when each check was sent (on the
/// test's clock, which is paused: no network is involved).
struct PendingRelease {
    pending: usize,
    sent: Arc<Mutex<Vec<tokio::time::Instant>>>,
}

impl heroku_api::Transport for PendingRelease {
    fn send(&self, _request: reqwest::Request) -> heroku_api::SendFuture {
        let mut sent = self.sent.lock().unwrap();
        sent.push(tokio::time::Instant::now());
        let status = if sent.len() <= self.pending {
            "pending"
        } else {
            "succeeded"
        };
        let body = serde_json::json!({"id": "r-1", "version": 7, "status": status});
        Box::pin(async move {
            Ok(reqwest::Response::from(http::Response::new(
                body.to_string(),
            )))
        })
    }
}

fn polling_client(pending: usize) -> (Client, Arc<Mutex<Vec<tokio::time::Instant>>>) {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let client = Client::builder()
        .token("t")
        .transport(PendingRelease {
            pending,
            sent: sent.clone(),
        })
        .build()
        .unwrap();
    (client, sent)
}

fn gaps(sent: &[tokio::time::Instant]) -> Vec<u64> {
    sent.windows(2)
        .map(|w| (w[1] - w[0]).as_millis() as u64)
        .collect()
}

#[tokio::test(start_paused = true)]
async fn polling_starts_at_a_second_and_backs_off_to_ten_through_the_client() {
    let (client, sent) = polling_client(6);
    let release = client
        .wait_for_release("app", "r-1", Duration::from_secs(600))
        .await
        .unwrap();
    assert_eq!(release.status.as_str(), "succeeded");
    let sent = sent.lock().unwrap().clone();
    assert_eq!(gaps(&sent), [1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    // Every check is an ordinary call: counted, and paced by the throttle.
    assert_eq!(client.metrics().requests, 7);
}

#[tokio::test(start_paused = true)]
async fn the_last_check_falls_on_the_deadline_then_the_wait_times_out() {
    let (client, sent) = polling_client(usize::MAX);
    let started = tokio::time::Instant::now();
    let err = client
        .wait_for_release("app", "r-1", Duration::from_secs(5))
        .await
        .unwrap_err();
    let WorkflowError::WaitTimeout { what, waited } = &err else {
        panic!("{err:?}")
    };
    assert!(what.contains("r-1"), "{what}");
    assert_eq!(*waited, Duration::from_secs(5));
    let at: Vec<u64> = sent
        .lock()
        .unwrap()
        .iter()
        .map(|t| (*t - started).as_secs())
        .collect();
    assert_eq!(at, [0, 1, 3, 5]);
}

#[tokio::test]
async fn a_configured_poll_policy_is_used() {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let client = Client::builder()
        .token("t")
        .transport(PendingRelease {
            pending: 3,
            sent: sent.clone(),
        })
        .poll(
            heroku_api::PollPolicy::default()
                .initial(Duration::from_millis(20))
                .max(Duration::from_millis(30)),
        )
        .build()
        .unwrap();
    client
        .wait_for_release("app", "r-1", Duration::from_secs(5))
        .await
        .unwrap();
    let gaps = gaps(&sent.lock().unwrap());
    assert_eq!(gaps.len(), 3);
    assert!(gaps.iter().all(|g| (20..200).contains(g)), "{gaps:?}");
}

/// A Heroku whose source endpoint answers after `create_delay` and whose
/// upload URL takes `upload_delay` to accept a body.
async fn slow_sources(create_delay: Duration, upload_delay: Duration) -> wiremock::MockServer {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};
    let server = wiremock::MockServer::start().await;
    let base = server.uri();
    Mock::given(method("POST"))
        .and(path("/sources"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(serde_json::json!({"source_blob": {
                    "get_url": format!("{base}/blob"),
                    "put_url": format!("{base}/blob?signature=presigned"),
                }}))
                .set_delay(create_delay),
        )
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/blob"))
        .respond_with(ResponseTemplate::new(200).set_delay(upload_delay))
        .mount(&server)
        .await;
    server
}

fn wiremock_client(server: &wiremock::MockServer) -> Client {
    Client::builder()
        .token("t")
        .base_url(server.uri())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_deploy_timeout_covers_creating_the_source_and_the_upload() {
    let long = Duration::from_secs(30);
    for (create, upload, step) in [
        (long, Duration::ZERO, "the source to be created"),
        (Duration::ZERO, long, "the source to be uploaded"),
    ] {
        let server = slow_sources(create, upload).await;
        let started = std::time::Instant::now();
        let err = wiremock_client(&server)
            .deploy("app")
            .tarball(b"tarball".to_vec())
            .timeout(Duration::from_millis(500))
            .run(|_| {})
            .await
            .unwrap_err();
        let WorkflowError::WaitTimeout { what, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(what, step);
        assert!(started.elapsed() < Duration::from_secs(2), "{step}");
    }
}

#[tokio::test]
async fn a_presigned_upload_ends_at_the_clients_call_timeout() {
    let server = slow_sources(Duration::ZERO, Duration::from_secs(30)).await;
    let client = Client::builder()
        .token("t")
        .base_url(server.uri())
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let url = format!("{}/blob?signature=presigned", server.uri());
    let err = client.put_presigned(&url, "tarball").await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(!format!("{err} {err:?}").contains("presigned"), "{err:?}");
}

/// The sync stops at the first app that fails, and says which apps were
/// changed, which failed and why, and which were not attempted.
#[tokio::test]
async fn a_failed_sync_reports_every_apps_outcome() {
    let (_fake, client) = setup().await;
    for app in ["sync-1", "sync-2", "sync-4"] {
        client.app().create().name(app).await.unwrap();
    }
    let desired: BTreeMap<String, String> = [("LEVEL".to_string(), "info".to_string())].into();
    // `sync-3` does not exist: its read fails, before anything is changed.
    let apps = ["sync-1", "sync-2", "sync-3", "sync-4"];
    let err = client
        .config_sync(&desired, &apps, &SyncOptions::new())
        .await
        .unwrap_err();
    let WorkflowError::ConfigSync(report) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(report.applied().count(), 0, "reads come first: {report}");
    let (failed, why) = report.failed().next().unwrap();
    assert_eq!((failed, why.status()), ("sync-3", Some(404)));
    assert_eq!(
        report.not_attempted().collect::<Vec<_>>(),
        ["sync-1", "sync-2", "sync-4"]
    );
    assert!(client
        .config_var()
        .info_for_app("sync-1")
        .await
        .unwrap()
        .is_empty());
    let shown = err.to_string();
    assert!(
        shown.contains("sync-3") && shown.contains("not attempted: sync-1, sync-2, sync-4"),
        "{shown}"
    );
    assert_eq!(
        std::error::Error::source(&**report).map(|e| e.to_string()),
        Some(why.to_string())
    );

    // Going on past the failure: the others are applied.
    let err = client
        .config_sync(&desired, &apps, &SyncOptions::new().keep_going(true))
        .await
        .unwrap_err();
    let WorkflowError::ConfigSync(report) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        report.applied().collect::<Vec<_>>(),
        ["sync-1", "sync-2", "sync-4"]
    );
    assert_eq!(
        report.failed().map(|(a, _)| a).collect::<Vec<_>>(),
        ["sync-3"]
    );
    assert_eq!(report.not_attempted().count(), 0);
}

/// A failure while applying: the apps before it are applied, the ones
/// after it not attempted.
#[tokio::test]
async fn a_sync_that_fails_while_applying_says_what_was_already_changed() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};
    let server = wiremock::MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/apps/b/config-vars"))
        .respond_with(ResponseTemplate::new(422).set_body_json(serde_json::json!({
            "id": "invalid_params", "message": "Config var key is invalid"
        })))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"K": "v"})))
        .mount(&server)
        .await;
    let desired: BTreeMap<String, String> = [("K".to_string(), "v".to_string())].into();
    let err = wiremock_client(&server)
        .config_sync(&desired, &["a", "b", "c"], &SyncOptions::new())
        .await
        .unwrap_err();
    let WorkflowError::ConfigSync(report) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(report.applied().collect::<Vec<_>>(), ["a"]);
    let (app, why) = report.failed().next().unwrap();
    assert_eq!((app, why.status()), ("b", Some(422)));
    assert_eq!(report.not_attempted().collect::<Vec<_>>(), ["c"]);
    assert_eq!(
        report.to_string(),
        format!("a: applied 1 change(s)\nb: failed: {why}\nc: not attempted\n")
    );
    let patches = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "PATCH")
        .count();
    assert_eq!(patches, 2, "c was not sent");
}

/// A release that answers these statuses, one per check.
struct ReleaseStatuses(Mutex<std::collections::VecDeque<&'static str>>);

impl heroku_api::Transport for ReleaseStatuses {
    fn send(&self, _request: reqwest::Request) -> heroku_api::SendFuture {
        let status = self.0.lock().unwrap().pop_front().unwrap_or("succeeded");
        let body = serde_json::json!({"id": "r-1", "version": 7, "status": status});
        Box::pin(async move {
            Ok(reqwest::Response::from(http::Response::new(
                body.to_string(),
            )))
        })
    }
}

fn releases_answering(statuses: &[&'static str]) -> Client {
    Client::builder()
        .token("t")
        .transport(ReleaseStatuses(Mutex::new(
            statuses.iter().copied().collect(),
        )))
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_wait_shows_every_state_it_checks_and_a_failure_is_an_error() {
    let client = releases_answering(&["pending", "pending", "succeeded"]);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let release = client
        .wait_for_release("app", "r-1", Duration::from_secs(60))
        .on_progress(move |r| sink.lock().unwrap().push(r.status.as_str().to_string()))
        .await
        .unwrap();
    assert_eq!(release.status.as_str(), "succeeded");
    assert_eq!(*seen.lock().unwrap(), ["pending", "pending", "succeeded"]);

    let client = releases_answering(&["pending", "failed"]);
    let err = client
        .wait_for_release("app", "r-1", Duration::from_secs(60))
        .await
        .unwrap_err();
    let WorkflowError::Failed { what, status } = &err else {
        panic!("{err:?}")
    };
    assert_eq!((what.as_str(), status.as_str()), ("release v7", "failed"));
    assert!(err.to_string().contains("release v7 ended failed"), "{err}");
}
