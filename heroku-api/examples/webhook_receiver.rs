//! A webhook receiver that verifies, decodes and reacts to releases.
//!
//! `cargo run --example webhook-receiver` runs the whole loop against the
//! embedded fake Heroku: it starts the receiver on 127.0.0.1, subscribes it
//! to `api:release` and `api:build` of a new app, deploys a sample app, and
//! reacts to the events as they arrive, then stops.
//!
//! `cargo run --example webhook-receiver -- --listen 0.0.0.0:8080` serves
//! real deliveries until stopped, checking them with the secret in
//! `HEROKU_WEBHOOK_SECRET`. Make the address reachable from the internet
//! and subscribe it with `heroku webhooks:add -i api:release -l notify -u
//! https://your.host/ -s <secret> -a your-app`.
//!
//! The server is plain hyper; with axum or any other framework the handler
//! is the same two lines: `Verifier::verify_and_decode(&headers, &body)`,
//! then match on the event's data.

mod support;

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use heroku_api::webhooks::{Action, Event, EventData, Verifier};
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// What the receiver does with a verified event: here, react to releases.
fn react(event: &Event) -> Option<String> {
    match (&event.data, &event.action) {
        (EventData::Release(r), Action::Update) if r.status.as_str() == "succeeded" => {
            Some(format!(
                "release v{} of {} is live ({}): time to tell the team",
                r.version, r.app.name, r.description
            ))
        }
        (EventData::Release(r), Action::Update) if r.status.as_str() == "failed" => Some(format!(
            "release v{} of {} failed: roll back?",
            r.version, r.app.name
        )),
        (EventData::Release(r), _) => Some(format!(
            "release v{} {}: {}",
            r.version, event.action, r.status
        )),
        (EventData::Build(b), _) => Some(format!("build {} {}: {}", b.id, event.action, b.status)),
        (EventData::Other { entity, .. }, _) => {
            Some(format!("{entity} {} (not handled)", event.action))
        }
        _ => None,
    }
}

/// Serves deliveries on `listener`: 401 for a delivery that does not verify
/// (nothing is parsed before the signature is checked), 204 otherwise.
async fn serve(
    listener: TcpListener,
    verifier: Arc<Verifier>,
    events: mpsc::UnboundedSender<Event>,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let (verifier, events) = (verifier.clone(), events.clone());
        tokio::spawn(async move {
            let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                let (verifier, events) = (verifier.clone(), events.clone());
                async move {
                    let (parts, body) = req.into_parts();
                    let body = body
                        .collect()
                        .await
                        .map(|b| b.to_bytes())
                        .unwrap_or_default();
                    let status = match verifier.verify_and_decode(&parts.headers, &body) {
                        Ok(event) => {
                            let _ = events.send(event);
                            StatusCode::NO_CONTENT
                        }
                        Err(e) => {
                            eprintln!("refused a delivery: {e}");
                            StatusCode::UNAUTHORIZED
                        }
                    };
                    let mut resp = Response::new(Full::new(Bytes::new()));
                    *resp.status_mut() = status;
                    Ok::<_, Infallible>(resp)
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if let Some(addr) = args
        .iter()
        .position(|a| a == "--listen")
        .and_then(|i| args.get(i + 1))
    {
        let secret = std::env::var("HEROKU_WEBHOOK_SECRET")
            .map_err(|_| "set HEROKU_WEBHOOK_SECRET to the subscription's secret")?;
        let listener = TcpListener::bind(addr).await?;
        println!("Receiving Heroku webhooks on {addr}; Ctrl-C stops.");
        let (tx, mut rx) = mpsc::unbounded_channel();
        tokio::spawn(serve(listener, Arc::new(Verifier::new(secret)), tx));
        while let Some(event) = rx.recv().await {
            if let Some(line) = react(&event) {
                println!("{line}");
            }
        }
        return Ok(());
    }

    // The whole loop against the embedded fake.
    let conn = support::connect().await?;
    if conn.is_real() {
        return Err(
            "against real Heroku the receiver must be reachable from the internet: use --listen"
                .into(),
        );
    }
    let client = &conn.client;
    let secret = "whsec-example-3c9e";
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/webhooks", listener.local_addr()?);
    let (tx, mut rx) = mpsc::unbounded_channel();
    tokio::spawn(serve(listener, Arc::new(Verifier::new(secret)), tx));
    println!("Receiver listening at {url}");

    let app = client.app().create().name("hooked-example").await?;
    client
        .app_webhook()
        .create(
            app.name.as_str(),
            vec!["api:release".into(), "api:build".into()],
            "notify",
            url.as_str(),
        )
        .secret(secret)
        .await?;
    println!(
        "Subscribed {url} to api:release and api:build of {}",
        app.name
    );
    let dir = support::sample_app()?;
    let deployed = client
        .deploy(app.name.as_str())
        .directory(&dir)
        .run(|_| {})
        .await?;
    println!("Deployed v{}", deployed.release.version);

    // Build create and update, release create and update.
    for _ in 0..4 {
        let event = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
            .await?
            .ok_or("the receiver stopped")?;
        if let Some(line) = react(&event) {
            println!("{line}");
        }
    }
    client.app().delete(app.name.as_str()).await?;
    Ok(())
}
