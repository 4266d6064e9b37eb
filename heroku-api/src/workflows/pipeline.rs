//! Promote through a pipeline and report each target's result.

use std::time::Duration;

use crate::app::AppIdentity;
use crate::pipeline::PipelineIdentity;
use crate::pipeline_promotion::PipelinePromotion;
use crate::pipeline_promotion_target::PipelinePromotionTarget;
use crate::workflows::WorkflowError;
use crate::Client;

/// The order of pipeline stages.
const STAGES: &[&str] = &["review", "development", "staging", "production"];

/// A finished promotion: every target succeeded (a failed one is
/// [`WorkflowError::PromotionFailed`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PromotionResult {
    /// The promotion as created.
    pub promotion: PipelinePromotion,
    /// One per target app, each with the release it created.
    pub targets: Vec<PipelinePromotionTarget>,
}

impl Client {
    /// Promotes the current release of `source_app` to `target_apps` in a
    /// pipeline, then waits until no target is pending
    /// ([`wait_for_promotion`](Client::wait_for_promotion)): the result
    /// when every target succeeded, [`WorkflowError::PromotionFailed`] with
    /// each target's outcome when one did not, and
    /// [`WorkflowError::WaitTimeout`] if `timeout` passes first. Heroku's
    /// promotion takes the pipeline's and the apps' ids.
    pub async fn promote(
        &self,
        pipeline: impl Into<PipelineIdentity>,
        source_app: impl Into<AppIdentity>,
        target_apps: impl IntoIterator<Item = impl Into<AppIdentity>>,
        timeout: Duration,
    ) -> Result<PromotionResult, WorkflowError> {
        let targets: Vec<AppIdentity> = target_apps.into_iter().map(Into::into).collect();
        if targets.is_empty() {
            return Err(WorkflowError::Invalid(
                "a promotion needs at least one target app".into(),
            ));
        }
        let promotion = self
            .pipeline_promotion()
            .create(pipeline.into(), source_app.into(), targets)
            .await?;
        let targets = self
            .wait_for_promotion(promotion.id.as_str(), timeout)
            .await?;
        Ok(PromotionResult { promotion, targets })
    }

    /// Promotes the app in `from_stage` of a pipeline to every app of the
    /// next stage that has apps (review → development → staging →
    /// production).
    pub async fn promote_stage(
        &self,
        pipeline: &str,
        from_stage: &str,
        timeout: Duration,
    ) -> Result<PromotionResult, WorkflowError> {
        let couplings = self.pipeline_coupling().list_by_pipeline(pipeline).await?;
        let app_in = |stage: &str| -> Vec<String> {
            couplings
                .iter()
                .filter(|c| c.stage.as_str() == stage && !c.app.id.is_empty())
                .map(|c| c.app.id.clone())
                .collect()
        };
        let sources = app_in(from_stage);
        let [source] = sources.as_slice() else {
            return Err(WorkflowError::Invalid(format!(
                "stage `{from_stage}` of pipeline {pipeline} has {} apps; promotion needs exactly one",
                sources.len()
            )));
        };
        let position = STAGES
            .iter()
            .position(|s| *s == from_stage)
            .ok_or_else(|| {
                WorkflowError::Invalid(format!(
                    "`{from_stage}` is not a stage ({})",
                    STAGES.join(", ")
                ))
            })?;
        let targets = STAGES[position + 1..]
            .iter()
            .map(|s| app_in(s))
            .find(|apps| !apps.is_empty())
            .ok_or_else(|| {
                WorkflowError::Invalid(format!("no stage after `{from_stage}` has apps"))
            })?;
        let pipeline_id = couplings
            .iter()
            .map(|c| c.pipeline.id.clone())
            .find(|id| !id.is_empty())
            .unwrap_or_else(|| pipeline.to_string());
        self.promote(pipeline_id, source.as_str(), targets, timeout)
            .await
    }
}
