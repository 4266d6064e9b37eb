//! Reads Heroku's Platform API hyper-schema and builds the model that
//! heroku-api is generated from.
//!
//! The pipeline is: bytes → JSON → [overlays](overlay) → [raw] serde model →
//! [model::Api]. Every failure is a [`SchemaError`] that names the JSON
//! pointer of the offending node; nothing here panics on schema content.

pub mod diff;
pub mod error;
pub mod model;
pub mod naming;
pub mod overlay;
pub mod raw;

use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

pub use error::SchemaError;
pub use model::Api;
pub use overlay::{Overlay, OverlayReport};

/// A schema read from disk, with its hash and what the overlays did.
#[derive(Debug)]
pub struct Loaded {
    pub api: Api,
    /// SHA-256 of the file as read, before overlays, in lowercase hex.
    pub sha256: String,
    pub overlays: OverlayReport,
}

/// SHA-256 of `bytes` as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads the schema at `path`, applies `overlays`, and builds the model.
pub fn load(path: &Path, overlays: &[Overlay]) -> Result<Loaded, SchemaError> {
    let bytes = std::fs::read(path).map_err(|source| SchemaError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    from_bytes(&bytes, overlays)
}

/// Like [`load`], from bytes already in memory.
pub fn from_bytes(bytes: &[u8], overlays: &[Overlay]) -> Result<Loaded, SchemaError> {
    let sha256 = sha256_hex(bytes);
    let mut value: Value = serde_json::from_slice(bytes).map_err(|e| SchemaError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let report = overlay::apply(&mut value, overlays);
    let doc = parse_value(value)?;
    let api = model::build(&doc)?;
    Ok(Loaded {
        api,
        sha256,
        overlays: report,
    })
}

/// Deserialises the serde model, naming the JSON pointer of any mismatch.
pub fn parse_value(value: Value) -> Result<raw::Document, SchemaError> {
    if !value.is_object() {
        return Err(SchemaError::Invalid {
            pointer: "/".into(),
            message: "the schema must be a JSON object".into(),
        });
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let pointer: String = e
            .path()
            .iter()
            .filter_map(|seg| match seg {
                serde_path_to_error::Segment::Seq { index } => Some(format!("/{index}")),
                serde_path_to_error::Segment::Map { key } => {
                    Some(format!("/{}", error::escape_token(key)))
                }
                serde_path_to_error::Segment::Enum { .. }
                | serde_path_to_error::Segment::Unknown => None,
            })
            .collect();
        SchemaError::Invalid {
            pointer: if pointer.is_empty() {
                "/".into()
            } else {
                pointer
            },
            message: e.inner().to_string(),
        }
    })
}
