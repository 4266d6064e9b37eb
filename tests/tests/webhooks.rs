//! App webhooks end to end: a receiver on 127.0.0.1 subscribes on the fake,
//! a deploy runs, and the receiver gets signed events it verifies and
//! decodes into typed builds and releases; the fake's delivery list shows
//! them delivered.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use heroku_api::webhooks::{EventData, Verifier};
use heroku_api::Client;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

const SECRET: &str = "whsec-e2e-7d1f";
const AUTHORIZATION: &str = "Bearer receiver-token";

type Received = Arc<Mutex<Vec<(hyper::HeaderMap, Bytes)>>>;

/// A receiver that keeps every delivery and answers `status(n)` to the
/// n-th one (0-based).
async fn receiver(status: fn(usize) -> u16) -> (String, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/heroku", listener.local_addr().unwrap());
    let received: Received = Arc::default();
    let store = received.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let store = store.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let store = store.clone();
                    async move {
                        let (parts, body) = req.into_parts();
                        let bytes = body
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        let n = {
                            let mut list = store.lock().unwrap();
                            list.push((parts.headers, bytes));
                            list.len() - 1
                        };
                        let mut resp = Response::new(Full::new(Bytes::from_static(b"ok")));
                        *resp.status_mut() = hyper::StatusCode::from_u16(status(n)).unwrap();
                        Ok::<_, Infallible>(resp)
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (url, received)
}

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

/// Waits until `received` holds at least `n` deliveries.
async fn wait_for(received: &Received, n: usize) {
    for _ in 0..200 {
        if received.lock().unwrap().len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("only {} deliveries arrived", received.lock().unwrap().len());
}

#[tokio::test]
async fn a_receiver_gets_verified_typed_build_and_release_events_from_a_deploy() {
    let (_fake, client) = setup().await;
    client.app().create().name("hooked").await.unwrap();
    let (url, received) = receiver(|_| 200).await;
    let include = vec!["api:release".to_string(), "api:build".to_string()];
    let webhook = client
        .app_webhook()
        .create("hooked", include, "notify", url.as_str())
        .secret(SECRET)
        .authorization(AUTHORIZATION)
        .await
        .unwrap();
    assert_eq!(webhook.url, url);

    let dir = std::env::temp_dir().join(format!("heroku-fake-hooks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Procfile"), "web: bin/web\n").unwrap();
    let deployed = client
        .deploy("hooked")
        .directory(&dir)
        .run(|_| {})
        .await
        .unwrap();

    // Build create and update, release create and update.
    wait_for(&received, 4).await;
    let verifier = Verifier::new(SECRET).authorization(AUTHORIZATION);
    let mut seen = Vec::new();
    for (headers, body) in received.lock().unwrap().iter() {
        let event = verifier
            .verify_and_decode(headers, body)
            .expect("a verified delivery");
        assert!(event.deviations.is_empty(), "{:?}", event.deviations);
        assert_eq!(event.metadata.webhook_id, webhook.id);
        assert!(!event.metadata.attempt_id.is_empty());
        match &event.data {
            EventData::Build(b) => {
                assert_eq!(b.id, deployed.build.id);
                seen.push(format!("build {} {}", event.action, b.status));
            }
            EventData::Release(r) => {
                assert_eq!(r.version, deployed.release.version);
                seen.push(format!("release {} {}", event.action, r.status));
            }
            other => panic!("not subscribed: {other:?}"),
        }
        // A delivery with its body changed is refused.
        let mut tampered = body.to_vec();
        tampered[10] ^= 1;
        assert!(verifier.verify(headers, &tampered).is_err());
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            "build create pending",
            "build update succeeded",
            "release create pending",
            "release update succeeded",
        ]
    );

    // The fake's own records: every event, every delivery delivered.
    let deliveries = client.app_webhook_delivery().list("hooked").await.unwrap();
    assert_eq!(deliveries.len(), 4);
    for d in &deliveries {
        assert_eq!(d.status.as_str(), "succeeded", "{d:?}");
        assert_eq!(d.num_attempts, 1);
        assert_eq!(d.last_attempt.as_ref().and_then(|a| a.code), Some(200));
    }
    let events = client.app_webhook_event().list("hooked").await.unwrap();
    assert_eq!(events.len(), 4);
    let first = client
        .app_webhook_event()
        .info("hooked", events[0].id.as_str())
        .await
        .unwrap();
    assert_eq!(first.payload.resource, "build");
}

#[tokio::test]
async fn a_sync_delivery_is_retried_until_the_receiver_accepts_it() {
    let (_fake, client) = setup().await;
    client.app().create().name("retried").await.unwrap();
    // Two failures, then success.
    let (url, received) = receiver(|n| if n < 2 { 503 } else { 204 }).await;
    client
        .app_webhook()
        .create("retried", vec!["api:app".into()], "sync", url.as_str())
        .secret(SECRET)
        .await
        .unwrap();
    client
        .app()
        .update("retried")
        .maintenance(true)
        .await
        .unwrap();
    wait_for(&received, 3).await;
    let attempts: Vec<String> = received
        .lock()
        .unwrap()
        .iter()
        .map(|(h, b)| {
            let e = Verifier::new(SECRET).verify_and_decode(h, b).unwrap();
            let EventData::App(app) = &e.data else {
                panic!("{:?}", e.data)
            };
            assert!(app.maintenance);
            e.metadata.attempt_id
        })
        .collect();
    let unique: std::collections::BTreeSet<_> = attempts.iter().collect();
    assert_eq!(unique.len(), 3, "each attempt has its own id");
    // The delivery's record catches up once the last attempt is recorded.
    for _ in 0..100 {
        let d = client.app_webhook_delivery().list("retried").await.unwrap();
        if d[0].status.as_str() == "succeeded" {
            assert_eq!(d[0].num_attempts, 3);
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the delivery never succeeded");
}

#[tokio::test]
async fn a_notify_delivery_is_one_attempt_and_deliveries_go_only_to_loopback() {
    let (_fake, client) = setup().await;
    client.app().create().name("notified").await.unwrap();
    let (url, received) = receiver(|_| 500).await;
    client
        .app_webhook()
        .create("notified", vec!["api:app".into()], "notify", url.as_str())
        .await
        .unwrap();
    client
        .app_webhook()
        .create(
            "notified",
            vec!["api:app".into()],
            "notify",
            "http://example.com/hook",
        )
        .await
        .unwrap();
    client
        .app()
        .update("notified")
        .maintenance(true)
        .await
        .unwrap();
    wait_for(&received, 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(received.lock().unwrap().len(), 1, "notify is one attempt");
    // Without a secret there is no signature to check.
    let (headers, _) = received.lock().unwrap()[0].clone();
    assert!(headers.get("heroku-webhook-hmac-sha256").is_none());
    let mut statuses = Vec::new();
    for _ in 0..100 {
        statuses = client
            .app_webhook_delivery()
            .list("notified")
            .await
            .unwrap()
            .into_iter()
            .map(|d| {
                (
                    d.status.as_str().to_string(),
                    d.last_attempt.and_then(|a| a.error_class),
                )
            })
            .collect();
        if statuses.iter().all(|(s, _)| s == "failed") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(statuses.iter().all(|(s, _)| s == "failed"), "{statuses:?}");
    assert!(
        statuses.iter().any(|(_, e)| e
            .as_deref()
            .is_some_and(|e| e.contains("not a loopback host"))),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn add_ons_and_their_attachments_publish_typed_events() {
    let (_fake, client) = setup().await;
    client.app().create().name("with-db").await.unwrap();
    let (url, received) = receiver(|_| 200).await;
    let include = vec!["api:addon".to_string(), "api:addon-attachment".to_string()];
    client
        .app_webhook()
        .create("with-db", include, "notify", url.as_str())
        .secret(SECRET)
        .await
        .unwrap();
    let addon = client
        .add_on()
        .create("with-db", "heroku-postgresql:essential-0")
        .await
        .unwrap();
    client
        .add_on()
        .delete("with-db", addon.id.as_str())
        .await
        .unwrap();
    wait_for(&received, 4).await;
    let mut seen = Vec::new();
    for (headers, body) in received.lock().unwrap().iter() {
        let e = Verifier::new(SECRET)
            .verify_and_decode(headers, body)
            .unwrap();
        assert!(e.deviations.is_empty(), "{:?}", e.deviations);
        match &e.data {
            EventData::AddOn(a) => {
                assert_eq!(a.id, addon.id);
                seen.push(format!("addon {}", e.action));
            }
            EventData::AddOnAttachment(t) => {
                assert_eq!(
                    (t.addon.id.as_str(), t.name.as_str()),
                    (addon.id.as_str(), "DATABASE")
                );
                seen.push(format!("attachment {}", e.action));
            }
            other => panic!("{other:?}"),
        }
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            "addon create",
            "addon destroy",
            "attachment create",
            "attachment destroy"
        ]
    );
}
