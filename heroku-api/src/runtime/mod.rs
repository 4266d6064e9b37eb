//! The hand-written runtime under the generated endpoints.

pub mod auth;
mod call;
pub mod client;
pub mod credentials;
pub mod decode;
pub mod error;
mod etag;
pub mod future;
mod handed_back;
pub mod metrics;
pub mod operation;
pub mod options;
pub mod pagination;
pub mod path;
pub mod request;
pub mod response;
pub mod retry;
mod retry_state;
pub mod serde_helpers;
pub mod transport;
