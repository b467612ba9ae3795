//! Credentials the authority issues to the city platform's systems (a department's case
//! system, a WeChat front end, the open-data site) for the hub's HTTP APIs.
//!
//! A key is bound to one enrolled certificate: the system sees exactly what that person would
//! pull by sync (role, unit, area) and loses access when the certificate expires or is
//! revoked, or when the key itself is revoked. The token is shown once, at issue; the public
//! `authority.json` keeps only its SHA-256, which the hub compares with the token a request
//! presents (a 256-bit random token: its digest gives nothing away).

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use crate::identity::CertificateId;
use crate::model::Timestamp;

/// What every token starts with, so one pasted in the wrong place is recognisable.
pub const TOKEN_PREFIX: &str = "hl_";

/// Random bytes in a token.
const TOKEN_BYTES: usize = 32;

/// Longest integrating system name kept.
pub const MAX_SYSTEM_NAME_CHARS: usize = 64;

/// One issued key, as `authority.json` keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    /// `key-` and 8 hex digits: what an operator names when revoking.
    pub id: String,
    /// The integrating system it was issued to (one key per system; its name keys what the
    /// system submits, say through Open311).
    pub system: String,
    /// Whose view of the city the key reads with.
    pub cert: CertificateId,
    /// Lower-case hex SHA-256 of the token.
    pub token_sha256: String,
    pub issued_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
}

/// The hex SHA-256 of a token as presented (what [`ApiKeyRecord::token_sha256`] holds).
pub fn token_digest(token: &str) -> String {
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

/// A new token and its record's digest.
pub fn new_token(rng: &mut impl rand_core::RngCore) -> (String, String) {
    let mut bytes = [0u8; TOKEN_BYTES];
    rng.fill_bytes(&mut bytes);
    let token = format!("{TOKEN_PREFIX}{}", hex::encode(bytes));
    let digest = token_digest(&token);
    (token, digest)
}

/// A fresh key id.
pub fn new_key_id(rng: &mut impl rand_core::RngCore) -> String {
    let mut id = [0u8; 4];
    rng.fill_bytes(&mut id);
    format!("key-{}", hex::encode(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_prefixed_random_and_kept_only_as_its_digest() {
        let (a, da) = new_token(&mut rand_core::OsRng);
        let (b, _) = new_token(&mut rand_core::OsRng);
        assert!(a.starts_with(TOKEN_PREFIX));
        assert_eq!(a.len(), TOKEN_PREFIX.len() + 64);
        assert_ne!(a, b);
        assert_eq!(da, token_digest(&a));
        assert!(!da.contains(&a[TOKEN_PREFIX.len()..]));
    }
}
