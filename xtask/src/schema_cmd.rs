//! `cargo xtask schema fetch | diff`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::lock::Lock;
use crate::{load, root};

pub const SCHEMA_URL: &str = "https://api.heroku.com/schema";

pub fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("fetch") => fetch(&args[1..]),
        Some("diff") => diff(&args[1..]),
        _ => Err("usage: cargo xtask schema fetch [--variant 3|3.sdk] [--from FILE] [--to PATH]\n       cargo xtask schema diff OLD NEW [--json] [--title TEXT]".into()),
    }
}

fn fetch(args: &[String]) -> Result<(), String> {
    let mut variant = "3".to_string();
    let mut from: Option<PathBuf> = None;
    let mut to: Option<PathBuf> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--variant" => variant = it.next().ok_or("--variant needs 3 or 3.sdk")?.clone(),
            "--from" => from = Some(it.next().ok_or("--from needs a file")?.into()),
            "--to" => to = Some(it.next().ok_or("--to needs a path")?.into()),
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    if !matches!(variant.as_str(), "3" | "3.sdk") {
        return Err(format!("unknown variant `{variant}` (use 3 or 3.sdk)"));
    }
    let bytes = match &from {
        Some(path) => std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?,
        None => download(&variant)?,
    };
    // Refuse anything the generator cannot read.
    let overlays = heroku_schema::overlay::load_dir(&root().join("schema/overlays"))
        .map_err(|e| e.to_string())?;
    let loaded = heroku_schema::from_bytes(&bytes, &overlays)
        .map_err(|e| format!("the fetched schema is not usable: {e}"))?;
    let to = to.unwrap_or_else(|| {
        root()
            .join("schema/downloaded")
            .join(format!("platform-api-{variant}.json"))
    });
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(&to, &bytes).map_err(|e| format!("{}: {e}", to.display()))?;
    let lock = Lock::read(&root())?;
    println!(
        "wrote {} ({} links, {} bytes)",
        to.display(),
        loaded.api.link_count(),
        bytes.len()
    );
    println!("locked sha256: {} ({})", lock.sha256, lock.file);
    println!("new    sha256: {}", loaded.sha256);
    if loaded.sha256 == lock.sha256 {
        println!("unchanged: the lock already pins this schema");
    } else {
        println!(
            "next: cargo xtask schema diff {} {}\n      cargo xtask codegen --update-lock --schema {}",
            root().join(&lock.path).display(),
            to.display(),
            to.display()
        );
    }
    Ok(())
}

/// Downloads the schema with the variant's Accept header, with curl.
fn download(variant: &str) -> Result<Vec<u8>, String> {
    let out = Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--fail",
            "--location",
            "--max-time",
            "60",
            "-H",
            &format!("Accept: application/vnd.heroku+json; version={variant}"),
            SCHEMA_URL,
        ])
        .output()
        .map_err(|e| format!("cannot run curl to download the schema ({e}); download {SCHEMA_URL} yourself and pass --from FILE"))?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr).trim().to_string();
        let hint = match out.status.code() {
            Some(6) | Some(7) | Some(28) => {
                " (no network? the machine cannot reach api.heroku.com)"
            }
            _ => "",
        };
        return Err(format!(
            "could not download {SCHEMA_URL}{hint}: {why}\nOffline, pass a copy of the schema with --from FILE"
        ));
    }
    Ok(out.stdout)
}

fn diff(args: &[String]) -> Result<(), String> {
    let mut paths = Vec::new();
    let mut json = false;
    let mut title = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => json = true,
            "--title" => title = Some(it.next().ok_or("--title needs text")?.clone()),
            other if other.starts_with("--") => return Err(format!("unknown option `{other}`")),
            other => paths.push(PathBuf::from(other)),
        }
    }
    let [old, new] = paths.as_slice() else {
        return Err("usage: cargo xtask schema diff OLD NEW [--json] [--title TEXT]".into());
    };
    let (o, n) = (load(old)?, load(new)?);
    let d = heroku_schema::diff::diff(&o.api, &n.api);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&d).map_err(|e| e.to_string())?
        );
    } else {
        let title = title.unwrap_or_else(|| format!("{} → {}", name(old), name(new)));
        print!("{}", d.markdown(&title));
    }
    Ok(())
}

fn name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
