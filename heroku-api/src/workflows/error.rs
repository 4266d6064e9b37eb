//! What a workflow can end with besides success: a failed call, or an
//! outcome of the work itself (a failed build, a wait that ran out).

use std::time::Duration;

use crate::pipeline_promotion_target::PipelinePromotionTarget;
use crate::workflows::SyncReport;

/// Everything that can stop a workflow.
///
/// A failed API call is [`WorkflowError::Call`], holding the
/// [`Error`](crate::Error) every generated call returns (so `?` turns one
/// into the other); the other variants are about the work: the platform did
/// it but it failed, or it took too long, or the input could not be used.
///
/// ```no_run
/// use heroku_api::workflows::WorkflowError;
///
/// # async fn demo(client: heroku_api::Client) {
/// match client.deploy("my-app").directory("./site").run(|_| {}).await {
///     Ok(deployed) => println!("released v{}", deployed.release.version),
///     Err(WorkflowError::BuildFailed { output_tail, .. }) => {
///         eprintln!("the build failed:\n{}", output_tail.join("\n"))
///     }
///     Err(WorkflowError::Call(e)) => eprintln!("Heroku said no: {e}"),
///     Err(e) => eprintln!("{e}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorkflowError {
    /// A call to the API failed.
    #[error(transparent)]
    Call(#[from] crate::Error),
    /// A build finished with a status other than `succeeded`.
    #[error("build {build_id} {status}; last output:\n{}", output_tail.join("\n"))]
    BuildFailed {
        /// The build's id.
        build_id: String,
        /// Its final status (`failed`).
        status: String,
        /// The last lines of its output.
        output_tail: Vec<String>,
    },
    /// A release, an add-on or a domain settled in a state other than
    /// success (a failed release phase, a deprovisioned add-on, a domain
    /// whose DNS or certificate check failed).
    #[error("{what} ended {status}")]
    Failed {
        /// What was awaited (`release v12`, `add-on postgresql-curly-123`).
        what: String,
        /// The state it settled in, as Heroku names it.
        status: String,
    },
    /// A promotion finished, and at least one target did not succeed.
    #[error("the promotion failed for {} of {} targets{}", .targets.iter().filter(|t| t.status.as_str() != "succeeded").count(), .targets.len(), first_error(.targets))]
    PromotionFailed {
        /// Every target, with its status, release and error message.
        targets: Vec<PipelinePromotionTarget>,
    },
    /// A wait for the platform (a build, a release, a promotion) ran out of
    /// time. The work may still finish; check it later.
    #[error("gave up waiting for {what} after {:.0}s", waited.as_secs_f64())]
    WaitTimeout {
        /// What was awaited.
        what: String,
        /// How long the wait lasted.
        waited: Duration,
    },
    /// A file could not be read or written (packing a deploy, say).
    #[error("{context}: {source}")]
    Io {
        /// What was being done, with the path.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A config sync failed for at least one app. The report says, for
    /// every app, whether it was applied, failed (with its error) or not
    /// attempted; its `source` is the first failure.
    #[error("{}", .0.summary())]
    ConfigSync(#[source] Box<SyncReport>),
    /// The workflow was given something it cannot work with (nothing to
    /// deploy, a promotion without targets, a stage that is not one), or
    /// the platform's state does not allow it (a build that succeeded
    /// without a release). The message says which.
    #[error("{0}")]
    Invalid(String),
}

/// `: <message>` of the first failed target that has one.
fn first_error(targets: &[PipelinePromotionTarget]) -> String {
    targets
        .iter()
        .find_map(|t| t.error_message.as_deref())
        .map(|m| format!(": {m}"))
        .unwrap_or_default()
}

impl WorkflowError {
    /// The failed call, when a call is what failed.
    pub fn call(&self) -> Option<&crate::Error> {
        match self {
            WorkflowError::Call(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status of the failed call, if Heroku answered.
    pub fn status(&self) -> Option<u16> {
        self.call().and_then(crate::Error::status)
    }

    /// The request id of the failed call, to quote to Heroku support.
    pub fn request_id(&self) -> Option<&str> {
        self.call().and_then(crate::Error::request_id)
    }
}
