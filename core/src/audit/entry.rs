//! One access entry as it is signed, stored and carried: its JSON, the signer's certificate id
//! and the signature over both under the access domain.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::ErrorCode;
use crate::identity::{
    Certificate, CertificateId, IdentityError, KeyCustody, SignatureBytes, TrustStore,
    access_message,
};
use crate::model::{OrderId, Timestamp};

/// Longest stated purpose.
pub const MAX_PURPOSE_CHARS: usize = 200;
/// Largest entry JSON.
pub const MAX_ACCESS_PAYLOAD_BYTES: usize = 4 * 1024;

/// Where the opening happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "via", rename_all = "snake_case")]
pub enum AccessVia {
    /// On the signer's own device.
    Device,
    /// At the hub, for an integrating system through the API (the system's name).
    Api { system: String },
}

/// What one entry records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEntry {
    /// The signer's certificate id (must be the one that signed it).
    pub cert: String,
    /// Its place in the signer's chain, from 1.
    pub seq: u64,
    /// Hex SHA-256 of the previous entry's JSON; empty for the first.
    pub prev: String,
    pub at: Timestamp,
    pub order: OrderId,
    pub purpose: String,
    #[serde(flatten)]
    pub via: AccessVia,
}

/// One signed entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedAccess {
    pub cert: String,
    /// The signature's binary form (64 bytes for ed25519; the SM2 tag, then r‖s).
    pub signature: Vec<u8>,
    /// The entry's JSON, exactly as signed.
    pub payload: Vec<u8>,
}

/// An entry whose signature and signer were checked; who opened it is read off the signer's
/// certificate, never off the entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedAccess {
    pub entry: AccessEntry,
    pub signed: SignedAccess,
    /// Hex SHA-256 of the payload.
    pub hash: String,
    pub person: String,
    pub role: crate::model::Role,
    pub unit: String,
    /// The signer's certificate has been revoked since (its entries still count: they record
    /// what it did).
    pub revoked: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("state why the contact is opened (1 to {MAX_PURPOSE_CHARS} characters)")]
    PurposeRequired,
    #[error("the access entry is not valid: {0}")]
    Invalid(String),
    #[error(transparent)]
    Identity(#[from] IdentityError),
}

impl crate::Coded for AuditError {
    fn code(&self) -> ErrorCode {
        match self {
            AuditError::PurposeRequired => ErrorCode::AccessPurposeRequired,
            AuditError::Invalid(_) => ErrorCode::AccessEntryInvalid,
            AuditError::Identity(e) => e.code(),
        }
    }
    fn message_zh(&self) -> String {
        match self {
            AuditError::PurposeRequired => {
                format!("查看联系方式须说明用途（1 至 {MAX_PURPOSE_CHARS} 个字符）")
            }
            AuditError::Invalid(m) => format!("访问记录无效：{m}"),
            AuditError::Identity(e) => e.message_zh(),
        }
    }
    fn message_en(&self) -> String {
        match self {
            AuditError::Identity(e) => e.message_en(),
            other => other.to_string(),
        }
    }
}

/// A stated purpose, trimmed, within its limits.
pub fn check_purpose(purpose: &str) -> Result<String, AuditError> {
    let p = purpose.trim();
    if p.is_empty() || p.chars().count() > MAX_PURPOSE_CHARS || p.chars().any(char::is_control) {
        return Err(AuditError::PurposeRequired);
    }
    Ok(p.to_string())
}

fn hash_of(payload: &[u8]) -> String {
    hex::encode(Sha256::digest(payload))
}

impl SignedAccess {
    /// Signs `entry` as the holder of `certificate` (whose key `custody` must hold).
    pub fn sign(
        entry: &AccessEntry,
        certificate: &Certificate,
        custody: &dyn KeyCustody,
    ) -> Result<SignedAccess, AuditError> {
        check_purpose(&entry.purpose)?;
        if entry.cert != certificate.body.id.0 {
            return Err(AuditError::Invalid("signed by another certificate".into()));
        }
        if custody.public_key() != certificate.body.device_key {
            return Err(IdentityError::KeyMismatch {
                certificate: certificate.body.id.clone(),
            }
            .into());
        }
        let payload = serde_json::to_vec(entry).map_err(|e| AuditError::Invalid(e.to_string()))?;
        let signer = &certificate.body.id;
        let signature = custody.sign(&access_message(signer, &payload))?;
        Ok(SignedAccess {
            cert: signer.0.clone(),
            signature: signature.to_tagged_bytes(),
            payload,
        })
    }

    pub fn hash(&self) -> String {
        hash_of(&self.payload)
    }

    /// Size, JSON, purpose, that the entry names its signer, and the signature by that
    /// certificate's key (a certificate the city issued; revoked since or not).
    pub fn verify(&self, trust: &TrustStore) -> Result<VerifiedAccess, AuditError> {
        if self.payload.len() > MAX_ACCESS_PAYLOAD_BYTES || self.cert.len() > 128 {
            return Err(AuditError::Invalid("larger than an entry may be".into()));
        }
        let entry: AccessEntry = serde_json::from_slice(&self.payload)
            .map_err(|e| AuditError::Invalid(e.to_string()))?;
        check_purpose(&entry.purpose)?;
        // Every store's integer holds the place (PostgreSQL's BIGINT).
        if entry.cert != self.cert || entry.seq == 0 || i64::try_from(entry.seq).is_err() {
            return Err(AuditError::Invalid(
                "it names another signer, or no place in its chain".into(),
            ));
        }
        if entry.prev.is_empty() != (entry.seq == 1) {
            return Err(AuditError::Invalid(
                "its link to the entry before is wrong".into(),
            ));
        }
        let signer = CertificateId::new(self.cert.clone());
        let certificate = trust
            .certificate(&signer)
            .ok_or_else(|| IdentityError::UnknownCertificate { id: signer.clone() })?;
        let signature = SignatureBytes::from_tagged_bytes(&self.signature).ok_or_else(|| {
            IdentityError::BadSignature {
                signer: signer.clone(),
            }
        })?;
        if !certificate
            .body
            .device_key
            .verify(&access_message(&signer, &self.payload), &signature)
        {
            return Err(IdentityError::BadSignature { signer }.into());
        }
        let b = &certificate.body;
        Ok(VerifiedAccess {
            person: b.person.0.clone(),
            role: b.role,
            unit: b.unit.0.clone(),
            revoked: trust.is_revoked(&signer),
            entry,
            hash: self.hash(),
            signed: self.clone(),
        })
    }
}
