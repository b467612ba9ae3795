//! Callbacks apps implement to hear from the device. Both are called on a worker thread: post
//! to the UI thread before touching views. Whatever they throw is ignored — a listener that
//! fails must not undo or fail the work it is told about.

use crate::HotlineError;
use hotline_core::model::OrderId;

/// Told which orders changed after every action, submission, import, sync or bundle import
/// that changed any, once the change is stored (so reading the order from the callback sees it).
#[uniffi::export(foreign)]
pub trait OrderChangeListener: Send + Sync {
    fn on_orders_changed(&self, orders: Vec<OrderId>) -> Result<(), HotlineError>;
}

/// Told how far a long operation has got: `done` of `total` items. Runs while the device is
/// busy with the operation, so it must not wait for another call to the same device.
#[uniffi::export(foreign)]
pub trait ProgressListener: Send + Sync {
    fn on_progress(&self, done: u64, total: u64) -> Result<(), HotlineError>;
}
