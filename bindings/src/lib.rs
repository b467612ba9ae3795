//! hotline-ffi: the mobile SDK of hotline — a thin uniffi wrapper of `hotline-core` for Kotlin
//! (Android), Swift (iOS) and Python. No rule lives here: every check is the core's, tested in
//! Rust; this crate converts types, runs blocking work off the caller's thread, maps errors to
//! one `HotlineError`, and lets the app hold the device key (`DeviceKeyCustody`).
//!
//! * [`HotlineDevice`] — one kiosk / phone / desk, opened by the async `open` / `set_up`.
//! * [`DeviceKeyCustody`], [`OrderChangeListener`], [`ProgressListener`], [`KnowledgeBase`] —
//!   implemented by the app.
//! * [`CancelHandle`] — stops a long call: an import, a verify, a sync with the hub.
//! * [`SyncProgressListener`] — implemented by the app: hears how a sync goes (`sync.rs`).
//! * [`CityAuthority`] — admin / test tool: stands up a city and enrols devices.
//! * [`TestHub`] — admin / test tool: a city hub in-process, for the foreign test suites.
// Product code never unwraps, expects or panics on anything it is given: a bad input is a
// typed error. Declared here, at the crate root, so test code needs no allowances.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

uniffi::setup_scaffolding!("hotline");

mod action;
#[cfg(feature = "authority-tool")]
mod authority;
mod cancel;
mod catalogue;
mod core_types;
mod custody;
mod desk;
mod device;
mod error;
mod inputs;
mod kb;
mod knowledge;
mod listeners;
mod sync;
#[cfg(feature = "test-hub")]
mod testhub;
mod views;

pub use action::WorkflowAction;
#[cfg(feature = "authority-tool")]
pub use authority::{CityAuthority, EnrolmentRequest};
pub use cancel::CancelHandle;
pub use core_types::*;
pub use custody::{DeviceKeyCustody, SealingKeyCustody};
pub use device::{HotlineDevice, ImportRefusal, ImportSummary};
pub use error::HotlineError;
pub use inputs::{InboxFilter, PhotoInput, PhotoSource, SiteSupervisionInput, SubmitRequest};
pub use kb::{IntakeCandidate, KbDraftInput, KbDuty, KbEntry, KbHit};
pub use knowledge::{KnowledgeBase, KnowledgeItem};
pub use listeners::{OrderChangeListener, ProgressListener};
pub use sync::{
    BundleRefusal, BundleSummary, SyncOptions, SyncPhase, SyncProgressListener, SyncSummary,
};
#[cfg(feature = "test-hub")]
pub use testhub::TestHub;
pub use views::*;
