//! Citizen contact details, sealed to the platform's public key: in an ed25519 city a
//! crypto_box sealed box (X25519 + XSalsa20-Poly1305, with a fresh ephemeral sender key), in
//! a city of the SM suite an SM2 digital envelope with SM4-GCM (`sm_envelope.rs`). A kiosk holds only the public key:
//! once it has sealed, it can no longer read what the citizen typed. The hub opens and re-seals
//! to a handling unit's key on dispatch, unless the order is confidential.
//!
//! Sealed bytes: one format byte — `1`, then the libsodium-compatible sealed box; `2`, then the
//! SM2 envelope — of the JSON of [`ContactDetails`], padded with spaces to a multiple of 64
//! bytes so the length of the box does not tell how long a name is or whether an ID number
//! was given. The format byte is the algorithm tag: a reader never guesses.

use std::fmt;

use crypto_box::{PublicKey, SecretKey};
use rand_core::CryptoRngCore;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::custody::{KeyCustody, MemoryKeyCustody};
use super::errors::IdentityError;
use super::keys::{PublicKeyBytes, SM2_PUBLIC_KEY_LEN, hex_bytes};
use super::sm_envelope;
use super::suite::CryptoSuite;

const FORMAT_V1: u8 = 1;
const FORMAT_SM2: u8 = 2;
const SM2_TEXT: &str = "sm2:";
const PAD_TO: usize = 64;

/// What a citizen may leave so the unit can call back. `Debug` never prints the values.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ContactDetails {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
}

/// Contact details only a holder of the matching [`SealingKeypair`] can read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SealedContact(#[serde(with = "hex_bytes")] Vec<u8>);

/// A public key to seal to: the platform's, or a handling unit's — X25519, or SM2 in a city
/// of the SM suite. Text form as for signing keys: bare hex, or `sm2:` and the point's hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum SealingPublicKey {
    X25519([u8; 32]),
    Sm2([u8; SM2_PUBLIC_KEY_LEN]),
}

/// A key pair that can open sealed contacts: the platform holds one, and each handling unit
/// that receives contact details holds its own. The secret is wiped on drop (by crypto_box,
/// or by `zeroize` for an SM2 secret).
pub struct SealingKeypair {
    secret: SealingSecret,
}

enum SealingSecret {
    X25519(SecretKey),
    Sm2 {
        secret: zeroize::Zeroizing<[u8; 32]>,
        public: [u8; SM2_PUBLIC_KEY_LEN],
    },
}

impl ContactDetails {
    /// Seals to `recipient`. Needs only the public key, so a kiosk cannot open the result.
    pub fn seal_to(
        &self,
        recipient: &SealingPublicKey,
        rng: &mut impl CryptoRngCore,
    ) -> Result<SealedContact, IdentityError> {
        let mut plain = serde_json::to_vec(self).map_err(|e| IdentityError::SealFailed {
            reason: e.to_string(),
        })?;
        // Trailing whitespace is valid after a JSON value, so padding needs no length field.
        let padded_len = plain.len().div_ceil(PAD_TO).max(1) * PAD_TO;
        plain.resize(padded_len, b' ');
        let (format, boxed) = match recipient {
            SealingPublicKey::X25519(key) => (
                FORMAT_V1,
                PublicKey::from_bytes(*key).seal(rng, &plain).map_err(|e| {
                    IdentityError::SealFailed {
                        reason: e.to_string(),
                    }
                })?,
            ),
            SealingPublicKey::Sm2(key) => (
                FORMAT_SM2,
                sm_envelope::seal(key, &[FORMAT_SM2], &plain, rng)?,
            ),
        };
        let mut out = Vec::with_capacity(1 + boxed.len());
        out.push(format);
        out.extend_from_slice(&boxed);
        Ok(SealedContact(out))
    }
}

impl SealedContact {
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

/// Whoever holds a secret sealing key — the platform's, or a handling unit's — and opens what
/// was sealed to it. Like [`super::KeyCustody`] for signing keys: the core never needs the
/// secret itself, so a phone can keep it in the Keystore / Keychain (opening a sealed box is
/// libsodium's `crypto_box_seal_open`), a desk in a file ([`crate::key_files`]).
pub trait SealingCustody: Send + Sync {
    fn public_key(&self) -> SealingPublicKey;
    /// Opens a box addressed to this key — a libsodium sealed box for an X25519 key, the SM2
    /// envelope of `sm_envelope.rs` (its context the format byte `2`) for an SM2 key: the
    /// bytes that were sealed. A box for another key, or altered, is
    /// [`IdentityError::WrongKey`].
    fn unseal(&self, sealed_box: &[u8]) -> Result<Vec<u8>, IdentityError>;
}

impl SealedContact {
    /// The contact details, opened by whoever holds the key they were sealed to.
    pub fn open_with(&self, custody: &dyn SealingCustody) -> Result<ContactDetails, IdentityError> {
        let (format, boxed) = self.0.split_first().ok_or(IdentityError::OpenFailed {
            reason: "empty".to_string(),
        })?;
        match (*format, custody.public_key()) {
            (FORMAT_V1, SealingPublicKey::X25519(_)) | (FORMAT_SM2, SealingPublicKey::Sm2(_)) => {}
            // Sealed with the other suite: certainly not to this key.
            (FORMAT_V1 | FORMAT_SM2, _) => return Err(IdentityError::WrongKey),
            _ => {
                return Err(IdentityError::OpenFailed {
                    reason: format!("unknown format {format}"),
                });
            }
        }
        let plain = custody.unseal(boxed)?;
        serde_json::from_slice(&plain).map_err(|e| IdentityError::OpenFailed {
            reason: e.to_string(),
        })
    }

    /// What the center does on dispatch: open with the platform key and seal to the handling
    /// unit's key. Refused for confidential orders (保密), whose callers are never identified
    /// to handling units.
    pub fn reseal_for_unit(
        &self,
        platform: &dyn SealingCustody,
        unit: &SealingPublicKey,
        order_is_confidential: bool,
        rng: &mut impl CryptoRngCore,
    ) -> Result<SealedContact, IdentityError> {
        if order_is_confidential {
            return Err(IdentityError::OrderConfidential);
        }
        self.open_with(platform)?.seal_to(unit, rng)
    }
}

impl SealingCustody for SealingKeypair {
    fn public_key(&self) -> SealingPublicKey {
        SealingKeypair::public_key(self)
    }

    fn unseal(&self, sealed_box: &[u8]) -> Result<Vec<u8>, IdentityError> {
        SealingKeypair::unseal(self, sealed_box)
    }
}

impl SealingKeypair {
    /// A new X25519 key pair.
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        Self {
            secret: SealingSecret::X25519(SecretKey::generate(rng)),
        }
    }

    /// A new key pair of `suite`'s sealing algorithm (X25519, or SM2).
    pub fn generate_in(suite: CryptoSuite, rng: &mut impl CryptoRngCore) -> Self {
        match suite {
            CryptoSuite::Ed25519 => Self::generate(rng),
            CryptoSuite::Sm => {
                // The same rule for an SM2 secret as for a signing key; draw again in the
                // rare case it is not a valid scalar.
                let signing = MemoryKeyCustody::generate_in(CryptoSuite::Sm, rng);
                let secret = signing.secret_bytes();
                match Self::from_secret(suite, *secret) {
                    Ok(k) => k,
                    Err(_) => Self::generate_in(suite, rng),
                }
            }
        }
    }

    /// An X25519 key pair from its secret.
    pub fn from_secret_bytes(secret: [u8; 32]) -> Self {
        Self {
            secret: SealingSecret::X25519(SecretKey::from_bytes(secret)),
        }
    }

    /// A key pair of `suite` from its 32 secret bytes (an SM2 secret must be in [1, n - 2]).
    pub fn from_secret(suite: CryptoSuite, secret: [u8; 32]) -> Result<Self, IdentityError> {
        match suite {
            CryptoSuite::Ed25519 => Ok(Self::from_secret_bytes(secret)),
            CryptoSuite::Sm => {
                let PublicKeyBytes::Sm2(public) =
                    MemoryKeyCustody::from_secret(suite, &secret)?.public_key()
                else {
                    return Err(IdentityError::InvalidPublicKey {
                        reason: "an SM2 secret gave no SM2 point".into(),
                    });
                };
                Ok(Self {
                    secret: SealingSecret::Sm2 {
                        secret: zeroize::Zeroizing::new(secret),
                        public,
                    },
                })
            }
        }
    }

    pub fn suite(&self) -> CryptoSuite {
        match self.secret {
            SealingSecret::X25519(_) => CryptoSuite::Ed25519,
            SealingSecret::Sm2 { .. } => CryptoSuite::Sm,
        }
    }

    /// The secret key, for storing it; the caller is responsible for the copy.
    pub fn to_secret_bytes(&self) -> [u8; 32] {
        match &self.secret {
            SealingSecret::X25519(k) => k.to_bytes(),
            SealingSecret::Sm2 { secret, .. } => **secret,
        }
    }

    /// The secret as text that names its algorithm (bare hex for X25519, as always; `sm2:`
    /// and hex for SM2), for `keys.json` and credentials.
    pub fn to_secret_hex(&self) -> String {
        let hex = hex::encode(self.to_secret_bytes());
        match self.secret {
            SealingSecret::X25519(_) => hex,
            SealingSecret::Sm2 { .. } => format!("{SM2_TEXT}{hex}"),
        }
    }

    /// Reads [`Self::to_secret_hex`]'s form.
    pub fn from_secret_hex(text: &str) -> Result<Self, IdentityError> {
        let text = text.trim();
        let (suite, digits) = match text.strip_prefix(SM2_TEXT) {
            Some(rest) => (CryptoSuite::Sm, rest),
            None => (CryptoSuite::Ed25519, text),
        };
        let mut secret = [0u8; 32];
        hex::decode_to_slice(digits, &mut secret).map_err(|e| IdentityError::InvalidEncoding {
            what: "sealing secret key",
            reason: e.to_string(),
        })?;
        Self::from_secret(suite, secret)
    }

    pub fn public_key(&self) -> SealingPublicKey {
        match &self.secret {
            SealingSecret::X25519(k) => SealingPublicKey::X25519(k.public_key().to_bytes()),
            SealingSecret::Sm2 { public, .. } => SealingPublicKey::Sm2(*public),
        }
    }

    /// Opens a sealed box addressed to this key (see [`SealingCustody::unseal`]).
    pub fn unseal(&self, sealed_box: &[u8]) -> Result<Vec<u8>, IdentityError> {
        // Authentication failure cannot tell a wrong key from altered bytes; both mean "this
        // key cannot read it".
        match &self.secret {
            SealingSecret::X25519(k) => k.unseal(sealed_box).map_err(|_| IdentityError::WrongKey),
            SealingSecret::Sm2 { secret, .. } => {
                sm_envelope::open(secret, &[FORMAT_SM2], sealed_box)
            }
        }
    }

    pub fn open(&self, sealed: &SealedContact) -> Result<ContactDetails, IdentityError> {
        sealed.open_with(self)
    }

    /// [`SealedContact::reseal_for_unit`] with this key as the platform's.
    pub fn reseal_for_unit(
        &self,
        sealed: &SealedContact,
        unit: &SealingPublicKey,
        order_is_confidential: bool,
        rng: &mut impl CryptoRngCore,
    ) -> Result<SealedContact, IdentityError> {
        sealed.reseal_for_unit(self, unit, order_is_confidential, rng)
    }
}

impl SealingPublicKey {
    pub fn suite(&self) -> CryptoSuite {
        match self {
            SealingPublicKey::X25519(_) => CryptoSuite::Ed25519,
            SealingPublicKey::Sm2(_) => CryptoSuite::Sm,
        }
    }

    /// The raw key: 32 bytes for X25519, the 65-byte point for SM2.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            SealingPublicKey::X25519(b) => b,
            SealingPublicKey::Sm2(b) => b,
        }
    }

    /// A raw key as a platform key store hands it over (the length says which algorithm).
    pub fn from_raw(raw: &[u8]) -> Result<Self, IdentityError> {
        if let Ok(b) = <[u8; 32]>::try_from(raw) {
            return Ok(SealingPublicKey::X25519(b));
        }
        <[u8; SM2_PUBLIC_KEY_LEN]>::try_from(raw)
            .ok()
            .filter(|b| sm2::PublicKey::from_sec1_bytes(b).is_ok())
            .map(SealingPublicKey::Sm2)
            .ok_or_else(|| IdentityError::InvalidPublicKey {
                reason: format!(
                    "a sealing key of {} bytes: 32 for X25519, an SM2 point of {SM2_PUBLIC_KEY_LEN}",
                    raw.len()
                ),
            })
    }

    pub fn to_hex(&self) -> String {
        match self {
            SealingPublicKey::X25519(b) => hex::encode(b),
            SealingPublicKey::Sm2(b) => format!("{SM2_TEXT}{}", hex::encode(b)),
        }
    }

    pub fn from_hex(s: &str) -> Result<Self, IdentityError> {
        let bad = |e: hex::FromHexError| IdentityError::InvalidEncoding {
            what: "sealing public key",
            reason: e.to_string(),
        };
        let s = s.trim();
        match s.strip_prefix(SM2_TEXT) {
            Some(rest) => {
                let mut out = [0u8; SM2_PUBLIC_KEY_LEN];
                hex::decode_to_slice(rest, &mut out).map_err(bad)?;
                Ok(SealingPublicKey::Sm2(out))
            }
            None => {
                let mut out = [0u8; 32];
                hex::decode_to_slice(s, &mut out).map_err(bad)?;
                Ok(SealingPublicKey::X25519(out))
            }
        }
    }
}

impl fmt::Debug for ContactDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |v: &Option<String>| if v.is_some() { "<redacted>" } else { "-" };
        f.debug_struct("ContactDetails")
            .field("name", &shown(&self.name))
            .field("phone", &shown(&self.phone))
            .field("id_number", &shown(&self.id_number))
            .finish()
    }
}

impl fmt::Debug for SealingKeypair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealingKeypair")
            .field("public_key", &self.public_key())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for SealingPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SealingPublicKey({})", self.to_hex())
    }
}

impl Serialize for SealingPublicKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for SealingPublicKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::from_hex(&s).map_err(serde::de::Error::custom)
    }
}
