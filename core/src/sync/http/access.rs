//! How the HTTP sync reaches the device between network calls.
//!
//! The store is touched only between awaits, through [`DeviceAccess::with_device`], with work
//! that owns what it needs (`'static`): a CLI passes `&mut Device` and the work runs inline; an
//! app that shares its device behind a lock passes `Arc<Mutex<Device>>` and the work runs on
//! tokio's blocking pool under the lock, which is never held while waiting for the network.

use std::future::Future;
use std::sync::{Arc, Mutex};

use super::super::SyncError;
use crate::device::{Device, DeviceError};

/// Gives the sync short, exclusive use of the device.
pub trait DeviceAccess: Send {
    fn with_device<R, F>(&mut self, work: F) -> impl Future<Output = Result<R, SyncError>> + Send
    where
        R: Send + 'static,
        F: FnOnce(&mut Device) -> Result<R, SyncError> + Send + 'static;
}

/// The device is the caller's alone for the whole sync: work runs right away, on the task's
/// thread (store calls are short; a CLI has nothing else to do meanwhile).
impl DeviceAccess for &mut Device {
    fn with_device<R, F>(&mut self, work: F) -> impl Future<Output = Result<R, SyncError>> + Send
    where
        R: Send + 'static,
        F: FnOnce(&mut Device) -> Result<R, SyncError> + Send + 'static,
    {
        std::future::ready(work(self))
    }
}

/// A device shared with the rest of an app: each piece of store work takes the lock on the
/// blocking pool, so other calls run between the sync's rounds and during its network waits.
impl DeviceAccess for Arc<Mutex<Device>> {
    fn with_device<R, F>(&mut self, work: F) -> impl Future<Output = Result<R, SyncError>> + Send
    where
        R: Send + 'static,
        F: FnOnce(&mut Device) -> Result<R, SyncError> + Send + 'static,
    {
        let device = Arc::clone(self);
        async move {
            tokio::task::spawn_blocking(move || {
                // A poisoned lock means an earlier call crashed half-way: the store is
                // transactional, but this in-memory device may not be, so refuse to go on.
                let mut guard = device
                    .lock()
                    .map_err(|_| SyncError::Device(DeviceError::Poisoned))?;
                work(&mut guard)
            })
            .await
            .map_err(|e| SyncError::Transport(format!("store worker failed: {e}")))?
        }
    }
}
