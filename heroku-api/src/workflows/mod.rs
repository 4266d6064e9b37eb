//! The workflows teams automate, built on the generated endpoints: deploy a
//! directory or tarball, roll back and wait for releases, promote through a
//! pipeline, keep config in sync, scale, tail logs, and manage OAuth
//! authorizations.

mod authorizations;
mod config_sync;
mod deploy;
mod pipeline;

use std::time::Duration;

use futures_util::stream::BoxStream;
use futures_util::StreamExt;

use crate::app::AppIdentity;
use crate::formation::{Formation, FormationDynoSize, FormationUpdate};
use crate::release::Release;
use crate::{Client, Error, Result};

pub use authorizations::Authorization;
pub use config_sync::{ConfigChange, ConfigDiff, SyncOptions};
pub use deploy::{pack_directory, Deploy, Deployed};
pub use pipeline::{PromotionResult, TargetResult};

/// How often the workflows poll while waiting.
pub(crate) const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// One process type to scale: type, quantity, and optionally a dyno size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scale {
    /// Process type, e.g. `web`.
    pub process: String,
    /// How many dynos.
    pub quantity: i64,
    /// Dyno size name, e.g. `Standard-1X`; `None` keeps the current size.
    pub size: Option<String>,
}

impl Scale {
    /// `quantity` dynos of `process`, at the current size.
    pub fn new(process: impl Into<String>, quantity: i64) -> Self {
        Scale {
            process: process.into(),
            quantity,
            size: None,
        }
    }

    /// Sets the dyno size.
    pub fn size(mut self, size: impl Into<String>) -> Self {
        self.size = Some(size.into());
        self
    }
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

    /// Waits until a release leaves `pending`, polling every half second, and
    /// returns it (its status may be `succeeded` or `failed`).
    pub async fn wait_for_release(
        &self,
        app: impl Into<AppIdentity>,
        release_id: &str,
        timeout: Duration,
    ) -> Result<Release> {
        let app = app.into();
        let started = tokio::time::Instant::now();
        loop {
            let release = self.release().info(app.clone(), release_id).await?;
            if release.status.as_str() != "pending" {
                return Ok(release);
            }
            if started.elapsed() >= timeout {
                return Err(Error::WaitTimeout {
                    what: format!("release {release_id} to leave pending"),
                    waited: started.elapsed(),
                });
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Scales several process types in one batch update.
    pub async fn scale(
        &self,
        app: impl Into<AppIdentity>,
        processes: &[Scale],
    ) -> Result<Vec<Formation>> {
        let updates = processes
            .iter()
            .map(|p| {
                let mut u = FormationUpdate::new(p.process.clone()).quantity(p.quantity);
                if let Some(size) = &p.size {
                    u = u.dyno_size(FormationDynoSize::new().name(size.clone()));
                }
                u
            })
            .collect();
        self.formation().batch_update(app, updates).await
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
