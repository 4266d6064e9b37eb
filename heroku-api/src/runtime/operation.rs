//! What the runtime knows of an operation before sending it: method,
//! href template, stability and pagination ([`OperationInfo`]), one static
//! value per generated operation.

use std::fmt;

/// HTTP methods the schema uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PATCH`
    Patch,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
    /// `HEAD`
    Head,
}

impl Method {
    /// The method name in capitals.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
        }
    }

    /// Safe to repeat after a failure that may have reached the server.
    pub fn is_idempotent(self) -> bool {
        matches!(
            self,
            Method::Get | Method::Head | Method::Put | Method::Delete
        )
    }

    pub(crate) fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Patch => reqwest::Method::PATCH,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
            Method::Head => reqwest::Method::HEAD,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The schema's stability label for a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stability {
    /// Stable: changes are announced and versioned.
    Production,
    /// Still changing; may change without notice.
    Development,
    /// Experimental; may change or go away.
    Prototype,
}

/// Static facts about one generated operation. The full table is
/// [`OPERATIONS`](crate::operations::OPERATIONS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct OperationInfo {
    /// `<resource>.<function>`, e.g. `app.create`.
    pub id: &'static str,
    /// HTTP method.
    pub method: Method,
    /// The path with named placeholders, e.g. `/apps/{app_identity}`.
    pub href: &'static str,
    /// Stability of the resource in the schema.
    pub stability: Stability,
    /// A list that follows `Range` / `Next-Range`.
    pub paginated: bool,
    /// Fields the list can be ranged by, first the default.
    pub ranges: &'static [&'static str],
}
