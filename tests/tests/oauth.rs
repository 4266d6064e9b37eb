//! OAuth refresh and client metrics against the fake, on a paused clock.
//! The client reaches the fake in memory through a `Transport`, so virtual
//! time is exact.

use std::time::Duration;

use heroku_api::{Client, Error};
use heroku_fake::{Fault, FaultRule, Faults};

mod support;

use support::{fake, oauth_client, InMemory, REFRESH, SECRET};

#[tokio::test(start_paused = true)]
async fn sixteen_concurrent_requests_share_one_refresh_per_token_lifetime() {
    let fake = fake(Duration::from_secs(60), Faults::default()).await;
    let client = oauth_client(&fake);
    let end = tokio::time::Instant::now() + Duration::from_secs(600);
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            while tokio::time::Instant::now() < end {
                client
                    .account()
                    .info()
                    .await
                    .expect("every request succeeds");
                n += 1;
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            n
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    assert!(total >= 16 * 1199, "{total} requests");
    // Tokens live 60 s and are refreshed 6 s early: 600 s need 12 tokens,
    // and no request ever met an expired one.
    let exchanges = fake.oauth_exchanges();
    assert!(
        (10..=12).contains(&exchanges),
        "{exchanges} exchanges for 600 s of 60 s tokens"
    );
    assert!(
        fake.requests().iter().all(|r| r.status != 401),
        "no request met an expired token"
    );
}

#[tokio::test(start_paused = true)]
async fn a_revoked_refresh_token_is_one_clear_error_and_one_exchange() {
    let fake = fake(Duration::from_secs(60), Faults::default()).await;
    fake.revoke_refresh_token();
    let client = oauth_client(&fake);
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move { client.account().info().await }));
    }
    for t in tasks {
        let err = t.await.unwrap().unwrap_err();
        let Error::Credentials(message) = &err else {
            panic!("{err:?}")
        };
        assert!(message.contains("authorize the app again"), "{message}");
        for secret in [REFRESH, SECRET] {
            assert!(!err.to_string().contains(secret) && !format!("{err:?}").contains(secret));
        }
    }
    assert_eq!(fake.oauth_exchanges(), 1, "no retry storm");
    let again = client.account().info().await.unwrap_err();
    assert!(matches!(again, Error::Credentials(_)));
    assert_eq!(
        fake.oauth_exchanges(),
        1,
        "a refused refresh is not retried"
    );
    assert_eq!(client.metrics().calls_failed.credentials, 17);
}

#[tokio::test(start_paused = true)]
async fn metrics_match_the_fakes_request_log() {
    let faults = Faults {
        retry_after: 1,
        rules: vec![FaultRule {
            method: Some("GET".into()),
            path_prefix: "/account".into(),
            fault: Fault::RateLimited,
            remaining: 4,
        }],
        ..Faults::default()
    };
    let fake = fake(Duration::from_secs(3600), faults).await;
    let client = Client::builder()
        .base_url(fake.base_url())
        .strict_decoding(true)
        .token(fake.token())
        .transport(InMemory(fake.clone()))
        .build()
        .unwrap();
    // Successes, a 404, a 422, and a 429 storm that the retries ride out.
    client.app().create().name("metrics-app").await.unwrap();
    for _ in 0..5 {
        client.app().info("metrics-app").await.unwrap();
    }
    assert!(client.app().info("nope").await.unwrap_err().is_not_found());
    assert_eq!(
        client
            .app()
            .create()
            .name("metrics-app")
            .await
            .unwrap_err()
            .status(),
        Some(422)
    );
    client.account().info().await.unwrap();
    let list = client.app().list().await.unwrap();
    assert_eq!(list.len(), 1);

    let m = client.metrics();
    let log = fake.requests();
    let count = |f: &dyn Fn(&heroku_fake::LoggedRequest) -> bool| {
        log.iter().filter(|r| f(r)).count() as u64
    };
    assert_eq!(m.requests, log.len() as u64);
    assert_eq!(m.responses_ok, count(&|r| r.status < 400));
    assert_eq!(m.responses_429, count(&|r| r.status == 429));
    assert_eq!(
        m.responses_error,
        count(&|r| r.status >= 400 && r.status != 429)
    );
    assert_eq!(m.responses_429, 4);
    assert_eq!(m.retries, 4);
    assert_eq!(
        m.retry_wait,
        Duration::from_secs(4),
        "four Retry-After: 1 waits"
    );
    assert_eq!(m.calls_succeeded, 8);
    assert_eq!(m.calls_failed.api, 2);
    assert_eq!(m.transport_errors, 0);
    assert!(m.bytes_received > 0 && m.bytes_sent > 0);
    assert!(m.rate_limit_remaining.is_some());
}
