//! A knowledge-base record as it is signed, stored and carried: the record's JSON, the signer's
//! certificate id and the signature over both under the knowledge domain. Verified the same
//! way wherever it arrives; nothing in it is taken on the sender's word.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::errors::KbError;
use super::item::KbRecord;
use crate::identity::{
    Certificate, CertificateId, IdentityError, KeyCustody, SignatureBytes, TrustStore,
    knowledge_message,
};

/// Bytes of one record's JSON: eight fields of 2,000 characters and an answer of 5,000, in
/// UTF-8, with room to spare.
pub const MAX_KB_RECORD_BYTES: usize = 96 * 1024;

/// One signed record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedKb {
    /// The signer's certificate id.
    pub cert: String,
    /// The signature's binary form (64 bytes for ed25519; the SM2 tag, then r‖s).
    pub signature: Vec<u8>,
    /// The record's JSON, exactly as signed.
    pub payload: Vec<u8>,
}

/// A record whose signature, signer and content were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedKb {
    pub record: KbRecord,
    pub signed: SignedKb,
    /// Hex SHA-256 of the payload: the record's identity in every store.
    pub hash: String,
}

impl SignedKb {
    /// Signs `record` as the holder of `certificate` (whose key `custody` must hold).
    pub fn sign(
        record: &KbRecord,
        certificate: &Certificate,
        custody: &dyn KeyCustody,
    ) -> Result<SignedKb, KbError> {
        record.check()?;
        record.check_author()?;
        certificate.check_actor(&record.by)?;
        if custody.public_key() != certificate.body.device_key {
            return Err(IdentityError::KeyMismatch {
                certificate: certificate.body.id.clone(),
            }
            .into());
        }
        let payload =
            serde_json::to_vec(record).map_err(|e| KbError::Undecodable(e.to_string()))?;
        if payload.len() > MAX_KB_RECORD_BYTES {
            return Err(KbError::Undecodable(format!(
                "{} bytes, more than {MAX_KB_RECORD_BYTES}",
                payload.len()
            )));
        }
        let signer = &certificate.body.id;
        let signature = custody.sign(&knowledge_message(signer, &payload))?;
        Ok(SignedKb {
            cert: signer.0.clone(),
            signature: signature.to_tagged_bytes(),
            payload,
        })
    }

    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(&self.payload))
    }

    /// Size, JSON, fields, signature (by a certificate valid and unrevoked at the instant the
    /// record claims), that the certificate is the author's, and that the author may keep the
    /// unit's items.
    pub fn verify(&self, trust: &TrustStore) -> Result<VerifiedKb, KbError> {
        if self.payload.len() > MAX_KB_RECORD_BYTES || self.cert.len() > 128 {
            return Err(KbError::Undecodable("larger than a record may be".into()));
        }
        let record: KbRecord = serde_json::from_slice(&self.payload)
            .map_err(|e| KbError::Undecodable(e.to_string()))?;
        record.check()?;
        let signer = CertificateId::new(self.cert.clone());
        let signature = SignatureBytes::from_tagged_bytes(&self.signature).ok_or_else(|| {
            IdentityError::BadSignature {
                signer: signer.clone(),
            }
        })?;
        let message = knowledge_message(&signer, &self.payload);
        let certificate = trust.verify_signed(&signer, &message, &signature, record.at)?;
        certificate.check_actor(&record.by)?;
        record.check_author()?;
        Ok(VerifiedKb {
            record,
            hash: self.hash(),
            signed: self.clone(),
        })
    }
}
