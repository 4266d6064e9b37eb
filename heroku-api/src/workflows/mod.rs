//! The workflows teams automate, built on the generated endpoints: deploy a
//! directory or tarball, roll back and wait for releases, promote through a
//! pipeline, keep config in sync, wait for builds, releases, promotions,
//! add-ons and domains, tail logs, and manage OAuth authorizations.

mod authorizations;
mod config_sync;
mod deploy;
mod error;
mod pipeline;
mod wait;

use std::time::Duration;

use futures_util::stream::BoxStream;
use futures_util::StreamExt;

use crate::app::AppIdentity;
use crate::release::Release;
use crate::{Client, Result};

pub use authorizations::Authorization;
pub use config_sync::{AppSync, ConfigChange, ConfigDiff, SyncOptions, SyncOutcome, SyncReport};
pub use deploy::{pack_directory, Deploy, Deployed};
pub use error::WorkflowError;
pub use pipeline::PromotionResult;
pub use wait::Wait;

/// The moment `timeout` from now, or `None` when `Instant` cannot hold it
/// (`Duration::MAX`: no deadline).
pub(crate) fn deadline_after(timeout: Duration) -> Option<tokio::time::Instant> {
    tokio::time::Instant::now().checked_add(timeout)
}

impl Client {
    /// Deploys a directory or tarball to an app: upload, build, stream the
    /// build output, wait for the release. See [`Deploy`].
    pub fn deploy(&self, app: impl Into<AppIdentity>) -> Deploy<'_> {
        Deploy::new(self, app.into())
    }

    /// Rolls an app back to the release with this version number (Heroku's
    /// rollback takes a release id; this looks it up). Returns the new
    /// release.
    pub async fn rollback_to_version(
        &self,
        app: impl Into<AppIdentity>,
        version: i64,
    ) -> Result<Release> {
        let app = app.into();
        let target = self.release().info(app.clone(), version).await?;
        self.release().rollback(app, target.id).await
    }

    /// Opens a log session and streams its lines. With `tail`, the stream
    /// stays open for new lines. The log URL is fetched without the API
    /// token.
    pub async fn log_tail(
        &self,
        app: impl Into<AppIdentity>,
        lines: i64,
        tail: bool,
    ) -> Result<BoxStream<'static, Result<String>>> {
        let session = self
            .log_session()
            .create(app)
            .lines(lines)
            .tail(tail)
            .await?;
        Ok(self.stream_lines(&session.logplex_url).await?.boxed())
    }
}
