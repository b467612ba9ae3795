//! Signing a request to the hub as one enrolled person, and checking it at the hub.
//!
//! The signature covers the endpoint, the certificate, a challenge the hub issued and the body,
//! each length-prefixed, under a domain string: a body signed for one endpoint does not verify at
//! another, and a request cannot be replayed once its challenge is used or stale
//! ([`super::Freshness`]).

use super::SyncError;
use super::wire::SignedRequest;
use crate::identity::{Certificate, CertificateId, SignatureBytes, TrustStore};
use crate::model::Timestamp;

const DOMAIN: &[u8] = b"hotline/v2/request\0";

/// The bytes a request's signature covers.
pub fn message(endpoint: &str, cert: &str, challenge: &[u8], body: &[u8]) -> Vec<u8> {
    let mut m =
        Vec::with_capacity(DOMAIN.len() + 12 + endpoint.len() + cert.len() + challenge.len());
    m.extend_from_slice(DOMAIN);
    for part in [endpoint.as_bytes(), cert.as_bytes(), challenge] {
        m.extend_from_slice(&u32::try_from(part.len()).unwrap_or(u32::MAX).to_be_bytes());
        m.extend_from_slice(part);
    }
    m.extend_from_slice(body);
    m
}

/// The certificate a request to `endpoint` was signed with, if the certificate is known,
/// unrevoked and valid at the hub's clock and the signature verifies. Freshness (the challenge)
/// is the hub's own check, after this one.
pub fn check<'a>(
    trust: &'a TrustStore,
    endpoint: &str,
    req: &SignedRequest,
    now: Timestamp,
) -> Result<&'a Certificate, SyncError> {
    let certificate = trust.check_certificate(&CertificateId::new(req.cert.clone()), now)?;
    let sig =
        SignatureBytes::from_tagged_bytes(&req.signature).ok_or(SyncError::BadRequestSignature)?;
    if !certificate.body.device_key.verify(
        &message(endpoint, &req.cert, &req.challenge, &req.body),
        &sig,
    ) {
        return Err(SyncError::BadRequestSignature);
    }
    Ok(certificate)
}

/// Signs `body` for `endpoint` as the person `who` on `device`, with the hub's `challenge`
/// (empty where no hub asks for one: tests, in-process links).
pub fn sign_request(
    device: &crate::device::Device,
    who: Option<&str>,
    endpoint: &str,
    challenge: &[u8],
    body: Vec<u8>,
) -> Result<SignedRequest, SyncError> {
    let identity = device.identity(who)?;
    let cert = identity.certificate.body.id.0.clone();
    let signature = identity
        .sign(&message(endpoint, &cert, challenge, &body))?
        .to_tagged_bytes();
    Ok(SignedRequest {
        cert,
        challenge: challenge.to_vec(),
        signature,
        body,
    })
}

/// The hub's check of any signed request: see [`check`].
pub fn authenticate(
    trust: &TrustStore,
    endpoint: &str,
    req: &SignedRequest,
    now: Timestamp,
) -> Result<Certificate, SyncError> {
    check(trust, endpoint, req, now).cloned()
}
