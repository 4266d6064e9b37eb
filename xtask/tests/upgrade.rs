//! The schema diff agrees with what generation actually changes: the
//! operations it reports added and removed are exactly the difference
//! between the two generated operation tables. Needs ../shared/schema.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn xtask(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("xtask runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn shared(name: &str) -> String {
    let dir = std::env::var_os("HEROKU_SCHEMA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/schema"));
    dir.join(name).to_string_lossy().into_owned()
}

fn table(dir: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(dir.join("src/generated/operations.rs")).unwrap();
    text.split("OperationInfo {")
        .skip(1)
        .filter_map(|rest| {
            rest.trim_start()
                .strip_prefix("id: \"")
                .and_then(|r| r.split('"').next())
                .map(str::to_string)
        })
        .collect()
}

#[test]
#[ignore = "needs ../shared/schema; run by .ci/run"]
fn the_diff_matches_the_change_in_the_operation_table() {
    for (old, new) in [
        ("platform-api-3-2022-09.json", "platform-api-3-2026-02.json"),
        (
            "platform-api-3-2026-02.json",
            "platform-api-3.sdk-2026-05.json",
        ),
    ] {
        let base = std::env::temp_dir().join(format!("heroku-api-upgrade-{}", std::process::id()));
        let (a, b) = (base.join("old"), base.join("new"));
        xtask(&[
            "codegen",
            "--schema",
            &shared(old),
            "--out",
            a.to_str().unwrap(),
        ]);
        xtask(&[
            "codegen",
            "--schema",
            &shared(new),
            "--out",
            b.to_str().unwrap(),
        ]);
        let (ta, tb) = (table(&a), table(&b));
        let diff: serde_json::Value = serde_json::from_str(&xtask(&[
            "schema",
            "diff",
            &shared(old),
            &shared(new),
            "--json",
        ]))
        .unwrap();
        let mut added = BTreeSet::new();
        let mut removed = BTreeSet::new();
        for c in diff["changes"].as_array().unwrap() {
            let detail = c["detail"].as_str().unwrap();
            let ids: Vec<String> = detail
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect();
            match c["kind"].as_str().unwrap() {
                "operation_added" => {
                    added.insert(ids[0].clone());
                }
                "operation_removed" => {
                    removed.insert(ids[0].clone());
                }
                "operation_renamed" => {
                    removed.insert(ids[0].clone());
                    added.insert(ids[1].clone());
                }
                "resource_added" | "resource_removed" => {
                    let key = c["resource"].as_str().unwrap();
                    let (from, into) = if c["kind"] == "resource_added" {
                        (&tb, &mut added)
                    } else {
                        (&ta, &mut removed)
                    };
                    into.extend(
                        from.iter()
                            .filter(|id| id.split('.').next() == Some(key))
                            .cloned(),
                    );
                }
                _ => {}
            }
        }
        let expect_added: BTreeSet<String> = tb.difference(&ta).cloned().collect();
        let expect_removed: BTreeSet<String> = ta.difference(&tb).cloned().collect();
        assert_eq!(added, expect_added, "{old} -> {new}: added");
        assert_eq!(removed, expect_removed, "{old} -> {new}: removed");
        let _ = std::fs::remove_dir_all(&base);
    }
}
