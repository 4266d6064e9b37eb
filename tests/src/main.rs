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

const USAGE: &str = "\
usage: heroku-fake [OPTIONS]

A fake Heroku Platform API on 127.0.0.1, for tests and for trying clients
by hand. SIGTERM or SIGINT (Ctrl-C) stops it: it stops accepting, and exits 0.

options:
  --port N              listen on 127.0.0.1:N (default: a free port, printed)
  --token TOKEN         the bearer token requests must carry (default: fake-heroku-token)
  --seed N              seed for ids, timestamps and faults (reproducible runs)
  --rate-limit TOKENS   the token pool's size and starting level (default: 4500)
  --not-implemented     operations the fake keeps no state for answer 501
                        instead of a body synthesised from the schema (which is
                        marked with the x-fake-heroku-synthesized header)
  -h, --help            print this help";

#[tokio::main]
async fn main() -> ExitCode {
    let mut config = heroku_fake::Config::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let parsed = match arg.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "--not-implemented" => {
                config.synthesized = heroku_fake::Synthesized::NotImplemented;
                true
            }
            "--port" => args
                .next()
                .and_then(|v| v.parse().ok())
                .map(|p: u16| config.addr = SocketAddr::from(([127, 0, 0, 1], p)))
                .is_some(),
            "--token" => args.next().map(|v| config.token = v).is_some(),
            "--seed" => args
                .next()
                .and_then(|v| v.parse().ok())
                .map(|s| config.seed = s)
                .is_some(),
            "--rate-limit" => args
                .next()
                .and_then(|v| v.parse().ok())
                .map(|n: f64| {
                    config.rate_limit.capacity = n;
                    config.rate_limit.initial = n;
                })
                .is_some(),
            _ => false,
        };
        if !parsed {
            eprintln!("heroku-fake: cannot use {arg:?} as given\n\n{USAGE}");
            return ExitCode::FAILURE;
        }
    }
    let fake = match heroku_fake::start_with(config).await {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("error: cannot listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "fake Heroku Platform API on {} (token {})",
        fake.base_url(),
        fake.token()
    );
    tokio::select! {
        () = fake.serve_forever() => ExitCode::FAILURE,
        signal = stopped() => {
            println!("{signal}: stopping");
            ExitCode::SUCCESS
        }
    }
}

/// Waits for SIGTERM (what service managers and `docker stop` send) or
/// SIGINT (Ctrl-C), and names the one that came.
async fn stopped() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = tokio::signal::ctrl_c() => "SIGINT",
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}
