//! heroku-api's runtime overhead against the physical limit: a raw reqwest +
//! serde client doing the same work against the same fake Heroku.
//!
//! `cargo bench -p heroku-fake --bench overhead`
//!
//! The fake runs as its own process (the standalone binary) with 10,000
//! apps. Every measurement runs in a fresh child process so that its peak
//! RSS (VmHWM) is its own; each pair is repeated 15 times (raw and SDK
//! alternating) and the median kept: a W3 run lasts about 0.1 s, and fewer
//! repetitions left the ratio moving by several hundredths between runs.
//!
//! - W1: stream 10,000 apps through Range pages of 1,000 (and, for memory,
//!   the SDK collecting them all);
//! - W2: 2,000 sequential app infos;
//! - W3: 2,000 app infos at concurrency 16.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use futures_util::{StreamExt, TryStreamExt};
use heroku_api::app::App;

const APPS: usize = 10_000;
const INFOS: usize = 2_000;
const TOKEN: &str = "bench-token";
const ACCEPT: &str = "application/vnd.heroku+json; version=3";
const RUNS: usize = 15;

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn sdk(base: &str) -> heroku_api::Client {
    heroku_api::Client::builder()
        .token(TOKEN)
        .base_url(base)
        .build()
        .expect("client")
}

/// One workload, in this process; prints `seconds rss_kib`.
async fn child(workload: &str, imp: &str, base: &str) {
    let http = reqwest::Client::new();
    let started = Instant::now();
    match (workload, imp) {
        ("w1", "sdk") => {
            let n = sdk(base)
                .app()
                .list()
                .range(heroku_api::Range::by("name"))
                .stream()
                .try_fold(0usize, |n, _| async move { Ok(n + 1) })
                .await
                .unwrap();
            assert_eq!(n, APPS);
        }
        ("w1", "sdk-collect") => {
            let all = sdk(base)
                .app()
                .list()
                .range(heroku_api::Range::by("name"))
                .await
                .unwrap();
            assert_eq!(all.len(), APPS);
        }
        ("w1", "raw") => {
            let mut range = "name ..; max=1000".to_string();
            let mut n = 0;
            loop {
                let resp = http
                    .get(format!("{base}/apps"))
                    .header("accept", ACCEPT)
                    .bearer_auth(TOKEN)
                    .header("range", &range)
                    .send()
                    .await
                    .unwrap();
                let next = resp
                    .headers()
                    .get("next-range")
                    .map(|v| v.to_str().unwrap().to_string());
                let page: Vec<App> = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
                n += page.len();
                match next {
                    Some(r) => range = r,
                    None => break,
                }
            }
            assert_eq!(n, APPS);
        }
        ("w2", "sdk") => {
            let client = sdk(base);
            for i in 0..INFOS {
                client
                    .app()
                    .info(format!("app-{:05}", i % APPS))
                    .await
                    .unwrap();
            }
        }
        ("w2", "raw") => {
            for i in 0..INFOS {
                let resp = http
                    .get(format!("{base}/apps/app-{:05}", i % APPS))
                    .header("accept", ACCEPT)
                    .bearer_auth(TOKEN)
                    .send()
                    .await
                    .unwrap();
                let _: App = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
            }
        }
        ("w3", "sdk") => {
            let client = sdk(base);
            futures_util::stream::iter(0..INFOS)
                .map(|i| {
                    let client = client.clone();
                    async move {
                        client
                            .app()
                            .info(format!("app-{:05}", i % APPS))
                            .await
                            .unwrap()
                    }
                })
                .buffer_unordered(16)
                .for_each(|_| async {})
                .await;
        }
        ("w3", "raw") => {
            futures_util::stream::iter(0..INFOS)
                .map(|i| {
                    let http = http.clone();
                    let url = format!("{base}/apps/app-{:05}", i % APPS);
                    async move {
                        let resp = http
                            .get(url)
                            .header("accept", ACCEPT)
                            .bearer_auth(TOKEN)
                            .send()
                            .await
                            .unwrap();
                        let _: App = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
                    }
                })
                .buffer_unordered(16)
                .for_each(|_| async {})
                .await;
        }
        other => panic!("unknown workload {other:?}"),
    }
    println!("{} {}", started.elapsed().as_secs_f64(), peak_rss_kib());
}

fn measure(workload: &str, imp: &str, base: &str) -> (f64, u64) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--child", workload, imp, base])
        .output()
        .expect("child runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or("");
    let mut parts = line.split_whitespace();
    (
        parts.next().unwrap().parse().unwrap(),
        parts.next().unwrap().parse().unwrap(),
    )
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    xs[xs.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(child(&args[i + 1], &args[i + 2], &args[i + 3]));
        return;
    }
    if args.iter().any(|a| a == "--list") || args.iter().any(|a| a == "--test") {
        return;
    }
    // The fake, as its own process, with a bucket that never runs dry.
    let mut fake = Command::new(env!("CARGO_BIN_EXE_heroku-fake"))
        .args([
            "--port",
            "0",
            "--token",
            TOKEN,
            "--rate-limit",
            "1000000000",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("fake starts");
    let mut line = String::new();
    BufReader::new(fake.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_string();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = sdk(&base);
        futures_util::stream::iter(0..APPS)
            .map(|i| {
                let client = client.clone();
                async move {
                    client
                        .app()
                        .create()
                        .name(format!("app-{i:05}"))
                        .await
                        .unwrap()
                }
            })
            .buffer_unordered(16)
            .for_each(|_| async {})
            .await;
    });

    println!("| workload | raw reqwest + serde | heroku-api | throughput ratio (raw time / SDK time) | peak RSS raw | peak RSS heroku-api |");
    println!("|---|---|---|---|---|---|");
    for (w, label) in [
        ("w1", "W1: stream 10,000 apps (pages of 1,000)"),
        ("w2", "W2: 2,000 sequential infos"),
        ("w3", "W3: 2,000 infos, concurrency 16"),
    ] {
        let mut raw_t = Vec::new();
        let mut sdk_t = Vec::new();
        let (mut raw_rss, mut sdk_rss) = (0, 0);
        for _ in 0..RUNS {
            let (t, r) = measure(w, "raw", &base);
            raw_t.push(t);
            raw_rss = raw_rss.max(r);
            let (t, r) = measure(w, "sdk", &base);
            sdk_t.push(t);
            sdk_rss = sdk_rss.max(r);
        }
        let (raw, sdk) = (median(raw_t), median(sdk_t));
        println!(
            "| {label} | {:.3} s | {:.3} s | {:.2} | {:.1} MiB | {:.1} MiB |",
            raw,
            sdk,
            raw / sdk,
            raw_rss as f64 / 1024.0,
            sdk_rss as f64 / 1024.0
        );
    }
    let (t, rss) = measure("w1", "sdk-collect", &base);
    println!("\nFor comparison, collecting all 10,000 apps with the SDK (`.await` on the list): {t:.3} s, peak RSS {:.1} MiB.", rss as f64 / 1024.0);
    let _ = fake.kill();
    let _ = fake.wait();
}
