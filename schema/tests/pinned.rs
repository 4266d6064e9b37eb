//! Checks against Heroku's real schemas. They need `../shared/schema/`
//! (not in the repository), so they are ignored by default; `.ci/run` runs
//! them with `--ignored`.

use std::path::PathBuf;

use heroku_schema::model::{Body, ParamTy, Response, Ty, TypeKind};

fn shared(name: &str) -> PathBuf {
    let dir = std::env::var_os("HEROKU_SCHEMA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/schema"));
    dir.join(name)
}

fn load(name: &str) -> heroku_schema::Loaded {
    let overlays = heroku_schema::overlay::load_dir(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("overlays"),
    )
    .unwrap();
    heroku_schema::load(&shared(name), &overlays).unwrap()
}

#[test]
#[ignore = "needs ../shared/schema; run by .ci/run"]
fn every_link_of_every_schema_is_an_operation() {
    for (name, links) in [
        ("platform-api-3-2026-02.json", 305),
        ("platform-api-3.sdk-2026-05.json", 338),
        ("platform-api-3-2022-09.json", 290),
    ] {
        let l = load(name);
        assert_eq!(l.api.link_count(), links, "{name}");
        assert_eq!(l.api.operations().count(), links, "{name}");
    }
}

#[test]
#[ignore = "needs ../shared/schema; run by .ci/run"]
fn the_pinned_schema_takes_every_overlay() {
    let l = load("platform-api-3-2026-02.json");
    let missing: Vec<_> = l.overlays.not_applied().collect();
    assert!(missing.is_empty(), "{missing:?}");
    assert!(l.overlays.applied_count() >= 5);
}

#[test]
#[ignore = "needs ../shared/schema; run by .ci/run"]
fn hard_cases_of_the_pinned_schema() {
    let l = load("platform-api-3-2026-02.json");
    let api = &l.api;
    let op = |id: &str| {
        api.operations()
            .find(|o| o.id == id)
            .unwrap_or_else(|| panic!("no {id}"))
    };

    // §8.1: pipeline-deployment is its own list of releases.
    let pd: Vec<_> = api
        .operations()
        .filter(|o| o.resource == "pipeline-deployment")
        .collect();
    assert_eq!(pd.len(), 1);
    assert_eq!(
        pd[0].href,
        "/pipelines/{(%23%2Fdefinitions%2Fpipeline%2Fdefinitions%2Fid)}/latest-deployments"
    );
    assert!(
        matches!(&pd[0].response, Response::Json(Ty::Array(t)) if **t == Ty::Named(heroku_schema::model::TypePath { module: "release".into(), name: "Release".into() }))
    );

    // §8.14: shared routes are distinct operations.
    assert_eq!(op("release.create").href, op("release.rollback").href);
    for id in [
        "team-app.update_locked",
        "team-app.transfer_to_account",
        "team-app.transfer_to_team",
    ] {
        assert_eq!(op(id).method, "PATCH");
    }

    // §8.8: dyno actions answer nothing useful.
    assert!(matches!(op("dyno.restart").response, Response::Empty));

    // §8.9: config vars are a map of nullable strings, sent whole.
    assert!(
        matches!(&op("config-var.update").body, Body::Value(Ty::Map(v)) if **v == Ty::Option(Box::new(Ty::String)))
    );

    // §8.11: GET with a schema sends query parameters.
    assert!(matches!(
        &op("team-daily-usage.info").body,
        Body::Fields { query: true, .. }
    ));

    // §8.5: identities; release accepts a version number; account has `~`.
    let params: Vec<_> = op("release.info").params().cloned().collect();
    let ParamTy::Identity(release) = &params[1].ty else {
        panic!("release identity")
    };
    assert!(matches!(
        api.types[release].kind,
        TypeKind::Identity { integer: true, .. }
    ));
    let params: Vec<_> = op("app.list_owned_and_collaborated")
        .params()
        .cloned()
        .collect();
    let ParamTy::Identity(account) = &params[0].ty else {
        panic!("account identity")
    };
    assert!(matches!(
        api.types[account].kind,
        TypeKind::Identity { current: true, .. }
    ));

    // §8.10: tri-state PATCH field.
    let Body::Fields { fields, .. } = &op("account.update").body else {
        panic!()
    };
    let name = fields.iter().find(|f| f.json_name == "name").unwrap();
    assert!(!name.required && name.nullable);

    // §8.3: dyno_size in formation requests: id and name both optional.
    let dyno_size = api
        .types
        .values()
        .find(|t| t.pointer == "/definitions/formation/definitions/dyno_size")
        .unwrap();
    let TypeKind::Struct { fields } = &dyno_size.kind else {
        panic!()
    };
    assert!(fields.iter().all(|f| !f.required));

    // §8.12: team role enum with a null member is a nullable field.
    let team = api
        .types
        .values()
        .find(|t| t.pointer == "/definitions/team")
        .unwrap();
    let TypeKind::Struct { fields } = &team.kind else {
        panic!()
    };
    assert!(
        fields
            .iter()
            .find(|f| f.json_name == "role")
            .unwrap()
            .nullable
    );
}

#[test]
#[ignore = "needs ../shared/schema; run by .ci/run"]
fn the_3sdk_schema_names_duplicate_titles_from_the_href() {
    let l = load("platform-api-3.sdk-2026-05.json");
    let ids: Vec<_> = l.api.operations().map(|o| o.id.clone()).collect();
    for id in [
        "usage.info_app",
        "usage.info_team_app",
        "usage.info_team",
        "payment-method.self_account_app",
    ] {
        assert!(ids.contains(&id.to_string()), "missing {id}");
    }
}

#[test]
#[ignore = "needs ../shared/schema; run by .ci/run"]
fn the_2022_to_2026_upgrade_is_classified() {
    use heroku_schema::diff::{diff, ChangeKind};
    let old = load("platform-api-3-2022-09.json");
    let new = load("platform-api-3-2026-02.json");
    let d = diff(&old.api, &new.api);
    let added: Vec<&str> = d
        .of_kind(ChangeKind::ResourceAdded)
        .map(|c| c.resource.as_str())
        .collect();
    for r in [
        "generation",
        "oci-image",
        "telemetry-drain",
        "account-delinquency",
        "team-delinquency",
    ] {
        assert!(added.contains(&r), "{r} not reported as added: {added:?}");
    }
    assert!(d.of_kind(ChangeKind::ResourceAdded).all(|c| !c.breaking));
    // An added response field is not breaking (models are non_exhaustive).
    let app_generation = d
        .of_kind(ChangeKind::ResponseFieldAdded)
        .find(|c| c.detail.contains("`App.generation` added"))
        .expect("App.generation");
    assert!(!app_generation.breaking);
    // Changed links: new operations, and a removed resource is breaking.
    let ops: Vec<&str> = d
        .of_kind(ChangeKind::OperationAdded)
        .map(|c| c.detail.as_str())
        .collect();
    assert!(ops.iter().any(|o| o.contains("`build.cancel`")), "{ops:?}");
    assert!(d.of_kind(ChangeKind::ResourceRemoved).all(|c| c.breaking));
    let md = d.markdown("upgrade");
    assert!(
        md.contains("### `telemetry-drain`") && md.contains("**breaking**"),
        "{md}"
    );
}

#[test]
#[ignore = "needs ../shared/schema; run by .ci/run"]
fn the_3sdk_variant_adds_18_resources() {
    use heroku_schema::diff::{diff, ChangeKind};
    let d = diff(
        &load("platform-api-3-2026-02.json").api,
        &load("platform-api-3.sdk-2026-05.json").api,
    );
    assert_eq!(d.of_kind(ChangeKind::ResourceAdded).count(), 18);
}
