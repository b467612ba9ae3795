//! A cancel handle an app keeps while a long call runs (a bulk import, a verify; the sync with
//! the hub will take the same handle). Cancelling never undoes finished work: each change is
//! committed on its own, so what was imported before the cancel stays imported.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

#[derive(Debug, Default, uniffi::Object)]
pub struct CancelHandle {
    cancelled: AtomicBool,
    wake: Notify,
}

#[uniffi::export]
impl CancelHandle {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Asks the running call to stop; it then fails with `HotlineError.Cancelled`. Calling it
    /// again, or before the call starts, is harmless (a call started later stops at once).
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        self.wake.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }
}

impl CancelHandle {
    /// Resolves once `cancel` has been called.
    pub(crate) async fn cancelled(&self) {
        let woken = self.wake.notified();
        tokio::pin!(woken);
        // Registered before the flag is read, so a cancel between the two is not missed.
        woken.as_mut().enable();
        if self.is_cancelled() {
            return;
        }
        woken.await;
    }
}
