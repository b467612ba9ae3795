//! Sync with the city hub, and offline bundle files — on `HotlineDevice`, wrapping the core's
//! HTTP client (`HubClient`) and `sync::bundle`. No rule lives here: the core checks every
//! change both ways; this file converts reports, forwards progress, links the app's
//! [`CancelHandle`] to the core's token, and tells the change listener what arrived.
//!
//! * `sync(hubUrl, who?, progress?, cancel?, options?)` → [`SyncSummary`]: one call does
//!   everything (changes both ways until level, then photos up and down). Store work runs on
//!   the blocking pool under the device lock, taken per step and never held while waiting for
//!   the network, so the app's other calls go on during a sync.
//! * `receiptStatus(hubUrl, receipt, who?, cancel?, options?)`: a kiosk's live lookup.
//! * `nodeId()`, `exportBundle(forPeer, path, now)`, `importBundle(path, now)` → [`BundleSummary`]:
//!   the offline path (USB stick): the township tells the village its node id, the village
//!   exports everything the township lacks, the township imports it (idempotent).
//!
//! Changed orders: after a sync or a bundle import (also one that failed or was cancelled
//! half-way), the change listener hears every order with a change stored on this device since
//! the call began — what was pulled or imported (and anything the app itself did meanwhile).

use hotline_core::error::ErrorCode;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hotline_core::device::{Device, DeviceError, ReceiptStatus};
use hotline_core::model::OrderId;
use hotline_core::sync::bundle::{self, BundleReport};
use hotline_core::sync::http::{
    CancelToken, HttpOptions, HubClient, SyncPhase as CoreSyncPhase, SyncReport,
};

use crate::device::lock_device;
use crate::{CancelHandle, HotlineDevice, HotlineError, Timestamp};

/// Where a running sync is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SyncPhase {
    /// Asking the hub who it is.
    Connecting,
    /// Rounds of changes both ways.
    Exchanging,
    /// Uploading photos the hub lacks.
    SendingPhotos,
    /// Downloading photos of orders received.
    FetchingPhotos,
    Done,
}

/// What a sync has done so far (in progress reports) or in all (its result).
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct SyncSummary {
    /// The hub's node id (empty until it has answered).
    pub hub: String,
    /// Rounds of changes exchanged.
    pub rounds: u32,
    /// Changes of this device the hub accepted, and changes received from it.
    pub pushed: u64,
    pub pulled: u64,
    /// Changes of this device the hub refused (logged there with the reason), and changes from
    /// the hub this device refused.
    pub refused_by_hub: u64,
    pub refused_here: u64,
    /// Photos now complete at the hub, and received from it.
    pub photos_up: u64,
    pub photos_down: u64,
    /// Photos of received orders the hub does not have yet; the next sync asks again.
    pub photos_waiting: u64,
    /// Photo transfers refused (or that failed their hash); not retried.
    pub photos_refused: u64,
    /// HTTP body bytes sent and received, retries included.
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// HTTP requests made, and how many of them were retries after a failure.
    pub requests: u32,
    pub retries: u32,
}

impl From<&SyncReport> for SyncSummary {
    fn from(r: &SyncReport) -> Self {
        SyncSummary {
            hub: r.hub.clone(),
            rounds: r.progress.round,
            pushed: r.progress.pushed,
            pulled: r.progress.pulled,
            refused_by_hub: r.progress.refused_by_hub,
            refused_here: r.progress.refused_here,
            photos_up: r.blobs_pushed,
            photos_down: r.blobs_pulled,
            photos_waiting: r.blobs_waiting,
            photos_refused: r.blobs_refused,
            bytes_sent: r.bytes_sent,
            bytes_received: r.bytes_received,
            requests: r.requests,
            retries: r.retries,
        }
    }
}

fn phase(p: CoreSyncPhase) -> SyncPhase {
    match p {
        CoreSyncPhase::Connecting => SyncPhase::Connecting,
        CoreSyncPhase::Exchanging => SyncPhase::Exchanging,
        CoreSyncPhase::SendingPhotos => SyncPhase::SendingPhotos,
        CoreSyncPhase::FetchingPhotos => SyncPhase::FetchingPhotos,
        CoreSyncPhase::Done => SyncPhase::Done,
    }
}

/// Told how a sync is going: at the start, after every round, and after every photo (chunk).
/// Called in order, on a worker thread (post to the UI thread before touching views), while
/// the sync waits — keep it short, and never wait in it for another call to this device. It
/// may cancel the sync through the `CancelHandle` passed with it. Whatever it throws is
/// ignored.
#[uniffi::export(foreign)]
pub trait SyncProgressListener: Send + Sync {
    fn on_sync_progress(&self, phase: SyncPhase, so_far: SyncSummary) -> Result<(), HotlineError>;
}

/// How the client talks to the hub; every field left out takes the core's default (suited to
/// a phone on a poor mobile link: 6 tries per request with back-off, 60 s per request).
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct SyncOptions {
    /// The device's clock for this sync; none reads the system clock. (The hub always checks
    /// certificates against its own clock.)
    #[uniffi(default)]
    pub now: Option<Timestamp>,
    /// Tries per request, the first included.
    #[uniffi(default)]
    pub max_attempts: Option<u32>,
    /// Longest wait for one request's whole answer, and for a connection.
    #[uniffi(default)]
    pub request_timeout_ms: Option<u64>,
    #[uniffi(default)]
    pub connect_timeout_ms: Option<u64>,
    /// Wait before the first retry (doubled each time, with jitter).
    #[uniffi(default)]
    pub first_backoff_ms: Option<u64>,
    /// Whether photos travel too (default yes; a metered link may sync changes only).
    #[uniffi(default)]
    pub photos: Option<bool>,
}

impl From<SyncOptions> for HttpOptions {
    fn from(o: SyncOptions) -> Self {
        let d = HttpOptions::default();
        HttpOptions {
            request_timeout: o
                .request_timeout_ms
                .map_or(d.request_timeout, Duration::from_millis),
            connect_timeout: o
                .connect_timeout_ms
                .map_or(d.connect_timeout, Duration::from_millis),
            max_attempts: o.max_attempts.unwrap_or(d.max_attempts),
            first_backoff: o
                .first_backoff_ms
                .map_or(d.first_backoff, Duration::from_millis),
            blobs: o.photos.unwrap_or(d.blobs),
            now: o.now.or(d.now),
            ..d
        }
    }
}

/// What a bundle export or import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct BundleSummary {
    /// Node ids: the device that made the bundle, and the one it was made for.
    pub made_by: String,
    pub made_for: String,
    /// Changes in the bundle.
    pub changes: u64,
    /// On import: changes stored, changes already here, changes refused (with the reason).
    pub applied: u64,
    pub already_had: u64,
    pub refused: Vec<BundleRefusal>,
    /// Photos written (export) or completed (import).
    pub photos: u64,
    /// The file's size in bytes.
    pub file_size: u64,
}

/// A change of a bundle that this device refused; the others were stored.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BundleRefusal {
    pub order: OrderId,
    pub code: String,
}

impl From<BundleReport> for BundleSummary {
    fn from(r: BundleReport) -> Self {
        BundleSummary {
            made_by: r.from,
            made_for: r.to,
            changes: r.changes,
            applied: r.applied,
            already_had: r.already_had,
            refused: r
                .refused
                .into_iter()
                .map(|(order, code)| BundleRefusal {
                    order: OrderId(order),
                    code,
                })
                .collect(),
            photos: r.blobs,
            file_size: r.bytes,
        }
    }
}

/// The orders with a change stored after log position `seq`, each once, in log order.
fn orders_since(d: &Device, mut seq: i64) -> Result<Vec<OrderId>, HotlineError> {
    let mut seen = HashSet::new();
    let mut orders = Vec::new();
    loop {
        let batch = d
            .store()
            .changes_after(seq, 512)
            .map_err(DeviceError::from)?;
        let Some(last) = batch.last() else {
            return Ok(orders);
        };
        seq = last.seq;
        for logged in batch {
            if seen.insert(logged.change.order.clone()) {
                orders.push(logged.change.order);
            }
        }
    }
}

fn last_seq(d: &Device) -> Result<i64, HotlineError> {
    Ok(d.store().last_change_seq().map_err(DeviceError::from)?)
}

/// Aborts the spawned sync if the call is dropped (a cancelled coroutine or task): it stops at
/// its next await, and what it stored so far stays stored.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Cancels a call's own token when the call is dropped (never the app's `CancelHandle`).
struct CancelOnDrop(CancelToken);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl HotlineDevice {
    /// Syncs with the hub at `hub_url` (e.g. `https://12345.example.gov.cn`) as `who` (or the
    /// only person enrolled): changes both ways until level, then photos. `progress` hears how
    /// it goes; `cancel` stops it (`HotlineError.Cancelled`, code `sync_cancelled`) — what was
    /// acknowledged before stays stored on both sides and the next sync goes on from there.
    /// Fails with `HotlineError.Network` (`sync_transport`) when the hub cannot be reached
    /// after every retry, `Refused` when the hub turns this device away (e.g.
    /// `certificate_revoked`). The change listener hears the orders that changed, even when
    /// the sync failed half-way.
    #[uniffi::method(default(who = None, progress = None, cancel = None, options))]
    pub async fn sync(
        &self,
        hub_url: String,
        who: Option<String>,
        progress: Option<Arc<dyn SyncProgressListener>>,
        cancel: Option<Arc<CancelHandle>>,
        options: SyncOptions,
    ) -> Result<SyncSummary, HotlineError> {
        let client = HubClient::new(&hub_url, options.into())?;
        let token = cancel.map(|c| c.token()).unwrap_or_default();
        let start = self.run(|d| last_seq(d)).await?;
        let device = Arc::clone(&self.device);
        // Its own task, so the listener is called on a runtime thread, never the caller's.
        let task = tokio::spawn(async move {
            let mut tell = |report: &SyncReport| {
                if let Some(listener) = &progress {
                    // Progress is informational: a failing listener does not stop the sync.
                    let _ = listener.on_sync_progress(phase(report.phase), report.into());
                }
            };
            client.sync(device, who.as_deref(), &mut tell, &token).await
        });
        let _abort = AbortOnDrop(task.abort_handle());
        let result = task
            .await
            .map_err(|e| HotlineError::internal(ErrorCode::WorkerFailed, e))?;
        // Told even when the sync failed half-way; failing to list them does not hide how the
        // sync itself ended.
        if let Ok(changed) = self.run(move |d| orders_since(d, start)).await {
            self.changed(changed).await;
        }
        Ok(SyncSummary::from(&result?))
    }

    /// A receipt code's status and next deadline as the hub knows them (the hub sends a kiosk
    /// nothing back, so its own `status` stops at "submitted"): signed as `who`, nothing
    /// personal returned; `unknown_receipt` (`NotFound`) when the hub has no such order.
    /// The core's lookup borrows the device for the whole request, so other calls to this
    /// device wait for it: at a kiosk, pass short `options` (e.g. `max_attempts = 1`).
    #[uniffi::method(default(who = None, cancel = None, options))]
    pub async fn receipt_status(
        &self,
        hub_url: String,
        receipt: String,
        who: Option<String>,
        cancel: Option<Arc<CancelHandle>>,
        options: SyncOptions,
    ) -> Result<ReceiptStatus, HotlineError> {
        let client = HubClient::new(&hub_url, options.into())?;
        let token = cancel.map(|c| c.token()).unwrap_or_default();
        // The core's lookup borrows `&Device` for the whole request: it runs on the blocking
        // pool under the device lock, driving the request with the runtime's handle.
        let dropped = CancelToken::new();
        let _guard = CancelOnDrop(dropped.clone());
        let device = Arc::clone(&self.device);
        let runtime = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            let guard = lock_device(&device)?;
            runtime.block_on(async {
                tokio::select! {
                    answer = client.receipt_status(&guard, who.as_deref(), &receipt, &token) => {
                        Ok(answer?)
                    }
                    () = dropped.cancelled() => Err(HotlineError::from(
                        hotline_core::sync::SyncError::Cancelled,
                    )),
                }
            })
        })
        .await
        .map_err(|e| HotlineError::internal(ErrorCode::WorkerFailed, e))?
    }

    /// This device's node id: what a peer names it by in its sync cursors and bundles (give it
    /// to whoever exports a bundle for this device).
    pub async fn node_id(&self) -> Result<String, HotlineError> {
        self.run(|d| Ok(d.node_id()?)).await
    }

    /// Writes everything the device `for_peer` (its node id) is not known to have — changes,
    /// certificates, revocations, unit keys, photos — into the file `path` (written whole, or
    /// not at all).
    pub async fn export_bundle(
        &self,
        for_peer: String,
        path: String,
        now: Timestamp,
    ) -> Result<BundleSummary, HotlineError> {
        self.run(move |d| Ok(bundle::export(d, &for_peer, &PathBuf::from(path), now)?.into()))
            .await
    }

    /// Checks a bundle file whole (a truncated or altered file applies nothing), then stores
    /// what it carries, each change verified as on any arrival; refused changes are listed.
    /// Importing the same file again applies nothing.
    pub async fn import_bundle(
        &self,
        path: String,
        now: Timestamp,
    ) -> Result<BundleSummary, HotlineError> {
        let (result, changed) = self
            .run(move |d| {
                let start = last_seq(d)?;
                let result = bundle::import(d, &PathBuf::from(path), now);
                Ok((result, orders_since(d, start)?))
            })
            .await?;
        self.changed(changed).await;
        Ok(result?.into())
    }
}
