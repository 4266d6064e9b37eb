//! # A guide, task by task
//!
//! The ten things an integration with Heroku does, in the order it usually
//! does them. Every example here is a doc test that runs against the fake
//! Heroku (`heroku-fake`, which is also what your tests can run against);
//! the hidden lines start it and build the client. Against Heroku itself
//! only the client changes: [`Client::new`](crate::Client::new) reads
//! `HEROKU_API_KEY` (or `~/.netrc`, as the Heroku CLI does).
//!
//! Arguments take what you have: an app, pipeline, dyno size or add-on plan
//! by id or name (`"my-app"`, `app.id`, an `AppIdentity`), config vars as
//! pairs of `&str`, lists as any iterator. Each call is a value you can
//! inspect before sending it ([`Request`](crate::Request)); awaiting it
//! sends it.
//!
//! ## 1. The account
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let fake = heroku_fake::start().await?;
//! let client = heroku_api::Client::builder()
//!     .token(fake.token()) // or Client::new(), from HEROKU_API_KEY
//!     .base_url(fake.base_url())
//!     .build()?;
//! let account = client.account().info().await?;
//! println!("signed in as {}", account.email);
//! # Ok(()) }
//! ```
//!
//! ## 2. Apps
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let fake = heroku_fake::start().await?;
//! # let client = heroku_api::Client::builder().token(fake.token()).base_url(fake.base_url()).build()?;
//! let app = client.app().create().name("my-app").region("eu").await?;
//! client.app().update(&app.id).maintenance(true).await?;
//! for app in client.app().list().await? {
//!     println!("{} in {}", app.name, app.region.name);
//! }
//! # Ok(()) }
//! ```
//!
//! A list follows Heroku's pages (`Range` / `Next-Range`) for you; `.stream()`
//! gives the items as they arrive, one page in memory at a time.
//!
//! ## 3. Scaling, and one-off dynos
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let fake = heroku_fake::start().await?;
//! # let client = heroku_api::Client::builder().token(fake.token()).base_url(fake.base_url()).build()?;
//! # client.app().create().name("my-app").await?;
//! # let source = heroku_fake::tarball(&[("Procfile", "web: bin/web\nworker: bin/worker\n")])?;
//! # client.deploy("my-app").tarball(source).run(|_| {}).await?;
//! use heroku_api::formation::FormationUpdate;
//!
//! client.formation().update("my-app", "web").quantity(2).dyno_size("standard-2X").await?;
//! // Several process types in one call:
//! client
//!     .formation()
//!     .batch_update("my-app", [FormationUpdate::new("worker").quantity(1)])
//!     .await?;
//! // A one-off dyno:
//! let dyno = client.dyno().create("my-app", "bin/migrate").await?;
//! println!("started {}", dyno.name);
//! # Ok(()) }
//! ```
//!
//! ## 4. Config vars
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let fake = heroku_fake::start().await?;
//! # let client = heroku_api::Client::builder().token(fake.token()).base_url(fake.base_url()).build()?;
//! # client.app().create().name("my-app").await?;
//! client
//!     .config_var()
//!     .update("my-app", [("GREETING", Some("hello")), ("OLD_KEY", None)])
//!     .await?;
//! // Or key by key:
//! client.config_var().update("my-app", [("A", Some("1"))]).set("B", "2").unset("A").await?;
//! let vars = client.config_var().info_for_app("my-app").await?;
//! assert_eq!(vars["GREETING"], "hello");
//! # Ok(()) }
//! ```
//!
//! Each change makes a release. To keep several apps' config in step, see
//! [`Client::config_sync`](crate::Client::config_sync).
//!
//! ## 5. Builds, releases and rollback
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let fake = heroku_fake::start().await?;
//! # let client = heroku_api::Client::builder().token(fake.token()).base_url(fake.base_url()).build()?;
//! # client.app().create().name("my-app").await?;
//! # let tarball = heroku_fake::tarball(&[("Procfile", "web: bin/web\n")])?;
//! use std::time::Duration;
//!
//! // Upload the source, then build from its URL.
//! let source = client.source().create().await?;
//! client.put_presigned(&source.source_blob.put_url, tarball).await?;
//! let build = client.build().create("my-app", source.source_blob.get_url).await?;
//! let build = client
//!     .wait_for_build("my-app", &build.id, Duration::from_secs(600))
//!     .on_progress(|b| println!("build {}", b.status))
//!     .await?;
//! let release = build.release.expect("a successful build makes a release");
//! client.wait_for_release("my-app", release.id, Duration::from_secs(60)).await?;
//!
//! // Roll back to the release before it.
//! let releases = client.release().list("my-app").await?;
//! let previous = releases.iter().rev().nth(1).expect("an earlier release");
//! client.release().rollback("my-app", &previous.id).await?;
//! # Ok(()) }
//! ```
//!
//! [`Client::deploy`](crate::Client::deploy) does all of it for a directory
//! or a tarball, streaming the build's output.
//!
//! ## 6. Pipelines and promotion
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let fake = heroku_fake::start().await?;
//! # let client = heroku_api::Client::builder().token(fake.token()).base_url(fake.base_url()).build()?;
//! # let tarball = heroku_fake::tarball(&[("Procfile", "web: bin/web\n")])?;
//! use std::time::Duration;
//!
//! let staging = client.app().create().name("my-app-staging").await?;
//! let production = client.app().create().name("my-app").await?;
//! # client.deploy(&staging.id).tarball(tarball).run(|_| {}).await?;
//! let pipeline = client.pipeline().create("my-pipeline").await?;
//! client.pipeline_coupling().create(&staging.id, &pipeline.id, "staging").await?;
//! client.pipeline_coupling().create(&production.id, &pipeline.id, "production").await?;
//!
//! let promotion = client
//!     .pipeline_promotion()
//!     .create(&pipeline.id, &staging.id, [&production.id])
//!     .await?;
//! let targets = client.wait_for_promotion(&promotion.id, Duration::from_secs(600)).await?;
//! assert!(targets.iter().all(|t| t.release.is_some()));
//! # Ok(()) }
//! ```
//!
//! A target that fails makes the wait end with
//! [`WorkflowError::PromotionFailed`](crate::workflows::WorkflowError::PromotionFailed),
//! holding every target's outcome. [`Client::promote_stage`](crate::Client::promote_stage)
//! promotes a stage to the next one by name.
//!
//! ## 7. Add-ons
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let fake = heroku_fake::start().await?;
//! # let client = heroku_api::Client::builder().token(fake.token()).base_url(fake.base_url()).build()?;
//! # client.app().create().name("my-app").await?;
//! use std::time::Duration;
//!
//! let add_on = client.add_on().create("my-app", "heroku-postgresql:essential-0").await?;
//! // Add-ons provision asynchronously; their config vars come when done.
//! let add_on = client
//!     .wait_for_add_on("my-app", &add_on.id, Duration::from_secs(300))
//!     .await?;
//! println!("{} sets {}", add_on.name, add_on.config_vars.join(", "));
//! # Ok(()) }
//! ```
//!
//! ## 8. Domains and certificates
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let fake = heroku_fake::start().await?;
//! # let client = heroku_api::Client::builder().token(fake.token()).base_url(fake.base_url()).build()?;
//! # client.app().create().name("my-app").await?;
//! use std::time::Duration;
//!
//! let domain = client.domain().create("my-app", "www.example.org").await?;
//! println!("point a CNAME at {}", domain.cname.as_deref().unwrap_or("?"));
//! client.app().enable_acm("my-app").await?; // certificates from Let's Encrypt
//! let domain = client
//!     .wait_for_domain("my-app", &domain.id, Duration::from_secs(3600))
//!     .await?;
//! assert_eq!(domain.status, "succeeded");
//! # Ok(()) }
//! ```
//!
//! ## 9. Errors
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let fake = heroku_fake::start().await?;
//! # let client = heroku_api::Client::builder().token(fake.token()).base_url(fake.base_url()).build()?;
//! use heroku_api::Error;
//!
//! match client.app().info("no-such-app").await {
//!     Err(Error::Api(e)) if e.is_not_found() => {
//!         // Status, Heroku's error id and message, the request id to quote
//!         // to support, and the raw body.
//!         println!("{} {:?}: {} [{:?}]", e.status, e.id, e.message, e.request_id);
//!     }
//!     Err(e) => return Err(e.into()),
//!     Ok(app) => println!("found {}", app.name),
//! }
//! # Ok(()) }
//! ```
//!
//! Calls fail with [`Error`](crate::Error); workflows and waits with
//! [`WorkflowError`](crate::workflows::WorkflowError), whose `Call` variant
//! holds the call's error (`?` converts one into the other).
//!
//! ## 10. Rate limits
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let fake = heroku_fake::start().await?;
//! use heroku_api::{Client, RetryPolicy, Throttle};
//!
//! let client = Client::builder()
//!     .token(fake.token())
//!     .base_url(fake.base_url())
//!     // Both are on by default; these are the knobs.
//!     .retry(RetryPolicy::default().max_rate_limit_retries(8))
//!     .throttle(Throttle::default())
//!     .build()?;
//! let pool = client.rate_limit().info().await?;
//! println!("{} requests left of the account's pool", pool.remaining);
//! println!("the last answer said {:?}", client.rate_limit_remaining());
//! # Ok(()) }
//! ```
//!
//! Each account has one pool of request tokens (4,500, refilled over an
//! hour). The client paces itself as the pool runs low, so that clients
//! sharing an account slow down together, and waits out a 429 as
//! `Retry-After` says; see [`Throttle`](crate::Throttle) and
//! [`RetryPolicy`](crate::RetryPolicy).
