//! What comes back: the answer's headers worth keeping ([`ResponseMeta`]),
//! the typed [`Response`], and reading a body within the size cap.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderName;

use crate::runtime::decode::Deviation;
use crate::runtime::pagination::Cursor;
use crate::runtime::retry::parse_retry_after;

pub(crate) static REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
static RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
static NEXT_RANGE: HeaderName = HeaderName::from_static("next-range");
static WARNING_MESSAGE: HeaderName = HeaderName::from_static("warning-message");
static X_HEROKU_WARNING: HeaderName = HeaderName::from_static("x-heroku-warning");

/// Why an answer could not be read.
pub(crate) enum ReadError {
    Http(reqwest::Error),
    /// The body is larger than the client's cap.
    TooLarge {
        limit: usize,
    },
}

/// Reads status, headers and the whole body, up to `limit` bytes.
pub(super) async fn read(
    resp: reqwest::Response,
    request_id: &str,
    limit: usize,
) -> std::result::Result<(ResponseMeta, Bytes), ReadError> {
    let meta = ResponseMeta::from_response(&resp, request_id);
    let body = read_capped(resp, limit).await?;
    Ok((meta, body))
}

/// A response's body, refusing more than `limit` bytes (after gzip), so an
/// answer cannot exhaust memory.
pub(crate) async fn read_capped(
    mut resp: reqwest::Response,
    limit: usize,
) -> std::result::Result<Bytes, ReadError> {
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(ReadError::TooLarge { limit });
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = resp.chunk().await.map_err(ReadError::Http)? {
        if body.len() + chunk.len() > limit {
            return Err(ReadError::TooLarge { limit });
        }
        if body.is_empty() && resp.content_length().is_some() {
            body.reserve(resp.content_length().unwrap_or(0).min(limit as u64) as usize);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// How large an answer may be unless the client says otherwise:
/// [`ClientBuilder::max_body_bytes`](crate::ClientBuilder::max_body_bytes).
pub const DEFAULT_MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// A successful answer: the typed body and the headers worth keeping.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Response<T> {
    /// The decoded body.
    pub body: T,
    /// Status and headers of the answer.
    pub meta: ResponseMeta,
}

impl<T> Response<T> {
    /// The body, dropping the headers.
    pub fn into_body(self) -> T {
        self.body
    }
}

/// Headers of an answer that callers need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseMeta {
    /// HTTP status code.
    pub status: u16,
    /// The server's `Request-Id`, else the one this client sent.
    pub request_id: Option<String>,
    /// `RateLimit-Remaining`: request tokens left in the account's pool.
    pub rate_limit_remaining: Option<u64>,
    /// `Next-Range` of a partial (206) list answer.
    pub next_range: Option<Cursor>,
    /// `ETag`, for conditional requests.
    pub etag: Option<String>,
    /// `Warning-Message` and `X-Heroku-Warning`, to show to the user.
    pub warnings: Vec<String>,
    /// `Retry-After`, when the server sent one (seconds or an HTTP date,
    /// clamped to [`MAX_RETRY_AFTER`](crate::MAX_RETRY_AFTER)).
    pub retry_after: Option<Duration>,
    /// `Location`, on a redirect (which API calls do not follow).
    pub location: Option<String>,
    /// How many requests this call sent, the first one included.
    pub attempts: u32,
    /// How long this call waited between attempts (backoff and
    /// `Retry-After`; not the proactive throttle).
    pub waited: Duration,
    /// How the body differed from the schema: fields absent, `null`,
    /// converted, unknown enum values (see [`decode`](crate::decode)).
    /// Empty when the body matched.
    pub deviations: Vec<Deviation>,
}

impl ResponseMeta {
    fn from_response(resp: &reqwest::Response, sent_request_id: &str) -> Self {
        let h = resp.headers();
        let get = |name: &HeaderName| {
            h.get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let warnings = [&WARNING_MESSAGE, &X_HEROKU_WARNING]
            .into_iter()
            .flat_map(|n| h.get_all(n).iter())
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        ResponseMeta {
            status: resp.status().as_u16(),
            request_id: get(&REQUEST_ID).or_else(|| Some(sent_request_id.to_string())),
            rate_limit_remaining: h
                .get(&RATELIMIT_REMAINING)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok()),
            next_range: get(&NEXT_RANGE).filter(|v| !v.is_empty()).map(Cursor::new),
            etag: get(&reqwest::header::ETAG),
            warnings,
            retry_after: get(&reqwest::header::RETRY_AFTER)
                .as_deref()
                .and_then(parse_retry_after),
            location: resp
                .status()
                .is_redirection()
                .then(|| get(&reqwest::header::LOCATION))
                .flatten(),
            attempts: 1,
            waited: Duration::ZERO,
            deviations: Vec::new(),
        }
    }
}
