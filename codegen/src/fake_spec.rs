//! The data the fake Heroku needs from the schema, generated into its crate
//! so that nothing at run time reads the schema: every operation's route,
//! body and response shape, and every named type with its examples.

use serde_json::{json, Map, Value};

use heroku_schema::model::{Body, Field, PathPart, Response, Ty, TypeKind};
use heroku_schema::Api;

pub fn fake_spec(api: &Api) -> String {
    let operations: Vec<Value> = api
        .operations()
        .map(|op| {
            let path: Vec<Value> = op
                .path
                .iter()
                .map(|p| match p {
                    PathPart::Literal(s) => json!({ "lit": s }),
                    PathPart::Param(p) => json!({ "param": p.name }),
                })
                .collect();
            let body = match &op.body {
                Body::None => Value::Null,
                Body::EmptyObject => json!({ "kind": "empty" }),
                Body::Value(t) => json!({ "kind": "value", "schema": ty(t) }),
                Body::Fields { fields, query } => json!({
                    "kind": if *query { "query" } else { "fields" },
                    "fields": fields.iter().map(field).collect::<Vec<_>>(),
                }),
            };
            let response = match &op.response {
                Response::Empty => Value::Null,
                Response::Json(t) => ty(t),
            };
            json!({
                "id": op.id,
                "method": op.method,
                "path": path,
                "paginated": op.paginated,
                "ranges": op.ranges,
                "body": body,
                "response": response,
            })
        })
        .collect();
    let mut types = Map::new();
    for (path, def) in &api.types {
        let value = match &def.kind {
            TypeKind::Struct { fields } => json!({
                "kind": "struct",
                "fields": fields.iter().map(field).collect::<Vec<_>>(),
            }),
            TypeKind::Enum { values } => json!({
                "kind": "enum",
                "values": values.iter().map(|v| v.json.clone()).collect::<Vec<_>>(),
            }),
            TypeKind::Identity { integer, .. } => json!({ "kind": "identity", "integer": integer }),
        };
        types.insert(format!("{}::{}", path.module, path.name), value);
    }
    let spec = json!({ "operations": operations, "types": types });
    let mut text = serde_json::to_string_pretty(&spec).unwrap_or_default();
    text.push('\n');
    text
}

fn field(f: &Field) -> Value {
    let mut v = json!({
        "name": f.json_name,
        "required": f.required,
        "nullable": f.nullable,
        "schema": ty(&f.ty),
    });
    if let Some(example) = &f.example {
        v["example"] = example.clone();
    }
    v
}

fn ty(t: &Ty) -> Value {
    match t {
        Ty::String => json!("string"),
        Ty::Integer => json!("integer"),
        Ty::Number => json!("number"),
        Ty::Boolean => json!("boolean"),
        Ty::DateTime => json!("date-time"),
        Ty::Date => json!("date"),
        Ty::Any => json!("any"),
        Ty::Array(i) => json!({ "array": ty(i) }),
        Ty::Map(i) => json!({ "map": ty(i) }),
        Ty::Option(i) => json!({ "option": ty(i) }),
        Ty::Named(p) => json!({ "ref": format!("{}::{}", p.module, p.name) }),
    }
}
