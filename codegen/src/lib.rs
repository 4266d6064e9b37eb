//! Turns the [`heroku_schema`] model into the Rust source of heroku-api.
//!
//! Everything is built as token streams with `quote` and printed with
//! `prettyplease`, so the output is the same bytes on every toolchain and
//! every run. One module per resource; the operation table and a
//! compile-time coverage test come with it.

mod emit;
mod names;

use std::collections::BTreeMap;
use std::fmt;

use heroku_schema::Api;

/// Facts about the schema that go into file headers.
#[derive(Debug, Clone)]
pub struct Source {
    /// File name of the schema, e.g. `platform-api-3-2026-02.json`.
    pub name: String,
    pub sha256: String,
}

/// Generated files, by path relative to the heroku-api crate root.
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

/// The directory, relative to the crate root, that holds generated modules.
pub const GENERATED_DIR: &str = "src/generated";
/// The generated compile-time coverage test, relative to the crate root.
pub const COVERAGE_TEST: &str = "tests/generated/operations.rs";

/// Generates every file.
pub fn generate(api: &Api, source: &Source) -> Result<Output, CodegenError> {
    emit::generate(api, source)
}
