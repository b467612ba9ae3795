//! A signed record: payload bytes (an Automerge change, in the store) plus who signed it and
//! the signature. The signature also covers the signer's certificate id, so a signature cannot
//! be moved to another certificate of the same key (say, an older enrolment with another role).

use serde::{Deserialize, Serialize};

use super::canonical::{ACCESS_DOMAIN, CHANGE_DOMAIN, Canonical, KNOWLEDGE_DOMAIN};
use super::certificate::{Certificate, CertificateId};
use super::custody::KeyCustody;
use super::errors::IdentityError;
use super::keys::{SignatureBytes, hex_bytes};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedEnvelope {
    #[serde(with = "hex_bytes")]
    pub payload: Vec<u8>,
    pub signer: CertificateId,
    pub signature: SignatureBytes,
}

impl SignedEnvelope {
    /// Signs `payload` with the device key in `custody`, as the holder of `certificate`.
    /// Checks first that the custody holds the certified key: signing with a key that was
    /// replaced would produce records every verifier refuses.
    pub fn sign(
        payload: Vec<u8>,
        certificate: &Certificate,
        custody: &dyn KeyCustody,
    ) -> Result<Self, IdentityError> {
        if custody.public_key() != certificate.body.device_key {
            return Err(IdentityError::KeyMismatch {
                certificate: certificate.body.id.clone(),
            });
        }
        let signer = certificate.body.id.clone();
        let signature = custody.sign(&change_message(&signer, &payload))?;
        Ok(Self {
            payload,
            signer,
            signature,
        })
    }

    /// The exact bytes the device signed.
    pub fn signed_bytes(&self) -> Vec<u8> {
        change_message(&self.signer, &self.payload)
    }
}

/// `hotline/v1/change\0`, the signer's certificate id, then the payload (length-prefixed).
pub fn change_message(signer: &CertificateId, payload: &[u8]) -> Vec<u8> {
    Canonical::new(CHANGE_DOMAIN)
        .text(&signer.0)
        .bytes(payload)
        .finish()
}

/// `hotline/v1/access\0`, the signer's certificate id, then an access-audit entry's JSON
/// (length-prefixed): its own domain, so an entry's signature passes for nothing else.
pub fn access_message(signer: &CertificateId, payload: &[u8]) -> Vec<u8> {
    Canonical::new(ACCESS_DOMAIN)
        .text(&signer.0)
        .bytes(payload)
        .finish()
}

/// `hotline/v1/knowledge\0`, the signer's certificate id, then a knowledge-base record's JSON
/// (length-prefixed): its own domain, so no signature on an item can pass for a change's.
pub fn knowledge_message(signer: &CertificateId, payload: &[u8]) -> Vec<u8> {
    Canonical::new(KNOWLEDGE_DOMAIN)
        .text(&signer.0)
        .bytes(payload)
        .finish()
}
