//! No secret in traces, Debug or errors. Alone in its test binary: tracing
//! caches per-callsite interest process-wide, so a capturing subscriber is
//! only reliable when no other test in the process emits events first.

use heroku_api::Client;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "hk-test-token-5f1c0e9a";

mod support;
use support::Capture;

#[tokio::test]
async fn the_token_is_in_no_debug_output_error_or_trace() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    // The only test in this binary, so a global subscriber sees every
    // callsite from the start.
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"id": "unauthorized", "message": "Invalid credentials provided."}),
        ))
        .mount(&server)
        .await;
    let builder = Client::builder().token(TOKEN).base_url(server.uri());
    assert!(!format!("{builder:?}").contains(TOKEN));
    let client = builder.build().unwrap();
    let err = client
        .app()
        .info("x")
        .with_options(heroku_api::RequestOptions::new().password("hunter2-password"))
        .await
        .unwrap_err();
    let traced = capture.text();
    assert!(
        traced.contains("heroku_api.request"),
        "tracing ran: {traced}"
    );
    for shown in [
        format!("{client:?}"),
        format!("{err:?}"),
        err.to_string(),
        traced,
    ] {
        assert!(!shown.contains(TOKEN), "token leaked: {shown}");
        assert!(
            !shown.contains("hunter2-password"),
            "password leaked: {shown}"
        );
    }
    let opts = heroku_api::RequestOptions::new().two_factor_code("654321");
    assert!(!format!("{opts:?}").contains("654321"));
}
