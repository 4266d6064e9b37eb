//! Rate-limit behaviour in virtual time, against the published
//! rate_throttle_client benchmark (10 clients sharing one account).
//!
//! `cargo bench -p heroku-api --bench rate_limit`
//!
//! Each of the 10 clients is its own `heroku_api::Client`, with its own
//! throttle and retry state, as 10 processes would be; they share only the
//! simulated server's GCRA bucket. The server is an in-memory `Transport`
//! that answers after 50 ms of simulated latency. The tokio clock is paused,
//! so 30 simulated minutes take a few real seconds and nothing really sleeps.

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
    refill: f64,
    at: Instant,
    requests: u64,
    limited: u64,
    granted: u64,
}

impl Bucket {
    fn take(&mut self, now: Instant) -> Option<u64> {
        self.tokens =
            (self.tokens + now.duration_since(self.at).as_secs_f64() * self.refill).min(CAPACITY);
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

/// 10 clients, an empty bucket refilling at 1.25/s, 30 simulated minutes.
async fn saturation() {
    let start = Instant::now();
    let server = Server(Arc::new(Mutex::new(Bucket {
        tokens: 0.0,
        refill: REFILL_PER_SECOND,
        at: start,
        requests: 0,
        limited: 0,
        granted: 0,
    })));
    let end = start + Duration::from_secs(30 * 60);
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let client = client(&server);
        tasks.push(tokio::spawn(async move {
            let mut ok = 0u64;
            while Instant::now() < end {
                if client.app().info("example").await.is_ok() {
                    ok += 1;
                }
            }
            (ok, client.metrics())
        }));
    }
    let mut counts = Vec::new();
    let mut longest = Duration::ZERO;
    for t in tasks {
        let (ok, m) = t.await.expect("client task");
        counts.push(ok as f64);
        longest = longest.max(m.longest_wait);
    }
    let b = server.0.lock().unwrap();
    let handed_out = REFILL_PER_SECOND * (end - start).as_secs_f64();
    println!("saturation (30 simulated minutes, bucket starts empty, 1.25 tokens/s):");
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
}

/// 10 clients, a full bucket that never refills, until it drops under 10.
async fn clear_the_workload() {
    let start = Instant::now();
    let server = Server(Arc::new(Mutex::new(Bucket {
        tokens: CAPACITY,
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
    rt.block_on(saturation());
    rt.block_on(clear_the_workload());
    println!("(real time: {:.1} s)", real.elapsed().as_secs_f64());
}
