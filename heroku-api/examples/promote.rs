//! Promote a pipeline's staging app to production and report each target.
//!
//! `cargo run --example promote [-- --real --pipeline NAME]`.

mod support;

use std::time::Duration;

use heroku_api::workflows::WorkflowError;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let conn = support::connect().await?;
    let client = &conn.client;
    let args: Vec<String> = std::env::args().collect();
    let pipeline = match args
        .iter()
        .position(|a| a == "--pipeline")
        .and_then(|i| args.get(i + 1))
    {
        Some(p) => p.clone(),
        None if conn.is_real() => {
            return Err("with --real, name the pipeline: --pipeline NAME".into())
        }
        None => {
            // A pipeline with a deployed staging app and two production apps.
            let staging = client.app().create().name("promote-staging").await?;
            client
                .deploy(staging.id.as_str())
                .directory(support::sample_app()?)
                .run(|_| {})
                .await?;
            let pipeline = client.pipeline().create("promote-demo").await?;
            let id = pipeline.id.clone();
            client
                .pipeline_coupling()
                .create("promote-staging", id.as_str(), "staging")
                .await?;
            for name in ["promote-prod-eu", "promote-prod-us"] {
                client.app().create().name(name).await?;
                client
                    .pipeline_coupling()
                    .create(name, id.as_str(), "production")
                    .await?;
            }
            id
        }
    };
    println!("Promoting staging -> production in pipeline {pipeline}");
    // Every target succeeded, or the error says which did not and why.
    match client
        .promote_stage(&pipeline, "staging", Duration::from_secs(600))
        .await
    {
        Ok(result) => {
            for t in &result.targets {
                let app = client.app().info(t.app.id.as_str()).await?;
                let release = t.release.as_ref().map(|r| r.id.as_str());
                println!(
                    "  {:<20} {} (release {})",
                    app.name,
                    t.status,
                    release.unwrap_or("?")
                );
            }
            println!("All targets promoted.");
        }
        Err(WorkflowError::PromotionFailed { targets }) => {
            for t in &targets {
                let why = t.error_message.as_deref().unwrap_or_default();
                println!("  {:<20} {} {why}", t.app.id, t.status);
            }
            println!("Some targets failed.");
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
