//! The city's crypto suite ([`CryptoSuite`]: ed25519, or the national SM2/SM3), keys,
//! enrolment certificates, revocation, signed envelopes and sealed citizen data.
//!
//! * The city root key signs [`Certificate`]s (device key ↔ person, role, unit, area, time
//!   window) and [`RevocationList`]s. Any [`KeyCustody`] can hold the root key.
//! * A device signs each change as a [`SignedEnvelope`] with the key in its [`KeyCustody`];
//!   a [`TrustStore`] checks it before it is applied, with a distinct error code per reason.
//! * Citizen contact details are sealed to the platform ([`ContactDetails::seal_to`]).
//!
//! * Whoever holds a sealing key opens what was sealed to it through [`SealingCustody`].
//!
//! Pure: no I/O (keys in files are [`crate::key_files`]'s); time and randomness come in as
//! arguments.

mod batch;
pub(crate) mod canonical;
mod certificate;
mod content_digest;
mod custody;
mod envelope;
mod errors;
mod keys;
mod revocation;
mod sealed;
pub mod sm_envelope;
mod suite;
mod trust;

pub use batch::{BatchItem, verify_batch};
pub use certificate::{Certificate, CertificateBody, CertificateId};
pub use content_digest::{ContentDigest, ContentHasher, ContentName};
pub use custody::{KeyCustody, MemoryKeyCustody};
pub use envelope::{SignedEnvelope, access_message, change_message, knowledge_message};
pub use errors::IdentityError;
pub use keys::{
    PUBLIC_KEY_LEN, PublicKeyBytes, SIGNATURE_LEN, SM2_PUBLIC_KEY_LEN, SM2_TAG, SignatureBytes,
    Verifier,
};
pub use revocation::RevocationList;
pub use sealed::{ContactDetails, SealedContact, SealingCustody, SealingKeypair, SealingPublicKey};
pub use suite::{CryptoSuite, SM2_DIST_ID};
pub use trust::TrustStore;
