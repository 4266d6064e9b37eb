//! The futures and streams that endpoint requests turn into.
//!
//! Each is generic over the response type and does its typed work (decoding
//! the body, collecting pages) only inside `poll`. The crate itself therefore
//! compiles no decoding code for the operations it offers; a program compiles
//! it for the operations it actually awaits. The untyped part of a call
//! (throttle, send, retry, error mapping) is one future shared by every
//! operation.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::stream::{BoxStream, Stream};

use crate::runtime::client::Client;
use crate::runtime::decode::Decode;
use crate::runtime::error::{Error, Result};
use crate::runtime::operation::OperationInfo;
use crate::runtime::options::{Payload, RequestOptions};
use crate::runtime::pagination::Paginator;
use crate::runtime::response::{Response, ResponseMeta};

type RawFuture<'a> = Pin<Box<dyn Future<Output = Result<(ResponseMeta, Bytes)>> + Send + 'a>>;

/// The untyped state of one call.
enum Call<'a> {
    Sending {
        client: &'a Client,
        op: &'static OperationInfo,
        raw: RawFuture<'a>,
        /// The operation answers with nothing worth decoding.
        empty: bool,
    },
    /// The request could not be built (its body did not encode).
    Failed(Error),
    Done,
}

impl<'a> Call<'a> {
    fn poll_response<T: Decode>(&mut self, cx: &mut Context<'_>) -> Poll<Result<Response<T>>> {
        match std::mem::replace(self, Call::Done) {
            Call::Sending {
                client,
                op,
                mut raw,
                empty,
            } => match raw.as_mut().poll(cx) {
                Poll::Pending => {
                    *self = Call::Sending {
                        client,
                        op,
                        raw,
                        empty,
                    };
                    Poll::Pending
                }
                Poll::Ready(answer) => Poll::Ready(answer.and_then(|(mut meta, body)| {
                    let body = if empty { Bytes::new() } else { body };
                    let body = client.decode(op, &mut meta, body)?;
                    Ok(Response { body, meta })
                })),
            },
            Call::Failed(e) => Poll::Ready(Err(e)),
            Call::Done => panic!("a heroku-api response future was polled after it completed"),
        }
    }
}

/// The answer to one request, decoded as `T`: what awaiting a request, or
/// its `send()`, gives.
#[must_use = "futures do nothing unless awaited"]
pub struct ResponseFuture<'a, T> {
    call: Call<'a>,
    _out: PhantomData<fn() -> T>,
}

/// Like [`ResponseFuture`], keeping the status and headers: what a request's
/// `send_with_meta()` gives.
#[must_use = "futures do nothing unless awaited"]
pub struct FullResponseFuture<'a, T> {
    call: Call<'a>,
    _out: PhantomData<fn() -> T>,
}

impl<'a, T> ResponseFuture<'a, T> {
    #[doc(hidden)]
    pub fn new(
        client: &'a Client,
        op: &'static OperationInfo,
        path: String,
        payload: Result<Payload>,
        options: RequestOptions,
    ) -> Self {
        let call = match payload {
            Ok(payload) => Call::Sending {
                client,
                op,
                raw: Box::pin(
                    async move { client.execute(op, &path, &payload, &options, None).await },
                ),
                empty: false,
            },
            Err(e) => Call::Failed(e),
        };
        ResponseFuture {
            call,
            _out: PhantomData,
        }
    }

    /// Keeps the status and headers of the answer too.
    pub fn with_meta(self) -> FullResponseFuture<'a, T> {
        FullResponseFuture {
            call: self.call,
            _out: PhantomData,
        }
    }
}

impl<T> ResponseFuture<'_, T> {
    /// For operations whose answer carries nothing (`{}`, empty, or 204):
    /// the body is not decoded.
    pub(crate) fn ignoring_body(mut self) -> Self {
        if let Call::Sending { empty, .. } = &mut self.call {
            *empty = true;
        }
        self
    }
}

impl<T: Decode> Future for ResponseFuture<'_, T> {
    type Output = Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let this = self.get_mut();
        this.call.poll_response(cx).map_ok(Response::into_body)
    }
}

impl<T: Decode> Future for FullResponseFuture<'_, T> {
    type Output = Result<Response<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<Response<T>>> {
        self.get_mut().call.poll_response(cx)
    }
}

impl<T> fmt::Debug for ResponseFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for FullResponseFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FullResponseFuture").finish_non_exhaustive()
    }
}

enum Collect<T> {
    Start(Result<Paginator<T>>),
    Running(Pin<Box<dyn Future<Output = Result<Vec<T>>> + Send>>),
    Done,
}

/// Every item of a list, page after page: what awaiting a list request, or
/// its `send()`, gives.
#[must_use = "futures do nothing unless awaited"]
pub struct ListFuture<T> {
    state: Collect<T>,
}

impl<T> ListFuture<T> {
    #[doc(hidden)]
    pub fn new(paginator: Result<Paginator<T>>) -> Self {
        ListFuture {
            state: Collect::Start(paginator),
        }
    }
}

impl<T: Decode + Send + 'static> Future for ListFuture<T> {
    type Output = Result<Vec<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<Vec<T>>> {
        let this = self.get_mut();
        loop {
            match std::mem::replace(&mut this.state, Collect::Done) {
                Collect::Start(Ok(pager)) => this.state = Collect::Running(Box::pin(pager.all())),
                Collect::Start(Err(e)) => return Poll::Ready(Err(e)),
                Collect::Running(mut fut) => {
                    return match fut.as_mut().poll(cx) {
                        Poll::Pending => {
                            this.state = Collect::Running(fut);
                            Poll::Pending
                        }
                        Poll::Ready(out) => Poll::Ready(out),
                    };
                }
                Collect::Done => panic!("a heroku-api list future was polled after it completed"),
            }
        }
    }
}

impl<T> fmt::Debug for ListFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListFuture").finish_non_exhaustive()
    }
}

enum Items<T> {
    Start(Result<Paginator<T>>),
    Running(BoxStream<'static, Result<T>>),
    Done,
}

/// Every item of a list, lazily: a page is fetched when the stream reaches
/// it, and only one page is held at a time. What a list request's
/// `stream()` gives.
#[must_use = "streams do nothing unless polled"]
pub struct ItemStream<T> {
    state: Items<T>,
}

impl<T> ItemStream<T> {
    #[doc(hidden)]
    pub fn new(paginator: Result<Paginator<T>>) -> Self {
        ItemStream {
            state: Items::Start(paginator),
        }
    }
}

impl<T: Decode + Send + 'static> Stream for ItemStream<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        let this = self.get_mut();
        loop {
            match std::mem::replace(&mut this.state, Items::Done) {
                Items::Start(Ok(pager)) => this.state = Items::Running(pager.stream()),
                Items::Start(Err(e)) => return Poll::Ready(Some(Err(e))),
                Items::Running(mut s) => {
                    let next = s.as_mut().poll_next(cx);
                    if !matches!(next, Poll::Ready(None)) {
                        this.state = Items::Running(s);
                    }
                    return next;
                }
                Items::Done => return Poll::Ready(None),
            }
        }
    }
}

impl<T> fmt::Debug for ItemStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemStream").finish_non_exhaustive()
    }
}
