//! The root-signed list of revoked certificates (lost phones, staff who left). Lists are
//! numbered: a device keeps the highest-numbered list it has seen, so an attacker cannot
//! "un-revoke" a certificate by replaying an older list.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::canonical::{Canonical, REVOCATION_DOMAIN};
use super::certificate::CertificateId;
use super::custody::KeyCustody;
use super::errors::IdentityError;
use super::keys::{PublicKeyBytes, SignatureBytes};
use crate::model::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationList {
    /// Higher supersedes lower.
    pub sequence: u64,
    pub issued_at: Timestamp,
    /// A set, so the signed bytes do not depend on the order ids were listed in.
    pub revoked: BTreeSet<CertificateId>,
    pub signature: SignatureBytes,
}

impl RevocationList {
    pub fn issue(
        sequence: u64,
        issued_at: Timestamp,
        revoked: impl IntoIterator<Item = CertificateId>,
        root: &dyn KeyCustody,
    ) -> Result<Self, IdentityError> {
        let revoked: BTreeSet<CertificateId> = revoked.into_iter().collect();
        let signature = root.sign(&signed_bytes(sequence, &issued_at, &revoked))?;
        Ok(Self {
            sequence,
            issued_at,
            revoked,
            signature,
        })
    }

    /// The exact bytes the root signs.
    pub fn signed_bytes(&self) -> Vec<u8> {
        signed_bytes(self.sequence, &self.issued_at, &self.revoked)
    }

    pub fn verify(&self, root: &PublicKeyBytes) -> Result<(), IdentityError> {
        if root.verify(&self.signed_bytes(), &self.signature) {
            Ok(())
        } else {
            Err(IdentityError::RevocationListBadSignature {
                sequence: self.sequence,
            })
        }
    }

    pub fn is_revoked(&self, id: &CertificateId) -> bool {
        self.revoked.contains(id)
    }

    pub fn supersedes(&self, other: &RevocationList) -> bool {
        self.sequence > other.sequence
    }
}

fn signed_bytes(
    sequence: u64,
    issued_at: &Timestamp,
    revoked: &BTreeSet<CertificateId>,
) -> Vec<u8> {
    revoked
        .iter()
        .fold(
            Canonical::new(REVOCATION_DOMAIN)
                .number(sequence)
                .instant(issued_at)
                .number(revoked.len() as u64),
            |c, id| c.text(&id.0),
        )
        .finish()
}
