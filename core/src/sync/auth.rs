//! Signing a sync request as one enrolled person, and checking it at the hub.

use ed25519_dalek::Signature;

use super::SyncError;
use crate::identity::{CertificateId, TrustStore};
use crate::model::Timestamp;

const DOMAIN: &[u8] = b"hotline/v1/sync-request\0";

pub fn message(cert: &str, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(DOMAIN.len() + cert.len() + 1 + body.len());
    m.extend_from_slice(DOMAIN);
    m.extend_from_slice(cert.as_bytes());
    m.push(0);
    m.extend_from_slice(body);
    m
}

/// The certificate a request was signed with, if the signature verifies and the certificate is
/// known, unrevoked and valid at the hub's clock.
pub fn check<'a>(
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

/// Signs `body` as the person `who` on `device` (any request to the hub: sync, blobs).
pub fn sign_request(
    device: &crate::device::Device,
    who: Option<&str>,
    body: Vec<u8>,
) -> Result<super::wire::SignedRequest, SyncError> {
    let identity = device.identity(who)?;
    let cert = identity.certificate.body.id.0.clone();
    let signature = identity.sign(&message(&cert, &body))?.0.to_vec();
    Ok(super::wire::SignedRequest {
        cert,
        signature,
        body,
    })
}

/// The hub's check of any signed request: the certificate it names is known, unrevoked and
/// valid now, and the signature over the body verifies.
pub fn authenticate(
    device: &crate::device::Device,
    req: &super::wire::SignedRequest,
    now: Timestamp,
) -> Result<crate::identity::Certificate, SyncError> {
    check(device.trust(), &req.cert, &req.signature, &req.body, now).cloned()
}
