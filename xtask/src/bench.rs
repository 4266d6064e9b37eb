//! `cargo xtask bench build`: the build figures of BENCHMARKS.md, measured.
//! `cargo xtask bench compare [--runs N]`: heroku-api's own build time
//! against heroku_rs 0.6 from crates.io, alternating in one run, debug and
//! release.
//! `cargo xtask bench decode [--before REV]`: decoding 10,000 apps, against
//! a serde derive and (optionally) heroku-api at another revision, in one
//! process.
//!
//! Every figure is wall-clock time, a median of repeated runs, so run them
//! on an otherwise idle machine.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use crate::{files_under, root};

struct Options {
    runs: usize,
    schema: Option<PathBuf>,
}

/// The decode benchmark's program; built in a scratch crate under the
/// target directory, beside heroku-api at `--before REV` if given.
const DECODE_MAIN: &str = include_str!("../bench/decode/main.rs");

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        runs: 3,
        schema: None,
    };
    let mut it = args.iter();
    match it.next().map(String::as_str) {
        Some("build") => {}
        Some(other) => {
            return Err(format!(
                "unknown benchmark `{other}` (try `bench build`, `bench compare` or `bench decode`)"
            ))
        }
        None => return Err("which benchmark? `cargo xtask bench build`".into()),
    }
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--runs" => {
                options.runs = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or("--runs takes a whole number above 0")?;
            }
            "--schema" => {
                options.schema = Some(it.next().ok_or("--schema takes a path")?.into());
            }
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    Ok(options)
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(root());
    c
}

/// Runs `cmd` to completion, failing with its output if it fails, and
/// returns how long it took.
fn timed(mut cmd: Command) -> Result<Duration, String> {
    let started = Instant::now();
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    let took = started.elapsed();
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(took)
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn range(xs: &[Duration]) -> String {
    let lo = xs.iter().min().copied().unwrap_or_default();
    let hi = xs.iter().max().copied().unwrap_or_default();
    format!("{:.2}–{:.2} s", lo.as_secs_f64(), hi.as_secs_f64())
}

fn cargo_args(args: &[&str]) -> Command {
    let mut c = cargo();
    c.args(args);
    c
}

fn touch(path: &Path) -> Result<(), String> {
    std::fs::File::options()
        .append(true)
        .open(path)
        .and_then(|f| f.set_modified(SystemTime::now()))
        .map_err(|e| format!("cannot touch {}: {e}", path.display()))
}

/// Bytes, lines and files of the generated code, at any depth.
fn generated_size(dir: &Path) -> Result<(u64, usize, usize), String> {
    let mut bytes = 0;
    let mut lines = 0;
    let mut files = 0;
    for path in files_under(dir) {
        if path.extension().is_some_and(|e| e == "rs") {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            bytes += text.len() as u64;
            lines += text.lines().count();
            files += 1;
        }
    }
    Ok((bytes, lines, files))
}

/// How many operations the generated table holds.
fn operation_count(root: &Path) -> Result<usize, String> {
    Ok(
        std::fs::read_to_string(root.join("heroku-api/src/generated/operations.rs"))
            .map_err(|e| format!("cannot read the operation table: {e}"))?
            .matches("OperationInfo {")
            .count(),
    )
}

pub fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("decode") => return decode(&args[1..]),
        Some("compare") => return compare(&args[1..]),
        _ => {}
    }
    let options = parse(args)?;
    let runs = options.runs;
    let root = root();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let lib = root.join("heroku-api/src/lib.rs");
    let generated = root.join("heroku-api/src/generated");

    eprintln!("building the release xtask and heroku-api's dependencies…");
    timed(cargo_args(&[
        "build",
        "--quiet",
        "--release",
        "-p",
        "xtask",
    ]))?;
    timed(cargo_args(&["build", "--quiet", "-p", "heroku-api"]))?;

    eprintln!("codegen, {runs} runs…");
    let mut codegen = Vec::new();
    for _ in 0..runs {
        let mut c = Command::new(target.join("release/xtask"));
        c.current_dir(&root).args(["codegen", "--check"]);
        if let Some(schema) = &options.schema {
            c.arg("--schema").arg(schema);
        }
        codegen.push(timed(c)?);
    }

    eprintln!("clean builds of heroku-api, {runs} runs…");
    let mut clean = Vec::new();
    for _ in 0..runs {
        timed(cargo_args(&["clean", "--quiet", "-p", "heroku-api"]))?;
        clean.push(timed(cargo_args(&[
            "build",
            "--quiet",
            "-p",
            "heroku-api",
        ]))?);
    }

    eprintln!("clean builds with two resource features, {runs} runs…");
    let narrow_args = [
        "build",
        "--quiet",
        "-p",
        "heroku-api",
        "--no-default-features",
        "--features",
        "app,config-var",
    ];
    timed(cargo_args(&narrow_args))?;
    let mut narrow = Vec::new();
    for _ in 0..runs {
        timed(cargo_args(&["clean", "--quiet", "-p", "heroku-api"]))?;
        narrow.push(timed(cargo_args(&narrow_args))?);
    }

    eprintln!("incremental check and build, {runs} runs each…");
    // `cargo clean -p` dropped the default build's artifacts and the check
    // artifacts: the first build and check after it are full ones, not what
    // these rows measure.
    timed(cargo_args(&["build", "--quiet", "-p", "heroku-api"]))?;
    timed(cargo_args(&["check", "--quiet", "-p", "heroku-api"]))?;
    let mut check = Vec::new();
    let mut rebuild = Vec::new();
    for _ in 0..runs {
        touch(&lib)?;
        check.push(timed(cargo_args(&[
            "check",
            "--quiet",
            "-p",
            "heroku-api",
        ]))?);
        touch(&lib)?;
        rebuild.push(timed(cargo_args(&[
            "build",
            "--quiet",
            "-p",
            "heroku-api",
        ]))?);
    }

    let operations = operation_count(&root)?;
    let (bytes, lines, files) = generated_size(&generated)?;
    let clean_median = median(clean.clone());

    println!("| figure | median of {runs} | range | command |");
    println!("|---|---|---|---|");
    println!(
        "| codegen time, pinned schema (read, overlay, model, generate, compare) | {:.2} s | {} | `target/release/xtask codegen --check` |",
        median(codegen.clone()).as_secs_f64(),
        range(&codegen)
    );
    println!(
        "| heroku-api debug build, dependencies built | {:.2} s ({:.0} ms per operation, {operations} operations) | {} | `cargo clean -p heroku-api && cargo build -p heroku-api` |",
        clean_median.as_secs_f64(),
        clean_median.as_secs_f64() * 1000.0 / operations.max(1) as f64,
        range(&clean)
    );
    println!(
        "| heroku-api debug build, only the `app` and `config-var` requests | {:.2} s | {} | `cargo clean -p heroku-api && cargo build -p heroku-api --no-default-features --features app,config-var` |",
        median(narrow.clone()).as_secs_f64(),
        range(&narrow)
    );
    println!(
        "| heroku-api check, after touching lib.rs | {:.2} s | {} | `touch heroku-api/src/lib.rs && cargo check -p heroku-api` |",
        median(check.clone()).as_secs_f64(),
        range(&check)
    );
    println!(
        "| heroku-api debug rebuild, after touching lib.rs | {:.2} s | {} | `touch heroku-api/src/lib.rs && cargo build -p heroku-api` |",
        median(rebuild.clone()).as_secs_f64(),
        range(&rebuild)
    );
    println!("| generated code | {bytes} bytes, {lines} lines in {files} files | | `heroku-api/src/generated/**/*.rs` |");
    Ok(())
}

/// `bench decode [--before REV]`.
fn decode(args: &[String]) -> Result<(), String> {
    let mut before: Option<String> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--before" => before = Some(it.next().ok_or("--before takes a git revision")?.clone()),
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    let root = root();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let dir = target.join("bench-decode");
    let io = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    std::fs::create_dir_all(dir.join("src")).map_err(|e| io(&dir, e))?;
    let mut manifest = format!(
        "[package]\nname = \"decode-bench\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\n\
         after = {{ package = \"heroku-api\", path = {:?}, default-features = false }}\n\
         serde = {{ version = \"1\", features = [\"derive\"] }}\n\
         serde_json = \"1\"\n\
         chrono = {{ version = \"0.4\", default-features = false, features = [\"serde\", \"std\"] }}\n",
        root.join("heroku-api").display().to_string()
    );
    if let Some(rev) = &before {
        // heroku-api at `rev`, under another version so that both fit in
        // one dependency graph.
        let tree = dir.join("before");
        if tree.exists() {
            std::fs::remove_dir_all(&tree).map_err(|e| io(&tree, e))?;
        }
        std::fs::create_dir_all(&tree).map_err(|e| io(&tree, e))?;
        let archive = Command::new("git")
            .current_dir(&root)
            .args(["archive", "--format=tar", rev])
            .output()
            .map_err(|e| format!("cannot run git archive: {e}"))?;
        if !archive.status.success() {
            return Err(format!(
                "git archive {rev} failed: {}",
                String::from_utf8_lossy(&archive.stderr)
            ));
        }
        let mut tar = Command::new("tar")
            .current_dir(&tree)
            .arg("-x")
            .stdin(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run tar: {e}"))?;
        if let Some(stdin) = tar.stdin.as_mut() {
            std::io::Write::write_all(stdin, &archive.stdout).map_err(|e| format!("tar: {e}"))?;
        }
        drop(tar.stdin.take());
        tar.wait().map_err(|e| format!("tar: {e}"))?;
        let crate_manifest = tree.join("heroku-api/Cargo.toml");
        let text = std::fs::read_to_string(&crate_manifest).map_err(|e| io(&crate_manifest, e))?;
        let text = text.replacen("version = \"0.1.0\"", "version = \"0.0.0-before\"", 1);
        std::fs::write(&crate_manifest, text).map_err(|e| io(&crate_manifest, e))?;
        manifest.push_str(&format!(
            "before = {{ package = \"heroku-api\", path = {:?}, default-features = false, optional = true }}\n",
            tree.join("heroku-api").display().to_string()
        ));
    }
    manifest.push_str("\n[features]\nbefore = [\"dep:before\"]\n\n[profile.release]\ndebug = \"line-tables-only\"\n\n[workspace]\n");
    if before.is_none() {
        manifest = manifest.replace("before = [\"dep:before\"]", "before = []");
    }
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| io(&dir, e))?;
    std::fs::write(dir.join("src/main.rs"), DECODE_MAIN).map_err(|e| io(&dir, e))?;

    eprintln!("building the decode benchmark (release)…");
    let mut build = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    build
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .args(["build", "--quiet", "--release"]);
    if let Some(rev) = &before {
        build.args(["--features", "before"]).env("BEFORE_REV", rev);
    }
    timed(build)?;
    let status = Command::new(dir.join("target/release/decode-bench"))
        .status()
        .map_err(|e| format!("cannot run the decode benchmark: {e}"))?;
    if !status.success() {
        return Err("the decode benchmark failed".into());
    }
    Ok(())
}

/// The reference for `bench compare`: hand-written, about 230 endpoints.
const HEROKU_RS: &str = "=0.6.0";

/// `bench compare [--runs N]`: builds heroku-api and heroku_rs as
/// dependencies of two scratch crates in one scratch workspace (cargo's
/// default profiles, one target directory, one lock file), cleaning and
/// building each library in turn, debug then release. Both are built
/// with their dependencies already built, so each figure is the crate's
/// own build.
fn compare(args: &[String]) -> Result<(), String> {
    let mut runs = 3;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--runs" => {
                runs = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or("--runs takes a whole number above 0")?;
            }
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    let root = root();
    let scratch = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("bench-compare");
    let api = root.join("heroku-api");
    let write = |path: PathBuf, text: String| -> Result<(), String> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    write(
        scratch.join("Cargo.toml"),
        "[workspace]\nresolver = \"2\"\nmembers = [\"with-heroku-api\", \"with-heroku-rs\"]\n"
            .into(),
    )?;
    write(
        scratch.join("with-heroku-api/Cargo.toml"),
        format!(
            "[package]\nname = \"with-heroku-api\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\nheroku-api = {{ path = {:?} }}\n",
            api.display().to_string()
        ),
    )?;
    write(
        scratch.join("with-heroku-rs/Cargo.toml"),
        format!(
            "[package]\nname = \"with-heroku-rs\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\nheroku_rs = \"{HEROKU_RS}\"\n"
        ),
    )?;
    for member in ["with-heroku-api", "with-heroku-rs"] {
        write(scratch.join(member).join("src/lib.rs"), String::new())?;
    }
    let in_scratch = |args: &[&str]| {
        let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        c.current_dir(&scratch)
            .env_remove("CARGO_TARGET_DIR")
            .args(args);
        c
    };
    let operations = operation_count(&root)?.max(1);
    println!("| profile | heroku-api ({operations} operations) | heroku_rs 0.6 (about 230 endpoints) | ratio (median) | per operation / endpoint |");
    println!("|---|---|---|---|---|");
    for release in [false, true] {
        let profile: &[&str] = if release { &["--release"] } else { &[] };
        eprintln!(
            "{}: building both crates' dependencies…",
            if release { "release" } else { "debug" }
        );
        timed(in_scratch(
            &[&["build", "--quiet", "--workspace"], profile].concat(),
        ))?;
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for run in 1..=runs {
            eprintln!("  run {run} of {runs}");
            for (package, times) in [("heroku-api", &mut ours), ("heroku_rs", &mut theirs)] {
                timed(in_scratch(
                    &[&["clean", "--quiet", "-p", package], profile].concat(),
                ))?;
                times.push(timed(in_scratch(
                    &[&["build", "--quiet", "-p", package], profile].concat(),
                ))?);
            }
        }
        let (a, b) = (median(ours.clone()), median(theirs.clone()));
        println!(
            "| {} | {:.2} s ({}) | {:.2} s ({}) | {:.2} | {:.0} ms / {:.0} ms |",
            if release { "release" } else { "debug" },
            a.as_secs_f64(),
            range(&ours),
            b.as_secs_f64(),
            range(&theirs),
            a.as_secs_f64() / b.as_secs_f64(),
            a.as_secs_f64() * 1000.0 / operations as f64,
            b.as_secs_f64() * 1000.0 / 230.0,
        );
    }
    Ok(())
}
