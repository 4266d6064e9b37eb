//! The one error type every call returns. (What a workflow can end with
//! besides a failed call is `workflows::WorkflowError`.)

use std::fmt;
use std::time::Duration;

use bytes::Bytes;

/// Shorthand for `Result<T, heroku_api::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An underlying error whose type this API does not name.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Everything that can go wrong with a call.
///
/// `Display` is a sentence a person can act on; the underlying cause, if any,
/// is reachable through [`std::error::Error::source`]. No variant ever holds
/// the API token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Heroku answered with an error status.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The response arrived but its body does not match the expected type.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// The request could not be sent or the response could not be read.
    #[error("could not reach the Heroku API ({context}); check the network and the base URL")]
    Transport {
        /// What failed.
        context: String,
        /// The `Request-Id` this client sent.
        request_id: Option<String>,
        /// The HTTP client's error. Its type is not part of this API (so
        /// that a new major version of the HTTP client is not a breaking
        /// change here); `downcast_ref::<reqwest::Error>()` reaches it.
        #[source]
        source: BoxError,
    },
    /// The call ran out of time: its deadline ([`ClientBuilder::timeout`]),
    /// or one attempt's ([`ClientBuilder::attempt_timeout`]) when no retry
    /// could follow.
    ///
    /// [`ClientBuilder::timeout`]: crate::ClientBuilder::timeout
    /// [`ClientBuilder::attempt_timeout`]: crate::ClientBuilder::attempt_timeout
    #[error("the call ran out of time waiting for {waiting_for} (request id {})", request_id.as_deref().unwrap_or("none"))]
    Timeout {
        /// The `Request-Id` this client sent.
        request_id: Option<String>,
        /// What the call was waiting for when its time ran out.
        waiting_for: WaitingFor,
        /// The timeout that ran out, when the client set it.
        after: Option<Duration>,
        /// The HTTP client's error, when its own timeout fired (as for
        /// [`Error::Transport`], an opaque type).
        #[source]
        source: Option<BoxError>,
    },
    /// Heroku kept answering 429 until the retry budget ran out.
    #[error(transparent)]
    RateLimited(Box<RateLimitedError>),
    /// A list's `Next-Range` repeated a cursor already followed, named the
    /// page just fetched, or came with an empty page; stopping instead of
    /// looping.
    #[error("pagination stopped: the server repeated the cursor `{cursor}`")]
    PaginationLoop {
        /// The repeated `Next-Range` value.
        cursor: String,
    },
    /// An answer, or a line of a stream, was larger than the client reads.
    #[error("the answer is larger than the {limit}-byte limit (ClientBuilder::max_body_bytes), request id {}", request_id.as_deref().unwrap_or("none"))]
    BodyTooLarge {
        /// The limit, in bytes.
        limit: usize,
        /// The `Request-Id` this client sent, for API calls.
        request_id: Option<String>,
    },
    /// A list answer was partial (206) but had no `Next-Range`: stopping
    /// instead of returning part of the list as if it were all of it.
    #[error("the list answer was partial (206) without a Next-Range header; the list is incomplete (request id {})", request_id.as_deref().unwrap_or("none"))]
    PaginationIncomplete {
        /// The `Request-Id` of the answer.
        request_id: Option<String>,
    },
    /// The API answered with a redirect. The Platform API does not redirect,
    /// so this is a proxy or a wrong base URL; it was not followed, and no
    /// credential went to the other address.
    #[error("the Heroku API answered {status} with a redirect to {}; not followed (check the base URL)", location.as_deref().unwrap_or("nowhere"))]
    Redirected {
        /// The 3xx status.
        status: u16,
        /// The `Location` it pointed to.
        location: Option<String>,
        /// The `Request-Id` of the answer.
        request_id: Option<String>,
    },
    /// The client is not set up correctly (no token, a bad base URL, ...),
    /// or a call was given arguments it cannot use.
    #[error("{0}")]
    Config(String),
    /// No API token could be had: a credential provider failed (a refused
    /// OAuth refresh, say). The message says what to do.
    #[error("{0}")]
    Credentials(String),
}

/// What a call was waiting for when it ran out of time ([`Error::Timeout`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitingFor {
    /// Heroku's answer: connecting, sending, or reading it.
    Answer,
    /// A token from the credential provider (an OAuth exchange, say).
    Credentials,
    /// Its slot in the client's rate-limit schedule ([`Throttle`]), which
    /// lay past the deadline.
    ///
    /// [`Throttle`]: crate::Throttle
    RateLimitSlot,
}

impl fmt::Display for WaitingFor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WaitingFor::Answer => "the answer",
            WaitingFor::Credentials => "credentials",
            WaitingFor::RateLimitSlot => "its slot in the rate-limit schedule",
        })
    }
}

impl Error {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => Some(e.status),
            Error::RateLimited(e) => Some(e.last.status),
            Error::Redirected { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The request id of the failed call, to quote to Heroku support.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Decode(e) => e.request_id.as_deref(),
            Error::RateLimited(e) => e.last.request_id.as_deref(),
            Error::Transport { request_id, .. }
            | Error::Timeout { request_id, .. }
            | Error::Redirected { request_id, .. }
            | Error::PaginationIncomplete { request_id }
            | Error::BodyTooLarge { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The Heroku error id (`not_found`, `two_factor`, ...), for API errors.
    pub fn error_id(&self) -> Option<&ErrorId> {
        match self {
            Error::Api(e) => e.id.as_ref(),
            Error::RateLimited(e) => e.last.id.as_ref(),
            _ => None,
        }
    }

    /// True when the error is a 404 `not_found`.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// True when Heroku asks for a second factor: resend the request with
    /// [`RequestOptions::two_factor_code`](crate::RequestOptions::two_factor_code).
    pub fn is_two_factor_required(&self) -> bool {
        matches!(self.error_id(), Some(ErrorId::TwoFactor))
    }
}

/// An error answer from Heroku: `{"id": ..., "message": ..., "url": ...}`.
#[derive(Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// The stable machine-readable code; `None` when the body was not a
    /// Heroku error (a proxy's HTML page, say).
    pub id: Option<ErrorId>,
    /// Heroku's message for people, or a description of the raw body.
    pub message: String,
    /// Documentation link from the error body.
    pub url: Option<String>,
    /// `Request-Id` of the failed request.
    pub request_id: Option<String>,
    /// The raw response body, exactly as received.
    pub body: Bytes,
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("id", &self.id)
            .field("message", &self.message)
            .field("url", &self.url)
            .field("request_id", &self.request_id)
            .field("body", &snippet(&self.body, 200))
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Heroku API error {}", self.status)?;
        if let Some(id) = &self.id {
            write!(f, " ({id})")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(url) = &self.url {
            write!(f, " See {url}")?;
        }
        if let Some(rid) = &self.request_id {
            write!(f, " [request id {rid}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A body that did not decode as the expected type: not JSON, a top level of
/// the wrong shape, or (with
/// [`strict_decoding`](crate::ClientBuilder::strict_decoding)) any deviation
/// from the schema. Nothing is lost: the whole body is kept in `body`.
///
/// `Display` and `Debug` show where and why, never the body's values,
/// which may hold secrets.
#[derive(Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// HTTP status code; 0 when the bytes did not come from an answer
    /// ([`decode::from_slice`](crate::decode::from_slice)).
    pub status: u16,
    /// The JSON pointer (RFC 6901) of the value that failed, e.g.
    /// `/3/created_at`; the empty string is the whole body.
    pub pointer: String,
    /// What went wrong there.
    pub message: String,
    /// `Request-Id` of the request.
    pub request_id: Option<String>,
    /// The whole raw body.
    pub body: Bytes,
    /// In strict mode, every deviation found; else empty.
    pub deviations: Vec<crate::Deviation>,
}

impl DecodeError {
    pub(crate) fn new(
        status: u16,
        request_id: Option<String>,
        pointer: String,
        message: String,
        body: Bytes,
        deviations: Vec<crate::Deviation>,
    ) -> Self {
        DecodeError {
            status,
            pointer,
            message,
            request_id,
            body,
            deviations,
        }
    }

    /// The start of the body, for messages you choose to show.
    pub fn snippet(&self) -> String {
        snippet(&self.body, 200)
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("status", &self.status)
            .field("pointer", &self.pointer)
            .field("message", &self.message)
            .field("request_id", &self.request_id)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .field("deviations", &self.deviations.len())
            .finish()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "the whole body".to_string()
        } else {
            format!("`{}`", self.pointer)
        };
        write!(
            f,
            "could not decode the Heroku API response (status {}, {} bytes) at {at}: {}",
            self.status,
            self.body.len(),
            self.message,
        )?;
        if let Some(rid) = &self.request_id {
            write!(f, " [request id {rid}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

/// The retry budget for 429s ran out.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RateLimitedError {
    /// How many requests were sent, the first one included.
    pub attempts: u32,
    /// How long the call waited in total between attempts.
    pub waited: Duration,
    /// The last 429 answer.
    pub last: ApiError,
    /// The last answer's `Retry-After` (seconds or an HTTP date, clamped to
    /// [`MAX_RETRY_AFTER`](crate::MAX_RETRY_AFTER)): when
    /// Heroku said to try again.
    pub retry_after: Option<Duration>,
}

impl fmt::Display for RateLimitedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Heroku's rate limit is exhausted: {} attempts over {:.1}s all got 429; \
             wait for the token pool to refill or raise the retry budget",
            self.attempts,
            self.waited.as_secs_f64()
        )?;
        if let Some(rid) = &self.last.request_id {
            write!(f, " [request id {rid}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for RateLimitedError {}

/// Heroku's machine-readable error codes. Open: a code this version does not
/// know arrives as [`ErrorId::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorId {
    /// `bad_request`
    BadRequest,
    /// `unauthorized`
    Unauthorized,
    /// `forbidden`
    Forbidden,
    /// `two_factor`
    TwoFactor,
    /// `not_found`
    NotFound,
    /// `conflict`
    Conflict,
    /// `invalid_params`
    InvalidParams,
    /// `verification_needed`
    VerificationNeeded,
    /// `rate_limit`
    RateLimit,
    /// `requested_range_not_satisfiable`
    RequestedRangeNotSatisfiable,
    /// A code this version does not know.
    Other(String),
}

impl ErrorId {
    /// The code as Heroku sends it.
    pub fn as_str(&self) -> &str {
        match self {
            ErrorId::BadRequest => "bad_request",
            ErrorId::Unauthorized => "unauthorized",
            ErrorId::Forbidden => "forbidden",
            ErrorId::TwoFactor => "two_factor",
            ErrorId::NotFound => "not_found",
            ErrorId::Conflict => "conflict",
            ErrorId::InvalidParams => "invalid_params",
            ErrorId::VerificationNeeded => "verification_needed",
            ErrorId::RateLimit => "rate_limit",
            ErrorId::RequestedRangeNotSatisfiable => "requested_range_not_satisfiable",
            ErrorId::Other(s) => s,
        }
    }
}

impl From<&str> for ErrorId {
    fn from(s: &str) -> Self {
        match s {
            "bad_request" => ErrorId::BadRequest,
            "unauthorized" => ErrorId::Unauthorized,
            "forbidden" => ErrorId::Forbidden,
            "two_factor" => ErrorId::TwoFactor,
            "not_found" => ErrorId::NotFound,
            "conflict" => ErrorId::Conflict,
            "invalid_params" => ErrorId::InvalidParams,
            "verification_needed" => ErrorId::VerificationNeeded,
            "rate_limit" => ErrorId::RateLimit,
            "requested_range_not_satisfiable" => ErrorId::RequestedRangeNotSatisfiable,
            other => ErrorId::Other(other.to_string()),
        }
    }
}

impl fmt::Display for ErrorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The first `max` characters of a body, lossily decoded.
pub(crate) fn snippet(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

/// Builds an [`ApiError`] from an error response.
pub(crate) fn api_error(status: u16, request_id: Option<String>, body: Bytes) -> ApiError {
    #[derive(serde::Deserialize)]
    struct Body {
        id: Option<String>,
        message: Option<String>,
        url: Option<String>,
    }
    match serde_json::from_slice::<Body>(&body) {
        Ok(b) if b.id.is_some() || b.message.is_some() => ApiError {
            status,
            id: b.id.as_deref().map(ErrorId::from),
            message: b.message.unwrap_or_else(|| "no message".to_string()),
            url: b.url,
            request_id,
            body,
        },
        _ => {
            let reason = reqwest::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("unexpected status");
            let message = if body.is_empty() {
                format!("{reason} (empty body)")
            } else {
                format!(
                    "{reason}; the body is not a Heroku error: {:?}",
                    snippet(&body, 200)
                )
            };
            ApiError {
                status,
                id: None,
                message,
                url: None,
                request_id,
                body,
            }
        }
    }
}

impl ApiError {
    /// True for a 404 `not_found`.
    pub fn is_not_found(&self) -> bool {
        self.status == 404
    }
}
