//! Generator snapshots: each fixture schema under `tests/fixtures/` has its
//! expected output under `tests/expected/<fixture>/`. Run with
//! `UPDATE_SNAPSHOTS=1` to accept a change. `.ci/run` also compiles each
//! snapshot as a standalone crate (`cargo xtask codegen --out`).

use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn generate(fixture: &str) -> heroku_codegen::Output {
    let path = dir().join("fixtures").join(format!("{fixture}.json"));
    let loaded = heroku_schema::load(&path, &[]).expect("fixture loads");
    let source = heroku_codegen::Source {
        sha256: loaded.sha256.clone(),
    };
    heroku_codegen::generate(&loaded.api, &source).expect("fixture generates")
}

#[test]
fn hard_cases_match_the_snapshot() {
    let fixture = "hard-cases";
    let output = generate(fixture);
    let expected_dir = dir().join("expected").join(fixture);
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut mismatched = Vec::new();
    if update {
        // Files no longer generated must not linger in the snapshot.
        let _ = std::fs::remove_dir_all(expected_dir.join("heroku-api/src/generated"));
    }
    for (rel, text) in &output.files {
        let path = expected_dir.join(rel);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(expected) if expected == *text => {}
            _ => mismatched.push(rel.clone()),
        }
    }
    assert!(
        mismatched.is_empty(),
        "generated output differs from the snapshot for {mismatched:?}; \
         rerun with UPDATE_SNAPSHOTS=1 and review the diff"
    );
}

#[test]
fn a_dangling_href_ref_is_a_warning_naming_the_pointer() {
    let path = dir().join("fixtures").join("hard-cases.json");
    let loaded = heroku_schema::load(&path, &[]).expect("fixture loads");
    let warning = loaded
        .api
        .warnings
        .iter()
        .find(|w| w.contains("#/definitions/gadget/definitions/missing"))
        .expect("a warning for the dangling reference");
    assert!(
        warning.starts_with("/definitions/gadget/links/3/href"),
        "{warning}"
    );
    assert!(
        warning.ends_with("the parameter is generated as a string"),
        "{warning}"
    );
}

#[test]
fn generation_is_deterministic() {
    assert_eq!(generate("hard-cases"), generate("hard-cases"));
}

fn file<'a>(output: &'a heroku_codegen::Output, name: &str) -> &'a str {
    output
        .files
        .get(&format!("heroku-api/src/generated/{name}.rs"))
        .map(String::as_str)
        .unwrap_or_else(|| panic!("no {name}.rs"))
}

#[test]
fn hard_cases_map_to_the_expected_rust() {
    let out = generate("hard-cases");
    let widget = file(&out, "widget/mod");
    let requests = file(&out, "widget/requests");
    let serde_impls = file(&out, "widget/serde_impls");
    // Keyword and symbol names, renamed only where the name changed.
    assert!(widget.contains("#[serde(rename = \"type\")]\n    pub type_: String,"));
    assert!(widget.contains("rename = \"in\""));
    assert!(widget.contains("rename = \"ca_signed?\""));
    assert!(widget.contains("rename = \"default-permission\""));
    assert!(!widget.contains("rename = \"created_at\""));
    // The written-out Deserialize reads the JSON names, not the Rust ones.
    assert!(serde_impls.contains("crate::__private::field(&mut map, cx, \"ca_signed?\")"));
    assert!(serde_impls.contains("out.type_ = crate::__private::field(&mut map, cx, \"type\")?;"));
    // Tolerant decoding: absent fields keep their fallback and are reported.
    // The impls live beside the types, not between them.
    assert!(!widget.contains("impl crate::decode::Decode for"));
    assert!(serde_impls.contains("seen.report_absent(cx, &["));
    // Enums: digit-leading members, null member → Option, open catch-all.
    assert!(widget.contains("V01,"));
    assert!(widget.contains("pub default_permission: Option<WidgetRole>,"));
    assert!(widget.contains("Other(String),"));
    assert!(widget.contains("HerokuManaged,"));
    assert!(widget.contains("ApSouth1,"));
    // Identities: id, name or integer version; `~` as current().
    assert!(widget.contains("pub struct WidgetIdentity("));
    assert!(widget.contains("impl From<i64> for WidgetIdentity"));
    assert!(widget.contains("pub fn current() -> Self"));
    // Nullable sibling override on a $ref'd object; maps; untyped arrays.
    assert!(widget.contains("pub owner: Option<WidgetOwner>,"));
    assert!(widget.contains("pub labels: std::collections::BTreeMap<String, Option<String>>,"));
    assert!(widget.contains("pub tags: Vec<serde_json::Value>,"));
    assert!(widget.contains("pub parts: Vec<WidgetPart>,"));
    assert!(widget.contains("pub meta: serde_json::Value,"));
    assert!(widget.contains("pub born_on: Option<chrono::NaiveDate>,"));
    // Shared route: two functions, two bodies.
    assert!(requests
        .contains("pub fn create(&self, name: impl Into<String>) -> crate::Request<'a, Create>"));
    assert!(requests.contains("pub fn rollback("));
    // PATCH tri-state and required+nullable; setters on the value and on
    // the bound request.
    assert!(requests.contains("pub fn clear_note(mut self) -> Self"));
    assert!(requests.contains("self.map(Update::clear_note)"));
    assert!(requests.contains("reason: Option<String>"));
    // GET with a schema: query parameters; a list with declared ranges.
    assert!(requests.contains("const BODY: crate::BodyKind = crate::BodyKind::Query;"));
    assert!(requests.contains("-> crate::ListRequest<'a, List>"));
    assert!(requests.contains("type Item = crate::widget::Widget;"));
    // Empty-object response; link-level array type; enum path parameter.
    assert!(requests.contains("const ANSWERS_NOTHING: bool = true;"));
    assert!(requests.contains("month: impl Into<crate::widget::WidgetMonth>"));
    // Deprecated link.
    assert!(requests.contains("#[deprecated(note = \"deactivated on 2017-08-01\")]"));
    // No operation repeats request plumbing: that is the runtime's.
    for plumbing in [
        "fn send(",
        "fn with_options(",
        "IntoFuture",
        "ResponseFuture",
    ] {
        assert!(
            !requests.contains(plumbing),
            "{plumbing} in generated requests"
        );
    }

    // A resource that is also a $ref keeps its own link, returning widgets.
    let deployment = file(&out, "widget_deployment/requests");
    assert!(deployment.contains("\"/widgets/latest-deployments\""));
    assert!(deployment.contains("type Item = crate::widget::Widget;"));

    // Duplicate and missing titles get names from the href.
    let table = file(&out, "operations");
    for id in [
        "gadget.list",
        "gadget.list_widget",
        "gadget.destroy",
        "widget.create_deprecated",
        "gadget.info",
    ] {
        assert!(table.contains(&format!("\"{id}\"")), "missing {id}");
    }
    // A dangling href `$ref` keeps its link, with a string parameter.
    let gadget = file(&out, "gadget/requests");
    assert!(
        gadget.contains("pub fn info(&self, gadget_missing: impl Into<String>)"),
        "{gadget}"
    );
}
