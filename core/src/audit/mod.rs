//! The access audit log (Hubei's "who manages, who uses, who is responsible", every access
//! traced): each opening of a citizen's sealed contact details — on a device through
//! `contact`, at the hub through the API — is an entry signed by whoever opened it: which
//! order, when, the stated purpose. Entries sync to the hub like changes.
//!
//! Each signer's entries form a chain: numbered from 1, each naming the hash of the one before.
//! A device cannot open a contact without appending to its chain first, and cannot take an
//! entry back: one missing shows as a gap once a later entry arrives, one rewritten (even
//! re-signed with the device's own key) as a break in the chain (`chain.rs`).

pub mod chain;
mod entry;
mod report;

pub use chain::{ChainProblem, check_chains};
pub use entry::{
    AccessEntry, AccessVia, AuditError, MAX_ACCESS_PAYLOAD_BYTES, MAX_PURPOSE_CHARS, SignedAccess,
    VerifiedAccess, check_purpose,
};
pub use report::{AuditFilter, AuditLine, AuditReport, Unverified, read_all, report};
