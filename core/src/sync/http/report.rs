//! What an HTTP sync has done: the protocol's progress plus what the network carried, for a
//! progress bar while it runs and a summary (and bytes-per-edit figures) when it ends.

use serde::Serialize;

use super::super::Progress;

/// Where the sync is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    /// Asking the hub who it is.
    #[default]
    Connecting,
    /// Rounds of changes both ways.
    Exchanging,
    /// Uploading photos the hub lacks.
    SendingPhotos,
    /// Downloading photos of orders received.
    FetchingPhotos,
    Done,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub phase: SyncPhase,
    /// The hub's node id (what the device calls it in its cursors and bundles).
    pub hub: String,
    pub progress: Progress,
    /// HTTP body bytes sent and received, retries included (headers are not counted).
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// HTTP requests made, and how many of them were retries after a failure.
    pub requests: u32,
    pub retries: u32,
    /// Photos now complete at the hub, and received from it.
    pub blobs_pushed: u64,
    pub blobs_pulled: u64,
    /// Photos of received orders the hub does not have yet (their sender has not uploaded them);
    /// the next sync asks again.
    pub blobs_waiting: u64,
    /// Photo transfers the hub refused (or that failed their hash); not retried.
    pub blobs_refused: u64,
}

/// Bytes and requests, counted by the transport.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Traffic {
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub requests: u32,
    pub retries: u32,
}

impl SyncReport {
    pub(super) fn absorb(&mut self, t: &Traffic) {
        self.bytes_sent = t.bytes_sent;
        self.bytes_received = t.bytes_received;
        self.requests = t.requests;
        self.retries = t.retries;
    }
}
