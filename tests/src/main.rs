//! The fake Heroku as a standalone server on 127.0.0.1, for curl, for
//! clients in other languages, and for trying heroku-api by hand.
//!
//! ```text
//! cargo run -p heroku-fake -- --port 5000 --token my-token
//! curl -H 'Accept: application/vnd.heroku+json; version=3' \
//!      -H 'Authorization: Bearer my-token' http://127.0.0.1:5000/apps
//! ```

use std::net::SocketAddr;
use std::process::ExitCode;

const USAGE: &str =
    "usage: heroku-fake [--port N] [--token TOKEN] [--seed N] [--rate-limit TOKENS]";

#[tokio::main]
async fn main() -> ExitCode {
    let mut config = heroku_fake::Config::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next();
        let parsed = match (arg.as_str(), value) {
            ("--port", Some(v)) => v
                .parse()
                .map(|p: u16| config.addr = SocketAddr::from(([127, 0, 0, 1], p)))
                .is_ok(),
            ("--token", Some(v)) => {
                config.token = v;
                true
            }
            ("--seed", Some(v)) => v.parse().map(|s| config.seed = s).is_ok(),
            ("--rate-limit", Some(v)) => v
                .parse()
                .map(|n: f64| {
                    config.rate_limit.capacity = n;
                    config.rate_limit.initial = n;
                })
                .is_ok(),
            _ => false,
        };
        if !parsed {
            eprintln!("{USAGE}");
            return ExitCode::FAILURE;
        }
    }
    match heroku_fake::start_with(config).await {
        Ok(fake) => {
            println!(
                "fake Heroku Platform API on {} (token {})",
                fake.base_url(),
                fake.token()
            );
            fake.serve_forever().await;
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot listen: {e}");
            ExitCode::FAILURE
        }
    }
}
