//! A malformed schema is an error that names the JSON pointer, never a panic.

use heroku_schema::{from_bytes, SchemaError};
use serde_json::json;

fn error_of(doc: serde_json::Value) -> String {
    let bytes = serde_json::to_vec(&doc).unwrap();
    match from_bytes(&bytes, &[]) {
        Ok(_) => panic!("expected an error for {doc}"),
        Err(e) => e.to_string(),
    }
}

fn def(links: serde_json::Value) -> serde_json::Value {
    json!({ "definitions": { "thing": { "type": ["object"], "properties": { "id": { "type": ["string"] } }, "links": links } } })
}

#[test]
fn dangling_ref_names_its_pointer() {
    let e = error_of(json!({ "definitions": { "thing": { "type": ["object"],
        "properties": { "id": { "$ref": "#/definitions/nope/definitions/id" } } } } }));
    assert!(e.contains("/definitions/thing/properties/id"), "{e}");
    assert!(e.contains("#/definitions/nope/definitions/id"), "{e}");
}

#[test]
fn wrong_shapes_name_their_pointer() {
    let e = error_of(json!({ "definitions": { "thing": { "links": "not a list" } } }));
    assert!(e.contains("/definitions/thing/links"), "{e}");
    let e = error_of(def(
        json!([{ "href": "/things", "method": "FETCH", "title": "x" }]),
    ));
    assert!(
        e.contains("/definitions/thing/links/0/method") && e.contains("FETCH"),
        "{e}"
    );
    let e = error_of(def(json!([{ "method": "GET", "title": "x" }])));
    assert!(
        e.contains("/definitions/thing/links/0") && e.contains("href"),
        "{e}"
    );
    let e = error_of(def(
        json!([{ "href": "/things/{oops}", "method": "GET", "title": "x" }]),
    ));
    assert!(e.contains("/definitions/thing/links/0/href"), "{e}");
    let e = error_of(
        json!({ "definitions": { "thing": { "properties": { "n": { "type": ["quaternion"] } } } } }),
    );
    assert!(
        e.contains("/definitions/thing/properties/n/type") && e.contains("quaternion"),
        "{e}"
    );
    let e = error_of(json!({ "definitions": { "thing": { "stability": "beta" } } }));
    assert!(e.contains("/definitions/thing/stability"), "{e}");
}

#[test]
fn ref_cycles_are_errors() {
    let e = error_of(json!({ "definitions": { "thing": { "type": ["object"],
        "definitions": { "a": { "$ref": "#/definitions/thing/definitions/b" }, "b": { "$ref": "#/definitions/thing/definitions/a" } },
        "properties": { "x": { "$ref": "#/definitions/thing/definitions/a" } } } } }));
    assert!(
        e.contains("/definitions/thing/properties/x") && e.contains("cycle"),
        "{e}"
    );
}

#[test]
fn non_json_and_non_objects_are_errors() {
    assert!(matches!(
        from_bytes(b"{ not json", &[]),
        Err(SchemaError::Json { .. })
    ));
    assert!(matches!(
        from_bytes(b"[1, 2]", &[]),
        Err(SchemaError::Invalid { .. })
    ));
    let e = from_bytes(b"{}", &[]).unwrap_err().to_string();
    assert!(e.contains("definitions"), "{e}");
}

#[test]
fn truncations_of_a_schema_never_panic() {
    let doc = def(
        json!([{ "href": "/things/{(%23%2Fdefinitions%2Fthing%2Fproperties%2Fid)}", "method": "GET", "title": "Info", "targetSchema": { "$ref": "#/definitions/thing" } }]),
    );
    let bytes = serde_json::to_vec(&doc).unwrap();
    assert!(from_bytes(&bytes, &[]).is_ok());
    for cut in 0..bytes.len() {
        let _ = from_bytes(&bytes[..cut], &[]);
    }
}
