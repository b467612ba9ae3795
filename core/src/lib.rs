//! hotline-core: everything a kiosk or a staff phone runs for the 12345 hotline, offline.
//!
//! * [`model`]: work orders, people, events (no I/O).
//! * [`policy`]: city presets, the holiday calendar with make-up days, deadline arithmetic.
//! * [`workflow`]: which actor may do what, and the deterministic fold of events into state.
//! * [`identity`]: keys, enrolment certificates, revocation, signatures, sealed citizen data.
//! * [`receipt`]: short unguessable receipt codes with a check character.

pub mod error;
pub mod identity;
pub mod model;
pub mod policy;
pub mod receipt;
pub mod workflow;

pub use error::Coded;
