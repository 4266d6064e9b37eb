//! Turns the [`heroku_schema`] model into the Rust source of heroku-api.
//!
//! Everything is built as token streams with `quote` and printed with
//! `prettyplease`, so the output is the same bytes on every toolchain and
//! every run. One folder per resource (types, then requests behind the
//! resource's feature); the operation table and a
//! compile-time coverage test come with it.

mod emit;
mod fake_spec;
mod names;

use std::collections::BTreeMap;
use std::fmt;

use heroku_schema::Api;

/// Facts about the schema that go into file headers.
#[derive(Debug, Clone)]
pub struct Source {
    /// SHA-256 of the schema file. The file's name is left out on purpose:
    /// the same schema gives the same bytes wherever it was read from.
    pub sha256: String,
}

/// Generated files, by path relative to the workspace root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    pub files: BTreeMap<String, String>,
}

/// A model codegen cannot turn into valid Rust (a name collision, say).
#[derive(Debug, Clone)]
pub struct CodegenError(pub String);

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CodegenError {}

/// The heroku-api crate, relative to the workspace root.
pub const API_CRATE: &str = "heroku-api";
/// Where generated modules go, relative to the workspace root.
pub const GENERATED_DIR: &str = "heroku-api/src/generated";
/// The generated compile-time coverage test.
pub const COVERAGE_TEST: &str = "heroku-api/tests/generated/operations.rs";
/// Every generated model with a decoder, for tests that walk them all.
pub const MODELS_TABLE: &str = "heroku-api/tests/generated/models.rs";
/// What the fake Heroku (the `tests` crate) needs from the schema.
pub const FAKE_SPEC: &str = "tests/src/generated/spec.json";
/// heroku-api's resource features: not a file of its own but the block
/// between the `@generated features` markers of heroku-api's manifest, which
/// xtask splices in.
pub const MANIFEST_FEATURES: &str = "heroku-api/Cargo.toml.features";
/// heroku-api's manifest.
pub const MANIFEST: &str = "heroku-api/Cargo.toml";
/// Every directory whose files are all generated.
pub const GENERATED_DIRS: &[&str] = &[
    "heroku-api/src/generated",
    "heroku-api/tests/generated",
    "tests/src/generated",
];

/// Generates every file.
pub fn generate(api: &Api, source: &Source) -> Result<Output, CodegenError> {
    emit::generate(api, source)
}
