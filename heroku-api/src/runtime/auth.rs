//! API tokens and where they come from.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use reqwest::header::HeaderValue;

use crate::runtime::error::Error;

/// An API token. It never shows in `Debug` output and has no `Display`.
///
/// Clones share one copy of the secret, and of the `Authorization` header
/// built from it.
#[derive(Clone)]
pub struct Token(Arc<Secret>);

struct Secret {
    value: Box<str>,
    /// `Bearer <token>`, marked sensitive; `None` when the token holds
    /// characters a header cannot carry.
    bearer: OnceLock<Option<HeaderValue>>,
}

impl Token {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        Token(Arc::new(Secret {
            value: token.into().into_boxed_str(),
            bearer: OnceLock::new(),
        }))
    }

    /// The secret itself. Only call this to hand the token to something that
    /// needs it; never log it.
    pub fn expose(&self) -> &str {
        &self.0.value
    }

    /// `Authorization: Bearer <token>`, built once per token.
    pub(crate) fn bearer(&self) -> Option<HeaderValue> {
        self.0
            .bearer
            .get_or_init(|| {
                let mut value = HeaderValue::from_str(&format!("Bearer {}", self.0.value)).ok()?;
                value.set_sensitive(true);
                Some(value)
            })
            .clone()
    }
}

impl PartialEq for Token {
    fn eq(&self, other: &Token) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.value == other.0.value
    }
}

impl Eq for Token {}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token([redacted])")
    }
}

impl From<&str> for Token {
    fn from(s: &str) -> Self {
        Token::new(s)
    }
}

impl From<String> for Token {
    fn from(s: String) -> Self {
        Token::new(s)
    }
}

/// Where the client's token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenSource {
    /// Passed to [`ClientBuilder::token`](crate::ClientBuilder::token).
    Explicit,
    /// The `HEROKU_API_KEY` environment variable.
    Environment,
    /// The password of `machine api.heroku.com` in `~/.netrc`.
    Netrc,
    /// A [`CredentialProvider`](crate::CredentialProvider) such as
    /// [`OAuthRefresh`](crate::OAuthRefresh).
    Provider,
}

/// The environment variable the Heroku CLI reads.
pub const TOKEN_ENV: &str = "HEROKU_API_KEY";

/// Finds a token the way the Heroku CLI does: `explicit`, else
/// `HEROKU_API_KEY`, else the `api.heroku.com` entry of `~/.netrc`.
pub fn resolve_token(
    explicit: Option<Token>,
    netrc_host: &str,
) -> Result<(Token, TokenSource), Error> {
    if let Some(t) = explicit {
        return Ok((t, TokenSource::Explicit));
    }
    if let Ok(v) = std::env::var(TOKEN_ENV) {
        if !v.trim().is_empty() {
            return Ok((Token::new(v.trim()), TokenSource::Environment));
        }
    }
    let netrc = netrc_path();
    if let Some(path) = &netrc {
        if let Ok(text) = std::fs::read_to_string(path) {
            if let Some(password) = netrc_password(&text, netrc_host) {
                return Ok((Token::new(password), TokenSource::Netrc));
            }
        }
    }
    Err(Error::Config(format!(
        "no Heroku API token found: pass one to ClientBuilder::token, set {TOKEN_ENV}, \
         or log in with the Heroku CLI so that {} has a `machine {netrc_host}` entry",
        netrc
            .as_deref()
            .map(Path::display)
            .map(|d| d.to_string())
            .unwrap_or_else(|| "~/.netrc".to_string())
    )))
}

/// `$NETRC`, else `$HOME/.netrc` (`_netrc` on Windows, as curl does).
fn netrc_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("NETRC") {
        return Some(PathBuf::from(p));
    }
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"))?;
    let name = if cfg!(windows) { "_netrc" } else { ".netrc" };
    Some(PathBuf::from(home).join(name))
}

/// The password of `machine <host>` in a netrc file; `default` applies when
/// no machine matches.
pub(crate) fn netrc_password(text: &str, host: &str) -> Option<String> {
    let mut tokens = text.split_whitespace();
    let mut current: Option<bool> = None; // Some(true) inside the wanted machine
    let mut default_password = None;
    let mut in_default = false;
    while let Some(tok) = tokens.next() {
        match tok {
            "machine" => {
                let name = tokens.next()?;
                current = Some(name == host);
                in_default = false;
            }
            "default" => {
                current = Some(false);
                in_default = true;
            }
            "password" => {
                let value = tokens.next()?;
                if current == Some(true) {
                    return Some(value.to_string());
                }
                if in_default {
                    default_password = Some(value.to_string());
                }
            }
            "login" | "account" => {
                tokens.next();
            }
            "macdef" => {
                // A macro runs to the next blank line; tokens cannot tell, so
                // stop here: Heroku's entries come first in practice.
                break;
            }
            _ => {}
        }
    }
    default_password
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netrc_finds_the_heroku_machine() {
        let text = "machine git.heroku.com\n  login a@b.c\n  password gitpw\n\
                    machine api.heroku.com\n  login a@b.c\n  password apipw\n";
        assert_eq!(
            netrc_password(text, "api.heroku.com").as_deref(),
            Some("apipw")
        );
        assert_eq!(netrc_password(text, "other.example"), None);
        let one_line = "machine api.heroku.com login x password y default login d password z";
        assert_eq!(
            netrc_password(one_line, "api.heroku.com").as_deref(),
            Some("y")
        );
        assert_eq!(netrc_password(one_line, "nope").as_deref(), Some("z"));
    }

    #[test]
    fn token_debug_is_redacted() {
        let t = Token::new("super-secret-value");
        assert!(!format!("{t:?}").contains("super-secret-value"));
    }
}
