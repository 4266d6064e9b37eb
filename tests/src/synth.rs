//! Bodies built from the schema, and request validation against it.

use serde_json::{json, Map, Value};

use crate::spec::{Field, Operation, Schema, Spec, TypeDef};

/// How deep nested arrays get a sample item.
const MAX_DEPTH: usize = 4;
/// How deep objects go before optional fields are left out, which ends
/// the recursion of a type that contains itself. Deep enough that no
/// answer of the schema loses a field to it.
const MAX_OBJECT_DEPTH: usize = 12;

/// A value valid for `schema`, from the field's example when it fits (or can
/// be coerced to fit), else from the type and the field's name.
pub fn value(
    spec: &Spec,
    schema: &Schema,
    name: &str,
    example: Option<&Value>,
    depth: usize,
) -> Value {
    if let Some(ex) = example {
        if let Some(mut v) = coerce(spec, ex, schema) {
            // An example object may show only some of the fields (a
            // `{"name": ..}` reference): the answer carries them all.
            if let (Schema::Ref { reference }, Value::Object(map)) = (schema, &mut v) {
                if let Some(TypeDef::Struct { fields }) = spec.types.get(reference) {
                    if let Value::Object(full) = object(spec, fields, depth + 1) {
                        for (k, fv) in full {
                            map.entry(k).or_insert(fv);
                        }
                    }
                }
            }
            return v;
        }
    }
    match schema {
        Schema::Scalar(s) => scalar(s, name),
        Schema::Array { array } => {
            if depth >= MAX_DEPTH {
                json!([])
            } else {
                json!([value(spec, array, name, None, depth + 1)])
            }
        }
        Schema::Map { .. } => json!({}),
        Schema::Option { option } => value(spec, option, name, None, depth),
        Schema::Ref { reference } => match spec.types.get(reference) {
            Some(TypeDef::Struct { fields }) => object(spec, fields, depth + 1),
            Some(TypeDef::Enum { values }) => values.first().map(|v| json!(v)).unwrap_or(json!("")),
            Some(TypeDef::Identity { .. }) => scalar("string", name),
            None => Value::Null,
        },
    }
}

/// An object with every field of a struct.
pub fn object(spec: &Spec, fields: &[Field], depth: usize) -> Value {
    let mut map = Map::new();
    for f in fields {
        let v = if depth > MAX_OBJECT_DEPTH && !f.required {
            Value::Null
        } else if f.nullable && f.example.is_none() && !matches!(f.schema, Schema::Array { .. }) {
            // Nullable without an example: null is always valid.
            Value::Null
        } else {
            value(spec, &f.schema, &f.name, f.example.as_ref(), depth)
        };
        if v.is_null() && !f.nullable && !f.required {
            continue;
        }
        map.insert(f.name.clone(), v);
    }
    Value::Object(map)
}

/// The answer of operation `op` made up from the schema: `{}` when the
/// schema describes none.
pub fn answer(spec: &Spec, op: &Operation) -> Value {
    match &op.response {
        None => json!({}),
        Some(schema) => value(spec, schema, "", None, 0),
    }
}

/// The body for a named type.
pub fn of_type(spec: &Spec, reference: &str) -> Value {
    value(
        spec,
        &Schema::Ref {
            reference: reference.to_string(),
        },
        "",
        None,
        0,
    )
}

fn scalar(kind: &str, name: &str) -> Value {
    match kind {
        "integer" => json!(0),
        "number" => json!(0.0),
        "boolean" => json!(false),
        "date-time" => json!("2012-01-01T12:00:00Z"),
        "date" => json!("2012-01-01"),
        "any" => json!({}),
        _ => {
            let n = name.to_ascii_lowercase();
            if n == "id" || n.ends_with("_id") {
                json!("01234567-89ab-cdef-0123-456789abcdef")
            } else if n.contains("email") {
                json!("username@example.com")
            } else if n.ends_with("url") {
                json!("https://example.com")
            } else if n == "ip" || n.ends_with("ip_address") {
                // An address of the documentation range (RFC 5737).
                json!("192.0.2.1")
            } else {
                json!("example")
            }
        }
    }
}

/// `example` made to fit `schema`, or `None` if it cannot be.
fn coerce(spec: &Spec, example: &Value, schema: &Schema) -> Option<Value> {
    if validate(spec, example, schema, "").is_ok() {
        return Some(example.clone());
    }
    match (schema, example) {
        (Schema::Scalar(k), Value::String(s)) if k == "integer" => {
            s.parse::<i64>().ok().map(|n| json!(n))
        }
        (Schema::Scalar(k), Value::String(s)) if k == "number" => {
            s.parse::<f64>().ok().map(|n| json!(n))
        }
        (Schema::Scalar(k), Value::String(s)) if k == "boolean" => {
            s.parse::<bool>().ok().map(|b| json!(b))
        }
        (Schema::Array { array }, v) if !v.is_array() => coerce(spec, v, array).map(|i| json!([i])),
        (Schema::Option { option }, v) => coerce(spec, v, option),
        _ => None,
    }
}

/// Checks `v` against `schema`. The error names the JSON path.
pub fn validate(spec: &Spec, v: &Value, schema: &Schema, at: &str) -> Result<(), String> {
    let wrong = |expected: &str| Err(format!("{} must be {expected}", display(at)));
    match schema {
        Schema::Option { option } => {
            if v.is_null() {
                Ok(())
            } else {
                validate(spec, v, option, at)
            }
        }
        Schema::Scalar(kind) => match kind.as_str() {
            "string" | "date-time" | "date" if v.is_string() => Ok(()),
            "string" => wrong("a string"),
            "date-time" | "date" => wrong("a date string"),
            "integer" if v.is_i64() || v.is_u64() => Ok(()),
            "integer" => wrong("an integer"),
            "number" if v.is_number() => Ok(()),
            "number" => wrong("a number"),
            "boolean" if v.is_boolean() => Ok(()),
            "boolean" => wrong("a boolean"),
            _ => Ok(()),
        },
        Schema::Array { array } => match v {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, item)| validate(spec, item, array, &format!("{at}[{i}]"))),
            _ => wrong("an array"),
        },
        Schema::Map { map } => match v {
            Value::Object(m) => m
                .iter()
                .try_for_each(|(k, item)| validate(spec, item, map, &format!("{at}.{k}"))),
            _ => wrong("an object"),
        },
        Schema::Ref { reference } => match spec.types.get(reference) {
            // Nested objects: `strictProperties` describes responses, so in a
            // request only the types of the fields present are checked.
            Some(TypeDef::Struct { fields }) => match v {
                Value::Object(m) => check_fields(spec, m, fields, at, false),
                _ => wrong("an object"),
            },
            Some(TypeDef::Enum { values }) => match v.as_str() {
                Some(s) if values.iter().any(|x| x == s) => Ok(()),
                _ => wrong(&format!("one of {}", values.join(", "))),
            },
            Some(TypeDef::Identity { integer }) => {
                if v.is_string() || (*integer && v.is_i64()) {
                    Ok(())
                } else {
                    wrong("an identifier string")
                }
            }
            None => Ok(()),
        },
    }
}

/// Checks a request body's fields: required ones present, present ones typed.
pub fn validate_fields(
    spec: &Spec,
    m: &Map<String, Value>,
    fields: &[Field],
    at: &str,
) -> Result<(), String> {
    check_fields(spec, m, fields, at, true)
}

fn check_fields(
    spec: &Spec,
    m: &Map<String, Value>,
    fields: &[Field],
    at: &str,
    enforce_required: bool,
) -> Result<(), String> {
    for f in fields {
        let path = if at.is_empty() {
            f.name.clone()
        } else {
            format!("{at}.{}", f.name)
        };
        match m.get(&f.name) {
            None if f.required && enforce_required => return Err(format!("{path} is required")),
            None => {}
            Some(Value::Null) if f.nullable => {}
            Some(Value::Null) => return Err(format!("{path} must not be null")),
            Some(v) => validate(spec, v, &f.schema, &path)?,
        }
    }
    Ok(())
}

fn display(at: &str) -> &str {
    if at.is_empty() {
        "the body"
    } else {
        at
    }
}
