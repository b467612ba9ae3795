//! Where a private signing key lives. The rest of the core only ever asks a custody to sign;
//! it never sees the private key, so a phone can keep it in Android Keystore or the iOS
//! Keychain (behind a foreign implementation of [`KeyCustody`]) and the city root can keep its
//! key offline. Keys kept in files are [`crate::key_files`]'s (this module does no I/O).

use std::fmt;

use ed25519_dalek::{Signer, SigningKey};
use rand_core::CryptoRngCore;

use super::errors::IdentityError;
use super::keys::{PublicKeyBytes, SIGNATURE_LEN, SM2_PUBLIC_KEY_LEN, SignatureBytes};
use super::suite::{CryptoSuite, SM2_DIST_ID};

/// Holds one private key (of the city's suite) and signs with it.
pub trait KeyCustody: Send + Sync {
    /// The public half, as certified in the device's enrolment certificate.
    fn public_key(&self) -> PublicKeyBytes;
    /// Signs `message` exactly as given: callers build domain-separated messages.
    fn sign(&self, message: &[u8]) -> Result<SignatureBytes, IdentityError>;
}

/// A key held in process memory; for tests, and for keys that are generated, used and dropped.
/// The key is wiped from memory when dropped (ed25519-dalek zeroizes `SigningKey`; the SM2
/// key's scalar is wiped by `elliptic-curve`).
pub struct MemoryKeyCustody {
    key: SigningKeyOf,
}

/// n - 1 for the SM2 curve's order n (GM/T 0003.5): the one nonzero scalar an SM2 secret
/// may not be.
const SM2_ORDER_MINUS_ONE: [u8; 32] = [
    0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x72, 0x03, 0xdf, 0x6b, 0x21, 0xc6, 0x05, 0x2b, 0x53, 0xbb, 0xf4, 0x09, 0x39, 0xd5, 0x41, 0x22,
];

enum SigningKeyOf {
    Ed25519(SigningKey),
    Sm2(sm2::dsa::SigningKey),
}

impl MemoryKeyCustody {
    /// A new ed25519 key.
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        Self {
            key: SigningKeyOf::Ed25519(SigningKey::generate(rng)),
        }
    }

    /// A new key of `suite`.
    pub fn generate_in(suite: CryptoSuite, rng: &mut impl CryptoRngCore) -> Self {
        match suite {
            CryptoSuite::Ed25519 => Self::generate(rng),
            CryptoSuite::Sm => loop {
                // A uniformly random 32-byte string is a valid SM2 secret (1 ≤ d ≤ n - 2)
                // but for a chance of about 2^-32; draw again then.
                let mut secret = zeroize::Zeroizing::new([0u8; 32]);
                rng.fill_bytes(secret.as_mut());
                if let Ok(key) = Self::from_secret(suite, &secret) {
                    break key;
                }
            },
        }
    }

    /// An ed25519 key from its 32 secret bytes.
    pub fn from_secret_bytes(secret: &[u8; 32]) -> Self {
        Self {
            key: SigningKeyOf::Ed25519(SigningKey::from_bytes(secret)),
        }
    }

    /// A key of `suite` from its 32 secret bytes (an SM2 secret must be a scalar in
    /// [1, n - 2]: the key that opens a sealed record needs 1 + d invertible).
    pub fn from_secret(suite: CryptoSuite, secret: &[u8; 32]) -> Result<Self, IdentityError> {
        match suite {
            CryptoSuite::Ed25519 => Ok(Self::from_secret_bytes(secret)),
            CryptoSuite::Sm => {
                let key = sm2::dsa::SigningKey::from_slice(SM2_DIST_ID, secret).map_err(|_| {
                    IdentityError::InvalidEncoding {
                        what: "SM2 secret key",
                        reason: "not a scalar in [1, n - 2]".into(),
                    }
                })?;
                if *secret == SM2_ORDER_MINUS_ONE {
                    return Err(IdentityError::InvalidEncoding {
                        what: "SM2 secret key",
                        reason: "not a scalar in [1, n - 2]".into(),
                    });
                }
                Ok(Self {
                    key: SigningKeyOf::Sm2(key),
                })
            }
        }
    }

    /// The 32 secret bytes, for a key file or a credential the city hands over once.
    pub fn secret_bytes(&self) -> zeroize::Zeroizing<[u8; 32]> {
        let mut out = zeroize::Zeroizing::new([0u8; 32]);
        match &self.key {
            SigningKeyOf::Ed25519(k) => out.copy_from_slice(&k.to_bytes()),
            SigningKeyOf::Sm2(k) => out.copy_from_slice(&k.to_bytes()),
        }
        out
    }
}

impl KeyCustody for MemoryKeyCustody {
    fn public_key(&self) -> PublicKeyBytes {
        match &self.key {
            SigningKeyOf::Ed25519(k) => k.verifying_key().into(),
            SigningKeyOf::Sm2(k) => {
                let point = k.verifying_key().to_sec1_bytes();
                let mut out = [0u8; SM2_PUBLIC_KEY_LEN];
                // The SEC1 encoding the crate gives is the uncompressed point (65 bytes).
                if point.len() == SM2_PUBLIC_KEY_LEN {
                    out.copy_from_slice(&point);
                }
                PublicKeyBytes::Sm2(out)
            }
        }
    }

    fn sign(&self, message: &[u8]) -> Result<SignatureBytes, IdentityError> {
        match &self.key {
            SigningKeyOf::Ed25519(k) => Ok(k.sign(message).into()),
            SigningKeyOf::Sm2(k) => {
                use sm2::dsa::signature::Signer as _;
                let sig: sm2::dsa::Signature =
                    k.try_sign(message)
                        .map_err(|e| IdentityError::SigningFailed {
                            reason: e.to_string(),
                        })?;
                let mut out = [0u8; SIGNATURE_LEN];
                out.copy_from_slice(&sig.to_bytes());
                Ok(SignatureBytes::Sm2(out))
            }
        }
    }
}

impl fmt::Debug for MemoryKeyCustody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryKeyCustody")
            .field("public_key", &self.public_key())
            .finish_non_exhaustive()
    }
}
