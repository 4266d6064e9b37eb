//! Range-based pagination: `Range` requests, `Next-Range` cursors, and lazy
//! streams of items.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::marker::PhantomData;

use futures_util::stream::{self, BoxStream, StreamExt};

use crate::runtime::client::Client;
use crate::runtime::decode::{Decode, Deviation};
use crate::runtime::error::{Error, Result};
use crate::runtime::operation::OperationInfo;
use crate::runtime::options::{Payload, RequestOptions};
use crate::runtime::response::ResponseMeta;

/// The most items Heroku returns in one page.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Sort order of a ranged list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Ascending (the default).
    Asc,
    /// Descending.
    Desc,
}

/// The first `Range` header of a list: which field to page by, how many items
/// per page, and the order.
///
/// ```
/// use heroku_api::{Order, Range};
/// let r = Range::by("name").max(200).order(Order::Desc);
/// assert_eq!(r.to_string(), "name ..; max=200, order=desc");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    field: String,
    max: u32,
    order: Option<Order>,
}

impl Range {
    /// Pages by `field` with the largest page Heroku allows, which needs the
    /// fewest requests.
    pub fn by(field: impl Into<String>) -> Self {
        Range {
            field: field.into(),
            max: MAX_PAGE_SIZE,
            order: None,
        }
    }

    /// Items per page, clamped to 1..=1000.
    pub fn max(mut self, max: u32) -> Self {
        self.max = max.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Sort order.
    pub fn order(mut self, order: Order) -> Self {
        self.order = Some(order);
        self
    }

    /// The field the list is ranged by.
    pub fn field(&self) -> &str {
        &self.field
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ..; max={}", self.field, self.max)?;
        match self.order {
            Some(Order::Asc) => f.write_str(", order=asc"),
            Some(Order::Desc) => f.write_str(", order=desc"),
            None => Ok(()),
        }
    }
}

/// Where the next page starts: a `Next-Range` value, sent back unchanged.
/// Save it (it is a plain string) to resume a listing later.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cursor(String);

impl Cursor {
    /// A cursor from a saved `Next-Range` value.
    pub fn new(value: impl Into<String>) -> Self {
        Cursor(value.into())
    }

    /// The `Next-Range` value.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One page of a list.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page, in order.
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
    /// Status and headers of the answer, and how its body differed from
    /// the schema.
    pub meta: ResponseMeta,
}

impl<T> Page<T> {
    /// How this page's body differed from the schema; pointers are
    /// relative to the page (`/3/acm` is the fourth item's `acm`).
    pub fn deviations(&self) -> &[Deviation] {
        &self.meta.deviations
    }
}

/// A list operation ready to be paged. Get one from a list request's
/// `paginate()`.
pub struct Paginator<T> {
    client: Client,
    op: &'static OperationInfo,
    path: String,
    payload: Payload,
    options: RequestOptions,
    range: Range,
    _item: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for Paginator<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("operation", &self.op.id)
            .field("path", &self.path)
            .field("range", &self.range)
            .finish_non_exhaustive()
    }
}

impl<T: Decode + Send + 'static> Paginator<T> {
    #[doc(hidden)]
    pub fn new(
        client: &Client,
        op: &'static OperationInfo,
        path: String,
        payload: Payload,
        options: RequestOptions,
        range: Option<Range>,
    ) -> Self {
        let range = range.unwrap_or_else(|| Range::by(op.ranges.first().copied().unwrap_or("id")));
        Paginator {
            client: client.clone(),
            op,
            path,
            payload,
            options,
            range,
            _item: PhantomData,
        }
    }

    /// Fetches one page: the first when `cursor` is `None`, else the page the
    /// cursor names.
    pub async fn page(&self, cursor: Option<&Cursor>) -> Result<Page<T>> {
        let range = match cursor {
            Some(c) => c.as_str().to_string(),
            None => self.range.to_string(),
        };
        let (mut meta, body) = self
            .client
            .execute(
                self.op,
                &self.path,
                &self.payload,
                &self.options,
                Some(&range),
            )
            .await?;
        let items: Vec<T> = self.client.decode(self.op, &mut meta, body)?;
        let next = if meta.status == 206 {
            // A partial answer that does not say where the rest starts would
            // end the list early, as if it were complete.
            let next = meta
                .next_range
                .clone()
                .ok_or_else(|| Error::PaginationIncomplete {
                    request_id: meta.request_id.clone(),
                })?;
            // A cursor that names the page just fetched does not advance.
            if next.as_str() == range || items.is_empty() {
                return Err(Error::PaginationLoop {
                    cursor: next.to_string(),
                });
            }
            Some(next)
        } else {
            None
        };
        Ok(Page { items, next, meta })
    }

    /// Every item, lazily: pages are fetched as the stream is read, and only
    /// one page is held at a time. A repeated cursor ends the stream with
    /// [`Error::PaginationLoop`].
    pub fn stream(self) -> BoxStream<'static, Result<T>> {
        self.stream_from(None)
    }

    /// Like [`stream`](Self::stream), resuming at a saved cursor.
    pub fn stream_from(self, cursor: Option<Cursor>) -> BoxStream<'static, Result<T>> {
        struct State<T> {
            pager: Paginator<T>,
            next: Option<Cursor>,
            started: bool,
            buffer: VecDeque<T>,
            seen: HashSet<Cursor>,
        }
        let state = State {
            pager: self,
            started: cursor.is_some(),
            next: cursor,
            buffer: VecDeque::new(),
            seen: HashSet::new(),
        };
        stream::unfold(Some(state), |state| async move {
            let mut st = state?;
            loop {
                if let Some(item) = st.buffer.pop_front() {
                    return Some((Ok(item), Some(st)));
                }
                if st.started && st.next.is_none() {
                    return None;
                }
                let cursor = st.next.take();
                if let Some(c) = &cursor {
                    if !st.seen.insert(c.clone()) {
                        let err = Error::PaginationLoop {
                            cursor: c.to_string(),
                        };
                        return Some((Err(err), None));
                    }
                }
                st.started = true;
                match st.pager.page(cursor.as_ref()).await {
                    Ok(page) => {
                        st.buffer = page.items.into();
                        st.next = page.next;
                    }
                    Err(e) => return Some((Err(e), None)),
                }
            }
        })
        .boxed()
    }

    /// Every item of every page, collected.
    pub async fn all(self) -> Result<Vec<T>> {
        let mut out = Vec::new();
        let mut s = self.stream();
        while let Some(item) = s.next().await {
            out.push(item?);
        }
        Ok(out)
    }
}
