//! Where a private signing key lives. The rest of the core only ever asks a custody to sign;
//! it never sees the private key, so a phone can keep it in Android Keystore or the iOS
//! Keychain (behind a foreign implementation of [`KeyCustody`]) and the city root can keep its
//! key offline. Keys kept in files are [`crate::key_files`]'s (this module does no I/O).

use std::fmt;

use ed25519_dalek::{Signer, SigningKey};
use rand_core::CryptoRngCore;

use super::errors::IdentityError;
use super::keys::{PublicKeyBytes, SignatureBytes};

/// Holds one ed25519 private key and signs with it.
pub trait KeyCustody: Send + Sync {
    /// The public half, as certified in the device's enrolment certificate.
    fn public_key(&self) -> PublicKeyBytes;
    /// Signs `message` exactly as given: callers build domain-separated messages.
    fn sign(&self, message: &[u8]) -> Result<SignatureBytes, IdentityError>;
}

/// A key held in process memory; for tests, and for keys that are generated, used and dropped.
/// The key is wiped from memory when dropped (ed25519-dalek zeroizes `SigningKey`).
pub struct MemoryKeyCustody {
    key: SigningKey,
}

impl MemoryKeyCustody {
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        Self {
            key: SigningKey::generate(rng),
        }
    }

    pub fn from_secret_bytes(secret: &[u8; 32]) -> Self {
        Self {
            key: SigningKey::from_bytes(secret),
        }
    }
}

impl KeyCustody for MemoryKeyCustody {
    fn public_key(&self) -> PublicKeyBytes {
        self.key.verifying_key().into()
    }

    fn sign(&self, message: &[u8]) -> Result<SignatureBytes, IdentityError> {
        Ok(self.key.sign(message).into())
    }
}

impl fmt::Debug for MemoryKeyCustody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryKeyCustody")
            .field("public_key", &self.public_key())
            .finish_non_exhaustive()
    }
}
