//! The device key held by the app: Android Keystore, the iOS Keychain (Secure Enclave keys are
//! P-256, so an ed25519 key sealed by the Keychain), or any store the app trusts. The core only
//! ever asks it to sign; the private key never crosses the boundary.

use std::sync::Arc;

use hotline_core::identity::{
    IdentityError, KeyCustody, PublicKeyBytes, SIGNATURE_LEN, SealingCustody, SealingPublicKey,
    SignatureBytes, Verifier,
};

use crate::HotlineError;

/// Implemented by the app. Both methods may throw a `HotlineError` (say `KeyCustody` with the
/// code `key_locked` when the user must unlock first); the call that needed the signature then
/// fails with `KeyCustody` / `signing_failed` and writes nothing.
#[uniffi::export(foreign)]
pub trait DeviceKeyCustody: Send + Sync {
    /// The raw public key, as enrolled: 32 bytes for ed25519, or the 65-byte uncompressed
    /// SEC1 point of an SM2 key in a city of the SM suite (the length says which).
    fn public_key(&self) -> Result<Vec<u8>, HotlineError>;
    /// The 64-byte signature of `message`, exactly as given: ed25519, or SM2 (r ‖ s, over SM3
    /// with the Z value of the default identifier `1234567812345678`).
    fn sign(&self, message: Vec<u8>) -> Result<Vec<u8>, HotlineError>;
}

/// The app's custody seen as the core's [`KeyCustody`]. The public key is read once, at open:
/// the core asks for it on every signature and expects no failure there.
pub(crate) struct ForeignCustody {
    app: Arc<dyn DeviceKeyCustody>,
    public: PublicKeyBytes,
    verifying: Verifier,
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
        let public = PublicKeyBytes::from_raw(&raw).map_err(HotlineError::key_custody)?;
        let verifying = public.verifier().map_err(HotlineError::key_custody)?;
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
        let signature = match self.public {
            PublicKeyBytes::Ed25519(_) => SignatureBytes::Ed25519(bytes),
            PublicKeyBytes::Sm2(_) => SignatureBytes::Sm2(bytes),
        };
        // A signature by another key (a wrong Keystore alias) would be stored and then make the
        // order unreadable on every device; refuse it here, before anything is written.
        if !self.verifying.verify(message, &signature) {
            return Err(failed(
                "the signature does not match the enrolled public key".into(),
            ));
        }
        Ok(signature)
    }
}

/// A sealing key the app keeps (the platform's on a center desk, a unit's on a township
/// phone): the key that opens citizens' contact details. Implemented by the app over its key
/// store; opening is libsodium's `crypto_box_seal_open`, which the app's crypto library (or a
/// Keystore-wrapped key with one) provides. Without it, the key the city issued is kept in a
/// 0600 file in the store, as `set_up` writes it.
#[uniffi::export(foreign)]
pub trait SealingKeyCustody: Send + Sync {
    /// The raw public key, as the city issued it: 32 bytes (X25519), or a 65-byte SM2 point in
    /// a city of the SM suite.
    fn public_key(&self) -> Result<Vec<u8>, HotlineError>;
    /// Opens a sealed box addressed to this key: `crypto_box_seal_open` for an X25519 key; for
    /// an SM2 key the envelope documented in the core's `identity::sm_envelope` (SM2 decryption
    /// of the 113-byte capsule, C1 ‖ C3 ‖ C2, then SM4-GCM with the format byte `2` and the
    /// capsule as associated data). The bytes sealed.
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
        let public = SealingPublicKey::from_raw(&raw).map_err(HotlineError::key_custody)?;
        Ok(Self { app, public })
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
