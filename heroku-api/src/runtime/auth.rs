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

/// The password of `machine <host>` in a netrc file.
///
/// Read as curl reads the format: tokens separated by whitespace, `#`
/// starting a comment to the end of the line, tokens in double quotes with
/// `\"`, `\\`, `\n`, `\r` and `\t` escapes, and a `macdef` body running to
/// the next blank line. The `default` entry is never used: the Heroku CLI
/// looks up the API host's machine by name (`netrc.machines['api.heroku.com']`
/// in netrc-parser, which it uses), and a default password is meant for
/// some other service.
pub(crate) fn netrc_password(text: &str, host: &str) -> Option<String> {
    let mut tokens = NetrcTokens { rest: text };
    let mut in_wanted = false;
    while let Some(tok) = tokens.next() {
        match tok.as_str() {
            "machine" => in_wanted = tokens.next()? == host,
            "default" => in_wanted = false,
            "password" => {
                let value = tokens.next()?;
                if in_wanted {
                    return Some(value);
                }
            }
            "login" | "account" => {
                tokens.next();
            }
            "macdef" => {
                tokens.next();
                tokens.skip_macro();
            }
            _ => {}
        }
    }
    None
}

/// The tokens of a netrc file.
struct NetrcTokens<'a> {
    rest: &'a str,
}

impl NetrcTokens<'_> {
    fn next(&mut self) -> Option<String> {
        loop {
            self.rest = self.rest.trim_start();
            if self.rest.starts_with('#') {
                let end = self.rest.find('\n').unwrap_or(self.rest.len());
                self.rest = &self.rest[end..];
                continue;
            }
            break;
        }
        if self.rest.is_empty() {
            return None;
        }
        if let Some(quoted) = self.rest.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = quoted.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => {
                        self.rest = &quoted[i + 1..];
                        return Some(out);
                    }
                    '\\' => match chars.next() {
                        Some((_, 'n')) => out.push('\n'),
                        Some((_, 'r')) => out.push('\r'),
                        Some((_, 't')) => out.push('\t'),
                        Some((_, other)) => out.push(other),
                        None => break,
                    },
                    c => out.push(c),
                }
            }
            // An unterminated quote runs to the end of the file.
            self.rest = "";
            return Some(out);
        }
        let end = self
            .rest
            .find(char::is_whitespace)
            .unwrap_or(self.rest.len());
        let tok = self.rest[..end].to_string();
        self.rest = &self.rest[end..];
        Some(tok)
    }

    /// Skips a `macdef` body: everything up to the next blank line.
    fn skip_macro(&mut self) {
        let mut lines = self.rest.split_inclusive('\n');
        // The rest of the `macdef` line.
        let mut used = lines.next().map_or(0, str::len);
        for line in lines {
            used += line.len();
            if line.trim().is_empty() {
                break;
            }
        }
        self.rest = &self.rest[used.min(self.rest.len())..];
    }
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
    }

    #[test]
    fn netrc_never_uses_the_default_entry() {
        let text = "default login d password not-for-heroku\n";
        assert_eq!(netrc_password(text, "api.heroku.com"), None);
        let after = "machine other.example password o\ndefault password z\n";
        assert_eq!(netrc_password(after, "api.heroku.com"), None);
    }

    #[test]
    fn netrc_comments_quotes_and_macros_are_read_as_curl_reads_them() {
        let text = "# machine api.heroku.com password commented-out\n\
                    machine git.heroku.com password g # trailing comment\n\
                    macdef init\n  machine api.heroku.com password in-a-macro\n\n\
                    machine api.heroku.com\n  login \"a b@example.com\"\n  password \"hk \\\"quoted\\\" token\"\n";
        assert_eq!(
            netrc_password(text, "api.heroku.com").as_deref(),
            Some("hk \"quoted\" token")
        );
        assert_eq!(netrc_password(text, "git.heroku.com").as_deref(), Some("g"));
        assert_eq!(
            netrc_password("machine api.heroku.com password", "api.heroku.com"),
            None
        );
    }

    #[test]
    fn token_debug_is_redacted() {
        let t = Token::new("super-secret-value");
        assert!(!format!("{t:?}").contains("super-secret-value"));
    }
}
