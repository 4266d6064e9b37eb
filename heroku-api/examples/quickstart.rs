//! The whole tour: account, app, config, deploy, scale, releases and
//! rollback, pipeline and promotion, add-on, domain, rate-limit status.
//! Every call is the generated one, in the shortest form it takes.
//!
//! `cargo run --example quickstart` runs it against the embedded fake
//! Heroku; `cargo run --example quickstart -- --real` against your account.

mod support;

use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let conn = support::connect().await?;
    let client = &conn.client;

    println!("\n1. Account");
    let account = client.account().info().await?;
    println!("   signed in as {}", account.email);

    println!("\n2. Create an app");
    let staging = support::app_name(&conn, "quickstart-staging");
    let app = client
        .app()
        .create()
        .name(staging.as_str())
        .region("us")
        .await?;
    println!("   created {} ({})", app.name, app.id);

    println!("\n3. Config vars");
    let config = client
        .config_var()
        .update(
            app.id.as_str(),
            [("GREETING", Some("hello")), ("LOG_LEVEL", Some("info"))],
        )
        .await?;
    println!(
        "   {} config vars set: {}",
        config.len(),
        config.keys().cloned().collect::<Vec<_>>().join(", ")
    );

    println!("\n4. Deploy a directory (build output streams as it arrives)");
    let dir = support::sample_app()?;
    let deployed = client
        .deploy(app.id.as_str())
        .directory(&dir)
        .run(|line| println!("   | {line}"))
        .await?;
    println!(
        "   build {} {}, release v{}",
        deployed.build.id, deployed.build.status, deployed.release.version
    );

    println!("\n5. Scale");
    let web = client
        .formation()
        .update(app.id.as_str(), "web")
        .quantity(1)
        .dyno_size("Basic")
        .await?;
    println!("   {} x{} ({})", web.type_, web.quantity, web.size);

    println!("\n6. Releases, and a rollback");
    let releases = client.release().list(app.id.as_str()).await?;
    for r in &releases {
        println!("   v{} {} ({})", r.version, r.description, r.status);
    }
    let previous = releases.len() as i64 - 1;
    let rollback = client
        .rollback_to_version(app.id.as_str(), previous)
        .await?;
    println!(
        "   rolled back: v{} \"{}\"",
        rollback.version, rollback.description
    );
    let forward = client
        .rollback_to_version(app.id.as_str(), deployed.release.version)
        .await?;
    println!(
        "   and forward again: v{} \"{}\"",
        forward.version, forward.description
    );

    println!("\n7. A pipeline, and a promotion from staging to production");
    let production = client
        .app()
        .create()
        .name(support::app_name(&conn, "quickstart-production"))
        .await?;
    let pipeline = client
        .pipeline()
        .create(support::app_name(&conn, "quickstart"))
        .await?;
    let pipeline_id = pipeline.id.clone();
    client
        .pipeline_coupling()
        .create(app.id.as_str(), pipeline_id.as_str(), "staging")
        .await?;
    client
        .pipeline_coupling()
        .create(production.id.as_str(), pipeline_id.as_str(), "production")
        .await?;
    let promotion = client
        .promote_stage(&pipeline_id, "staging", Duration::from_secs(300))
        .await?;
    for t in &promotion.targets {
        let target = client.app().info(t.app.id.as_str()).await?;
        println!("   {} -> {}", target.name, t.status);
    }

    println!("\n8. An add-on");
    let addon = client
        .add_on()
        .create(app.id.as_str(), "heroku-postgresql:essential-0")
        .await?;
    // Add-ons provision asynchronously; their config vars come when done.
    let addon = client
        .wait_for_add_on(app.id.as_str(), addon.id.as_str(), Duration::from_secs(300))
        .await?;
    println!(
        "   {} {}, attached as {}",
        addon.name,
        addon.state,
        addon.config_vars.join(", ")
    );

    println!("\n9. A domain");
    let domain = client
        .domain()
        .create(app.id.as_str(), "www.example.com")
        .await?;
    println!(
        "   {} -> point a CNAME at {}",
        domain.hostname,
        domain.cname.clone().unwrap_or_default()
    );
    if conn.fake.is_some() {
        // On Heroku this waits for your DNS; the fake sets it up at once.
        let domain = client
            .wait_for_domain(app.id.as_str(), domain.id.as_str(), Duration::from_secs(60))
            .await?;
        println!("   {} {}", domain.hostname, domain.status);
    }

    println!("\n10. Rate-limit status");
    let limit = client.rate_limit().info().await?;
    println!(
        "   {} requests left in the pool (last response said {:?})",
        limit.remaining,
        client.rate_limit_remaining()
    );

    println!("\n11. Clean up");
    client.pipeline().delete(pipeline_id.as_str()).await?;
    for name in [app.id.as_str(), production.id.as_str()] {
        let deleted = client.app().delete(name).await?;
        println!("   deleted {}", deleted.name);
    }
    let _ = std::fs::remove_dir_all(dir);
    println!("\nDone.");
    Ok(())
}
