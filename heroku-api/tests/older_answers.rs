//! Answers from an older API era: the example body of every resource of
//! Heroku's 2022-09 schema, built the way the fake builds answers, decodes
//! with the models generated from the pinned schema. Fields added since
//! are recorded as absent, nothing fails.
//!
//! Needs Heroku's published schemas (`../shared/schema`, or
//! `HEROKU_SCHEMA_DIR`), so it is ignored by default; `.ci/run` runs it
//! with `--ignored`.

use std::path::PathBuf;

// Generated code is formatted by prettyplease, not rustfmt.
#[rustfmt::skip]
#[path = "generated/models.rs"]
mod models;

fn schema(name: &str) -> PathBuf {
    std::env::var_os("HEROKU_SCHEMA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/schema"))
        .join(name)
}

#[test]
#[ignore = "needs ../shared/schema (HEROKU_SCHEMA_DIR)"]
fn every_resource_example_of_the_2022_09_schema_decodes_with_the_pinned_models() {
    let overlays = heroku_schema::overlay::load_dir(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema/overlays"),
    )
    .expect("overlays");
    let loaded = heroku_schema::load(&schema("platform-api-3-2022-09.json"), &overlays)
        .expect("the 2022-09 schema loads");
    let source = heroku_codegen::Source {
        sha256: loaded.sha256.clone(),
    };
    let output = heroku_codegen::generate(&loaded.api, &source).expect("it generates");
    let spec = &output.files[heroku_codegen::FAKE_SPEC];

    let (mut decoded, mut deviations, mut failures, mut not_pinned) =
        (0, 0, Vec::new(), Vec::new());
    for resource in &loaded.api.resources {
        let Some(model) = &resource.model else {
            continue;
        };
        let name = format!("{}::{}", model.module, model.name);
        let Some((_, decode)) = models::MODELS.iter().find(|(n, _)| *n == name) else {
            not_pinned.push(name);
            continue;
        };
        let body = heroku_fake::sample_in(spec, &name).expect("an example body");
        match decode(&serde_json::to_vec(&body).unwrap()) {
            Ok(found) => {
                decoded += 1;
                deviations += found.len();
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    println!(
        "{decoded} resources decoded, {deviations} deviations recorded, {} failures; \
         not in the pinned schema: {not_pinned:?}",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        decoded > 80,
        "only {decoded} resources had a model to decode"
    );
    assert!(
        deviations > 0,
        "the older answers lack fields the pinned models list"
    );
}
