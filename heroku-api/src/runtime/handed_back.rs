//! URLs the API hands back (upload URLs, build output and log streams).
//!
//! They are not API endpoints: requests to them never carry the API token,
//! whatever host they point at.

use bytes::Bytes;
use futures_util::stream::{self, BoxStream, StreamExt};

use crate::runtime::client::{Client, USER_AGENT};
use crate::runtime::response::read_capped;

/// The longest line a stream may send before it is refused (a build log
/// line is rarely over a few kilobytes).
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// The most of an error answer from a handed-back URL that is kept.
const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;
use crate::runtime::error::{api_error, Error, Result};

impl Client {
    /// Uploads `body` to a presigned URL (a source's `put_url`), without the
    /// API token. The whole upload may take as long as one call
    /// ([`ClientBuilder::timeout`](crate::ClientBuilder::timeout), 5 minutes
    /// by default); past it, [`Error::Timeout`].
    pub async fn put_presigned(&self, url: &str, body: impl Into<Bytes>) -> Result<()> {
        let mut request = self.http().put(url).body(body.into());
        // reqwest's timeout covers connecting, sending the body and reading
        // the answer. A limit no clock can reach (`Duration::MAX`) is none.
        let limit = self
            .call_timeout()
            .filter(|t| tokio::time::Instant::now().checked_add(*t).is_some());
        if let Some(limit) = limit {
            request = request.timeout(limit);
        }
        send_checked(request, "upload").await.map(drop)
    }

    /// Reads a text stream the API hands back (a build's
    /// `output_stream_url`, a log session's `logplex_url`) line by line, as
    /// it arrives, without the API token.
    pub async fn stream_lines(&self, url: &str) -> Result<BoxStream<'static, Result<String>>> {
        // A stream lasts as long as the build or the log tail does.
        let request = self
            .http()
            .get(url)
            .timeout(std::time::Duration::from_secs(24 * 3600));
        let resp = send_checked(request, "stream").await?;
        struct State {
            bytes: BoxStream<'static, reqwest::Result<Bytes>>,
            pending: Vec<u8>,
            done: bool,
        }
        let state = State {
            bytes: resp.bytes_stream().boxed(),
            pending: Vec::new(),
            done: false,
        };
        Ok(stream::unfold(state, |mut st| async move {
            loop {
                if let Some(pos) = st.pending.iter().position(|b| *b == b'\n') {
                    let line: Vec<u8> = st.pending.drain(..=pos).collect();
                    let text = String::from_utf8_lossy(&line[..line.len() - 1]);
                    return Some((Ok(text.trim_end_matches('\r').to_string()), st));
                }
                if st.done {
                    if st.pending.is_empty() {
                        return None;
                    }
                    let rest = std::mem::take(&mut st.pending);
                    return Some((Ok(String::from_utf8_lossy(&rest).into_owned()), st));
                }
                if st.pending.len() > MAX_LINE_BYTES {
                    st.done = true;
                    st.pending.clear();
                    return Some((
                        Err(Error::BodyTooLarge {
                            limit: MAX_LINE_BYTES,
                            request_id: None,
                        }),
                        st,
                    ));
                }
                match st.bytes.next().await {
                    Some(Ok(chunk)) => st.pending.extend_from_slice(&chunk),
                    Some(Err(e)) => {
                        st.done = true;
                        st.pending.clear();
                        return Some((Err(handed_back_error(e, "stream")), st));
                    }
                    None => st.done = true,
                }
            }
        })
        .boxed())
    }
}

/// Sends a request to a handed-back URL (no token, our User-Agent) and
/// turns an error status into an [`Error::Api`] with its body.
async fn send_checked(request: reqwest::RequestBuilder, what: &str) -> Result<reqwest::Response> {
    let resp = request
        .header(reqwest::header::USER_AGENT, USER_AGENT)
        .send()
        .await
        .map_err(|e| handed_back_error(e, what))?;
    let status = resp.status().as_u16();
    if status >= 400 {
        let body = match read_capped(resp, MAX_ERROR_BODY_BYTES).await {
            Ok(body) => body,
            Err(_) => Bytes::new(),
        };
        return Err(Error::Api(Box::new(api_error(status, None, body))));
    }
    Ok(resp)
}

/// The error for a failed request to a handed-back URL, without the URL:
/// its query string is a presigned credential.
fn handed_back_error(e: reqwest::Error, what: &str) -> Error {
    let e = e.without_url();
    if e.is_timeout() {
        Error::Timeout {
            request_id: None,
            waiting_for: crate::WaitingFor::Answer,
            after: None,
            source: Some(e.into()),
        }
    } else {
        Error::Transport {
            context: format!("the {what} URL the API handed back failed"),
            request_id: None,
            source: e.into(),
        }
    }
}
