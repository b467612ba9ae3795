//! Enrolment certificates: the city root key vouches that a device key belongs to a person
//! acting in one role, for one unit and area, during a time window.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::canonical::{CERTIFICATE_DOMAIN, Canonical};
use super::custody::KeyCustody;
use super::errors::IdentityError;
use super::keys::{PublicKeyBytes, SignatureBytes};
use crate::model::{Actor, PersonId, Role, Timestamp, UnitId};

/// Identity of one certificate, chosen by the issuer (e.g. `cert-2025-000123`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CertificateId(pub String);

impl CertificateId {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
}

impl fmt::Display for CertificateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the root vouches for: every field here is covered by the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateBody {
    pub id: CertificateId,
    /// The device's key, held by its [`KeyCustody`]; of the city's suite.
    pub device_key: PublicKeyBytes,
    pub person: PersonId,
    pub display_name: String,
    pub role: Role,
    pub unit: UnitId,
    /// Administrative division code prefix the holder works in (e.g. `410902` for Hualong
    /// district); a prefix covers every code below it.
    pub area: String,
    /// First instant the certificate is valid (inclusive).
    pub not_before: Timestamp,
    /// Last instant the certificate is valid (inclusive).
    pub not_after: Timestamp,
    pub issued_at: Timestamp,
}

/// A certificate body with the root's signature over its canonical bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub body: CertificateBody,
    pub signature: SignatureBytes,
}

impl CertificateBody {
    /// The exact bytes the root signs (see `canonical.rs` for why not JSON). An ed25519
    /// certificate's are what they were before suites existed; any other key is written as
    /// its algorithm's name, then its bytes, so the algorithm is signed too.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let start = Canonical::new(CERTIFICATE_DOMAIN).text(&self.id.0);
        let keyed = match &self.device_key {
            PublicKeyBytes::Ed25519(b) => start.bytes(b),
            other => start.text(other.suite().as_str()).bytes(other.as_bytes()),
        };
        keyed
            .text(&self.person.0)
            .text(&self.display_name)
            .text(self.role.as_str())
            .text(&self.unit.0)
            .text(&self.area)
            .instant(&self.not_before)
            .instant(&self.not_after)
            .instant(&self.issued_at)
            .finish()
    }

    /// Refuses bodies the root should never sign, so mistakes surface at enrolment and not
    /// as mysterious refusals weeks later in the field.
    pub fn validate(&self) -> Result<(), IdentityError> {
        let invalid = |reason: &str| {
            Err(IdentityError::CertificateInvalid {
                reason: reason.to_string(),
            })
        };
        if self.id.0.trim().is_empty() {
            return invalid("the certificate id is empty");
        }
        if self.person.0.trim().is_empty() {
            return invalid("the person id is empty");
        }
        if self.unit.0.trim().is_empty() {
            return invalid("the unit is empty");
        }
        if self.area.is_empty()
            || self.area.len() > 12
            || !self.area.bytes().all(|b| b.is_ascii_digit())
        {
            return invalid("the area must be 1 to 12 digits of an administrative division code");
        }
        if self.not_before > self.not_after {
            return invalid("not_before is after not_after");
        }
        let key = self.device_key.verifier()?;
        if key.is_weak() {
            return invalid("the device key is a weak (small-order) key");
        }
        Ok(())
    }
}

impl Certificate {
    /// Signs `body` with the city root key. The device key must be of the root's suite: one
    /// city never mixes suites.
    pub fn issue(body: CertificateBody, root: &dyn KeyCustody) -> Result<Self, IdentityError> {
        body.validate()?;
        check_suite(&root.public_key(), &body.device_key)?;
        let signature = root.sign(&body.signed_bytes())?;
        Ok(Self { body, signature })
    }

    pub fn id(&self) -> &CertificateId {
        &self.body.id
    }

    /// Signature by `root` and validity at `now`.
    pub fn verify(&self, root: &PublicKeyBytes, now: Timestamp) -> Result<(), IdentityError> {
        self.verify_signature(root)?;
        self.check_validity(now)
    }

    pub fn verify_signature(&self, root: &PublicKeyBytes) -> Result<(), IdentityError> {
        // A root that is not even a curve point cannot have signed anything: report it as a
        // bad signature of this certificate rather than as a problem of the certificate's key.
        if root.verify(&self.body.signed_bytes(), &self.signature) {
            Ok(())
        } else {
            Err(IdentityError::CertificateBadSignature {
                id: self.body.id.clone(),
            })
        }
    }

    /// Both ends of the window are inclusive.
    pub fn check_validity(&self, now: Timestamp) -> Result<(), IdentityError> {
        if now < self.body.not_before {
            return Err(IdentityError::CertificateNotYetValid {
                id: self.body.id.clone(),
                not_before: self.body.not_before,
                now,
            });
        }
        if now > self.body.not_after {
            return Err(IdentityError::CertificateExpired {
                id: self.body.id.clone(),
                not_after: self.body.not_after,
                now,
            });
        }
        Ok(())
    }

    /// Whether the holder's area covers a division code (prefix match on whole digits).
    pub fn covers_area(&self, division_code: &str) -> bool {
        division_code.starts_with(&self.body.area)
    }

    /// A change claims an actor; the certificate that signed it must be for that very person,
    /// role and unit, or anyone enrolled could act in someone else's name.
    pub fn check_actor(&self, actor: &Actor) -> Result<(), IdentityError> {
        let body = &self.body;
        if body.person != actor.person {
            return Err(IdentityError::ActorMismatch {
                field: "person",
                certified: body.person.0.clone(),
                claimed: actor.person.0.clone(),
            });
        }
        if body.role != actor.role {
            return Err(IdentityError::ActorMismatch {
                field: "role",
                certified: body.role.as_str().to_string(),
                claimed: actor.role.as_str().to_string(),
            });
        }
        if body.unit != actor.unit {
            return Err(IdentityError::ActorMismatch {
                field: "unit",
                certified: body.unit.0.clone(),
                claimed: actor.unit.0.clone(),
            });
        }
        Ok(())
    }
}

/// A key of another suite than the city root's is refused wherever it would enter the city.
pub(crate) fn check_suite(
    root: &PublicKeyBytes,
    key: &PublicKeyBytes,
) -> Result<(), IdentityError> {
    if root.suite() == key.suite() {
        Ok(())
    } else {
        Err(IdentityError::SuiteMismatch {
            city: root.suite(),
            found: key.suite(),
        })
    }
}
