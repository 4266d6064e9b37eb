//! Reliability under injected faults: 5,000 mixed requests against a fake
//! that drops 2 % of connections, answers 5 % with 503 pages, cuts 1 % of
//! bodies short and sends 429 bursts. Every idempotent call succeeds, no
//! POST reaches the server twice, and every error that reaches the caller
//! is typed.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::StreamExt;
use heroku_api::{Client, Error, RetryPolicy};
use heroku_fake::{Config, Fault, FaultRule, Faults, RateLimit};

#[derive(Debug, Default)]
struct Tally {
    idempotent_ok: usize,
    idempotent_failed: Vec<String>,
    posts_sent: usize,
    posts_ok: usize,
    non_idempotent_errors: BTreeMap<String, usize>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_mixed_requests_under_faults() {
    let config = Config {
        rate_limit: RateLimit::unlimited(),
        faults: Faults {
            status_503: 0.05,
            reset: 0.02,
            truncate: 0.01,
            rate_limit: 0.01,
            retry_after: 0,
            rules: vec![FaultRule {
                method: None,
                path_prefix: "/apps".into(),
                fault: Fault::RateLimited,
                remaining: 25,
            }],
            ..Faults::default()
        },
        ..Config::default()
    };
    let fake = heroku_fake::start_with(config).await.unwrap();
    let client = Client::builder()
        .token(fake.token())
        .base_url(fake.base_url())
        .strict_decoding(true)
        .retry(
            RetryPolicy::default()
                .max_retries(6)
                .max_rate_limit_retries(40)
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(20)),
        )
        .throttle(heroku_api::Throttle::disabled())
        .build()
        .unwrap();

    // Seed: a few apps (creates may fail under faults; retry until 8 exist).
    let mut names = Vec::new();
    let mut i = 0;
    while names.len() < 8 {
        let name = format!("seed-{i:03}");
        i += 1;
        if client.app().create().name(name.as_str()).await.is_ok() {
            names.push(name);
        }
    }

    let seeded = fake.requests().len();
    let results = futures_util::stream::iter(0..5000usize)
        .map(|n| {
            let client = client.clone();
            let app = names[n % names.len()].clone();
            async move {
                match n % 10 {
                    // POST: never retried after a fault.
                    0 => (
                        "post",
                        client
                            .app()
                            .create()
                            .name(format!("mixed-{n:05}"))
                            .await
                            .map(drop),
                    ),
                    // PATCH: not idempotent either.
                    1 => {
                        let vars = [(format!("K{}", n % 50), Some(n.to_string()))];
                        (
                            "patch",
                            client
                                .config_var()
                                .update(app.as_str(), vars)
                                .await
                                .map(drop),
                        )
                    }
                    2 | 3 => {
                        let page = async {
                            client
                                .app()
                                .list()
                                .range(heroku_api::Range::by("name").max(5))
                                .paginate()?
                                .page(None)
                                .await
                        };
                        ("get", page.await.map(drop))
                    }
                    4 => ("get", client.release().list(app.as_str()).await.map(drop)),
                    5 => (
                        "get",
                        client
                            .config_var()
                            .info_for_app(app.as_str())
                            .await
                            .map(drop),
                    ),
                    _ => ("get", client.app().info(app.as_str()).await.map(drop)),
                }
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;

    let mut tally = Tally::default();
    for (kind, result) in results {
        match (kind, result) {
            ("get", Ok(())) => tally.idempotent_ok += 1,
            ("get", Err(e)) => tally.idempotent_failed.push(e.to_string()),
            (kind, r) => {
                if kind == "post" {
                    tally.posts_sent += 1;
                    if r.is_ok() {
                        tally.posts_ok += 1;
                    }
                }
                if let Err(e) = r {
                    // Every error is one of the typed cases.
                    let class = match e {
                        Error::Api(a) => format!("api {}", a.status),
                        Error::Transport { .. } => "transport".to_string(),
                        Error::Timeout { .. } => "timeout".to_string(),
                        Error::Decode(_) => "decode".to_string(),
                        Error::RateLimited(_) => "rate limited".to_string(),
                        other => panic!("untyped failure: {other:?}"),
                    };
                    *tally.non_idempotent_errors.entry(class).or_default() += 1;
                }
            }
        }
    }
    println!("{tally:#?}");
    assert!(
        tally.idempotent_failed.is_empty(),
        "idempotent calls failed: {:?}",
        tally.idempotent_failed
    );
    assert_eq!(tally.idempotent_ok, 4000);
    assert!(
        !tally.non_idempotent_errors.is_empty(),
        "faults were injected into writes too"
    );

    // No duplicated POST. Every create uses a fresh name, so a POST the
    // server processed and the client then sent again would be refused as
    // a taken name (422). There is none, and the server processed no more
    // creates than were called.
    let log = fake.requests();
    let creates: Vec<_> = log[seeded..]
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/apps")
        .collect();
    assert!(
        creates.iter().all(|r| r.status != 422),
        "a create was sent twice"
    );
    let processed = creates.iter().filter(|r| r.status == 201).count();
    assert!(
        processed <= tally.posts_sent,
        "{processed} processed creates for {} calls",
        tally.posts_sent
    );
    assert!(tally.posts_ok <= processed);
    let faults = log.iter().filter(|r| r.fault.is_some()).count();
    assert!(faults > 300, "faults were injected: {faults}");
}
