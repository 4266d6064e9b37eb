//! The generated tests: every operation called by name, every model
//! round-tripped and fuzzed, and the models table.

use super::*;

/// Named types reachable from request bodies: callers must be able to build
/// them, so they get constructors.
pub(super) fn request_reachable(api: &Api) -> BTreeSet<TypePath> {
    let mut out = BTreeSet::new();
    let mut stack: Vec<Ty> = Vec::new();
    for op in api.operations() {
        match &op.body {
            Body::Fields { fields, .. } => stack.extend(fields.iter().map(|f| f.ty.clone())),
            Body::Value(t) => stack.push(t.clone()),
            Body::None | Body::EmptyObject => {}
        }
    }
    while let Some(t) = stack.pop() {
        match t {
            Ty::Array(i) | Ty::Map(i) | Ty::Option(i) => stack.push(*i),
            Ty::Named(p) if out.insert(p.clone()) => {
                if let Some(TypeKind::Struct { fields }) = api.types.get(&p).map(|d| &d.kind) {
                    stack.extend(fields.iter().map(|f| f.ty.clone()));
                }
            }
            _ => {}
        }
    }
    out
}

/// An expression of type `t` for the coverage test.
pub(super) fn sample(api: &Api, t: &Ty) -> TokenStream {
    match t {
        Ty::String => quote!("x"),
        Ty::Integer => quote!(0),
        Ty::Number => quote!(0.0),
        Ty::Boolean => quote!(false),
        Ty::Named(p) => match api.types.get(p).map(|d| &d.kind) {
            Some(TypeKind::Struct { fields }) => {
                let m = ident(&p.module);
                let n = ident(&p.name);
                let args = fields
                    .iter()
                    .filter(|f| f.required && !f.nullable)
                    .map(|f| sample(api, &f.ty));
                quote!(heroku_api::#m::#n::new(#(#args),*))
            }
            Some(TypeKind::Enum { values }) => {
                let first = values.first().map(|v| v.json.clone()).unwrap_or_default();
                quote!(#first)
            }
            _ => quote!("x"),
        },
        Ty::Any => quote!(serde_json::Value::Object(Default::default())),
        // What `arg_type` takes as an iterator needs a value of a type
        // the compiler can name.
        Ty::Array(item) if matches!(item.as_ref(), Ty::Named(p) if conversion(api, p).is_some()) => {
            let one = sample(api, item);
            quote!(vec![#one])
        }
        Ty::Map(value) if **value == Ty::String => quote!([("x", "x")]),
        Ty::Map(value) if **value == Ty::Option(Box::new(Ty::String)) => {
            quote!([("x", Some("x"))])
        }
        _ => quote!(Default::default()),
    }
}

/// Every generated model by its schema name, with a function that decodes
/// bytes as it: for tests that walk every model (the tolerance property
/// test), without the crate itself compiling a decoder per model.
pub(super) fn models_table(api: &Api) -> Result<String, CodegenError> {
    let rows = api
        .types
        .iter()
        .filter(|(_, def)| matches!(def.kind, TypeKind::Struct { .. }))
        .map(|(path, _)| {
            let m = ident(&path.module);
            let n = ident(&path.name);
            let name = format!("{}::{}", path.module, path.name);
            quote!((#name, deviations::<heroku_api::#m::#n>),)
        });
    let tokens = quote! {
        //! Every generated model, by the name the fake's spec gives it.

        /// Decodes bytes as one model; the deviations, or the error.
        pub type Decoder = fn(&[u8]) -> heroku_api::Result<Vec<heroku_api::Deviation>>;

        fn deviations<T: heroku_api::decode::Decode>(
            bytes: &[u8],
        ) -> heroku_api::Result<Vec<heroku_api::Deviation>> {
            heroku_api::decode::from_slice::<T>(bytes).map(|d| d.deviations)
        }

        /// `(module::Type, decoder)` for every model.
        pub static MODELS: &[(&str, Decoder)] = &[#(#rows)*];
    };
    render(tokens, "the models table")
}

pub(super) fn coverage_test(
    api: &Api,
    _request_types: &BTreeSet<TypePath>,
) -> Result<String, CodegenError> {
    let mut calls = Vec::new();
    let mut sends = Vec::new();
    let mut round_trips = Vec::new();
    let mut decodes = Vec::new();
    let mut count = 0usize;
    for (path, def) in &api.types {
        if !matches!(def.kind, TypeKind::Struct { .. }) {
            continue;
        }
        let m = ident(&path.module);
        let n = ident(&path.name);
        let name = format!("{}::{}", path.module, path.name);
        round_trips.push(quote!(round_trip::<heroku_api::#m::#n>(#name, &mut failures);));
        decodes.push(quote! {
            if serde_json::from_slice::<heroku_api::#m::#n>(bytes).is_ok() {
                accepted += 1;
            }
        });
    }
    for r in &api.resources {
        let m = ident(&r.module);
        for op in &r.operations {
            count += 1;
            let f = ident(&op.fn_name);
            let mut args = Vec::new();
            for p in op.params() {
                args.push(match p.ty {
                    ParamTy::Integer => quote!(1),
                    _ => quote!("x"),
                });
            }
            match &op.body {
                Body::Value(t) => args.push(sample(api, t)),
                Body::Fields { fields, .. } => {
                    // Required but nullable fields are setters (sent as
                    // `null` unless set), not arguments.
                    for fl in fields.iter().filter(|f| f.required && !f.nullable) {
                        args.push(sample(api, &fl.ty));
                    }
                }
                _ => {}
            }
            let id = &op.id;
            let built = args.clone();
            calls.push(quote! {
                seen.push((#id, format!("{:?}", client.#m().#f(#(#built),*))));
            });
            sends.push(quote! {
                check(#id, client.#m().#f(#(#args),*).await.map(drop));
            });
        }
    }
    let tokens = quote! {
        //! Every operation of the schema, called by name: a missing or renamed
        //! endpoint is a compile error here, not a runtime surprise.
        #![allow(deprecated)]

        #[test]
        fn every_operation_has_an_endpoint() {
            let client = heroku_api::Client::builder()
                .token("coverage-test")
                .base_url("http://127.0.0.1:9")
                .build()
                .expect("client");
            let mut seen: Vec<(&str, String)> = Vec::new();
            #(#calls)*
            assert_eq!(seen.len(), #count);
            let table: Vec<&str> = heroku_api::operations::OPERATIONS.iter().map(|o| o.id).collect();
            let called: Vec<&str> = seen.iter().map(|(id, _)| *id).collect();
            assert_eq!(called, table, "the operation table and the endpoints disagree");
            let unique: std::collections::BTreeSet<&str> = table.iter().copied().collect();
            assert_eq!(unique.len(), table.len(), "operation ids must be unique");
        }

        /// Every operation, sent to the fake Heroku (answering from the
        /// schema), decodes its answer into the generated types, strictly.
        #[tokio::test]
        async fn every_operation_decodes_the_fakes_answer() {
            let config = heroku_fake::Config { stateless: true, ..Default::default() };
            let fake = heroku_fake::start_with(config).await.expect("fake");
            // Strict: an answer of the fake that differs from the schema is
            // a bug in the fake or the generator, not something to tolerate.
            let client = heroku_api::Client::builder()
                .token(fake.token())
                .base_url(fake.base_url())
                .strict_decoding(true)
                .build()
                .expect("client");
            let mut failures: Vec<String> = Vec::new();
            let mut check = |id: &str, result: heroku_api::Result<()>| {
                if let Err(e) = result {
                    failures.push(format!("{id}: {e}"));
                }
            };
            #(#sends)*
            assert!(failures.is_empty(), "{} operations failed:\n{}", failures.len(), failures.join("\n"));
            let log = fake.requests();
            assert_eq!(log.len(), #count, "one request per operation");
            assert!(log.iter().all(|r| r.operation.is_some() && r.status < 400));
        }

        /// `true` when `value` carries everything in `sample`: `null` and
        /// absent count as the same (optional fields are skipped when `None`).
        fn carries(sample: &serde_json::Value, value: &serde_json::Value) -> bool {
            use serde_json::Value;
            match (sample, value) {
                (Value::Object(s), Value::Object(v)) => s.iter().all(|(k, sv)| match v.get(k) {
                    Some(vv) => carries(sv, vv),
                    None => sv.is_null(),
                }),
                (Value::Array(s), Value::Array(v)) => s.len() == v.len() && s.iter().zip(v).all(|(a, b)| carries(a, b)),
                (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
                (a, b) => a == b,
            }
        }

        fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(name: &str, failures: &mut Vec<String>) {
            let sample = heroku_fake::sample(name).expect("a sample body");
            match serde_json::from_value::<T>(sample.clone()) {
                Ok(decoded) => {
                    let back = serde_json::to_value(&decoded).expect("serialises");
                    if !carries(&sample, &back) {
                        failures.push(format!("{name}: lost data\n  in:  {sample}\n  out: {back}"));
                    }
                }
                Err(e) => failures.push(format!("{name}: does not decode: {e}")),
            }
        }

        /// Every generated model decodes a body built from the schema and
        /// serialises back without losing a known field.
        #[test]
        fn every_model_round_trips() {
            let mut failures = Vec::new();
            #(#round_trips)*
            assert!(failures.is_empty(), "{} types failed:\n{}", failures.len(), failures.join("\n"));
        }

        /// Tries `bytes` as every generated model; returns how many accepted it.
        fn decode_every_model(bytes: &[u8]) -> usize {
            let mut accepted = 0;
            #(#decodes)*
            accepted
        }

        /// Decoding arbitrary JSON into any generated type never panics: a
        /// seeded generator feeds 2,000 random documents (and their
        /// truncations) to every model.
        #[test]
        fn decoding_arbitrary_json_never_panics() {
            let mut seed: u64 = 0x5eed_f00d;
            let mut next = move || {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed
            };
            fn value(next: &mut dyn FnMut() -> u64, depth: u32) -> serde_json::Value {
                use serde_json::json;
                let keys = ["id", "name", "created_at", "app", "status", "type", "version", "email", "x"];
                match next() % if depth > 3 { 5 } else { 7 } {
                    0 => json!(null),
                    1 => json!(next() % 2 == 0),
                    2 => json!((next() % 2000) as i64 - 1000),
                    3 => json!(format!("s{}", next() % 100)),
                    4 => json!("2012-01-01T12:00:00Z"),
                    5 => (0..next() % 4).map(|_| value(next, depth + 1)).collect(),
                    _ => serde_json::Value::Object(
                        (0..next() % 6)
                            .map(|_| (keys[(next() % keys.len() as u64) as usize].to_string(), value(next, depth + 1)))
                            .collect(),
                    ),
                }
            }
            for _ in 0..2000 {
                let doc = value(&mut next, 0).to_string();
                decode_every_model(doc.as_bytes());
                let cut = (next() as usize) % (doc.len() + 1);
                decode_every_model(&doc.as_bytes()[..cut]);
            }
        }
    };
    render(tokens, "the coverage test")
}
