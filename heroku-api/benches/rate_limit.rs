//! Rate-limit behaviour in virtual time, against the published
//! rate_throttle_client benchmark (10 clients sharing one account), and the
//! other cases a real account meets.
//!
//! `cargo bench -p heroku-api --bench rate_limit`
//!
//! Each client is its own `heroku_api::Client`, with its own throttle and
//! retry state, as separate processes would be; they share only the
//! simulated server's GCRA bucket. The server is an in-memory `Transport`
//! that answers after 50 ms of simulated latency. The tokio clock is paused,
//! so 30 simulated minutes take a few real seconds and nothing really sleeps.
//!
//! Scenarios (30 simulated minutes each, the bucket starting empty):
//! (a) 10 sequential clients; (b) one client with 16 concurrent callers
//! sharing the pool with 9 sequential clients; (c) 9 clients drain the
//! pool, and a fresh client joins after 10 minutes; (d) an account whose
//! pool holds 9,000 and refills 9,000 an hour.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use heroku_api::{Client, RetryPolicy, SendFuture, Transport};
use tokio::time::Instant;

const CLIENTS: usize = 10;
const LATENCY: Duration = Duration::from_millis(50);
const CAPACITY: f64 = 4500.0;
const REFILL_PER_SECOND: f64 = 4500.0 / 3600.0;

struct Bucket {
    tokens: f64,
    capacity: f64,
    refill: f64,
    at: Instant,
    requests: u64,
    limited: u64,
    granted: u64,
}

impl Bucket {
    fn take(&mut self, now: Instant) -> Option<u64> {
        self.tokens = (self.tokens + now.duration_since(self.at).as_secs_f64() * self.refill)
            .min(self.capacity);
        self.at = now;
        self.requests += 1;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            self.granted += 1;
            Some(self.tokens.floor() as u64)
        } else {
            self.limited += 1;
            None
        }
    }
}

#[derive(Clone)]
struct Server(Arc<Mutex<Bucket>>);

const APP: &str = r#"{"acm":false,"archived_at":null,"build_stack":{"id":"01234567-89ab-cdef-0123-456789abcdef","name":"heroku-24"},"buildpack_provided_description":null,"created_at":"2012-01-01T12:00:00Z","generation":{"id":null,"name":"cedar"},"git_url":"https://git.heroku.com/example.git","id":"01234567-89ab-cdef-0123-456789abcdef","internal_routing":null,"maintenance":false,"name":"example","organization":null,"owner":{"email":"username@example.com","id":"01234567-89ab-cdef-0123-456789abcdef"},"region":{"id":"01234567-89ab-cdef-0123-456789abcdef","name":"us"},"released_at":null,"repo_size":null,"slug_size":null,"space":null,"stack":{"id":"01234567-89ab-cdef-0123-456789abcdef","name":"heroku-24"},"team":null,"updated_at":"2012-01-01T12:00:00Z","web_url":null}"#;

impl Transport for Server {
    fn send(&self, _request: reqwest::Request) -> SendFuture {
        let bucket = self.0.clone();
        Box::pin(async move {
            tokio::time::sleep(LATENCY / 2).await;
            let verdict = bucket.lock().unwrap().take(Instant::now());
            tokio::time::sleep(LATENCY / 2).await;
            let response = match verdict {
                Some(remaining) => http::Response::builder()
                    .status(200)
                    .header("ratelimit-remaining", remaining.to_string())
                    .body(APP.to_string()),
                None => http::Response::builder()
                    .status(429)
                    .header("ratelimit-remaining", "0")
                    .body(r#"{"id":"rate_limit","message":"Your account reached the API rate limit"}"#.to_string()),
            };
            Ok(reqwest::Response::from(response.expect("a valid response")))
        })
    }
}

fn client(server: &Server) -> Client {
    Client::builder()
        .token("simulated")
        .base_url("https://simulated.invalid")
        .transport(server.clone())
        // The benchmark's callers wait as long as the schedule says, as
        // rate_throttle_client's do: no call deadline.
        .timeout(Duration::MAX)
        .retry(
            RetryPolicy::default()
                .max_rate_limit_retries(u32::MAX)
                .max_retry_time(Duration::from_secs(24 * 3600)),
        )
        .build()
        .expect("client")
}

fn stdev(xs: &[f64]) -> f64 {
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64).sqrt()
}

/// One scenario: clients (each with a number of concurrent callers and a
/// start time) against one bucket that starts empty.
struct Scenario {
    name: &'static str,
    capacity: f64,
    refill: f64,
    /// `(callers, starts after)` per client.
    clients: Vec<(usize, Duration)>,
}

/// Runs a scenario for 30 simulated minutes and prints its figures.
async fn run(scenario: Scenario) {
    let start = Instant::now();
    let server = Server(Arc::new(Mutex::new(Bucket {
        tokens: 0.0,
        capacity: scenario.capacity,
        refill: scenario.refill,
        at: start,
        requests: 0,
        limited: 0,
        granted: 0,
    })));
    let end = start + Duration::from_secs(30 * 60);
    let mut tasks = Vec::new();
    for (callers, delay) in scenario.clients.clone() {
        let client = client(&server);
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let mut callers_tasks = Vec::new();
            for _ in 0..callers {
                let client = client.clone();
                callers_tasks.push(tokio::spawn(async move {
                    let mut ok = 0u64;
                    while Instant::now() < end {
                        if client.app().info("example").await.is_ok() {
                            ok += 1;
                        }
                    }
                    ok
                }));
            }
            let mut ok = 0;
            for t in callers_tasks {
                ok += t.await.expect("caller task");
            }
            (ok, client.metrics())
        }));
    }
    let mut counts = Vec::new();
    let mut longest = Duration::ZERO;
    let mut fresh = None;
    for (i, t) in tasks.into_iter().enumerate() {
        let (ok, m) = t.await.expect("client task");
        counts.push(ok as f64);
        if std::env::var_os("BENCH_DEBUG").is_some() {
            eprintln!(
                "client {i}: requests {} 429s {} throttle {:?} retry {:?}",
                m.requests, m.responses_429, m.throttle_wait, m.retry_wait
            );
        }
        longest = longest.max(m.longest_wait);
        if !scenario.clients[i].1.is_zero() {
            fresh = Some(m);
        }
    }
    let b = server.0.lock().unwrap();
    let handed_out = scenario.refill * (end - start).as_secs_f64();
    println!("{}:", scenario.name);
    println!(
        "  requests {} , 429s {} , retry rate {:.2} %",
        b.requests,
        b.limited,
        100.0 * b.limited as f64 / b.requests as f64
    );
    println!("  longest single sleep {:.2} s", longest.as_secs_f64());
    println!("  successful requests per client {:?}", counts);
    println!(
        "  stdev of request counts across clients {:.2}",
        stdev(&counts)
    );
    println!(
        "  tokens used {} of {:.0} handed out ({:.1} %)",
        b.granted,
        handed_out,
        100.0 * b.granted as f64 / handed_out
    );
    if let Some(m) = fresh {
        println!(
            "  the fresh client: {} requests, {} 429s ({:.2} %)",
            m.requests,
            m.responses_429,
            100.0 * m.responses_429 as f64 / m.requests.max(1) as f64
        );
    }
}

/// 10 clients, a full bucket that never refills, until it drops under 10.
async fn clear_the_workload() {
    let start = Instant::now();
    let server = Server(Arc::new(Mutex::new(Bucket {
        tokens: CAPACITY,
        capacity: CAPACITY,
        refill: 0.0,
        at: start,
        requests: 0,
        limited: 0,
        granted: 0,
    })));
    let done_at = Arc::new(Mutex::new(None::<Instant>));
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let client = client(&server);
        let server = server.clone();
        let done_at = done_at.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                if server.0.lock().unwrap().tokens < 10.0 {
                    done_at.lock().unwrap().get_or_insert(Instant::now());
                    break;
                }
                let _ = tokio::time::timeout(Duration::from_secs(5), client.app().info("example"))
                    .await;
            }
        }));
    }
    for t in tasks {
        t.await.expect("client task");
    }
    let when = done_at.lock().unwrap().expect("finished");
    let b = server.0.lock().unwrap();
    println!("clear the workload (bucket starts at 4,500 and never refills):");
    println!(
        "  {:.2} s of simulated time until RateLimit-Remaining < 10 ({} requests, {} 429s)",
        (when - start).as_secs_f64(),
        b.requests,
        b.limited
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("runtime");
    println!(
        "simulated per-request latency: {} ms; {CLIENTS} independent clients",
        LATENCY.as_millis()
    );
    let real = std::time::Instant::now();
    let sequential = |n| vec![(1, Duration::ZERO); n];
    rt.block_on(run(Scenario {
        name: "(a) saturation: 10 sequential clients (the rate_throttle_client case)",
        capacity: CAPACITY,
        refill: REFILL_PER_SECOND,
        clients: sequential(CLIENTS),
    }));
    rt.block_on(run(Scenario {
        name: "(b) one client with 16 concurrent callers, and 9 sequential clients",
        capacity: CAPACITY,
        refill: REFILL_PER_SECOND,
        clients: std::iter::once((16, Duration::ZERO))
            .chain(sequential(CLIENTS - 1))
            .collect(),
    }));
    rt.block_on(run(Scenario {
        name: "(c) 9 clients drain the pool; a fresh client joins after 10 minutes",
        capacity: CAPACITY,
        refill: REFILL_PER_SECOND,
        clients: sequential(CLIENTS - 1)
            .into_iter()
            .chain(std::iter::once((1, Duration::from_secs(600))))
            .collect(),
    }));
    rt.block_on(run(Scenario {
        name: "(d) a pool of 9,000 refilling 9,000 an hour, 10 sequential clients",
        capacity: 2.0 * CAPACITY,
        refill: 2.0 * REFILL_PER_SECOND,
        clients: sequential(CLIENTS),
    }));
    rt.block_on(clear_the_workload());
    println!("(real time: {:.1} s)", real.elapsed().as_secs_f64());
}
