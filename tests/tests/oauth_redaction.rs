//! No OAuth secret in traces, Debug or errors. Alone in its test binary:
//! tracing caches per-callsite interest process-wide, so a capturing
//! subscriber is only reliable when no other test in the process emits
//! events first.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use heroku_fake::Faults;

mod support;

use support::{fake, oauth_client, REFRESH, SECRET};

#[tokio::test(start_paused = true)]
async fn no_secret_appears_in_debug_errors_or_traces() {
    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Capture {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    // The only test in this binary: a global subscriber sees every callsite.
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");

    let fake = fake(Duration::from_secs(60), Faults::default()).await;
    let client = oauth_client(&fake);
    client.account().info().await.unwrap();
    let missing = client.app().info("no-such-app").await.unwrap_err();
    let traced = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(traced.contains("oauth_refresh"), "the refresh was traced");
    for shown in [
        format!("{client:?}"),
        format!("{missing:?}"),
        missing.to_string(),
        traced,
    ] {
        for secret in [REFRESH, SECRET, "fake-access-1"] {
            assert!(!shown.contains(secret), "{secret} leaked into: {shown}");
        }
    }
}
