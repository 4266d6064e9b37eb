//! Decoding what Heroku really sends: every generated model, fed its
//! example body with arbitrary alterations (properties dropped, `null`s,
//! integers and booleans as strings, unknown enum values and date-times
//! that do not parse, keys the schema does not know), decodes, and records
//! exactly the places that were altered.

use std::collections::BTreeSet;

use proptest::prelude::*;
use serde_json::{json, Map, Value};

use heroku_fake::{Schema, TypeDef};

// Generated code is formatted by prettyplease, not rustfmt.
#[rustfmt::skip]
#[path = "generated/models.rs"]
mod models;

/// A tiny seeded generator, so that one `u64` drives a whole alteration.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// `true` one time in `n`.
    fn one_in(&mut self, n: u64) -> bool {
        self.next() % n == 0
    }
}

/// What an alteration expects the decoder to report: pointer and kind name.
type Expected = BTreeSet<(String, &'static str)>;

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Alters the object `value` of type `type_name` in place, field by field,
/// and notes what the decoder must report.
fn alter(type_name: &str, value: &mut Value, at: &str, dice: &mut Dice, expected: &mut Expected) {
    let (Some(TypeDef::Struct { fields }), Value::Object(map)) =
        (heroku_fake::type_def(type_name), value)
    else {
        return;
    };
    for f in fields {
        let Some(v) = map.get_mut(&f.name) else {
            continue;
        };
        let pointer = format!("{at}/{}", escape(&f.name));
        let enum_ref = match &f.schema {
            Schema::Ref { reference } => match heroku_fake::type_def(reference) {
                Some(TypeDef::Enum { .. }) => Some(reference),
                _ => None,
            },
            _ => None,
        };
        match dice.next() % 6 {
            0 => {
                map.remove(&f.name);
                expected.insert((pointer, "absent"));
                continue;
            }
            1 if !v.is_null() => {
                *v = Value::Null;
                let any = matches!(&f.schema, Schema::Scalar(s) if s == "any");
                if !f.nullable && !any {
                    expected.insert((pointer, "null"));
                }
                continue;
            }
            _ => {}
        }
        if let Schema::Array { array } = &f.schema {
            if let (Schema::Ref { reference }, Value::Array(items)) = (&**array, &mut *v) {
                for (i, item) in items.iter_mut().enumerate() {
                    alter(reference, item, &format!("{pointer}/{i}"), dice, expected);
                }
            }
            continue;
        }
        match (&f.schema, &*v) {
            (Schema::Scalar(s), Value::Number(n)) if s == "integer" || s == "number" => {
                *v = json!(n.to_string());
                expected.insert((pointer, "coerced"));
            }
            (Schema::Scalar(s), Value::Bool(b)) if s == "boolean" => {
                *v = json!(b.to_string());
                expected.insert((pointer, "coerced"));
            }
            (Schema::Scalar(s), Value::String(_)) if s == "date-time" && dice.one_in(2) => {
                *v = json!("not a date");
                expected.insert((pointer, "mismatched"));
            }
            (Schema::Ref { .. }, Value::String(_)) if enum_ref.is_some() => {
                *v = json!("a-value-no-schema-lists");
                expected.insert((pointer, "unknown value"));
            }
            (Schema::Ref { reference }, Value::Object(_)) => {
                alter(reference, v, &pointer, dice, expected);
            }
            _ => {}
        }
    }
    if dice.one_in(2) {
        map.insert(
            "a_key_no_schema_declares".into(),
            json!({"nested": [1, null]}),
        );
    }
}

fn report(deviations: &[heroku_api::Deviation]) -> Expected {
    deviations
        .iter()
        .map(|d| (d.pointer.clone(), d.kind.name()))
        .collect()
}

/// What the unaltered example body already reports (fields its example
/// leaves out): the alterations add to it.
fn baseline(name: &str, decode: models::Decoder) -> (Value, Expected) {
    let sample = heroku_fake::sample(name).expect("a sample body");
    let bytes = serde_json::to_vec(&sample).unwrap();
    let found =
        decode(&bytes).unwrap_or_else(|e| panic!("{name}: the example does not decode: {e}"));
    (sample, report(&found))
}

fn check(index: usize, seed: u64) -> Result<(), TestCaseError> {
    let (name, decode) = models::MODELS[index % models::MODELS.len()];
    let (mut body, mut expected) = baseline(name, decode);
    let mut dice = Dice(seed | 1);
    alter(name, &mut body, "", &mut dice, &mut expected);
    // A place the alteration removed cannot also report what was under it.
    let removed: Vec<String> = expected
        .iter()
        .filter(|(_, k)| *k == "absent" || *k == "null")
        .map(|(p, _)| format!("{p}/"))
        .collect();
    expected.retain(|(p, _)| !removed.iter().any(|r| p.starts_with(r.as_str())));
    let bytes = serde_json::to_vec(&body).unwrap();
    let found = decode(&bytes).map_err(|e| TestCaseError::fail(format!("{name}: {e}\n{body}")))?;
    prop_assert_eq!(report(&found), expected, "{}: {}", name, body);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn altered_answers_decode_and_name_every_altered_place(index in 0usize..10_000, seed: u64) {
        check(index, seed)?;
    }
}

/// The same, for every model in turn, with a few seeds each: no model is
/// left to chance.
#[test]
fn every_model_decodes_altered_answers() {
    for index in 0..models::MODELS.len() {
        for seed in [1, 0x5eed, 0xdead_beef, 0x1234_5678_9abc] {
            if let Err(e) = check(index, seed) {
                panic!("{e}");
            }
        }
    }
}

/// Every model decodes its example body with no deviation: the examples
/// the fake answers with are complete, so strict mode can hold against it.
#[test]
fn every_example_body_matches_its_model() {
    let mut incomplete = Vec::new();
    for (name, decode) in models::MODELS {
        let (_, found) = baseline(name, *decode);
        if !found.is_empty() {
            incomplete.push(format!("{name}: {found:?}"));
        }
    }
    assert!(
        incomplete.is_empty(),
        "{} models:\n{}",
        incomplete.len(),
        incomplete.join("\n")
    );
}

#[test]
fn a_top_level_of_the_wrong_shape_is_an_error_for_every_model() {
    for (name, decode) in models::MODELS {
        for wrong in [&b"null"[..], b"\"a string\"", b"[{}]", b"1", b"{\"id\": "] {
            assert!(
                decode(wrong).is_err(),
                "{name} accepted {}",
                String::from_utf8_lossy(wrong)
            );
        }
        let empty = decode(b"{}").unwrap_or_else(|e| panic!("{name}: {e}"));
        let absent = empty
            .iter()
            .all(|d| d.kind == heroku_api::DeviationKind::Absent);
        assert!(absent, "{name}: {empty:?}");
    }
}

#[test]
fn unknown_keys_are_not_deviations() {
    let mut body = heroku_fake::sample("app::App").unwrap();
    let extra: Map<String, Value> = [
        ("joined", json!(true)),
        ("legacy_id", json!("app1@heroku.com")),
        ("locked", json!(false)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    body.as_object_mut().unwrap().extend(extra);
    let decoded =
        heroku_api::decode::from_slice::<heroku_api::app::App>(&serde_json::to_vec(&body).unwrap())
            .unwrap();
    assert!(decoded.deviations.is_empty(), "{:?}", decoded.deviations);
}
