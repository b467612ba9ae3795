//! Stopping a sync from another thread (the app's "cancel" button, a CLI's Ctrl-C).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

/// Shared by whoever may cancel and the running sync; clones are the same token. The sync
/// checks it between rounds and chunks and abandons a request in flight, then fails with
/// [`SyncError::Cancelled`](super::super::SyncError::Cancelled). What was acknowledged before
/// stays stored: every round is committed on its own.
#[derive(Debug, Clone, Default)]
pub struct CancelToken {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    cancelled: AtomicBool,
    wake: Notify,
}

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the sync to stop. Harmless when called again, or before the sync starts (it then
    /// stops at once).
    pub fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::SeqCst);
        self.inner.wake.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }

    /// Resolves once [`cancel`](Self::cancel) has been called.
    pub async fn cancelled(&self) {
        let woken = self.inner.wake.notified();
        tokio::pin!(woken);
        // Registered before the flag is read, so a cancel between the two is not missed.
        woken.as_mut().enable();
        if self.is_cancelled() {
            return;
        }
        woken.await;
    }
}
