//! Public keys and signatures as they travel between devices and the hub, each carrying its
//! algorithm: an ed25519 key or signature, or an SM2 one (the city's [`CryptoSuite`]).
//!
//! Text form (JSON, TOML, QR codes, logs): an ed25519 value is bare lowercase hex, exactly as
//! before suites existed, so every certificate, credential and authority file made then reads
//! the same; an SM2 value is `sm2:` followed by hex (a key as its 65-byte uncompressed SEC1
//! point, a signature as r ‖ s). Binary form (a signature in a change, a sync request, the
//! stores): ed25519 is the 64 raw bytes as before, SM2 is the tag byte [`SM2_TAG`] then r ‖ s.
//! Either way the algorithm is read off the value, never inferred from the city.

use std::fmt;

use ed25519_dalek::{Signature, VerifyingKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::errors::IdentityError;
use super::suite::{CryptoSuite, SM2_DIST_ID};

/// Length of an ed25519 public key.
pub const PUBLIC_KEY_LEN: usize = 32;
/// Length of an SM2 public key (an uncompressed SEC1 point: `04`, x, y).
pub const SM2_PUBLIC_KEY_LEN: usize = 65;
/// Length of a signature of either algorithm (ed25519's R ‖ S, SM2's r ‖ s).
pub const SIGNATURE_LEN: usize = 64;
/// The first byte of an SM2 signature in binary form.
pub const SM2_TAG: u8 = 0x02;
const SM2_TEXT: &str = "sm2:";

/// A public key (the city root's or a device's), with its algorithm.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PublicKeyBytes {
    Ed25519([u8; PUBLIC_KEY_LEN]),
    Sm2([u8; SM2_PUBLIC_KEY_LEN]),
}

/// A signature, with its algorithm.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureBytes {
    Ed25519([u8; SIGNATURE_LEN]),
    Sm2([u8; SIGNATURE_LEN]),
}

/// A public key ready to check signatures (decompressed / parsed once).
#[derive(Clone, Debug)]
pub enum Verifier {
    Ed25519(VerifyingKey),
    Sm2(Box<sm2::dsa::VerifyingKey>),
}

impl PublicKeyBytes {
    pub fn suite(&self) -> CryptoSuite {
        match self {
            PublicKeyBytes::Ed25519(_) => CryptoSuite::Ed25519,
            PublicKeyBytes::Sm2(_) => CryptoSuite::Sm,
        }
    }

    /// The raw key: 32 bytes for ed25519, the 65-byte SEC1 point for SM2.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            PublicKeyBytes::Ed25519(b) => b,
            PublicKeyBytes::Sm2(b) => b,
        }
    }

    /// A raw key as a platform key store hands it over: the two algorithms' encodings have
    /// different fixed lengths (and an SM2 point starts with `04`), so the bytes say which.
    pub fn from_raw(raw: &[u8]) -> Result<Self, IdentityError> {
        let key = match raw.len() {
            PUBLIC_KEY_LEN => PublicKeyBytes::Ed25519(fixed(raw)),
            SM2_PUBLIC_KEY_LEN => PublicKeyBytes::Sm2(fixed(raw)),
            n => {
                return Err(IdentityError::InvalidPublicKey {
                    reason: format!(
                        "{n} bytes: an ed25519 key has {PUBLIC_KEY_LEN}, an SM2 key {SM2_PUBLIC_KEY_LEN}"
                    ),
                });
            }
        };
        key.verifier()?;
        Ok(key)
    }

    pub fn to_hex(&self) -> String {
        match self {
            PublicKeyBytes::Ed25519(b) => hex::encode(b),
            PublicKeyBytes::Sm2(b) => format!("{SM2_TEXT}{}", hex::encode(b)),
        }
    }

    pub fn from_hex(s: &str) -> Result<Self, IdentityError> {
        let s = s.trim();
        match s.strip_prefix(SM2_TEXT) {
            Some(rest) => decode_hex("public key", rest).map(PublicKeyBytes::Sm2),
            None => decode_hex("public key", s).map(PublicKeyBytes::Ed25519),
        }
    }

    /// A short form for people comparing keys on two screens during enrolment: the first
    /// 8 bytes of the key's suite digest (SHA-256 or SM3). Never use it to identify a key in
    /// code.
    pub fn fingerprint(&self) -> String {
        let digest = self.suite().digest(self.as_bytes());
        hex::encode(&digest[..8])
    }

    /// Parses the key for verification. Fails for byte strings that are not a point of the
    /// curve; weak (small-order) ed25519 keys parse but never verify, because every ed25519
    /// check uses `verify_strict`.
    pub fn verifier(&self) -> Result<Verifier, IdentityError> {
        let invalid = |reason: String| IdentityError::InvalidPublicKey { reason };
        match self {
            PublicKeyBytes::Ed25519(b) => VerifyingKey::from_bytes(b)
                .map(Verifier::Ed25519)
                .map_err(|e| invalid(e.to_string())),
            PublicKeyBytes::Sm2(b) => sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DIST_ID, b)
                .map(|k| Verifier::Sm2(Box::new(k)))
                .map_err(|_| invalid("not a point of the SM2 curve".into())),
        }
    }

    /// Whether `signature` is this key's over `message` (false for a key that does not
    /// parse, and for a signature of another algorithm).
    pub fn verify(&self, message: &[u8], signature: &SignatureBytes) -> bool {
        self.verifier().is_ok_and(|v| v.verify(message, signature))
    }
}

impl Verifier {
    /// `verify_strict` for ed25519 rather than `verify`: it also refuses small-order keys and
    /// signature components, so one record cannot carry two different valid signatures (which
    /// would give one change two ids) and a crafted weak key cannot "sign" several messages at
    /// once. SM2 verification (GM/T 0003.2 §7) refuses r or s outside [1, n-1] and r + s = n.
    pub fn verify(&self, message: &[u8], signature: &SignatureBytes) -> bool {
        match (self, signature) {
            (Verifier::Ed25519(key), SignatureBytes::Ed25519(sig)) => key
                .verify_strict(message, &Signature::from_bytes(sig))
                .is_ok(),
            (Verifier::Sm2(key), SignatureBytes::Sm2(sig)) => {
                use sm2::dsa::signature::Verifier as _;
                sm2::dsa::Signature::from_bytes(&(*sig).into())
                    .is_ok_and(|sig| key.verify(message, &sig).is_ok())
            }
            _ => false,
        }
    }

    /// An SM2 key checked under another signer identifier than hotline's own
    /// ([`SM2_DIST_ID`]): for the standard's worked examples, and for records signed by a
    /// system with identifiers of its own.
    pub fn sm2_for_identity(public: &[u8], distid: &str) -> Result<Verifier, IdentityError> {
        sm2::dsa::VerifyingKey::from_sec1_bytes(distid, public)
            .map(|k| Verifier::Sm2(Box::new(k)))
            .map_err(|_| IdentityError::InvalidPublicKey {
                reason: "not a point of the SM2 curve".into(),
            })
    }

    /// A small-order ed25519 key (never an SM2 one: a parsed SM2 point is never the identity).
    pub fn is_weak(&self) -> bool {
        match self {
            Verifier::Ed25519(key) => key.is_weak(),
            Verifier::Sm2(_) => false,
        }
    }
}

impl SignatureBytes {
    pub fn suite(&self) -> CryptoSuite {
        match self {
            SignatureBytes::Ed25519(_) => CryptoSuite::Ed25519,
            SignatureBytes::Sm2(_) => CryptoSuite::Sm,
        }
    }

    /// The signature's 64 bytes, without its algorithm.
    pub fn raw(&self) -> &[u8; SIGNATURE_LEN] {
        match self {
            SignatureBytes::Ed25519(b) | SignatureBytes::Sm2(b) => b,
        }
    }

    /// The signature's 64 bytes, to alter (tests of tampering do).
    pub fn raw_mut(&mut self) -> &mut [u8; SIGNATURE_LEN] {
        match self {
            SignatureBytes::Ed25519(b) | SignatureBytes::Sm2(b) => b,
        }
    }

    /// The binary form (see the module's comment).
    pub fn to_tagged_bytes(&self) -> Vec<u8> {
        match self {
            SignatureBytes::Ed25519(b) => b.to_vec(),
            SignatureBytes::Sm2(b) => {
                let mut out = Vec::with_capacity(1 + SIGNATURE_LEN);
                out.push(SM2_TAG);
                out.extend_from_slice(b);
                out
            }
        }
    }

    /// Reads the binary form; `None` for any other length or tag.
    pub fn from_tagged_bytes(bytes: &[u8]) -> Option<Self> {
        match bytes {
            [SM2_TAG, rest @ ..] if rest.len() == SIGNATURE_LEN => {
                Some(SignatureBytes::Sm2(fixed(rest)))
            }
            b if b.len() == SIGNATURE_LEN => Some(SignatureBytes::Ed25519(fixed(b))),
            _ => None,
        }
    }

    pub fn to_hex(&self) -> String {
        match self {
            SignatureBytes::Ed25519(b) => hex::encode(b),
            SignatureBytes::Sm2(b) => format!("{SM2_TEXT}{}", hex::encode(b)),
        }
    }

    pub fn from_hex(s: &str) -> Result<Self, IdentityError> {
        let s = s.trim();
        match s.strip_prefix(SM2_TEXT) {
            Some(rest) => decode_hex("signature", rest).map(SignatureBytes::Sm2),
            None => decode_hex("signature", s).map(SignatureBytes::Ed25519),
        }
    }
}

impl From<VerifyingKey> for PublicKeyBytes {
    fn from(key: VerifyingKey) -> Self {
        PublicKeyBytes::Ed25519(key.to_bytes())
    }
}

impl From<Signature> for SignatureBytes {
    fn from(sig: Signature) -> Self {
        SignatureBytes::Ed25519(sig.to_bytes())
    }
}

/// `bytes` (whose length the caller checked) as an array.
fn fixed<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes[..N]);
    out
}

fn decode_hex<const N: usize>(what: &'static str, s: &str) -> Result<[u8; N], IdentityError> {
    let mut out = [0u8; N];
    hex::decode_to_slice(s.trim(), &mut out).map_err(|e| IdentityError::InvalidEncoding {
        what,
        reason: e.to_string(),
    })?;
    Ok(out)
}

impl fmt::Debug for PublicKeyBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKeyBytes({})", self.to_hex())
    }
}
impl fmt::Display for PublicKeyBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}
impl fmt::Debug for SignatureBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SignatureBytes({})", self.to_hex())
    }
}

impl Serialize for PublicKeyBytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}
impl<'de> Deserialize<'de> for PublicKeyBytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::from_hex(&s).map_err(serde::de::Error::custom)
    }
}
impl Serialize for SignatureBytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}
impl<'de> Deserialize<'de> for SignatureBytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::from_hex(&s).map_err(serde::de::Error::custom)
    }
}

/// Serde helper: byte strings as hex in JSON (`#[serde(with = "hex_bytes")]`).
pub(crate) mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(s).map_err(serde::de::Error::custom)
    }
}
