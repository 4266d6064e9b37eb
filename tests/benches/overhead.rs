//! heroku-api's runtime overhead against a raw reqwest + serde client doing
//! the same work, on a server whose own cost is small.
//!
//! `cargo bench -p heroku-fake --bench overhead [-- --runs N] [--recording PATH]`
//!
//! The answers are the fake Heroku's, recorded once: the fake (the
//! standalone binary) is started with 10,000 apps, and the ten pages of
//! `GET /apps` and the first 2,000 `GET /apps/{name}` answers are fetched
//! and kept. The fake then stops, and a minimal HTTP/1 server (hyper, one
//! thread, in a child process pinned to core 1) serves those bytes as they
//! were recorded: a lookup and a copy of a reference-counted buffer per
//! request, so that the client's cost is not hidden behind the server's.
//! The server's own CPU time during each run is measured from
//! `/proc/<pid>/task/*/schedstat` and reported beside the clients' times.
//!
//! Each measurement runs in a fresh child process pinned to core 0, so that
//! its peak RSS (VmHWM) is its own and the two never share a core. Raw and
//! SDK runs alternate; the ratio is the median of the per-pair ratios (raw
//! time / SDK time: above 1 the SDK is faster).
//!
//! - W1: stream 10,000 apps through Range pages of 1,000 (and, for memory,
//!   the SDK collecting them all);
//! - W2: 2,000 sequential app infos;
//! - W3: 2,000 app infos at concurrency 16.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use heroku_api::app::App;

const APPS: usize = 10_000;
const INFOS: usize = 2_000;
const TOKEN: &str = "bench-token";
const ACCEPT: &str = "application/vnd.heroku+json; version=3";
const FIRST_PAGE: &str = "name ..; max=1000";
const DEFAULT_RUNS: usize = 9;

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

/// CPU time, in seconds, that every thread of process `pid` has run.
fn cpu_seconds(pid: u32) -> f64 {
    let mut ns = 0u64;
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for task in tasks.flatten() {
            let stat = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
            ns += stat
                .split_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    ns as f64 / 1e9
}

fn sdk(base: &str) -> heroku_api::Client {
    heroku_api::Client::builder()
        .token(TOKEN)
        .base_url(base)
        .build()
        .expect("client")
}

// ------------------------------------------------------------------ clients

/// One workload, in this process; prints `seconds rss_kib`.
async fn client(workload: &str, imp: &str, base: &str) {
    // Both clients are built before the clock starts: building one loads
    // the system's root certificates, a cost of the process, not of the
    // requests.
    let http = reqwest::Client::new();
    let sdk = if imp == "raw" { None } else { Some(sdk(base)) };
    let sdk = || sdk.clone().expect("an SDK run");
    let started = Instant::now();
    match (workload, imp) {
        ("w1", "sdk") => {
            let n = sdk()
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
            let all = sdk()
                .app()
                .list()
                .range(heroku_api::Range::by("name"))
                .await
                .unwrap();
            assert_eq!(all.len(), APPS);
        }
        ("w1", "raw") => {
            let mut range = FIRST_PAGE.to_string();
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
                assert!(resp.status().is_success(), "{}", resp.status());
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
            let client = sdk();
            for i in 0..INFOS {
                client.app().info(app_name(i)).await.unwrap();
            }
        }
        ("w2", "raw") => {
            for i in 0..INFOS {
                raw_info(&http, base, i).await;
            }
        }
        ("w3", "sdk") => {
            let client = sdk();
            futures_util::stream::iter(0..INFOS)
                .map(|i| {
                    let client = client.clone();
                    async move { client.app().info(app_name(i)).await.unwrap() }
                })
                .buffer_unordered(16)
                .for_each(|_| async {})
                .await;
        }
        ("w3", "raw") => {
            futures_util::stream::iter(0..INFOS)
                .map(|i| {
                    let http = http.clone();
                    async move { raw_info(&http, base, i).await }
                })
                .buffer_unordered(16)
                .for_each(|_| async {})
                .await;
        }
        other => panic!("unknown workload {other:?}"),
    }
    println!("{} {}", started.elapsed().as_secs_f64(), peak_rss_kib());
}

fn app_name(i: usize) -> String {
    format!("app-{:05}", i % INFOS)
}

async fn raw_info(http: &reqwest::Client, base: &str, i: usize) {
    let resp = http
        .get(format!("{base}/apps/{}", app_name(i)))
        .header("accept", ACCEPT)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let _: App = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
}

// ------------------------------------------------------------------ the recorded answers

/// The fake's answers, as bytes: list pages by the `Range` that asked for
/// them, app infos by path.
#[derive(serde::Serialize, serde::Deserialize)]
struct Recording {
    /// `(range, next_range, body)`.
    pages: Vec<(String, Option<String>, String)>,
    /// `(path, body)`.
    infos: Vec<(String, String)>,
}

/// Starts the fake with 10,000 apps and records what the workloads ask.
fn record() -> Recording {
    let (mut fake, base) = spawn_with_url(Command::new(env!("CARGO_BIN_EXE_heroku-fake")).args([
        "--port",
        "0",
        "--token",
        TOKEN,
        "--rate-limit",
        "1000000000",
    ]));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let recording = rt.block_on(async {
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
        let http = reqwest::Client::new();
        let get = |path: String, range: Option<String>| {
            let mut request = http
                .get(format!("{base}{path}"))
                .header("accept", ACCEPT)
                .bearer_auth(TOKEN);
            if let Some(range) = range {
                request = request.header("range", range);
            }
            async move {
                let resp = request.send().await.unwrap();
                assert!(resp.status().is_success(), "{path}: {}", resp.status());
                let next = resp
                    .headers()
                    .get("next-range")
                    .map(|v| v.to_str().unwrap().to_string());
                (next, resp.text().await.unwrap())
            }
        };
        let mut pages = Vec::new();
        let mut range = FIRST_PAGE.to_string();
        loop {
            let (next, body) = get("/apps".into(), Some(range.clone())).await;
            pages.push((range, next.clone(), body));
            match next {
                Some(next) => range = next,
                None => break,
            }
        }
        let mut infos = Vec::new();
        for i in 0..INFOS {
            let path = format!("/apps/{}", app_name(i));
            let (_, body) = get(path.clone(), None).await;
            infos.push((path, body));
        }
        Recording { pages, infos }
    });
    let _ = fake.kill();
    let _ = fake.wait();
    recording
}

// ------------------------------------------------------------------ the server

type Answer = (Option<String>, Bytes);

/// Serves the recording on one thread until killed; prints its URL.
fn serve(recording_file: &str) {
    let recording: Recording =
        serde_json::from_slice(&std::fs::read(recording_file).expect("recording")).unwrap();
    let mut pages: HashMap<String, Answer> = HashMap::new();
    for (range, next, body) in recording.pages {
        pages.insert(range, (next, Bytes::from(body)));
    }
    let infos: HashMap<String, Bytes> = recording
        .infos
        .into_iter()
        .map(|(path, body)| (path, Bytes::from(body)))
        .collect();
    let answers = Arc::new((pages, infos));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("serving on http://{}", listener.local_addr().unwrap());
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let _ = stream.set_nodelay(true);
            let answers = answers.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let answers = answers.clone();
                    async move { Ok::<_, Infallible>(answer(&answers, &req)) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
}

fn answer(
    (pages, infos): &(HashMap<String, Answer>, HashMap<String, Bytes>),
    req: &hyper::Request<hyper::body::Incoming>,
) -> hyper::Response<http_body_util::Full<Bytes>> {
    let found = if req.uri().path() == "/apps" {
        let range = req
            .headers()
            .get("range")
            .and_then(|v| v.to_str().ok())
            .unwrap_or(FIRST_PAGE);
        pages
            .get(range)
            .or_else(|| {
                pages
                    .get(FIRST_PAGE)
                    .filter(|_| range.starts_with("name .."))
            })
            .map(|(next, body)| (if next.is_some() { 206 } else { 200 }, next.clone(), body))
    } else {
        infos.get(req.uri().path()).map(|body| (200, None, body))
    };
    let mut resp = hyper::Response::builder()
        .header("content-type", "application/json")
        .header("request-id", "01234567-89ab-cdef-0123-456789abcdef")
        .header("ratelimit-remaining", "4500");
    let body = match found {
        Some((status, next, body)) => {
            if let Some(next) = next {
                resp = resp.header("next-range", next);
            }
            resp = resp.status(status);
            body.clone()
        }
        None => {
            resp = resp.status(404);
            Bytes::from_static(br#"{"id":"not_found","message":"not recorded"}"#)
        }
    };
    resp.body(http_body_util::Full::new(body)).unwrap()
}

// ------------------------------------------------------------------ the driver

/// Spawns `command` and reads the `http://` URL from its first line.
fn spawn_with_url(command: &mut Command) -> (Child, String) {
    let mut child = command.stdout(Stdio::piped()).spawn().expect("spawns");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("a URL on the first line")
        .to_string();
    (child, url)
}

/// `taskset -c <core> <this bench> <args>`, or the bench alone when
/// `taskset` is missing.
fn pinned(core: &str, args: &[&str]) -> Command {
    let exe = std::env::current_exe().unwrap();
    if Command::new("taskset").arg("-V").output().is_ok() {
        let mut c = Command::new("taskset");
        c.args(["-c", core]).arg(exe).args(args);
        c
    } else {
        let mut c = Command::new(exe);
        c.args(args);
        c
    }
}

/// One client run: (seconds, peak RSS in KiB, server CPU seconds).
fn measure(workload: &str, imp: &str, base: &str, server: u32) -> (f64, u64, f64) {
    let before = cpu_seconds(server);
    let out = pinned("0", &["--client", workload, imp, base])
        .output()
        .expect("client runs");
    let server_cpu = cpu_seconds(server) - before;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.lines().last().unwrap_or("").split_whitespace();
    (
        parts.next().unwrap().parse().unwrap(),
        parts.next().unwrap().parse().unwrap(),
        server_cpu,
    )
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    xs[xs.len() / 2]
}

fn range(xs: &[f64]) -> String {
    let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{lo:.2}–{hi:.2}")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).map(|i| &args[i + 1..]);
    if let Some(rest) = arg("--client") {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(client(&rest[0], &rest[1], &rest[2]));
        return;
    }
    if let Some(rest) = arg("--serve") {
        serve(&rest[0]);
        return;
    }
    if args.iter().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let runs = arg("--runs")
        .and_then(|rest| rest.first())
        .map(|n| n.parse().expect("--runs takes a number"))
        .unwrap_or(DEFAULT_RUNS);

    // `--recording PATH` keeps the recorded answers there (and reuses
    // them when the file exists), for profiling a client against the
    // server by hand: `overhead --serve PATH`, `overhead --client w2 sdk URL`.
    let kept = arg("--recording").and_then(|rest| rest.first()).cloned();
    let file = kept
        .clone()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::env::temp_dir().join(format!("heroku-overhead-{}.json", std::process::id()))
        });
    if !file.exists() {
        eprintln!("recording the fake's answers for 10,000 apps…");
        std::fs::write(&file, serde_json::to_vec(&record()).unwrap()).unwrap();
    }
    let (mut server, base) = spawn_with_url(&mut pinned("1", &["--serve", file.to_str().unwrap()]));
    let server_pid = server.id();

    println!("| workload | raw reqwest + serde | heroku-api | throughput ratio (raw time / SDK time), median of {runs} pairs | range | server CPU per run | peak RSS raw | peak RSS heroku-api |");
    println!("|---|---|---|---|---|---|---|---|");
    for (w, label) in [
        ("w1", "W1: stream 10,000 apps (pages of 1,000)"),
        ("w2", "W2: 2,000 sequential infos"),
        ("w3", "W3: 2,000 infos, concurrency 16"),
    ] {
        let (mut raw_t, mut sdk_t, mut ratios, mut server_t) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut raw_rss, mut sdk_rss) = (0, 0);
        for _ in 0..runs {
            let (raw, r, s1) = measure(w, "raw", &base, server_pid);
            raw_rss = raw_rss.max(r);
            let (sdk, r, s2) = measure(w, "sdk", &base, server_pid);
            sdk_rss = sdk_rss.max(r);
            raw_t.push(raw);
            sdk_t.push(sdk);
            ratios.push(raw / sdk);
            server_t.push(s1);
            server_t.push(s2);
        }
        println!(
            "| {label} | {:.1} ms | {:.1} ms | {:.2} | {} | {:.1} ms | {:.1} MiB | {:.1} MiB |",
            median(raw_t) * 1e3,
            median(sdk_t) * 1e3,
            median(ratios.clone()),
            range(&ratios),
            median(server_t) * 1e3,
            raw_rss as f64 / 1024.0,
            sdk_rss as f64 / 1024.0
        );
    }
    let (t, rss, _) = measure("w1", "sdk-collect", &base, server_pid);
    println!(
        "\nFor comparison, collecting all 10,000 apps with the SDK (`.await` on the list): {:.1} ms, peak RSS {:.1} MiB.",
        t * 1e3,
        rss as f64 / 1024.0
    );
    let _ = server.kill();
    let _ = server.wait();
    if kept.is_none() {
        let _ = std::fs::remove_file(&file);
    }
}
