//! ─── SYNC: reserved for the sync layer ──────────────────────────────────────────────────────
//!
//! The sync layer (sans-IO protocol + tokio HTTP transport + offline bundle files) is being
//! written in hotline-core now; its exports land here, on `HotlineDevice`, reusing what exists:
//!
//! * `async fn sync(hub_url, progress: Option<Arc<dyn ProgressListener>>,
//!    cancel: Option<Arc<CancelHandle>>) -> Result<SyncReport, HotlineError>` — tagged
//!   `async_runtime = "tokio"` like the other device methods (the HTTP client needs tokio);
//!   store work on `spawn_blocking` under the device lock, network work outside it; progress
//!   through [`crate::ProgressListener`], cancel through [`crate::CancelHandle`]
//!   (`HotlineError::Cancelled`, finished work kept), changed orders to the
//!   [`crate::OrderChangeListener`].
//! * `async fn export_bundle(path, since, cancel) -> BundleSummary` and
//!   `async fn import_bundle(path, now, progress, cancel) -> ImportSummary` — the offline
//!   bundle files (USB / QR / Bluetooth), same listener and handle.
//!
//! Until then `export_changes` / `import_changes` move signed changes by hand, which is what
//! the tests use to carry orders between devices.
