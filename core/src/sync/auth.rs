//! Signing a sync request as one enrolled person, and checking it at the hub.

use ed25519_dalek::Signature;

use super::SyncError;
use crate::identity::{CertificateId, TrustStore};
use crate::model::Timestamp;

const DOMAIN: &[u8] = b"hotline/v1/sync-request\0";

pub(crate) fn message(cert: &str, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(DOMAIN.len() + cert.len() + 1 + body.len());
    m.extend_from_slice(DOMAIN);
    m.extend_from_slice(cert.as_bytes());
    m.push(0);
    m.extend_from_slice(body);
    m
}

/// The certificate a request was signed with, if the signature verifies and the certificate is
/// known, unrevoked and valid at the hub's clock.
pub(crate) fn check<'a>(
    trust: &'a TrustStore,
    cert: &str,
    signature: &[u8],
    body: &[u8],
    now: Timestamp,
) -> Result<&'a crate::identity::Certificate, SyncError> {
    let certificate = trust.check_certificate(&CertificateId::new(cert.to_string()), now)?;
    let key = certificate.body.device_key.to_verifying_key()?;
    let sig = Signature::from_slice(signature).map_err(|_| SyncError::BadRequestSignature)?;
    key.verify_strict(&message(cert, body), &sig)
        .map_err(|_| SyncError::BadRequestSignature)?;
    Ok(certificate)
}
