//! Waiting for the platform: builds, releases, promotions, add-on
//! provisioning and domains, each polled on the client's
//! [`PollPolicy`](crate::PollPolicy) until it settles or a deadline
//! passes.

use std::future::{Future, IntoFuture};
use std::time::Duration;

use futures_util::future::BoxFuture;

use crate::add_on::{AddOn, AddOnIdentity, AddOnState};
use crate::app::AppIdentity;
use crate::build::{Build, BuildIdentity, BuildStatus};
use crate::domain::{Domain, DomainIdentity};
use crate::pipeline_promotion::PipelinePromotionIdentity;
use crate::pipeline_promotion_target::{PipelinePromotionTarget, PipelinePromotionTargetStatus};
use crate::release::{Release, ReleaseIdentity, ReleaseStatus};
use crate::workflows::{deadline_after, WorkflowError};
use crate::{Client, Result};

/// What one check of a wait found.
pub(crate) enum Settled<T> {
    /// Not yet: check again.
    Pending(T),
    /// Done, successfully.
    Done(T),
    /// Done, and it failed.
    Failed(WorkflowError),
}

type Check<'a, T> = Box<dyn FnMut() -> BoxFuture<'a, Result<T>> + Send + 'a>;
type Judge<T> = fn(T) -> Settled<T>;
type Progress<'a, T> = Box<dyn FnMut(&T) + Send + 'a>;

/// A wait for the platform, from one of the `wait_for_*` methods of
/// [`Client`]. Await it for the settled state (an error if it failed or the
/// deadline passed); [`on_progress`](Wait::on_progress) sees every state
/// checked on the way.
///
/// ```no_run
/// # async fn demo(client: heroku_api::Client, build_id: String) -> Result<(), heroku_api::workflows::WorkflowError> {
/// use std::time::Duration;
/// let build = client
///     .wait_for_build("my-app", &build_id, Duration::from_secs(600))
///     .on_progress(|b| eprintln!("build {}: {}", b.id, b.status.as_str()))
///     .await?;
/// # Ok(()) }
/// ```
///
/// Between checks it pauses as the client's [`PollPolicy`](crate::PollPolicy)
/// says; the last check falls on the deadline, and past it the wait ends
/// with [`WorkflowError::WaitTimeout`] (a check in flight then is
/// dropped: checks are reads).
#[must_use = "a wait does nothing until it is awaited"]
pub struct Wait<'a, T> {
    client: &'a Client,
    what: String,
    deadline: Option<tokio::time::Instant>,
    timeout: Option<Duration>,
    check: Check<'a, T>,
    judge: Judge<T>,
    progress: Option<Progress<'a, T>>,
}

impl<'a, T: Send + 'a> Wait<'a, T> {
    /// A wait for `what`: `check` reads the state, `judge` says whether it
    /// settled. The deadline runs from the first poll (`timeout`) or is
    /// given (`deadline`).
    pub(crate) fn new<F>(
        client: &'a Client,
        what: String,
        timeout: Duration,
        mut check: impl FnMut() -> F + Send + 'a,
        judge: Judge<T>,
    ) -> Self
    where
        F: Future<Output = Result<T>> + Send + 'a,
    {
        Wait {
            client,
            what,
            deadline: None,
            timeout: Some(timeout),
            check: Box::new(move || Box::pin(check())),
            judge,
            progress: None,
        }
    }

    /// The same wait, ending at `deadline` instead (a workflow's own).
    pub(crate) fn until(mut self, deadline: Option<tokio::time::Instant>) -> Self {
        self.deadline = deadline;
        self.timeout = None;
        self
    }

    /// Calls `f` with every state checked, the settled one included: to
    /// show progress, or to log the states a build went through.
    pub fn on_progress(mut self, f: impl FnMut(&T) + Send + 'a) -> Self {
        self.progress = Some(Box::new(f));
        self
    }

    async fn run(mut self) -> Result<T, WorkflowError> {
        let started = tokio::time::Instant::now();
        let deadline = match self.timeout {
            Some(t) => deadline_after(t),
            None => self.deadline,
        };
        let what = self.what;
        let timed_out = || WorkflowError::WaitTimeout {
            what: what.clone(),
            waited: started.elapsed(),
        };
        let mut check = 0u32;
        loop {
            let state = match deadline {
                Some(d) => tokio::time::timeout_at(d, (self.check)())
                    .await
                    .map_err(|_| timed_out())??,
                None => (self.check)().await?,
            };
            if let Some(progress) = self.progress.as_mut() {
                progress(&state);
            }
            match (self.judge)(state) {
                Settled::Done(state) => return Ok(state),
                Settled::Failed(e) => return Err(e),
                Settled::Pending(_) => {}
            }
            let now = tokio::time::Instant::now();
            if deadline.is_some_and(|d| now >= d) {
                return Err(timed_out());
            }
            let pause = self.client.poll_policy().pause(check);
            let next = now.checked_add(pause).unwrap_or(now);
            tokio::time::sleep_until(deadline.map_or(next, |d| next.min(d))).await;
            check = check.saturating_add(1);
        }
    }
}

impl<'a, T: Send + 'a> IntoFuture for Wait<'a, T> {
    type Output = Result<T, WorkflowError>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

impl<T> std::fmt::Debug for Wait<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wait")
            .field("what", &self.what)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

fn failed(what: String, status: &str) -> WorkflowError {
    WorkflowError::Failed {
        what,
        status: status.to_string(),
    }
}

impl Client {
    /// Waits until a build leaves `pending`: the build once it
    /// `succeeded`, [`WorkflowError::BuildFailed`] if it failed (its output
    /// is at the build's `output_stream_url`; [`deploy`](Client::deploy)
    /// streams it as it comes).
    pub fn wait_for_build(
        &self,
        app: impl Into<AppIdentity>,
        build: impl Into<BuildIdentity>,
        timeout: Duration,
    ) -> Wait<'_, Build> {
        let (app, build) = (app.into(), build.into());
        Wait::new(
            self,
            format!("build {build} to finish"),
            timeout,
            move || self.build().info(app.clone(), build.clone()).into_future(),
            |b: Build| match b.status {
                BuildStatus::Pending => Settled::Pending(b),
                BuildStatus::Succeeded => Settled::Done(b),
                _ => Settled::Failed(WorkflowError::BuildFailed {
                    build_id: b.id.clone(),
                    status: b.status.as_str().to_string(),
                    output_tail: Vec::new(),
                }),
            },
        )
    }

    /// Waits until a release leaves `pending`: the release once it
    /// `succeeded` (its release phase, if any, ran), else
    /// [`WorkflowError::Failed`].
    pub fn wait_for_release(
        &self,
        app: impl Into<AppIdentity>,
        release: impl Into<ReleaseIdentity>,
        timeout: Duration,
    ) -> Wait<'_, Release> {
        let (app, release) = (app.into(), release.into());
        Wait::new(
            self,
            format!("release {release} to leave pending"),
            timeout,
            move || {
                self.release()
                    .info(app.clone(), release.clone())
                    .into_future()
            },
            |r: Release| match r.status {
                ReleaseStatus::Pending => Settled::Pending(r),
                ReleaseStatus::Succeeded => Settled::Done(r),
                _ => {
                    let status = r.status.as_str().to_string();
                    Settled::Failed(failed(format!("release v{}", r.version), &status))
                }
            },
        )
    }

    /// Waits until no target of a promotion is `pending`: every target
    /// once all `succeeded`, else [`WorkflowError::PromotionFailed`] with
    /// every target's outcome.
    pub fn wait_for_promotion(
        &self,
        promotion: impl Into<PipelinePromotionIdentity>,
        timeout: Duration,
    ) -> Wait<'_, Vec<PipelinePromotionTarget>> {
        let promotion = promotion.into();
        Wait::new(
            self,
            format!("promotion {promotion} to finish"),
            timeout,
            move || {
                self.pipeline_promotion_target()
                    .list(promotion.as_str())
                    .into_future()
            },
            |targets: Vec<PipelinePromotionTarget>| {
                let status =
                    |s: PipelinePromotionTargetStatus| targets.iter().any(|t| t.status == s);
                if targets.is_empty() || status(PipelinePromotionTargetStatus::Pending) {
                    Settled::Pending(targets)
                } else if targets
                    .iter()
                    .all(|t| t.status == PipelinePromotionTargetStatus::Succeeded)
                {
                    Settled::Done(targets)
                } else {
                    Settled::Failed(WorkflowError::PromotionFailed { targets })
                }
            },
        )
    }

    /// Waits until an add-on leaves `provisioning` (add-ons provision
    /// asynchronously; their config vars arrive when they are done): the
    /// add-on once `provisioned`, else [`WorkflowError::Failed`].
    pub fn wait_for_add_on(
        &self,
        app: impl Into<AppIdentity>,
        add_on: impl Into<AddOnIdentity>,
        timeout: Duration,
    ) -> Wait<'_, AddOn> {
        let (app, add_on) = (app.into(), add_on.into());
        Wait::new(
            self,
            format!("add-on {add_on} to be provisioned"),
            timeout,
            move || {
                self.add_on()
                    .info_by_app(app.clone(), add_on.clone())
                    .into_future()
            },
            |a: AddOn| match a.state {
                AddOnState::Provisioning => Settled::Pending(a),
                AddOnState::Provisioned => Settled::Done(a),
                _ => {
                    let state = a.state.as_str().to_string();
                    Settled::Failed(failed(format!("add-on {}", a.name), &state))
                }
            },
        )
    }

    /// Waits until a custom domain leaves `pending` (Heroku checks its DNS
    /// target and, with ACM, issues its certificate): the domain once its
    /// `status` is `succeeded`, else [`WorkflowError::Failed`].
    pub fn wait_for_domain(
        &self,
        app: impl Into<AppIdentity>,
        domain: impl Into<DomainIdentity>,
        timeout: Duration,
    ) -> Wait<'_, Domain> {
        let (app, domain) = (app.into(), domain.into());
        Wait::new(
            self,
            format!("domain {domain} to be set up"),
            timeout,
            move || {
                self.domain()
                    .info(app.clone(), domain.clone())
                    .into_future()
            },
            |d: Domain| match d.status.as_str() {
                "pending" => Settled::Pending(d),
                "succeeded" => Settled::Done(d),
                status => {
                    let status = status.to_string();
                    Settled::Failed(failed(format!("domain {}", d.hostname), &status))
                }
            },
        )
    }
}
