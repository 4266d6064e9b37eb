//! The drift check: passes on fresh output, fails with a diff when one byte
//! of a generated file changes. Runs on the in-repo fixture schema.

use std::path::{Path, PathBuf};
use std::process::Command;

fn xtask(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("run xtask");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen/tests/fixtures/hard-cases.json")
}

#[test]
fn check_fails_with_a_diff_when_one_byte_changes() {
    let dir = std::env::temp_dir().join(format!("heroku-api-drift-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let schema = fixture();
    let schema = schema.to_str().unwrap();
    let out = dir.to_str().unwrap();

    let (ok, text) = xtask(&["codegen", "--schema", schema, "--out", out]);
    assert!(ok, "{text}");
    let (ok, text) = xtask(&["codegen", "--schema", schema, "--out", out, "--check"]);
    assert!(ok, "fresh output must pass: {text}");

    let file = dir.join("src/generated/widget/mod.rs");
    let mut bytes = std::fs::read(&file).unwrap();
    let pos = bytes.len() / 2;
    bytes[pos] = if bytes[pos] == b'x' { b'y' } else { b'x' };
    std::fs::write(&file, &bytes).unwrap();

    let (ok, text) = xtask(&["codegen", "--schema", schema, "--out", out, "--check"]);
    assert!(!ok, "a changed byte must fail the check");
    assert!(text.contains("--- a/src/generated/widget/mod.rs"), "{text}");
    assert!(text.contains("+++ b/src/generated/widget/mod.rs"), "{text}");
    assert!(text.contains("stale"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn two_runs_write_identical_bytes() {
    let base = std::env::temp_dir().join(format!("heroku-api-determinism-{}", std::process::id()));
    let schema = fixture();
    let mut trees = Vec::new();
    for run in ["a", "b"] {
        let dir = base.join(run);
        let (ok, text) = xtask(&[
            "codegen",
            "--schema",
            schema.to_str().unwrap(),
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert!(ok, "{text}");
        let mut files = Vec::new();
        let mut dirs = vec![dir.join("src/generated")];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                if e.path().is_dir() {
                    dirs.push(e.path());
                } else {
                    let rel = e.path().strip_prefix(&dir).unwrap().to_path_buf();
                    files.push((rel, std::fs::read(e.path()).unwrap()));
                }
            }
        }
        files.sort();
        trees.push(files);
    }
    assert_eq!(trees[0], trees[1]);
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn a_schema_that_does_not_match_the_lock_is_refused() {
    let (ok, text) = xtask(&["codegen", "--schema", fixture().to_str().unwrap()]);
    assert!(!ok);
    assert!(text.contains("schema.lock.json pins"), "{text}");
    assert!(text.contains("--update-lock"), "{text}");
}
