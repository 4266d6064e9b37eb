//! Promote through a pipeline and report each target's result.

use std::future::IntoFuture;
use std::time::Duration;

use crate::pipeline_promotion::{
    PipelinePromotionCreatePipeline, PipelinePromotionCreateSource,
    PipelinePromotionCreateSourceApp, PipelinePromotionCreateTarget,
    PipelinePromotionCreateTargetApp,
};
use crate::pipeline_promotion_target::PipelinePromotionTarget;
use crate::workflows::{deadline_after, poll_until, WorkflowError};
use crate::{Client, Result};

/// The order of pipeline stages.
const STAGES: &[&str] = &["review", "development", "staging", "production"];

/// How one target app fared in a promotion.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TargetResult {
    /// The target app's id.
    pub app_id: String,
    /// `succeeded` or `failed`.
    pub status: String,
    /// The release the promotion created on the target, if any.
    pub release_id: Option<String>,
    /// Why the target failed, when it did.
    pub error_message: Option<String>,
}

/// The outcome of a promotion.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PromotionResult {
    /// The promotion's id.
    pub promotion_id: String,
    /// One result per target app.
    pub targets: Vec<TargetResult>,
}

impl PromotionResult {
    /// True when every target succeeded.
    pub fn succeeded(&self) -> bool {
        !self.targets.is_empty() && self.targets.iter().all(|t| t.status == "succeeded")
    }
}

impl Client {
    /// Promotes the current release of `source_app_id` to `target_app_ids`
    /// in a pipeline, then polls the targets until none is pending and
    /// reports each one ([`WorkflowError::WaitTimeout`] if `timeout` passes first).
    pub async fn promote(
        &self,
        pipeline_id: &str,
        source_app_id: &str,
        target_app_ids: &[&str],
        timeout: Duration,
    ) -> Result<PromotionResult, WorkflowError> {
        if target_app_ids.is_empty() {
            return Err(WorkflowError::Invalid(
                "a promotion needs at least one target app".into(),
            ));
        }
        let targets = target_app_ids
            .iter()
            .map(|id| {
                PipelinePromotionCreateTarget::new().app(PipelinePromotionCreateTargetApp::new(*id))
            })
            .collect();
        let promotion = self
            .pipeline_promotion()
            .create(
                PipelinePromotionCreatePipeline::new(pipeline_id),
                PipelinePromotionCreateSource::new()
                    .app(PipelinePromotionCreateSourceApp::new(source_app_id)),
                targets,
            )
            .await?;
        let promotion_id = promotion.id.as_str();
        let targets = poll_until(
            self,
            deadline_after(timeout),
            || format!("promotion {promotion_id} to finish"),
            || {
                self.pipeline_promotion_target()
                    .list(promotion_id)
                    .into_future()
            },
            |targets: &Vec<PipelinePromotionTarget>| {
                !targets.iter().any(|t| t.status.as_str() == "pending")
            },
        )
        .await?;
        Ok(PromotionResult {
            promotion_id: promotion.id.clone(),
            targets: targets
                .into_iter()
                .map(|t| TargetResult {
                    app_id: t.app.id.clone(),
                    status: t.status.as_str().to_string(),
                    release_id: t.release.map(|r| r.id),
                    error_message: t.error_message,
                })
                .collect(),
        })
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
        let target_refs: Vec<&str> = targets.iter().map(String::as_str).collect();
        self.promote(&pipeline_id, source, &target_refs, timeout)
            .await
    }
}
