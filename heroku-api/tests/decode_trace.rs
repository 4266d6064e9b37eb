//! Deviations are logged once per operation, place and kind, not once per
//! item or per call. Alone in its test binary: tracing caches per-callsite
//! interest process-wide, so a capturing subscriber is only reliable when
//! no other test in the process emits events first.

use heroku_api::Client;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

mod support;
use support::Capture;

#[tokio::test]
async fn a_list_of_a_thousand_items_logs_each_deviation_once() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    // Formations from an older era: no `app`, `dyno_size` or timestamps,
    // and a quantity sent as a string.
    let items: Vec<_> = (0..1000)
        .map(|i| json!({"id": format!("f-{i}"), "type": "web", "quantity": "1", "size": "1X", "command": "x"}))
        .collect();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/apps/old/formation"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(items)))
        .mount(&server)
        .await;
    let client = Client::builder()
        .token("t")
        .base_url(server.uri())
        .build()
        .unwrap();
    for _ in 0..3 {
        let formation = client.formation().list("old").await.unwrap();
        assert_eq!(formation.len(), 1000);
        assert_eq!(formation[999].quantity, 1);
    }
    let traced = capture.text();
    let lines: Vec<&str> = traced
        .lines()
        .filter(|l| l.contains("heroku_api::decode"))
        .collect();
    let quantity: Vec<&&str> = lines.iter().filter(|l| l.contains("/*/quantity")).collect();
    assert_eq!(quantity.len(), 1, "{traced}");
    assert!(
        quantity[0].contains("WARN") && quantity[0].contains("count=1000"),
        "{}",
        quantity[0]
    );
    assert!(
        quantity[0].contains("operation=\"formation.list\""),
        "{}",
        quantity[0]
    );
    let absent_app = lines
        .iter()
        .filter(|l| l.contains("pointer=\"/*/app\""))
        .count();
    assert_eq!(absent_app, 1, "{traced}");
    assert!(lines.len() < 10, "{} lines:\n{traced}", lines.len());
    assert_eq!(client.metrics().deviations % 3, 0);
}
