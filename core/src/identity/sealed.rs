//! Citizen contact details, sealed (crypto_box sealed box: X25519 + XSalsa20-Poly1305, with a
//! fresh ephemeral sender key) to the platform's public key. A kiosk holds only the public key:
//! once it has sealed, it can no longer read what the citizen typed. The hub opens and re-seals
//! to a handling unit's key on dispatch, unless the order is confidential.
//!
//! Sealed bytes: one format byte (`1`), then the libsodium-compatible sealed box of the JSON
//! of [`ContactDetails`], padded with spaces to a multiple of 64 bytes so the length of the
//! box does not tell how long a name is or whether an ID number was given.

use std::fmt;

use crypto_box::{PublicKey, SecretKey};
use rand_core::CryptoRngCore;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::errors::IdentityError;
use super::keys::hex_bytes;

const FORMAT_V1: u8 = 1;
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

/// An X25519 public key to seal to: the platform's, or a handling unit's.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SealingPublicKey(pub [u8; 32]);

/// An X25519 key pair that can open sealed contacts: the platform holds one, and each
/// handling unit that receives contact details holds its own. The secret is wiped on drop by
/// crypto_box.
pub struct SealingKeypair {
    secret: SecretKey,
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
        let boxed = PublicKey::from_bytes(recipient.0)
            .seal(rng, &plain)
            .map_err(|e| IdentityError::SealFailed {
                reason: e.to_string(),
            })?;
        let mut out = Vec::with_capacity(1 + boxed.len());
        out.push(FORMAT_V1);
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
    /// Opens a libsodium sealed box addressed to this key: the bytes that were sealed. A box
    /// for another key, or altered, is [`IdentityError::WrongKey`].
    fn unseal(&self, sealed_box: &[u8]) -> Result<Vec<u8>, IdentityError>;
}

impl SealedContact {
    /// The contact details, opened by whoever holds the key they were sealed to.
    pub fn open_with(&self, custody: &dyn SealingCustody) -> Result<ContactDetails, IdentityError> {
        let (format, boxed) = self.0.split_first().ok_or(IdentityError::OpenFailed {
            reason: "empty".to_string(),
        })?;
        if *format != FORMAT_V1 {
            return Err(IdentityError::OpenFailed {
                reason: format!("unknown format {format}"),
            });
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
    pub fn generate(rng: &mut impl CryptoRngCore) -> Self {
        Self {
            secret: SecretKey::generate(rng),
        }
    }

    pub fn from_secret_bytes(secret: [u8; 32]) -> Self {
        Self {
            secret: SecretKey::from_bytes(secret),
        }
    }

    /// The secret key, for storing it; the caller is responsible for the copy.
    pub fn to_secret_bytes(&self) -> [u8; 32] {
        self.secret.to_bytes()
    }

    pub fn public_key(&self) -> SealingPublicKey {
        SealingPublicKey(self.secret.public_key().to_bytes())
    }

    /// Opens a sealed box addressed to this key (see [`SealingCustody::unseal`]).
    pub fn unseal(&self, sealed_box: &[u8]) -> Result<Vec<u8>, IdentityError> {
        // Authentication failure cannot tell a wrong key from altered bytes; both mean "this
        // key cannot read it".
        self.secret
            .unseal(sealed_box)
            .map_err(|_| IdentityError::WrongKey)
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
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn from_hex(s: &str) -> Result<Self, IdentityError> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s.trim(), &mut out).map_err(|e| IdentityError::InvalidEncoding {
            what: "sealing public key",
            reason: e.to_string(),
        })?;
        Ok(Self(out))
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
