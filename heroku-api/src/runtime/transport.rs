//! How requests reach the network.

use std::future::Future;
use std::pin::Pin;

/// A future returned by [`Transport::send`].
pub type SendFuture = Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send>>;

/// Sends one HTTP request. The default is the client's `reqwest::Client`;
/// plug in your own (see [`ClientBuilder::transport`](crate::ClientBuilder::transport))
/// to record, replay or simulate traffic. It sees every attempt, retries
/// included, after the runtime has added its headers.
///
/// A transport can build its answers from `http::Response`s:
/// `reqwest::Response::from(http::Response::new(body))`.
pub trait Transport: Send + Sync + 'static {
    /// Sends the request and returns the response (its body may still be
    /// streaming).
    fn send(&self, request: reqwest::Request) -> SendFuture;
}

impl Transport for reqwest::Client {
    fn send(&self, request: reqwest::Request) -> SendFuture {
        Box::pin(self.execute(request))
    }
}
