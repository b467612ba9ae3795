//! The access audit log (Hubei's "who manages, who uses, who is responsible", every access
//! traced): each opening of a citizen's sealed contact details — on a device through
//! `contact`, at the hub through the API — is an entry signed by whoever opened it: which
//! order, when, the stated purpose. Entries sync to the hub like changes.
//!
//! Each signer's entries form a chain: numbered from 1, each naming the hash of the one before.
//! The core opens no contact without appending to its chain first. Once an entry reached the
//! hub it cannot be taken back: deleting it there shows as a gap when the signer's next entry
//! arrives, and a rewrite (even re-signed with the signer's own key) as a fork (`chain.rs`).
//! What it cannot see: entries deleted from a device's store *before* they were pushed, the
//! chain then rebuilt from the rows left (someone with the store file and the device's key in
//! hand), and the newest entries of a chain deleted at the hub while the signer writes nothing
//! more. Dispatch re-seals a contact to the unit inside the sealing layer, never handing it to
//! the caller: that is not an opening.

pub mod chain;
mod entry;
mod report;

pub use chain::{ChainProblem, check_chains};
pub use entry::{
    AccessEntry, AccessVia, AuditError, MAX_ACCESS_PAYLOAD_BYTES, MAX_PURPOSE_CHARS, SignedAccess,
    VerifiedAccess, check_purpose,
};
pub use report::{AuditFilter, AuditLine, AuditReport, Unverified, read_all, report};
