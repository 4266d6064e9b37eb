//! What a call carries besides its path: the encoded body or query
//! ([`Payload`]) and the caller's per-request settings ([`RequestOptions`]).

use std::fmt;
use std::time::Duration;

use bytes::Bytes;

use crate::runtime::error::{Error, Result};
use crate::runtime::retry::RetryPolicy;

/// What a request carries besides its path.
#[doc(hidden)]
#[derive(Debug, Clone, Default)]
pub struct Payload {
    pub body: Option<Bytes>,
    pub query: Vec<(String, String)>,
}

impl Payload {
    pub fn none() -> Self {
        Payload::default()
    }

    /// A JSON body.
    pub fn json<B: serde::Serialize>(body: &B) -> Result<Self> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::Config(format!("cannot encode the request body: {e}")))?;
        Ok(Payload {
            body: Some(Bytes::from(bytes)),
            query: Vec::new(),
        })
    }

    /// Query parameters from a struct's fields (GET links with a schema).
    pub fn query<B: serde::Serialize>(params: &B) -> Result<Self> {
        let value = serde_json::to_value(params)
            .map_err(|e| Error::Config(format!("cannot encode the query: {e}")))?;
        let mut query = Vec::new();
        if let serde_json::Value::Object(map) = value {
            for (k, v) in map {
                match v {
                    serde_json::Value::Null => {}
                    serde_json::Value::String(s) => query.push((k, s)),
                    other => query.push((k, other.to_string())),
                }
            }
        }
        Ok(Payload { body: None, query })
    }
}

/// Per-request settings: extra headers, the `Accept` variant, extra query
/// parameters, and the retry policy.
#[derive(Clone, Default)]
pub struct RequestOptions {
    pub(crate) headers: Vec<(String, String, bool)>,
    pub(crate) variant: Option<String>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) attempt_timeout: Option<Duration>,
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<_> = self
            .headers
            .iter()
            .map(|(n, v, sensitive)| {
                (
                    n.as_str(),
                    if *sensitive { "[redacted]" } else { v.as_str() },
                )
            })
            .collect();
        f.debug_struct("RequestOptions")
            .field("headers", &headers)
            .field("variant", &self.variant)
            .field("query", &self.query)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .finish()
    }
}

impl RequestOptions {
    /// Empty options: the client's defaults apply.
    pub fn new() -> Self {
        RequestOptions::default()
    }

    /// Adds a header (replacing one of the same name).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into(), false));
        self
    }

    /// The second factor Heroku asks for with a 403 `two_factor` error.
    pub fn two_factor_code(mut self, code: impl Into<String>) -> Self {
        self.headers
            .push(("Heroku-Two-Factor-Code".into(), code.into(), true));
        self
    }

    /// The account password, which deleting an account requires.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.headers
            .push(("Heroku-Password".into(), password.into(), true));
        self
    }

    /// Sends `Accept: application/vnd.heroku+json; version=<variant>`
    /// (for example `3.sdk` or `3.webhooks`) instead of the client's.
    pub fn variant(mut self, variant: impl Into<String>) -> Self {
        self.variant = Some(variant.into());
        self
    }

    /// Adds a query parameter the schema does not describe (audit-trail
    /// filters, for instance).
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Overrides the client's retry policy for this request.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Overrides the client's deadline for this call (see
    /// [`ClientBuilder::timeout`](crate::ClientBuilder::timeout)).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// Overrides the client's deadline for each attempt of this call (see
    /// [`ClientBuilder::attempt_timeout`](crate::ClientBuilder::attempt_timeout)).
    pub fn attempt_timeout(mut self, d: Duration) -> Self {
        self.attempt_timeout = Some(d);
        self
    }
}
