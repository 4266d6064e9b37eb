//! Promote a pipeline's staging app to production and report each target.
//!
//! `cargo run --example promote [-- --real --pipeline NAME]`.

mod support;

use std::time::Duration;

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
    let result = client
        .promote_stage(&pipeline, "staging", Duration::from_secs(600))
        .await?;
    for t in &result.targets {
        let app = client.app().info(t.app_id.as_str()).await?;
        match &t.release_id {
            Some(r) => println!("  {:<20} {} (release {r})", app.name, t.status),
            None => println!(
                "  {:<20} {} {}",
                app.name,
                t.status,
                t.error_message.clone().unwrap_or_default()
            ),
        }
    }
    println!(
        "{}",
        if result.succeeded() {
            "All targets promoted."
        } else {
            "Some targets failed."
        }
    );
    Ok(())
}
