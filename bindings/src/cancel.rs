//! A cancel handle an app keeps while a long call runs (a bulk import, a verify, a sync with the
//! hub, a live receipt lookup). Cancelling never undoes finished work: each change (each sync
//! round) is committed on its own, so what was stored before the cancel stays stored.
//!
//! It wraps the core's [`CancelToken`], so the sync checks the very flag the app sets: between
//! rounds and photo chunks, and a request in flight is abandoned at once.

use std::sync::Arc;

use hotline_core::sync::http::CancelToken;

#[derive(Debug, Default, uniffi::Object)]
pub struct CancelHandle {
    token: CancelToken,
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
        self.token.cancel();
    }

    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }
}

impl CancelHandle {
    /// Resolves once `cancel` has been called.
    pub(crate) async fn cancelled(&self) {
        self.token.cancelled().await;
    }

    /// The core's token behind this handle (clones share the flag).
    pub(crate) fn token(&self) -> CancelToken {
        self.token.clone()
    }
}
