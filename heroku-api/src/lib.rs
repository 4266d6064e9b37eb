//! A typed client for the [Heroku Platform API](https://devcenter.heroku.com/articles/platform-api-reference),
//! generated from Heroku's published JSON hyper-schema.
//!
//! Every link of the schema is a typed endpoint: one module per resource
//! ([`app`], [`config_var`], [`formation`], ...), each with its models and a
//! handle reached from the [`Client`] (`client.app()`, `client.config_var()`).
//! Required parameters go in the call, optional ones are chained setters, and
//! a request is sent by awaiting it (or calling `send()`).
//!
//! ```
//! # #[cfg(not(all(feature = "app", feature = "config-var", feature = "release")))]
//! # fn main() {}
//! # #[cfg(all(feature = "app", feature = "config-var", feature = "release"))]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> heroku_api::Result<()> {
//! use futures_util::TryStreamExt;
//!
//! # let fake = heroku_fake::start().await.unwrap();
//! // Against Heroku: `Client::new()?` reads HEROKU_API_KEY, then ~/.netrc.
//! // Here, against the fake Heroku that ships with this crate's tests:
//! let client = heroku_api::Client::builder()
//!     .token(fake.token())
//!     .base_url(fake.base_url())
//!     .build()?;
//!
//! let app = client.app().create().name("my-app").region("eu").await?;
//! client
//!     .config_var()
//!     .update(&app.id, [("GREETING", Some("hello"))])
//!     .await?;
//!
//! // Lists follow `Next-Range` lazily, a page at a time.
//! let mut apps = client.app().list().stream();
//! while let Some(app) = apps.try_next().await? {
//!     println!("{}", app.name);
//! }
//! assert_eq!(client.release().list("my-app").await?.len(), 2);
//! # Ok(()) }
//! ```
//!
//! Under the endpoints, the runtime:
//! - sends `Accept: application/vnd.heroku+json; version=3`, a bearer token
//!   (never logged, never sent to another host), and a `Request-Id`;
//! - follows `Next-Range` lazily for every list ([`Paginator`]);
//! - paces requests as `RateLimit-Remaining` runs low ([`Throttle`]), retries
//!   429s for every method and gateway errors only for idempotent ones
//!   ([`RetryPolicy`]);
//! - returns one [`Error`] type carrying Heroku's error id, message, URL,
//!   request id and the raw body;
//! - decodes what Heroku really sends, not only what its schema says: a
//!   field missing, `null`, of another JSON type or outside an enum's values
//!   decodes to a documented fallback and is recorded as a [`Deviation`]
//!   with its JSON pointer ([`ResponseMeta::deviations`], a `tracing`
//!   warning), or fails the call with
//!   [`ClientBuilder::strict_decoding`]. See [`decode`].
//!
//! [`workflows`] builds deploys, promotions, config sync, waits for builds,
//! releases, promotions, add-ons and domains, and log tails on top. The
//! [`guide`] walks through the tasks of an integration in order, each with an
//! example that runs against the fake. The operation table is
//! [`operations::OPERATIONS`].

#![warn(missing_docs)]
#![allow(clippy::large_enum_variant)]

extern crate self as heroku_api;

// Generated code is formatted by prettyplease, not rustfmt.
#[rustfmt::skip]
mod generated;
#[cfg(all(feature = "full", feature = "workflows"))]
pub mod guide;
mod runtime;
#[cfg(feature = "webhooks")]
pub mod webhooks;
#[cfg(feature = "workflows")]
pub mod workflows;

pub use generated::*;
pub use runtime::auth::{Token, TokenSource, TOKEN_ENV};
pub use runtime::client::{
    Client, ClientBuilder, DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_BASE_URL, DEFAULT_TIMEOUT,
    DEFAULT_VARIANT,
};
pub use runtime::credentials::{
    CredentialContext, CredentialProvider, OAuthRefresh, StaticToken, TokenFuture,
};
pub use runtime::decode;
pub use runtime::decode::{Deviation, DeviationKind};
pub use runtime::error::{
    ApiError, DecodeError, Error, ErrorId, RateLimitedError, Result, WaitingFor,
};
pub use runtime::future::{FullResponseFuture, ItemStream, ListFuture, ResponseFuture};
pub use runtime::metrics::{FailureCounts, MetricsSnapshot};
pub use runtime::operation::{Method, OperationInfo, Stability};
pub use runtime::options::RequestOptions;
pub use runtime::pagination::{Cursor, Order, Page, Paginator, Range, MAX_PAGE_SIZE};
pub use runtime::request::{BodyKind, ListRequest, Operation, Paginated, Request};
pub use runtime::response::{Response, ResponseMeta, DEFAULT_MAX_BODY_BYTES};
pub use runtime::retry::{PollPolicy, RetryPolicy, Throttle, MAX_RETRY_AFTER};
pub use runtime::transport::{SendFuture, Transport};

/// The README's examples, compiled as doc tests.
#[cfg(all(doctest, feature = "full", feature = "workflows"))]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// Items the generated code uses; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::runtime::decode::{
        deserialize, enum_value, field, identity_value, non_null_field, object, DecodeContext,
        Fields, Seen,
    };
    pub use crate::runtime::options::Payload;
    pub use crate::runtime::path::{is_uuid, segment};
    pub use crate::runtime::serde_helpers::{skip_value, Key, Redacted};
}
