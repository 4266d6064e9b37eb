//! Keep config vars in sync across environments: a dry run shows the diff
//! with values masked, then the apply sends one PATCH per app.
//!
//! `cargo run --example config-sync [-- --real --apps a,b]`.

mod support;

use std::collections::BTreeMap;

use heroku_api::workflows::SyncOptions;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let conn = support::connect().await?;
    let client = &conn.client;
    let args: Vec<String> = std::env::args().collect();
    let apps: Vec<String> = match args
        .iter()
        .position(|a| a == "--apps")
        .and_then(|i| args.get(i + 1))
    {
        Some(list) => list.split(',').map(str::to_string).collect(),
        None if conn.is_real() => {
            return Err("with --real, name the apps: --apps staging,production".into())
        }
        None => {
            // Two apps that have drifted apart.
            for (name, vars) in [
                (
                    "sync-staging",
                    [
                        ("API_URL", "https://staging.example.com"),
                        ("OLD_FLAG", "1"),
                    ],
                ),
                (
                    "sync-production",
                    [
                        ("API_URL", "https://example.com"),
                        ("SECRET_KEY", "s3cr3t-v1"),
                    ],
                ),
            ] {
                client.app().create().name(name).await?;
                let vars = vars.map(|(k, v)| (k, Some(v)));
                client.config_var().update(name, vars).await?;
            }
            vec!["sync-staging".into(), "sync-production".into()]
        }
    };
    let targets: Vec<&str> = apps.iter().map(String::as_str).collect();
    let desired: BTreeMap<String, String> = [
        ("API_URL", "https://api.example.com"),
        ("SECRET_KEY", "s3cr3t-v2"),
        ("FEATURE_X", "on"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();

    let options = SyncOptions::new().remove_extra(true).keep(["DATABASE_URL"]);
    println!("\nDry run (values masked):");
    let planned = client
        .config_sync(&desired, &targets, &options.clone().dry_run(true))
        .await?;
    for diff in planned.diffs() {
        print!("{diff}");
    }
    println!("\nApplying:");
    let before = conn.fake.as_ref().map(|f| f.requests().len());
    // On a failure, `WorkflowError::ConfigSync` carries the same report: which
    // apps were applied, which failed and why, which were not attempted.
    let report = client.config_sync(&desired, &targets, &options).await?;
    print!("{report}");
    if let (Some(fake), Some(before)) = (&conn.fake, before) {
        let patches = fake.requests()[before..]
            .iter()
            .filter(|r| r.method == "PATCH")
            .count();
        println!("\n{patches} PATCH request(s) sent, one per app that needed a change.");
    }
    println!("\nAfter:");
    for app in &targets {
        let vars = client.config_var().info_for_app(*app).await?;
        println!(
            "  {app}: {}",
            vars.keys().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    Ok(())
}
