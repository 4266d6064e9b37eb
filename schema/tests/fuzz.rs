//! The schema reader on mutated schemas: an error or a model, never a panic.

use proptest::prelude::*;
use serde_json::Value;

fn fixture() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../codegen/tests/fixtures/hard-cases.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Every JSON pointer in a document.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                pointers(
                    c,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                pointers(c, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-z#/{}()%~]{0,12}".prop_map(Value::String),
        Just(serde_json::json!(["string", "null"])),
        Just(serde_json::json!({"$ref": "#/definitions/widget"})),
        Just(serde_json::json!({"$ref": "#/definitions/nope/definitions/x"})),
        Just(serde_json::json!([])),
        Just(serde_json::json!({})),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn mutated_schemas_never_panic(picks in proptest::collection::vec((any::<prop::sample::Index>(), replacement(), any::<bool>()), 1..4)) {
        let mut doc = fixture();
        for (index, value, delete) in picks {
            let mut all = Vec::new();
            pointers(&doc, String::new(), &mut all);
            let pointer = index.get(&all).clone();
            if pointer.is_empty() {
                continue;
            }
            let (parent, key) = pointer.rsplit_once('/').unwrap();
            match doc.pointer_mut(parent) {
                Some(Value::Object(m)) if delete => { m.remove(&key.replace("~1", "/").replace("~0", "~")); }
                _ => if let Some(slot) = doc.pointer_mut(&pointer) { *slot = value; },
            }
        }
        let bytes = serde_json::to_vec(&doc).unwrap();
        let _ = heroku_schema::from_bytes(&bytes, &[]);
    }
}
