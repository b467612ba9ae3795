//! The SM suite's sealed box: a digital envelope (数字信封, as GB/T 35275 and GM/T 0010 use
//! the term) — a fresh SM4 key encrypted to the recipient's SM2 public key with SM2 public-key
//! encryption (GM/T 0003.4 / GB/T 32918.4, ciphertext order C1 ‖ C3 ‖ C2), and the data
//! encrypted and authenticated under that key with SM4-GCM (as RFC 8998 uses it).
//!
//! Why an envelope rather than SM2 encryption of the data itself: SM2 encryption's only
//! integrity check is C3, a hash of the plaintext and the shared point, and its keystream
//! comes from a KDF sized to the message; SM4-GCM adds a standard authenticated mode, the
//! SM2 part stays a fixed 113 bytes whatever is sealed, and any SM2 implementation (an app's
//! platform key store, gmssl) opens the key capsule with its defaults. The capsule is bound
//! to the data: it is part of GCM's associated data.
//!
//! Bytes (after the sealed record's own format byte): capsule (113: C1 as an uncompressed
//! point, 65; C3, 32; C2, the 16-byte key) ‖ nonce (12) ‖ SM4-GCM ciphertext and tag (16).

use aes_gcm::AesGcm;
use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use rand_core::CryptoRngCore;

use super::errors::IdentityError;
use super::keys::SM2_PUBLIC_KEY_LEN;

/// SM4 in Galois/Counter Mode, 96-bit nonce, 128-bit tag.
type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

const KEY_LEN: usize = 16;
const NONCE_LEN: usize = 12;
/// C1 (65) ‖ C3 (32) ‖ C2 (the key, 16).
pub(crate) const CAPSULE_LEN: usize = SM2_PUBLIC_KEY_LEN + 32 + KEY_LEN;

/// Our random source as the random-number traits SM2 encryption asks for.
struct Rng010<'a, R: CryptoRngCore>(&'a mut R);

impl<R: CryptoRngCore> rand_core_010::TryRng for Rng010<'_, R> {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.0.next_u32())
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(self.0.next_u64())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.0.fill_bytes(dst);
        Ok(())
    }
}

impl<R: CryptoRngCore> rand_core_010::TryCryptoRng for Rng010<'_, R> {}

fn seal_failed(reason: impl Into<String>) -> IdentityError {
    IdentityError::SealFailed {
        reason: reason.into(),
    }
}

/// SM4-GCM of `plain` under `key` and `nonce`, with `aad` authenticated: ciphertext ‖ tag.
pub fn sm4_gcm_seal(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    plain: &[u8],
) -> Result<Vec<u8>, IdentityError> {
    Sm4Gcm::new(&(*key).into())
        .encrypt(&(*nonce).into(), Payload { msg: plain, aad })
        .map_err(|_| seal_failed("SM4-GCM refused the input"))
}

/// The inverse of [`sm4_gcm_seal`]; any change to key, nonce, data or tag is refused.
pub fn sm4_gcm_open(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, IdentityError> {
    Sm4Gcm::new(&(*key).into())
        .decrypt(&(*nonce).into(), Payload { msg: sealed, aad })
        .map_err(|_| IdentityError::WrongKey)
}

/// Seals `plain` to the SM2 key `recipient` (see the module's comment); `context` (the record's
/// format byte) is authenticated with it.
pub(crate) fn seal(
    recipient: &[u8; SM2_PUBLIC_KEY_LEN],
    context: &[u8],
    plain: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<Vec<u8>, IdentityError> {
    let mut key = zeroize::Zeroizing::new([0u8; KEY_LEN]);
    rng.fill_bytes(key.as_mut());
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    let capsule = sm2::pke::EncryptingKey::from_sec1_bytes(recipient)
        .map_err(|_| seal_failed("the recipient is not an SM2 public key"))?
        .encrypt(&mut Rng010(rng), key.as_ref())
        .map_err(|_| seal_failed("SM2 encryption failed"))?;
    if capsule.len() != CAPSULE_LEN {
        return Err(seal_failed(format!(
            "an SM2 capsule of {} bytes instead of {CAPSULE_LEN}",
            capsule.len()
        )));
    }
    let aad = [context, &capsule].concat();
    let body = sm4_gcm_seal(&key, &nonce, &aad, plain)?;
    Ok([capsule.as_slice(), &nonce, &body].concat())
}

/// Opens what [`seal`] made for the SM2 secret `secret`. A record for another key, or altered
/// anywhere, is [`IdentityError::WrongKey`].
pub(crate) fn open(
    secret: &[u8; 32],
    context: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, IdentityError> {
    if sealed.len() < CAPSULE_LEN + NONCE_LEN {
        return Err(IdentityError::OpenFailed {
            reason: "too short for an SM2 envelope".into(),
        });
    }
    let (capsule, rest) = sealed.split_at(CAPSULE_LEN);
    let (nonce, body) = rest.split_at(NONCE_LEN);
    let decrypting =
        sm2::pke::DecryptingKey::from_slice(secret).map_err(|_| IdentityError::WrongKey)?;
    let key = zeroize::Zeroizing::new(
        decrypting
            .decrypt(capsule)
            .map_err(|_| IdentityError::WrongKey)?,
    );
    let key: [u8; KEY_LEN] = key
        .as_slice()
        .try_into()
        .map_err(|_| IdentityError::WrongKey)?;
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| IdentityError::WrongKey)?;
    let aad = [context, capsule].concat();
    sm4_gcm_open(&key, &nonce, &aad, body)
}
