//! What a device or the hub trusts: the city root key, the certificates it has received and
//! the newest revocation list. Every signed change is checked here before it is applied.

use std::collections::BTreeMap;

use super::certificate::{Certificate, CertificateId, check_suite};
use super::envelope::SignedEnvelope;
use super::errors::IdentityError;
use super::keys::{PublicKeyBytes, SignatureBytes, Verifier};
use super::revocation::RevocationList;
use crate::model::{Actor, Timestamp};

#[derive(Debug, Clone)]
pub struct TrustStore {
    root: PublicKeyBytes,
    /// Only certificates whose root signature was checked on the way in; the device key is
    /// kept decompressed because every envelope check needs it.
    certificates: BTreeMap<CertificateId, (Certificate, Verifier)>,
    revocations: Option<RevocationList>,
}

impl TrustStore {
    pub fn new(root: PublicKeyBytes) -> Result<Self, IdentityError> {
        root.verifier()?;
        Ok(Self {
            root,
            certificates: BTreeMap::new(),
            revocations: None,
        })
    }

    pub fn root(&self) -> &PublicKeyBytes {
        &self.root
    }

    /// The city's suite: its root key's.
    pub fn suite(&self) -> crate::identity::CryptoSuite {
        self.root.suite()
    }

    /// Accepts a certificate signed by the root. Its validity window is not checked here: a
    /// certificate may arrive before it starts, and an expired one is still needed to tell
    /// "expired" from "unknown". Adding the same certificate twice is harmless; a different
    /// certificate under a known id is refused.
    pub fn add_certificate(&mut self, certificate: Certificate) -> Result<(), IdentityError> {
        certificate.verify_signature(&self.root)?;
        check_suite(&self.root, &certificate.body.device_key)?;
        if let Some((known, _)) = self.certificates.get(certificate.id()) {
            return if *known == certificate {
                Ok(())
            } else {
                Err(IdentityError::CertificateIdConflict {
                    id: certificate.id().clone(),
                })
            };
        }
        let key = certificate.body.device_key.verifier()?;
        self.certificates
            .insert(certificate.id().clone(), (certificate, key));
        Ok(())
    }

    pub fn certificate(&self, id: &CertificateId) -> Option<&Certificate> {
        self.certificates.get(id).map(|(c, _)| c)
    }

    pub fn certificates(&self) -> impl Iterator<Item = &Certificate> {
        self.certificates.values().map(|(c, _)| c)
    }

    /// Installs a root-signed revocation list unless an equal or newer one is in use (the
    /// very same list again is accepted and changes nothing).
    pub fn set_revocations(&mut self, list: RevocationList) -> Result<(), IdentityError> {
        list.verify(&self.root)?;
        if let Some(current) = &self.revocations {
            if *current == list {
                return Ok(());
            }
            if !list.supersedes(current) {
                return Err(IdentityError::RevocationListStale {
                    current: current.sequence,
                    offered: list.sequence,
                });
            }
        }
        self.revocations = Some(list);
        Ok(())
    }

    pub fn revocations(&self) -> Option<&RevocationList> {
        self.revocations.as_ref()
    }

    pub fn is_revoked(&self, id: &CertificateId) -> bool {
        self.revocations.as_ref().is_some_and(|l| l.is_revoked(id))
    }

    /// A known, unrevoked certificate, valid at `now`.
    pub fn check_certificate(
        &self,
        id: &CertificateId,
        now: Timestamp,
    ) -> Result<&Certificate, IdentityError> {
        let (certificate, _) = self.lookup(id, now)?;
        Ok(certificate)
    }

    /// Checks a signed record: known certificate, not revoked, valid at `now`, signature
    /// matches. Returns the signer's certificate so the caller can check permissions.
    ///
    /// `now` is the caller's decision: a device offline for a week signs changes that arrive
    /// later, so the hub may pass the instant the change claims (it is inside the signed
    /// payload) rather than its own clock.
    pub fn verify_envelope(
        &self,
        envelope: &SignedEnvelope,
        now: Timestamp,
    ) -> Result<&Certificate, IdentityError> {
        let (certificate, key) = self.lookup(&envelope.signer, now)?;
        if !key.verify(&envelope.signed_bytes(), &envelope.signature) {
            return Err(IdentityError::BadSignature {
                signer: envelope.signer.clone(),
            });
        }
        Ok(certificate)
    }

    /// [`Self::verify_envelope`], then [`Certificate::check_actor`] for the actor the payload
    /// claims.
    pub fn verify_envelope_as(
        &self,
        envelope: &SignedEnvelope,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<&Certificate, IdentityError> {
        let certificate = self.verify_envelope(envelope, now)?;
        certificate.check_actor(actor)?;
        Ok(certificate)
    }

    /// Checks a signature over `message` (built by the caller under its own domain) by the
    /// holder of `signer`: known certificate, not revoked, valid at `now`.
    pub fn verify_signed(
        &self,
        signer: &CertificateId,
        message: &[u8],
        signature: &SignatureBytes,
        now: Timestamp,
    ) -> Result<&Certificate, IdentityError> {
        let (certificate, key) = self.lookup(signer, now)?;
        if !key.verify(message, signature) {
            return Err(IdentityError::BadSignature {
                signer: signer.clone(),
            });
        }
        Ok(certificate)
    }

    fn lookup(
        &self,
        id: &CertificateId,
        now: Timestamp,
    ) -> Result<(&Certificate, &Verifier), IdentityError> {
        let (certificate, key) = self
            .certificates
            .get(id)
            .ok_or_else(|| IdentityError::UnknownCertificate { id: id.clone() })?;
        if self.is_revoked(id) {
            return Err(IdentityError::CertificateRevoked { id: id.clone() });
        }
        certificate.check_validity(now)?;
        Ok((certificate, key))
    }
}
