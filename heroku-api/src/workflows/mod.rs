//! The workflows teams automate, built on the generated endpoints: deploy a
//! directory or tarball, roll back and wait for releases, promote through a
//! pipeline, keep config in sync, scale, tail logs, and manage OAuth
//! authorizations.

mod authorizations;
mod config_sync;
mod deploy;
mod error;
mod pipeline;

use std::future::{Future, IntoFuture};
use std::time::Duration;

use futures_util::stream::BoxStream;
use futures_util::StreamExt;

use crate::app::AppIdentity;
use crate::formation::{Formation, FormationDynoSize, FormationUpdate};
use crate::release::Release;
use crate::{Client, Result};

pub use authorizations::Authorization;
pub use config_sync::{AppSync, ConfigChange, ConfigDiff, SyncOptions, SyncOutcome, SyncReport};
pub use deploy::{pack_directory, Deploy, Deployed};
pub use error::WorkflowError;
pub use pipeline::{PromotionResult, TargetResult};

/// The moment `timeout` from now, or `None` when `Instant` cannot hold it
/// (`Duration::MAX`: no deadline).
pub(crate) fn deadline_after(timeout: Duration) -> Option<tokio::time::Instant> {
    tokio::time::Instant::now().checked_add(timeout)
}

/// Checks with `fetch` until `done` holds of what it returns, pausing as
/// the client's [`PollPolicy`](crate::PollPolicy) says between checks, and
/// gives up at `deadline` with [`WorkflowError::WaitTimeout`] (a check in flight
/// then is dropped; checks are reads). The last check falls on the
/// deadline itself.
pub(crate) async fn poll_until<T, Fut>(
    client: &Client,
    deadline: Option<tokio::time::Instant>,
    what: impl Fn() -> String,
    mut fetch: impl FnMut() -> Fut,
    done: impl Fn(&T) -> bool,
) -> Result<T, WorkflowError>
where
    Fut: Future<Output = Result<T>>,
{
    let started = tokio::time::Instant::now();
    let timed_out = || WorkflowError::WaitTimeout {
        what: what(),
        waited: started.elapsed(),
    };
    let mut check = 0u32;
    loop {
        let value = match deadline {
            Some(d) => tokio::time::timeout_at(d, fetch())
                .await
                .map_err(|_| timed_out())??,
            None => fetch().await?,
        };
        if done(&value) {
            return Ok(value);
        }
        let now = tokio::time::Instant::now();
        if deadline.is_some_and(|d| now >= d) {
            return Err(timed_out());
        }
        let pause = client.poll_policy().pause(check);
        let next = now.checked_add(pause).unwrap_or(now);
        tokio::time::sleep_until(deadline.map_or(next, |d| next.min(d))).await;
        check = check.saturating_add(1);
    }
}

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

    /// Waits until a release leaves `pending`, polling as the client's
    /// [`PollPolicy`](crate::PollPolicy) says, and returns it (its status
    /// may be `succeeded` or `failed`). Past `timeout`,
    /// [`WorkflowError::WaitTimeout`].
    pub async fn wait_for_release(
        &self,
        app: impl Into<AppIdentity>,
        release_id: &str,
        timeout: Duration,
    ) -> Result<Release, WorkflowError> {
        self.wait_for_release_until(app.into(), release_id, deadline_after(timeout))
            .await
    }

    pub(crate) async fn wait_for_release_until(
        &self,
        app: AppIdentity,
        release_id: &str,
        deadline: Option<tokio::time::Instant>,
    ) -> Result<Release, WorkflowError> {
        poll_until(
            self,
            deadline,
            || format!("release {release_id} to leave pending"),
            || self.release().info(app.clone(), release_id).into_future(),
            |release: &Release| release.status.as_str() != "pending",
        )
        .await
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
