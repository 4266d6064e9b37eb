//! Overlays apply atomically, and one that does not fit is reported.

use heroku_schema::overlay::{apply, Outcome, Overlay, PatchOp};
use serde_json::json;

fn overlay(name: &str, patch: Vec<PatchOp>) -> Overlay {
    Overlay {
        name: name.into(),
        reason: "test".into(),
        patch,
    }
}

#[test]
fn applies_when_the_test_matches() {
    let mut doc = json!({ "a": { "b": 1 } });
    let o = overlay(
        "fix",
        vec![
            PatchOp::Test {
                path: "/a/b".into(),
                value: json!(1),
            },
            PatchOp::Replace {
                path: "/a/b".into(),
                value: json!(2),
            },
            PatchOp::Add {
                path: "/a/c".into(),
                value: json!(3),
            },
        ],
    );
    let report = apply(&mut doc, &[o]);
    assert_eq!(report.outcomes[0].1, Outcome::Applied);
    assert_eq!(doc, json!({ "a": { "b": 2, "c": 3 } }));
}

#[test]
fn a_stale_overlay_changes_nothing_and_is_reported() {
    let mut doc = json!({ "a": { "b": 5 } });
    let o = overlay(
        "stale",
        vec![
            PatchOp::Remove {
                path: "/a/b".into(),
            },
            PatchOp::Test {
                path: "/a/b".into(),
                value: json!(1),
            },
        ],
    );
    let report = apply(&mut doc, &[o]);
    assert_eq!(doc, json!({ "a": { "b": 5 } }), "nothing applied");
    let missing: Vec<_> = report.not_applied().collect();
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].0, "stale");
    assert!(
        missing[0].1.contains("operation 1 at /a/b"),
        "{}",
        missing[0].1
    );
}

#[test]
fn project_overlays_parse_and_give_reasons() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("overlays");
    let overlays = heroku_schema::overlay::load_dir(&dir).expect("overlays parse");
    assert!(overlays.len() >= 5);
    for o in &overlays {
        assert!(o.reason.len() > 40, "{} needs a real reason", o.name);
        assert!(
            matches!(o.patch.first(), Some(PatchOp::Test { .. })),
            "{} must test before it changes",
            o.name
        );
    }
}
