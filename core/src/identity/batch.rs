//! Verifying many signatures at once, for the hub's ingest.
//!
//! ed25519-dalek's real batch verification needs its `batch` cargo feature (which pulls in
//! `merlin`); it is not enabled, so this checks one signature after the other. The signature
//! of `verify_batch` already fits a real batch: on failure the batch is re-checked one by one
//! to name the first bad index. Beware when switching: dalek's batch equation is not the
//! same acceptance rule as `verify_strict` used everywhere else, so a batch "ok" would have to
//! be followed by the weak-key checks.

use super::errors::IdentityError;
use super::keys::{PublicKeyBytes, SignatureBytes, Verifier};

/// One (message, signature, key) to check.
#[derive(Debug, Clone, Copy)]
pub struct BatchItem<'a> {
    pub message: &'a [u8],
    pub signature: &'a SignatureBytes,
    pub key: &'a PublicKeyBytes,
}

/// Ok when every signature verifies; otherwise the index of the first that does not (a key
/// that is not a curve point counts as a bad signature at its index).
pub fn verify_batch(items: &[BatchItem<'_>]) -> Result<(), IdentityError> {
    // A batch is mostly one device's changes: decompress each distinct key once, not per item.
    let mut keys: std::collections::HashMap<&PublicKeyBytes, Option<Verifier>> =
        std::collections::HashMap::new();
    for (index, item) in items.iter().enumerate() {
        let key = keys
            .entry(item.key)
            .or_insert_with(|| item.key.verifier().ok());
        let valid = key
            .as_ref()
            .is_some_and(|key| key.verify(item.message, item.signature));
        if !valid {
            return Err(IdentityError::BatchBadSignature { index });
        }
    }
    Ok(())
}
