//! One request type for every operation.
//!
//! Each generated operation is plain data (its path parameters and body or
//! query fields) and an implementation of [`Operation`]: its output type,
//! its static facts ([`OperationInfo`]: method, href template, stability,
//! pagination) and how its path is written. Everything else, sending,
//! options, `send_with_meta`, `IntoFuture`, pages and streams, is written
//! once here, in [`Request`] (one answer) and [`ListRequest`] (a list that
//! follows `Next-Range`).
//!
//! An operation is a value you can build, inspect and test without a
//! client:
//!
//! ```
//! # #[cfg(feature = "app")] {
//! use heroku_api::{app, Operation};
//!
//! let update = app::requests::Update::new("my-app").maintenance(true);
//! assert_eq!(update.path(), "/apps/my-app");
//! assert_eq!(app::requests::Update::INFO.id, "app.update");
//! assert_eq!(serde_json::to_value(&update).unwrap(), serde_json::json!({"maintenance": true}));
//! # }
//! ```

use std::fmt;
use std::future::IntoFuture;

use crate::runtime::client::Client;
use crate::runtime::decode::Decode;
use crate::runtime::error::Result;
use crate::runtime::future::{FullResponseFuture, ItemStream, ListFuture, ResponseFuture};
use crate::runtime::operation::OperationInfo;
use crate::runtime::options::{Payload, RequestOptions};
use crate::runtime::pagination::{Paginator, Range};

/// How an operation's data travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyKind {
    /// No body and no query string: everything is in the path.
    None,
    /// The operation's serialized form is the JSON body.
    Json,
    /// The operation's serialized form is the query string (a `GET` whose
    /// link has a schema).
    Query,
}

/// One Heroku operation: generated for each link of the schema.
///
/// The serialized form of an operation is what it sends (the body or the
/// query string, as [`BODY`](Self::BODY) says); path parameters are not part
/// of it.
pub trait Operation: serde::Serialize + Sized + Send + Sync + 'static {
    /// What awaiting the operation's request gives. For a list, one page's
    /// items; [`ListRequest`] collects every page.
    type Output: Decode + Send + 'static;
    /// Static facts: id, method, href template, stability, pagination.
    const INFO: &'static OperationInfo;
    /// How the operation's data is sent.
    const BODY: BodyKind;
    /// The operation answers with nothing worth decoding (`{}`, an empty
    /// body or `204`).
    const ANSWERS_NOTHING: bool = false;

    /// The request path, each parameter percent-encoded.
    fn path(&self) -> String;

    /// The body or query string of the request.
    #[doc(hidden)]
    fn payload(&self) -> Result<Payload> {
        match Self::BODY {
            BodyKind::None => Ok(Payload::none()),
            BodyKind::Json => Payload::json(self),
            BodyKind::Query => Payload::query(self),
        }
    }
}

/// An operation whose answer is a list that follows `Range` / `Next-Range`.
pub trait Paginated: Operation<Output = Vec<Self::Item>> {
    /// One item of the list.
    type Item: Decode + Send + 'static;
}

/// An operation bound to a client, with per-request options: awaiting it
/// sends it. From a resource handle (`client.app().info("my-app")`) or
/// [`Client::request`].
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct Request<'a, O> {
    client: &'a Client,
    operation: O,
    options: RequestOptions,
}

/// A list operation bound to a client: awaiting it collects every page;
/// [`stream`](Self::stream) and [`paginate`](Self::paginate) hold one page
/// at a time. From a resource handle (`client.app().list()`) or
/// [`Client::list`].
#[must_use = "a request does nothing until it is sent or awaited"]
pub struct ListRequest<'a, O> {
    /// The operation, client and options, as for any request.
    request: Request<'a, O>,
    range: Option<Range>,
}

impl Client {
    /// Binds an operation to this client. For a list this sends one request,
    /// so it gives the first page only; [`Client::list`] follows
    /// `Next-Range`.
    pub fn request<O: Operation>(&self, operation: O) -> Request<'_, O> {
        Request {
            client: self,
            operation,
            options: RequestOptions::new(),
        }
    }

    /// Binds a list operation to this client.
    pub fn list<O: Paginated>(&self, operation: O) -> ListRequest<'_, O> {
        ListRequest {
            request: self.request(operation),
            range: None,
        }
    }
}

impl<'a, O: Operation> Request<'a, O> {
    /// The operation this request sends.
    pub fn operation(&self) -> &O {
        &self.operation
    }

    /// The operation, unbound from the client.
    pub fn into_operation(self) -> O {
        self.operation
    }

    /// Changes the operation in place: what each generated setter does.
    pub fn map(mut self, change: impl FnOnce(O) -> O) -> Self {
        self.operation = change(self.operation);
        self
    }

    /// Per-request options: extra headers (a two-factor code), the
    /// `Accept` variant, extra query parameters, the retry policy,
    /// timeouts.
    pub fn with_options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }

    /// Sends the request when awaited, as awaiting the request itself does.
    pub fn send(self) -> ResponseFuture<'a, O::Output> {
        let path = self.operation.path();
        let payload = self.operation.payload();
        let future = ResponseFuture::new(self.client, O::INFO, path, payload, self.options);
        if O::ANSWERS_NOTHING {
            future.ignoring_body()
        } else {
            future
        }
    }

    /// Sends the request when awaited, and keeps the status and headers of
    /// the answer.
    pub fn send_with_meta(self) -> FullResponseFuture<'a, O::Output> {
        self.send().with_meta()
    }
}

impl<'a, O: Operation> IntoFuture for Request<'a, O> {
    type Output = Result<O::Output>;
    type IntoFuture = ResponseFuture<'a, O::Output>;

    fn into_future(self) -> Self::IntoFuture {
        self.send()
    }
}

impl<'a, O: Paginated> ListRequest<'a, O> {
    /// The operation this request sends.
    pub fn operation(&self) -> &O {
        self.request.operation()
    }

    /// The operation, unbound from the client.
    pub fn into_operation(self) -> O {
        self.request.into_operation()
    }

    /// Changes the operation in place: what each generated setter does.
    pub fn map(mut self, change: impl FnOnce(O) -> O) -> Self {
        self.request = self.request.map(change);
        self
    }

    /// Per-request options, as for [`Request::with_options`].
    pub fn with_options(mut self, options: RequestOptions) -> Self {
        self.request = self.request.with_options(options);
        self
    }

    /// Pages through the list from the start, or from this `Range`.
    pub fn range(mut self, range: Range) -> Self {
        self.range = Some(range);
        self
    }

    /// A [`Paginator`] for page-level access and resumable cursors.
    pub fn paginate(self) -> Result<Paginator<O::Item>> {
        let Request {
            client,
            operation,
            options,
        } = self.request;
        let path = operation.path();
        let payload = operation.payload()?;
        Ok(Paginator::new(
            client,
            O::INFO,
            path,
            payload,
            options,
            self.range,
        ))
    }

    /// Every item, lazily, following `Next-Range` page by page; one page is
    /// held at a time.
    pub fn stream(self) -> ItemStream<O::Item> {
        ItemStream::new(self.paginate())
    }

    /// Collects every page when awaited, as awaiting the request itself
    /// does. The future is `Send` and owns what it needs.
    pub fn send(self) -> ListFuture<O::Item> {
        ListFuture::new(self.paginate())
    }
}

impl<'a, O: Paginated> IntoFuture for ListRequest<'a, O> {
    type Output = Result<Vec<O::Item>>;
    type IntoFuture = ListFuture<O::Item>;

    fn into_future(self) -> Self::IntoFuture {
        self.send()
    }
}

impl<O> Clone for Request<'_, O>
where
    O: Clone,
{
    fn clone(&self) -> Self {
        Request {
            client: self.client,
            operation: self.operation.clone(),
            options: self.options.clone(),
        }
    }
}

impl<O> Clone for ListRequest<'_, O>
where
    O: Clone,
{
    fn clone(&self) -> Self {
        ListRequest {
            request: self.request.clone(),
            range: self.range.clone(),
        }
    }
}

/// Names the operation and its path; the body is left out, as it may hold
/// secrets (the operation's own `Debug` redacts them).
impl<O: Operation> fmt::Debug for Request<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("operation", &O::INFO.id)
            .field("method", &O::INFO.method)
            .field("path", &self.operation.path())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Names the operation, its path and range; the query is left out.
impl<O: Paginated> fmt::Debug for ListRequest<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListRequest")
            .field("operation", &O::INFO.id)
            .field("path", &self.request.operation.path())
            .field("range", &self.range)
            .field("options", &self.request.options)
            .finish_non_exhaustive()
    }
}
