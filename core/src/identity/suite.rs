//! The city's cryptographic suite, chosen once when its authority is created and followed by
//! every device, the hub and every signed format of that city.
//!
//! * `ed25519` (the default, and what every record made before suites existed is by
//!   definition): ed25519 signatures checked with `verify_strict`, SHA-256 digests.
//! * `sm` — the national algorithms a city assessed under GB/T 39786-2021 must use: SM2
//!   signatures over SM3 (GM/T 0003.2) with the signer's Z value computed from the
//!   distinguishing identifier [`SM2_DIST_ID`] and the signer's public key, SM3 digests.
//!
//! A key, a signature and a sealed record each carry their algorithm (see `keys.rs`), so a
//! verifier reads the algorithm off the record; what it checks against the city's suite is
//! that the record's algorithm is the one the city chose. One city never mixes suites: a
//! certificate for a key of another suite is refused when issued and when received.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

/// Which algorithms a city uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CryptoSuite {
    #[default]
    Ed25519,
    Sm,
}

/// The SM2 distinguishing identifier every hotline signer uses: GM/T 0009's default user id,
/// so any SM2 implementation verifies hotline's signatures with its defaults. Who signed is
/// already inside every signed message (the certificate id, domain-separated), and the Z
/// value still binds each signature to the signer's own public key.
pub const SM2_DIST_ID: &str = "1234567812345678";

impl CryptoSuite {
    pub const ALL: [CryptoSuite; 2] = [CryptoSuite::Ed25519, CryptoSuite::Sm];

    pub fn as_str(self) -> &'static str {
        match self {
            CryptoSuite::Ed25519 => "ed25519",
            CryptoSuite::Sm => "sm",
        }
    }

    pub fn parse(s: &str) -> Option<CryptoSuite> {
        CryptoSuite::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The suite's digest of `bytes`: SHA-256, or SM3 (GM/T 0004).
    pub fn digest(self, bytes: &[u8]) -> [u8; 32] {
        match self {
            CryptoSuite::Ed25519 => sha2::Sha256::digest(bytes).into(),
            CryptoSuite::Sm => {
                use sm3::Digest as _;
                let out = sm3::Sm3::digest(bytes);
                let mut digest = [0u8; 32];
                digest.copy_from_slice(&out);
                digest
            }
        }
    }
}

impl fmt::Display for CryptoSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
