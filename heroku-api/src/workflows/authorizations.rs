//! The common authorization tasks, as the CLI's `authorizations:*` does
//! them, with secrets redacted in `Debug`.

use std::fmt;
use std::time::Duration;

use crate::oauth_authorization::OauthAuthorization;
use crate::{Client, Result, Token};

/// An OAuth authorization. Its tokens are [`Token`]s: never in `Debug`.
#[derive(Clone)]
#[non_exhaustive]
pub struct Authorization {
    /// The authorization's id (revoke it with this).
    pub id: String,
    /// What it is for.
    pub description: String,
    /// Its scopes (`global`, `read`, ...).
    pub scope: Vec<String>,
    /// The access token, when the API returns it (on creation).
    pub access_token: Option<Token>,
    /// Seconds until the access token expires; `None` when it does not.
    pub expires_in: Option<i64>,
    /// The refresh token, for short-lived authorizations.
    pub refresh_token: Option<Token>,
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorization")
            .field("id", &self.id)
            .field("description", &self.description)
            .field("scope", &self.scope)
            .field("access_token", &self.access_token)
            .field("expires_in", &self.expires_in)
            .field("refresh_token", &self.refresh_token)
            .finish()
    }
}

impl From<OauthAuthorization> for Authorization {
    fn from(a: OauthAuthorization) -> Self {
        let (access_token, expires_in) = match a.access_token {
            Some(t) => (
                (!t.token.is_empty()).then(|| Token::new(t.token)),
                t.expires_in,
            ),
            None => (None, None),
        };
        Authorization {
            id: a.id,
            description: a.description,
            scope: a.scope,
            access_token,
            expires_in,
            refresh_token: a.refresh_token.map(|t| Token::new(t.token)),
        }
    }
}

impl Client {
    /// Creates an authorization with global scope: long-lived when
    /// `expires_in` is `None`, else short-lived.
    pub async fn create_authorization(
        &self,
        description: &str,
        expires_in: Option<Duration>,
    ) -> Result<Authorization> {
        let mut request = self
            .oauth_authorization()
            .create(vec!["global".to_string()])
            .description(description);
        if let Some(d) = expires_in {
            request = request.expires_in(d.as_secs() as i64);
        }
        Ok(request.await?.into())
    }

    /// Every authorization of the account.
    pub async fn list_authorizations(&self) -> Result<Vec<Authorization>> {
        Ok(self
            .oauth_authorization()
            .list()
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Revokes an authorization; its tokens stop working.
    pub async fn revoke_authorization(
        &self,
        id: impl Into<crate::oauth_authorization::OauthAuthorizationIdentity>,
    ) -> Result<()> {
        self.oauth_authorization().delete(id).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_tokens() {
        let a = Authorization {
            id: "1".into(),
            description: "ci".into(),
            scope: vec!["global".into()],
            access_token: Some(Token::new("access-secret")),
            expires_in: Some(3600),
            refresh_token: Some(Token::new("refresh-secret")),
        };
        let shown = format!("{a:?}");
        assert!(
            !shown.contains("access-secret") && !shown.contains("refresh-secret"),
            "{shown}"
        );
    }
}
