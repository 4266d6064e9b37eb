//! `cargo xtask bench decode`: W1's decoding, side by side in one process.
//! Ten pages of 1,000 apps are decoded by a plain serde derive of the same
//! fields (the reference, which checks nothing and tolerates nothing), by
//! this checkout's heroku-api, and, with `--before REV`, by heroku-api at
//! that revision. Runs alternate; medians are printed.
use std::time::Instant;

#[allow(dead_code)]
#[derive(serde::Deserialize)]
struct Ref { id: String, name: String }
#[allow(dead_code)]
#[derive(serde::Deserialize)]
struct RefOwner { email: String, id: String }
#[allow(dead_code)]
#[derive(serde::Deserialize)]
struct RawApp {
    acm: bool, archived_at: Option<chrono::DateTime<chrono::Utc>>, build_stack: Ref,
    buildpack_provided_description: Option<String>, created_at: chrono::DateTime<chrono::Utc>,
    generation: Ref, git_url: String, id: String, internal_routing: Option<bool>, maintenance: bool,
    name: String, organization: Option<Ref>, owner: RefOwner, region: Ref,
    released_at: Option<chrono::DateTime<chrono::Utc>>, repo_size: Option<i64>, slug_size: Option<i64>,
    space: Option<Ref>, stack: Ref, team: Option<Ref>, updated_at: chrono::DateTime<chrono::Utc>, web_url: Option<String>,
}

fn page(p: usize) -> Vec<u8> {
    let apps: Vec<serde_json::Value> = (0..1000).map(|i| {
        let n = p * 1000 + i;
        serde_json::json!({
            "acm": false, "archived_at": null,
            "build_stack": {"id": "01234567-89ab-cdef-0123-456789abcdef", "name": "heroku-24"},
            "buildpack_provided_description": "Ruby/Rack", "created_at": "2012-01-01T12:00:00Z",
            "generation": {"id": "01234567-89ab-cdef-0123-456789abcdef", "name": "cedar"},
            "git_url": format!("https://git.heroku.com/app-{n:05}.git"),
            "id": format!("00000000-0000-0000-0000-{n:012}"), "internal_routing": null, "maintenance": false,
            "name": format!("app-{n:05}"), "organization": null,
            "owner": {"email": "user@example.com", "id": "01234567-89ab-cdef-0123-456789abcdef"},
            "region": {"id": "01234567-89ab-cdef-0123-456789abcdef", "name": "us"},
            "released_at": "2012-01-01T12:00:00Z", "repo_size": 0, "slug_size": 0, "space": null,
            "stack": {"id": "01234567-89ab-cdef-0123-456789abcdef", "name": "heroku-24"},
            "team": null, "updated_at": "2012-01-01T12:00:00Z", "web_url": "https://example.herokuapp.com/"
        })
    }).collect();
    serde_json::to_vec(&apps).unwrap()
}

fn time(pages: &[Vec<u8>], f: &dyn Fn(&[u8]) -> usize) -> f64 {
    let started = Instant::now();
    let mut n = 0;
    for p in pages { n += f(p); }
    assert_eq!(n, 10_000);
    started.elapsed().as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let pages: Vec<Vec<u8>> = (0..10).map(page).collect();
    #[cfg(feature = "before")]
    let before = |b: &[u8]| serde_json::from_slice::<Vec<before::app::App>>(b).unwrap().len();
    let after = |b: &[u8]| {
        let d = after::decode::from_slice::<Vec<after::app::App>>(b).unwrap();
        assert!(d.deviations.is_empty());
        d.value.len()
    };
    let raw = |b: &[u8]| serde_json::from_slice::<Vec<RawApp>>(b).unwrap().len();
    // Profile one side alone: `ONLY=after|before|raw`.
    if let Ok(only) = std::env::var("ONLY") {
        let f: &dyn Fn(&[u8]) -> usize = match only.as_str() {
            #[cfg(feature = "before")]
            "before" => &before,
            "after" => &after,
            _ => &raw,
        };
        for _ in 0..20 { time(&pages, f); }
        return;
    }
    let runs = 31;
    let (mut tb, mut ta, mut tr) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs + 3 {
        #[cfg(feature = "before")]
        tb.push(time(&pages, &before));
        ta.push(time(&pages, &after));
        tr.push(time(&pages, &raw));
    }
    // The first three rounds warm up.
    let keep = |v: Vec<f64>| median(v.into_iter().skip(3).collect());
    let (a, r) = (keep(ta), keep(tr));
    println!("decode 10,000 apps (10 pages of 1,000), median of {runs} alternating runs:");
    println!("  serde derive of the same fields (reference): {r:.2} ms");
    println!("  heroku-api, this checkout: {a:.2} ms ({:.2}x the reference)", a / r);
    if !tb.is_empty() {
        let b = keep(tb);
        println!(
            "  heroku-api at {}: {b:.2} ms ({:.2}x the reference); this checkout is {:.2}x its time",
            option_env!("BEFORE_REV").unwrap_or("the given revision"), b / r, a / b
        );
    }
}
