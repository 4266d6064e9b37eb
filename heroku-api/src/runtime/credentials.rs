//! Where the bearer token comes from: a static token, or an OAuth refresh
//! token exchanged for short-lived access tokens, or the caller's own
//! provider.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

use crate::runtime::auth::Token;
use crate::runtime::client::{DEFAULT_VARIANT, USER_AGENT};
use crate::runtime::response::{read_capped, ReadError};

/// The largest token-exchange answer read (a real one is a few hundred
/// bytes).
const MAX_EXCHANGE_ANSWER: usize = 64 * 1024;
use crate::runtime::error::{api_error, Error, Result};
use crate::runtime::transport::Transport;

/// A future returned by [`CredentialProvider::token`].
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<Token>> + Send + 'a>>;

/// Supplies the bearer token for API requests.
///
/// The runtime asks for a token before every attempt, and calls
/// [`invalidate`](Self::invalidate) when the API answers 401 with it; if that
/// returns `true`, the request is retried once with a fresh token. Implement
/// it to read tokens from a secret store; `Debug` must not print secrets.
pub trait CredentialProvider: Send + Sync + fmt::Debug + 'static {
    /// The token to use now, fetching or refreshing it if needed.
    fn token<'a>(&'a self, cx: &'a CredentialContext) -> TokenFuture<'a>;

    /// The token, if one is ready without waiting for anything. The client
    /// asks this first on every request and awaits [`token`](Self::token)
    /// only when it answers `None` (the default).
    fn ready_token(&self) -> Option<Token> {
        None
    }

    /// The API rejected `rejected` (401). Return `true` if a retry with a
    /// new token could succeed.
    fn invalidate(&self, rejected: &Token) -> bool {
        let _ = rejected;
        false
    }
}

/// What a provider may use to reach the API: the client's transport and
/// origin. Requests sent through it carry no bearer token.
pub struct CredentialContext {
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) base_url: reqwest::Url,
    /// The client's per-attempt deadline: a credential exchange waits no
    /// longer than an attempt of the request it is for (and the call's
    /// deadline bounds the whole wait).
    pub(crate) timeout: Option<Duration>,
}

impl fmt::Debug for CredentialContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialContext")
            .field("base_url", &self.base_url.as_str())
            .finish_non_exhaustive()
    }
}

impl CredentialContext {
    /// POSTs a JSON body to an API path without a bearer token, returning
    /// the status and the body.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Result<(u16, Bytes)> {
        let url = self
            .base_url
            .join(path)
            .map_err(|e| Error::Config(format!("cannot build a URL for `{path}`: {e}")))?;
        let mut request = reqwest::Request::new(reqwest::Method::POST, url);
        let h = request.headers_mut();
        let accept = format!("application/vnd.heroku+json; version={DEFAULT_VARIANT}");
        h.insert(
            reqwest::header::ACCEPT,
            accept
                .parse()
                .map_err(|_| Error::Config("bad Accept".into()))?,
        );
        h.insert(
            reqwest::header::CONTENT_TYPE,
            reqwest::header::HeaderValue::from_static("application/json"),
        );
        h.insert(
            reqwest::header::USER_AGENT,
            reqwest::header::HeaderValue::from_static(USER_AGENT),
        );
        *request.body_mut() = Some(body.to_string().into());
        let resp = self
            .transport
            .send(request)
            .await
            .map_err(|e| Error::Transport {
                context: format!("the token exchange at {path} failed"),
                request_id: None,
                source: e.into(),
            })?;
        let status = resp.status().as_u16();
        let bytes = read_capped(resp, MAX_EXCHANGE_ANSWER)
            .await
            .map_err(|e| match e {
                ReadError::Http(e) => Error::Transport {
                    context: format!("the token exchange at {path} was cut off"),
                    request_id: None,
                    source: e.into(),
                },
                ReadError::TooLarge { limit } => Error::BodyTooLarge {
                    limit,
                    request_id: None,
                },
            })?;
        Ok((status, bytes))
    }
}

/// A fixed token (from `ClientBuilder::token`, `HEROKU_API_KEY` or netrc).
#[derive(Debug, Clone)]
pub struct StaticToken(pub Token);

impl CredentialProvider for StaticToken {
    fn token<'a>(&'a self, _cx: &'a CredentialContext) -> TokenFuture<'a> {
        let t = self.0.clone();
        Box::pin(async move { Ok(t) })
    }

    fn ready_token(&self) -> Option<Token> {
        Some(self.0.clone())
    }
}

enum State {
    Empty,
    Valid {
        token: Token,
        refresh_at: Instant,
    },
    /// The last exchanges failed in a way that may pass (a timeout, a 5xx
    /// or 429, a network error, an answer that did not decode): the next
    /// call tries again, not before `retry_at`.
    Backoff {
        retry_at: Instant,
        failures: u32,
    },
    /// The exchange was refused (`invalid_grant`, 401 or 403): every later
    /// call gets this error at once, with no new exchange (a revoked
    /// refresh token does not come back).
    Failed(String),
}

/// The pause after the first transient exchange failure; it doubles up to
/// [`MAX_EXCHANGE_BACKOFF`].
const EXCHANGE_BACKOFF: Duration = Duration::from_millis(250);
const MAX_EXCHANGE_BACKOFF: Duration = Duration::from_secs(30);

/// Token lifetimes beyond this are treated as this (no `Instant` overflow).
const MAX_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);

/// Exchanges an OAuth refresh token for short-lived access tokens at
/// `POST /oauth/tokens` (grant type `refresh_token`), and refreshes them
/// before they expire.
///
/// Under concurrent requests exactly one exchange is in flight; the other
/// requests wait for its result. A 401 from the API refreshes once and the
/// request is retried once. A refused exchange is an
/// [`Error::Credentials`] saying what to do, and is never retried.
///
/// ```no_run
/// # fn demo() -> heroku_api::Result<()> {
/// use heroku_api::{Client, OAuthRefresh};
/// let client = Client::builder()
///     .credentials(OAuthRefresh::new("refresh-token", "client-secret"))
///     .build()?;
/// # Ok(()) }
/// ```
pub struct OAuthRefresh {
    refresh_token: Token,
    client_secret: Token,
    margin: Duration,
    exchange_timeout: Duration,
    state: tokio::sync::Mutex<State>,
    exchanges: AtomicU64,
}

impl fmt::Debug for OAuthRefresh {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthRefresh")
            .field("refresh_token", &self.refresh_token)
            .field("client_secret", &self.client_secret)
            .field("exchanges", &self.exchanges())
            .finish_non_exhaustive()
    }
}

impl OAuthRefresh {
    /// A provider for this refresh token and OAuth client secret.
    pub fn new(refresh_token: impl Into<Token>, client_secret: impl Into<Token>) -> Self {
        OAuthRefresh {
            refresh_token: refresh_token.into(),
            client_secret: client_secret.into(),
            margin: Duration::from_secs(60),
            exchange_timeout: Duration::from_secs(30),
            state: tokio::sync::Mutex::new(State::Empty),
            exchanges: AtomicU64::new(0),
        }
    }

    /// Refresh this long before expiry at most (default 60 s; never more
    /// than a tenth of the token's lifetime).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The longest an exchange may take (default 30 s, and never longer
    /// than the client's request timeout). Waiting callers are released
    /// when it runs out, with [`Error::Timeout`].
    pub fn exchange_timeout(mut self, timeout: Duration) -> Self {
        self.exchange_timeout = timeout;
        self
    }

    /// How many exchanges this provider has made.
    pub fn exchanges(&self) -> u64 {
        self.exchanges.load(Ordering::Relaxed)
    }

    async fn exchange(&self, cx: &CredentialContext) -> Result<(Token, Instant)> {
        self.exchanges.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(target: "heroku_api::metrics", event = "oauth_refresh");
        let body = serde_json::json!({
            "grant": { "type": "refresh_token" },
            "refresh_token": { "token": self.refresh_token.expose() },
            "client": { "secret": self.client_secret.expose() },
        });
        let limit = cx
            .timeout
            .map_or(self.exchange_timeout, |t| t.min(self.exchange_timeout));
        let (status, bytes) = tokio::time::timeout(limit, cx.post_json("/oauth/tokens", &body))
            .await
            .map_err(|_| Error::Timeout {
                request_id: None,
                waiting_for: crate::WaitingFor::Credentials,
                after: Some(limit),
                source: None,
            })??;
        if status >= 400 {
            let e = api_error(status, None, bytes);
            let refused = matches!(status, 401 | 403)
                || e.id
                    .as_ref()
                    .is_some_and(|id| id.as_str() == "invalid_grant");
            if !refused {
                // 429, 5xx, a proxy's page: the next call tries again.
                return Err(Error::Api(Box::new(e)));
            }
            return Err(Error::Credentials(format!(
                "Heroku refused the OAuth refresh token ({} {}: {}); authorize the app again to get a new refresh token",
                e.status,
                e.id.as_ref().map(|i| i.as_str()).unwrap_or("error"),
                e.message
            )));
        }
        #[derive(serde::Deserialize)]
        struct Access {
            token: String,
            expires_in: Option<u64>,
        }
        #[derive(serde::Deserialize)]
        struct Answer {
            access_token: Access,
        }
        // An answer that does not decode may be a proxy's: transient.
        let answer: Answer = serde_json::from_slice(&bytes).map_err(|e| {
            Error::Decode(Box::new(crate::DecodeError::new(
                status,
                None,
                String::new(),
                format!("the OAuth token answer is not what Heroku sends ({e})"),
                bytes.clone(),
                Vec::new(),
            )))
        })?;
        let lifetime =
            Duration::from_secs(answer.access_token.expires_in.unwrap_or(28_800)).min(MAX_LIFETIME);
        let margin = self.margin.min(lifetime / 10);
        let now = Instant::now();
        Ok((
            Token::new(answer.access_token.token),
            now.checked_add(lifetime - margin).unwrap_or(now),
        ))
    }
}

impl CredentialProvider for OAuthRefresh {
    fn token<'a>(&'a self, cx: &'a CredentialContext) -> TokenFuture<'a> {
        Box::pin(async move {
            let mut state = self.state.lock().await;
            let mut failures = 0;
            match &*state {
                State::Valid { token, refresh_at } if Instant::now() < *refresh_at => {
                    return Ok(token.clone())
                }
                State::Failed(message) => return Err(Error::Credentials(message.clone())),
                State::Backoff {
                    retry_at,
                    failures: n,
                } => {
                    failures = *n;
                    // Wait out the pause only if it ends within this call's
                    // deadline; else fail now, not later.
                    let limit = cx
                        .timeout
                        .map_or(self.exchange_timeout, |t| t.min(self.exchange_timeout));
                    if retry_at.saturating_duration_since(Instant::now()) > limit {
                        return Err(Error::Timeout {
                            request_id: None,
                            waiting_for: crate::WaitingFor::Credentials,
                            after: Some(limit),
                            source: None,
                        });
                    }
                    tokio::time::sleep_until(*retry_at).await;
                }
                _ => {}
            }
            match self.exchange(cx).await {
                Ok((token, refresh_at)) => {
                    *state = State::Valid {
                        token: token.clone(),
                        refresh_at,
                    };
                    Ok(token)
                }
                Err(Error::Credentials(message)) => {
                    *state = State::Failed(message.clone());
                    Err(Error::Credentials(message))
                }
                // A timeout, a 5xx or 429, a network error or an answer that
                // does not decode may pass: the next call tries again, after
                // a pause that doubles with each failure in a row.
                Err(e) => {
                    let pause = EXCHANGE_BACKOFF
                        .saturating_mul(1 << failures.min(16))
                        .min(MAX_EXCHANGE_BACKOFF);
                    let now = Instant::now();
                    *state = State::Backoff {
                        retry_at: now.checked_add(pause).unwrap_or(now),
                        failures: failures.saturating_add(1),
                    };
                    Err(e)
                }
            }
        })
    }

    fn ready_token(&self) -> Option<Token> {
        // Never waits: a refresh in flight holds the lock, and then the
        // caller awaits `token` like everyone else.
        match &*self.state.try_lock().ok()? {
            State::Valid { token, refresh_at } if Instant::now() < *refresh_at => {
                Some(token.clone())
            }
            _ => None,
        }
    }

    fn invalidate(&self, rejected: &Token) -> bool {
        match self.state.try_lock() {
            // A refresh is in flight: the retry waits for it.
            Err(_) => true,
            Ok(mut state) => match &*state {
                State::Failed(_) => false,
                State::Backoff { .. } => true,
                State::Valid { token, .. } if token == rejected => {
                    *state = State::Empty;
                    true
                }
                _ => true,
            },
        }
    }
}
