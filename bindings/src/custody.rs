//! The device key held by the app: Android Keystore, the iOS Keychain (Secure Enclave keys are
//! P-256, so an ed25519 key sealed by the Keychain), or any store the app trusts. The core only
//! ever asks it to sign; the private key never crosses the boundary.

use std::sync::Arc;

use ed25519_dalek::Signature;
use hotline_core::identity::{
    IdentityError, KeyCustody, PUBLIC_KEY_LEN, PublicKeyBytes, SIGNATURE_LEN, SealingCustody,
    SealingPublicKey, SignatureBytes,
};

use crate::HotlineError;

/// Implemented by the app. Both methods may throw a `HotlineError` (say `KeyCustody` with the
/// code `key_locked` when the user must unlock first); the call that needed the signature then
/// fails with `KeyCustody` / `signing_failed` and writes nothing.
#[uniffi::export(foreign)]
pub trait DeviceKeyCustody: Send + Sync {
    /// The raw 32-byte ed25519 public key, as enrolled.
    fn public_key(&self) -> Result<Vec<u8>, HotlineError>;
    /// The 64-byte ed25519 signature of `message`, exactly as given.
    fn sign(&self, message: Vec<u8>) -> Result<Vec<u8>, HotlineError>;
}

/// The app's custody seen as the core's [`KeyCustody`]. The public key is read once, at open:
/// the core asks for it on every signature and expects no failure there.
pub(crate) struct ForeignCustody {
    app: Arc<dyn DeviceKeyCustody>,
    public: PublicKeyBytes,
    verifying: ed25519_dalek::VerifyingKey,
}

impl std::fmt::Debug for ForeignCustody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ForeignCustody")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl ForeignCustody {
    pub(crate) fn new(app: Arc<dyn DeviceKeyCustody>) -> Result<Self, HotlineError> {
        let raw = app.public_key()?;
        let bytes = <[u8; PUBLIC_KEY_LEN]>::try_from(raw.as_slice()).map_err(|_| {
            HotlineError::key_custody(IdentityError::InvalidPublicKey {
                reason: format!("{} bytes instead of {PUBLIC_KEY_LEN}", raw.len()),
            })
        })?;
        let public = PublicKeyBytes(bytes);
        let verifying = public
            .to_verifying_key()
            .map_err(HotlineError::key_custody)?;
        Ok(Self {
            app,
            public,
            verifying,
        })
    }
}

impl KeyCustody for ForeignCustody {
    fn public_key(&self) -> PublicKeyBytes {
        self.public
    }

    fn sign(&self, message: &[u8]) -> Result<SignatureBytes, IdentityError> {
        let failed = |reason: String| IdentityError::SigningFailed { reason };
        let raw = self
            .app
            .sign(message.to_vec())
            .map_err(|e| failed(e.to_string()))?;
        let bytes = <[u8; SIGNATURE_LEN]>::try_from(raw.as_slice())
            .map_err(|_| failed(format!("{} bytes instead of {SIGNATURE_LEN}", raw.len())))?;
        // A signature by another key (a wrong Keystore alias) would be stored and then make the
        // order unreadable on every device; refuse it here, before anything is written.
        self.verifying
            .verify_strict(message, &Signature::from_bytes(&bytes))
            .map_err(|_| failed("the signature does not match the enrolled public key".into()))?;
        Ok(SignatureBytes(bytes))
    }
}

/// A sealing key the app keeps (the platform's on a center desk, a unit's on a township
/// phone): the key that opens citizens' contact details. Implemented by the app over its key
/// store; opening is libsodium's `crypto_box_seal_open`, which the app's crypto library (or a
/// Keystore-wrapped key with one) provides. Without it, the key the city issued is kept in a
/// 0600 file in the store, as `set_up` writes it.
#[uniffi::export(foreign)]
pub trait SealingKeyCustody: Send + Sync {
    /// The raw 32-byte X25519 public key, as the city issued it.
    fn public_key(&self) -> Result<Vec<u8>, HotlineError>;
    /// Opens a sealed box addressed to this key (`crypto_box_seal_open`): the bytes sealed.
    fn unseal(&self, sealed_box: Vec<u8>) -> Result<Vec<u8>, HotlineError>;
}

/// The app's sealing custody seen as the core's [`SealingCustody`]; its public key is read
/// once, at open.
pub(crate) struct ForeignSealing {
    app: Arc<dyn SealingKeyCustody>,
    public: SealingPublicKey,
}

impl ForeignSealing {
    pub(crate) fn new(app: Arc<dyn SealingKeyCustody>) -> Result<Self, HotlineError> {
        let raw = app.public_key()?;
        let bytes = <[u8; 32]>::try_from(raw.as_slice()).map_err(|_| {
            HotlineError::key_custody(IdentityError::InvalidPublicKey {
                reason: format!("a sealing key of {} bytes instead of 32", raw.len()),
            })
        })?;
        Ok(Self {
            app,
            public: SealingPublicKey(bytes),
        })
    }
}

impl SealingCustody for ForeignSealing {
    fn public_key(&self) -> SealingPublicKey {
        self.public
    }

    fn unseal(&self, sealed_box: &[u8]) -> Result<Vec<u8>, IdentityError> {
        self.app
            .unseal(sealed_box.to_vec())
            .map_err(|e| IdentityError::OpenFailed {
                reason: e.to_string(),
            })
    }
}
