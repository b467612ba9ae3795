//! hotline-core: everything a kiosk or a staff phone runs for the 12345 hotline, offline.
//!
//! * [`model`]: work orders, people, events (no I/O).
//! * [`policy`]: city presets, the holiday calendar with make-up days, deadline arithmetic.
//! * [`workflow`]: which actor may do what, and the deterministic fold of events into state.
//! * [`identity`]: keys, enrolment certificates, revocation, signatures, sealed citizen data.
//! * [`key_files`]: signing and sealing keys kept in 0600 files (the CLI, desks, tests).
//! * [`doc`]: the Automerge schema of one work order (one document per order).
//! * [`store`]: the local SQLite store: signed change log, order index, certificates, blobs.
//! * [`authority`]: the city root: enrolment certificates, sealing keys, revocation.
//! * [`device`]: a kiosk, phone or desk: every user action checked, signed and stored.
//! * [`sync`]: sans-IO sync protocol with the hub, resumable photo transfer, offline bundles.
//! * [`receipt`]: short unguessable receipt codes with a check character.
//! * [`limits`]: every size and count limit, checked on the device and again at the hub.
// Product code never unwraps, expects or panics on anything it is given: a bad input is a
// typed error. Declared here, at the crate root, so test code needs no allowances.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod api_key;
pub mod audit;
#[cfg(feature = "authority")]
pub mod authority;
pub mod catalogue;
pub mod center;
pub mod device;
pub mod doc;
pub mod error;
pub mod identity;
pub mod kb;
pub mod key_files;
pub mod limits;
pub mod model;
pub mod policy;
pub mod receipt;
pub mod store;
pub mod sync;
pub mod workflow;

pub use error::Coded;
