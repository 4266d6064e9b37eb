//! `cargo xtask`: generation, the drift check, coverage, and schema upkeep.

mod bench;
mod lock;
mod schema_cmd;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use heroku_codegen::{Output, Source};
use heroku_schema::Loaded;

use crate::lock::Lock;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  codegen [--schema PATH] [--check] [--update-lock] [--out DIR]
      Generate heroku-api from the schema. Without --out, writes into
      heroku-api/ and requires the schema to match schema/schema.lock.json
      (or --update-lock to accept it). --check writes nothing and fails
      with a diff when the committed code is stale. --out DIR writes a
      complete standalone crate for any schema (with --check: compares
      that crate's generated files instead).
  coverage [--schema PATH]
      Map every link of the schema to exactly one generated operation.
  schema fetch [--variant 3|3.sdk] [--from FILE] [--to PATH]
      Download (or copy) Heroku's schema, check that it parses, write it
      (default schema/downloaded/), and show the old and new SHA-256.
  schema diff OLD NEW [--json] [--title TEXT]
      What changed for SDK users, each change marked breaking or not;
      Markdown for the CHANGELOG, or JSON.
  bench build [--runs N] [--schema PATH]
      The build figures of BENCHMARKS.md: codegen time (release xtask),
      a clean debug build of heroku-api with its dependencies built, check
      and rebuild after touching lib.rs, and the generated code's size;
      medians of N runs (default 3), as a Markdown table. Run it on an
      idle machine.
  bench compare [--runs N]
      heroku-api's own build against heroku_rs 0.6 from crates.io, debug
      and release, alternating in one run (scratch workspace in
      target/bench-compare, cargo's default profiles): medians, ranges
      and the ratio, as a Markdown table.
  bench decode [--before REV]
      Decoding 10,000 apps (W1's pages) with heroku-api against a serde
      derive of the same fields and, with --before, heroku-api at REV,
      in one process, alternating (release build in target/bench-decode).

The schema is --schema PATH, else $HEROKU_SCHEMA, else the lock's path.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen(&args[1..]),
        Some("coverage") => coverage(&args[1..]),
        Some("schema") => schema_cmd::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("-h" | "--help" | "help") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate's directory).
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

struct Flags {
    schema: Option<PathBuf>,
    out: Option<PathBuf>,
    check: bool,
    update_lock: bool,
}

fn parse_flags(args: &[String]) -> Result<Flags, String> {
    let mut flags = Flags {
        schema: None,
        out: None,
        check: false,
        update_lock: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--schema" => flags.schema = Some(it.next().ok_or("--schema needs a path")?.into()),
            "--out" => flags.out = Some(it.next().ok_or("--out needs a directory")?.into()),
            "--check" => flags.check = true,
            "--update-lock" => flags.update_lock = true,
            other => return Err(format!("unknown option `{other}`\n\n{USAGE}")),
        }
    }
    Ok(flags)
}

/// `--schema`, else `$HEROKU_SCHEMA`, else the lock's default path.
fn schema_path(flag: Option<PathBuf>, lock: &Lock) -> PathBuf {
    flag.or_else(|| std::env::var_os("HEROKU_SCHEMA").map(PathBuf::from))
        .unwrap_or_else(|| root().join(&lock.path))
}

pub(crate) fn load(path: &Path) -> Result<Loaded, String> {
    let overlays = heroku_schema::overlay::load_dir(&root().join("schema/overlays"))
        .map_err(|e| e.to_string())?;
    heroku_schema::load(path, &overlays).map_err(|e| format!("{}: {e}", path.display()))
}

fn report_overlays(loaded: &Loaded, strict: bool) -> Result<(), String> {
    let missing: Vec<_> = loaded.overlays.not_applied().collect();
    for (name, why) in &missing {
        eprintln!("overlay {name} does not apply: {why}");
    }
    if strict && !missing.is_empty() {
        return Err(format!(
            "{} overlay(s) no longer apply to the pinned schema; fix or remove them",
            missing.len()
        ));
    }
    Ok(())
}

fn generate(loaded: &Loaded) -> Result<Output, String> {
    let source = Source {
        sha256: loaded.sha256.clone(),
    };
    heroku_codegen::generate(&loaded.api, &source).map_err(|e| e.to_string())
}

fn codegen(args: &[String]) -> Result<(), String> {
    let flags = parse_flags(args)?;
    let lock = Lock::read(&root())?;
    let path = schema_path(flags.schema.clone(), &lock);
    let started = std::time::Instant::now();
    let loaded = load(&path)?;
    for warning in &loaded.api.warnings {
        eprintln!("warning: {warning}");
    }

    if let Some(out) = &flags.out {
        report_overlays(&loaded, false)?;
        let generated = generate(&loaded)?;
        let output = standalone_view(&generated);
        if flags.check {
            return check(out, "", &output, &[STANDALONE_GENERATED]);
        }
        let features = features_fragment(&generated)?;
        write_standalone(out, &output, &loaded.sha256, features)?;
        println!(
            "wrote a standalone crate for {} ({} operations) to {} in {:.0} ms",
            path.display(),
            loaded.api.operations().count(),
            out.display(),
            started.elapsed().as_secs_f64() * 1000.0
        );
        return Ok(());
    }

    if loaded.sha256 != lock.sha256 && !flags.update_lock {
        return Err(format!(
            "{} has sha256 {}, but schema/schema.lock.json pins {} ({}).\n\
             Use the pinned file, or accept this one with `cargo xtask codegen --update-lock --schema {}`.",
            path.display(),
            loaded.sha256,
            lock.sha256,
            lock.file,
            path.display()
        ));
    }
    // Overlays are written for the pinned schema: one that stops applying is
    // an error, except while a new schema is being accepted, when it is
    // reported for review.
    report_overlays(&loaded, !flags.update_lock)?;
    let output = with_manifest(generate(&loaded)?)?;
    if flags.check {
        return check(&root(), "", &output, heroku_codegen::GENERATED_DIRS);
    }
    write_into(&root(), &output, heroku_codegen::GENERATED_DIRS)?;
    if flags.update_lock && loaded.sha256 != lock.sha256 {
        let new_lock = lock.updated(&path, &loaded.sha256)?;
        new_lock.write(&root())?;
        println!("lock: {} → {}", lock.sha256, new_lock.sha256);
    }
    println!(
        "generated {} operations, {} types into heroku-api in {:.0} ms",
        loaded.api.operations().count(),
        loaded.api.types.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}

/// The markers around the generated resource features in heroku-api's
/// manifest.
const FEATURES_BEGIN: &str = "# @generated features begin: `cargo xtask codegen` writes from here";
const FEATURES_END: &str = "# @generated features end";

fn features_fragment(output: &Output) -> Result<&str, String> {
    output
        .files
        .get(heroku_codegen::MANIFEST_FEATURES)
        .map(String::as_str)
        .ok_or_else(|| "the generator produced no resource features".to_string())
}

/// `manifest` with the block between the feature markers replaced.
fn splice_features(manifest: &str, features: &str) -> Result<String, String> {
    let missing = || {
        format!(
            "the manifest has no feature markers: put the lines `{FEATURES_BEGIN}` and \
             `{FEATURES_END}` in its [features] table"
        )
    };
    let begin = manifest.find(FEATURES_BEGIN).ok_or_else(missing)?;
    let body = begin + FEATURES_BEGIN.len();
    let body = body + manifest[body..].find('\n').map_or(0, |i| i + 1);
    let end = body + manifest[body..].find(FEATURES_END).ok_or_else(missing)?;
    Ok(format!(
        "{}{features}{}",
        &manifest[..body],
        &manifest[end..]
    ))
}

/// The output with the resource features spliced into heroku-api's
/// manifest, which is then compared and written like a generated file.
fn with_manifest(mut output: Output) -> Result<Output, String> {
    let features = output
        .files
        .remove(heroku_codegen::MANIFEST_FEATURES)
        .ok_or_else(|| "the generator produced no resource features".to_string())?;
    let path = root().join(heroku_codegen::MANIFEST);
    let manifest =
        std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let manifest =
        splice_features(&manifest, &features).map_err(|e| format!("{}: {e}", path.display()))?;
    output
        .files
        .insert(heroku_codegen::MANIFEST.to_string(), manifest);
    Ok(output)
}

/// Where a standalone crate keeps its generated modules.
const STANDALONE_GENERATED: &str = "src/generated";

/// The heroku-api part of the output, with paths relative to the crate.
fn standalone_view(output: &Output) -> Output {
    let prefix = format!("{}/", heroku_codegen::API_CRATE);
    let files = output
        .files
        .iter()
        .filter_map(|(k, v)| {
            let rel = k.strip_prefix(&prefix)?;
            rel.starts_with("src/")
                .then(|| (rel.to_string(), v.clone()))
        })
        .collect();
    Output { files }
}

/// Every file below `dir`, at any depth; nothing when `dir` is missing.
pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(e.path());
            } else {
                files.push(e.path());
            }
        }
    }
    files
}

/// Files in the generated directories under `base`, at any depth, that the
/// output does not contain (a resource that went away).
fn stale_files(base: &Path, output: &Output, dirs: &[&str]) -> Vec<String> {
    let mut stale: Vec<String> = dirs
        .iter()
        .flat_map(|dir| files_under(&base.join(dir)))
        .filter_map(|path| {
            let rel = path
                .strip_prefix(base)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            (!output.files.contains_key(&rel)).then_some(rel)
        })
        .collect();
    stale.sort();
    stale
}

/// Removes the directories under the generated ones that no file is left in.
fn remove_empty_dirs(base: &Path, dirs: &[&str]) {
    fn prune(dir: &Path, top: bool) {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    prune(&e.path(), false);
                }
            }
        }
        if !top {
            // Fails, as it should, while the directory holds anything.
            let _ = std::fs::remove_dir(dir);
        }
    }
    for dir in dirs {
        prune(&base.join(dir), true);
    }
}

fn write_into(crate_dir: &Path, output: &Output, dirs: &[&str]) -> Result<(), String> {
    for rel in stale_files(crate_dir, output, dirs) {
        std::fs::remove_file(crate_dir.join(&rel)).map_err(|e| format!("{rel}: {e}"))?;
    }
    remove_empty_dirs(crate_dir, dirs);
    for (rel, text) in &output.files {
        let path = crate_dir.join(rel);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// Compares `output` with the files in `crate_dir`; `label` prefixes paths
/// in the diff.
fn check(crate_dir: &Path, label: &str, output: &Output, dirs: &[&str]) -> Result<(), String> {
    let mut stale = 0;
    for (rel, text) in &output.files {
        let committed = std::fs::read_to_string(crate_dir.join(rel)).unwrap_or_default();
        if committed != *text {
            stale += 1;
            let diff = similar::TextDiff::from_lines(&committed, text);
            print!(
                "{}",
                diff.unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{label}{rel}"), &format!("b/{label}{rel}"))
            );
        }
    }
    for rel in stale_files(crate_dir, output, dirs) {
        stale += 1;
        println!("--- a/{label}{rel}\n+++ /dev/null\n(file is no longer generated)");
    }
    if stale > 0 {
        return Err(format!(
            "{stale} generated file(s) are stale; run `cargo xtask codegen` and commit the result"
        ));
    }
    println!(
        "generated code is up to date ({} files)",
        output.files.len()
    );
    Ok(())
}

/// A complete crate: heroku-api's manifest and hand-written runtime, plus
/// the generated code for this schema.
///
/// The version gets the schema's hash as build metadata (`0.1.0+schema.f8954a58`):
/// it says which schema the crate is for, and it keeps two standalone crates
/// that share a target directory from being mistaken for one another.
fn write_standalone(
    out: &Path,
    output: &Output,
    sha256: &str,
    features: &str,
) -> Result<(), String> {
    let src = root().join("heroku-api");
    let io = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    if out.join("src").exists() {
        std::fs::remove_dir_all(out.join("src")).map_err(|e| io(out, e))?;
    }
    std::fs::create_dir_all(out).map_err(|e| io(out, e))?;
    let manifest = std::fs::read_to_string(src.join("Cargo.toml")).map_err(|e| io(&src, e))?;
    let short = &sha256[..sha256.len().min(8)];
    let manifest = splice_features(&standalone_manifest(&manifest, short), features)?;
    std::fs::write(out.join("Cargo.toml"), format!("{manifest}\n[workspace]\n"))
        .map_err(|e| io(out, e))?;
    // The workspace's lock file keeps the standalone crate on the same
    // dependency versions (and lets it share a target directory).
    let lock = root().join("Cargo.lock");
    if lock.exists() {
        std::fs::copy(&lock, out.join("Cargo.lock")).map_err(|e| io(&lock, e))?;
    }
    copy_tree(&src.join("src"), &out.join("src"), &|p: &Path| {
        p.ends_with("generated")
    })?;
    write_into(out, output, &[STANDALONE_GENERATED])?;
    Ok(())
}

/// heroku-api's manifest for a standalone crate: the schema hash as
/// version build metadata, and without what points at files a standalone
/// crate does not have (dev-dependencies on workspace crates, examples,
/// tests, benches). The other dev-dependencies stay: the runtime's unit
/// tests use them. The default is `full` without `workflows`, which is
/// written against the pinned schema's endpoints.
fn standalone_manifest(manifest: &str, short_sha: &str) -> String {
    let mut out = String::new();
    let mut versioned = false;
    let mut skipping = false;
    let mut dev = false;
    for line in manifest.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            skipping = matches!(trimmed, "[[example]]" | "[[test]]" | "[[bench]]");
            dev = trimmed == "[dev-dependencies]";
        }
        if skipping || (dev && (trimmed.contains("path = ") || trimmed.starts_with('#'))) {
            continue;
        }
        if trimmed.starts_with("default = ") {
            out.push_str("default = [\"full\"]\n");
            continue;
        }
        match line
            .strip_prefix("version = \"")
            .and_then(|v| v.strip_suffix('"'))
        {
            Some(v) if !versioned => {
                versioned = true;
                out.push_str(&format!("version = \"{v}+schema.{short_sha}\"\n"));
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

fn copy_tree(from: &Path, to: &Path, skip: &dyn Fn(&Path) -> bool) -> Result<(), String> {
    let io = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    std::fs::create_dir_all(to).map_err(|e| io(to, e))?;
    for entry in std::fs::read_dir(from).map_err(|e| io(from, e))?.flatten() {
        let path = entry.path();
        if skip(&path) {
            continue;
        }
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_tree(&path, &target, skip)?;
        } else {
            std::fs::copy(&path, &target).map_err(|e| io(&path, e))?;
        }
    }
    Ok(())
}

fn coverage(args: &[String]) -> Result<(), String> {
    let flags = parse_flags(args)?;
    let lock = Lock::read(&root())?;
    let path = schema_path(flags.schema, &lock);
    let loaded = load(&path)?;
    report_overlays(&loaded, false)?;

    // The links, counted straight from the JSON, independent of the model.
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut links = BTreeSet::new();
    if let Some(defs) = doc.get("definitions").and_then(|d| d.as_object()) {
        for (key, def) in defs {
            let n = def
                .get("links")
                .and_then(|l| l.as_array())
                .map_or(0, Vec::len);
            for i in 0..n {
                links.insert(format!(
                    "/definitions/{}/links/{i}",
                    heroku_schema::error::escape_token(key)
                ));
            }
        }
    }
    let ops: Vec<_> = loaded.api.operations().collect();
    let mut mapped = BTreeSet::new();
    let mut extra = Vec::new();
    for op in &ops {
        if !links.contains(&op.pointer) || !mapped.insert(op.pointer.clone()) {
            extra.push(format!("{} ({})", op.id, op.pointer));
        }
    }
    let missing: Vec<_> = links.difference(&mapped).cloned().collect();

    // What the generator produces must name every operation once.
    let output = generate(&loaded)?;
    let generated_ids = table_ids(
        output
            .files
            .get(&format!("{}/operations.rs", heroku_codegen::GENERATED_DIR))
            .map(String::as_str)
            .unwrap_or(""),
    );
    let model_ids: Vec<String> = ops.iter().map(|o| o.id.clone()).collect();
    let mut problems = Vec::new();
    if generated_ids != model_ids {
        problems.push("the generated operation table does not match the model".to_string());
    }
    if loaded.sha256 == lock.sha256 {
        let committed = std::fs::read_to_string(
            root()
                .join(heroku_codegen::GENERATED_DIR)
                .join("operations.rs"),
        )
        .unwrap_or_default();
        if table_ids(&committed) != model_ids {
            problems.push(
                "the committed heroku-api operation table does not match the pinned schema; run `cargo xtask codegen`"
                    .to_string(),
            );
        }
    }
    println!(
        "links {}, operations {}, missing {}, extra {}",
        links.len(),
        ops.len(),
        missing.len(),
        extra.len()
    );
    for m in &missing {
        println!("  missing: {m}");
    }
    for e in &extra {
        println!("  extra: {e}");
    }
    if !missing.is_empty() || !extra.is_empty() || !problems.is_empty() {
        return Err(problems
            .into_iter()
            .chain(std::iter::once("coverage is incomplete".to_string()))
            .collect::<Vec<_>>()
            .join("; "));
    }
    Ok(())
}

/// Operation ids in a generated `operations.rs`, in order.
fn table_ids(source: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = source;
    while let Some(pos) = rest.find("OperationInfo {") {
        rest = &rest[pos + "OperationInfo {".len()..];
        let trimmed = rest.trim_start();
        if let Some(body) = trimmed.strip_prefix("id: \"") {
            if let Some(end) = body.find('"') {
                ids.push(body[..end].to_string());
            }
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::{splice_features, FEATURES_BEGIN, FEATURES_END};

    fn manifest(block: &str) -> String {
        format!(
            "[features]\ndefault = [\"full\"]\n{FEATURES_BEGIN}\n{block}{FEATURES_END}\n\n[dependencies]\nbytes = \"1\"\n"
        )
    }

    #[test]
    fn the_block_between_the_markers_is_replaced_and_nothing_else() {
        let old = manifest("full = [\"app\"]\napp = []\n");
        let new = splice_features(&old, "full = []\n").unwrap();
        assert_eq!(new, manifest("full = []\n"));
        // Splicing is idempotent.
        assert_eq!(splice_features(&new, "full = []\n").unwrap(), new);
    }

    #[test]
    fn a_manifest_without_markers_is_an_error_that_names_them() {
        let err = splice_features("[features]\nfull = []\n", "full = []\n").unwrap_err();
        assert!(
            err.contains(FEATURES_BEGIN) && err.contains(FEATURES_END),
            "{err}"
        );
        let only_begin = format!("[features]\n{FEATURES_BEGIN}\nfull = []\n");
        assert!(splice_features(&only_begin, "").is_err());
    }
}
