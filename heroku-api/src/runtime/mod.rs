//! The hand-written runtime under the generated endpoints.

pub mod auth;
pub mod client;
pub mod credentials;
pub mod decode;
pub mod error;
mod etag;
pub mod future;
mod handed_back;
pub mod metrics;
pub mod pagination;
pub mod path;
pub mod request;
pub mod retry;
pub mod serde_helpers;
pub mod transport;
