//! Sync over HTTP: the city hub's endpoints and the device's client.
//!
//! The message types ([`messages`]) are always compiled, so the hub (which has no use for an
//! HTTP client) and the device agree on them from one definition. The client — tokio +
//! reqwest with rustls, retries with back-off, resumable photo transfer — needs the `http`
//! cargo feature.
//!
//! Every body is postcard bytes (`application/octet-stream`) wrapped in a
//! [`SignedRequest`](super::wire::SignedRequest), so the hub knows who asks before it reads
//! what; errors come back as JSON ([`messages::ErrorBody`]) with a stable code and both
//! languages.

pub mod messages;

#[cfg(feature = "http")]
mod access;
#[cfg(feature = "http")]
mod blob_transfer;
#[cfg(feature = "http")]
mod cancel;
#[cfg(feature = "http")]
mod client;
#[cfg(feature = "http")]
mod report;
#[cfg(feature = "http")]
mod transport;

#[cfg(feature = "http")]
pub use access::DeviceAccess;
#[cfg(feature = "http")]
pub use cancel::CancelToken;
#[cfg(feature = "http")]
pub use client::{HubClient, sync_with_hub};
#[cfg(feature = "http")]
pub use report::{SyncPhase, SyncReport};
#[cfg(feature = "http")]
pub use transport::HttpOptions;
