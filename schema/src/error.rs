use std::path::PathBuf;

/// Everything that can go wrong while reading a schema or building its model.
///
/// Every variant that concerns the schema's content names the JSON pointer of
/// the offending node, so a user can find it in the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("not valid JSON (line {line}, column {column}): {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("at {pointer}: {message}")]
    Invalid { pointer: String, message: String },
    #[error("overlay {name}: {message}")]
    Overlay { name: String, message: String },
}

impl SchemaError {
    pub(crate) fn at(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        SchemaError::Invalid {
            pointer: display_pointer(&pointer.into()),
            message: message.into(),
        }
    }
}

/// The root pointer is the empty string; show it as `/` so messages read well.
fn display_pointer(p: &str) -> String {
    if p.is_empty() {
        "/".to_string()
    } else {
        p.to_string()
    }
}

/// Escapes one reference token of a JSON pointer (RFC 6901).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Unescapes one reference token of a JSON pointer (RFC 6901).
pub fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}
