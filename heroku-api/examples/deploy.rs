//! Deploy a directory to an app, streaming the build output.
//!
//! `cargo run --example deploy [-- DIR] [--app NAME] [--real]`. Without a
//! directory it deploys a small sample app; on the fake it creates the app.

mod support;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let conn = support::connect().await?;
    let client = &conn.client;
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--real").collect();
    let app_flag = args
        .iter()
        .position(|a| a == "--app")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let dir = match args
        .iter()
        .find(|a| !a.starts_with("--") && Some(*a) != app_flag.as_ref())
    {
        Some(d) => std::path::PathBuf::from(d),
        None => support::sample_app()?,
    };

    let app = match app_flag {
        Some(name) => client.app().info(name.as_str()).await?,
        None if conn.is_real() => {
            return Err("with --real, name the app to deploy to: --app NAME".into());
        }
        None => client.app().create().name("deploy-demo").await?,
    };
    println!("Deploying {} to {}", dir.display(), app.name);
    let deployed = client
        .deploy(app.id.as_str())
        .directory(&dir)
        .ignore(["target", "node_modules", "*.log"])
        .run(|line| println!("remote: {line}"))
        .await?;
    println!(
        "Released v{} ({})",
        deployed.release.version, deployed.release.status
    );
    Ok(())
}
