//! A catalogue as the authority issues it: numbered, dated, its content's exact bytes signed by
//! the city root. Devices keep the highest-numbered one they verified (an older one replayed
//! changes nothing) and every version an order may name, so an intake is checked against the
//! form it was filled from.

use serde::{Deserialize, Serialize};

use super::CatalogueError;
use super::tree::Catalogue;
use crate::identity::canonical::{CATALOGUE_DOMAIN, Canonical};
use crate::identity::{IdentityError, KeyCustody, PublicKeyBytes, SignatureBytes};
use crate::model::Timestamp;

/// Most bytes a signed catalogue's content may have (a city's tree with its dispatch catalogue
/// is a few hundred KB).
pub const MAX_CATALOGUE_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedCatalogue {
    /// Higher supersedes lower.
    pub version: u64,
    pub issued_at: Timestamp,
    /// The catalogue as JSON: the bytes signed, read only after the signature verified.
    pub content: Vec<u8>,
    pub signature: SignatureBytes,
}

/// A verified catalogue with its version and date.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuedCatalogue {
    pub version: u64,
    pub issued_at: Timestamp,
    pub catalogue: Catalogue,
}

fn signed_bytes(version: u64, issued_at: &Timestamp, content: &[u8]) -> Vec<u8> {
    Canonical::new(CATALOGUE_DOMAIN)
        .number(version)
        .instant(issued_at)
        .bytes(content)
        .finish()
}

impl SignedCatalogue {
    pub fn issue(
        version: u64,
        issued_at: Timestamp,
        catalogue: &Catalogue,
        root: &dyn KeyCustody,
    ) -> Result<Self, CatalogueIssueError> {
        catalogue.validate()?;
        let content = serde_json::to_vec(catalogue).map_err(|e| CatalogueError::Syntax {
            message: e.to_string(),
        })?;
        let signature = root.sign(&signed_bytes(version, &issued_at, &content))?;
        Ok(Self {
            version,
            issued_at,
            content,
            signature,
        })
    }

    /// The catalogue inside, once the root's signature verified and it passed every rule.
    pub fn open(&self, root: &PublicKeyBytes) -> Result<IssuedCatalogue, CatalogueError> {
        let version = self.version;
        if self.content.len() > MAX_CATALOGUE_BYTES {
            return Err(CatalogueError::Undecodable {
                version,
                message: format!("larger than {MAX_CATALOGUE_BYTES} bytes"),
            });
        }
        let valid = root.verify(
            &signed_bytes(version, &self.issued_at, &self.content),
            &self.signature,
        );
        if !valid {
            return Err(CatalogueError::BadSignature { version });
        }
        let catalogue: Catalogue =
            serde_json::from_slice(&self.content).map_err(|e| CatalogueError::Undecodable {
                version,
                message: e.to_string(),
            })?;
        catalogue.validate()?;
        Ok(IssuedCatalogue {
            version,
            issued_at: self.issued_at,
            catalogue,
        })
    }
}

/// Issuing fails on the catalogue itself or on the key that signs it.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueIssueError {
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    #[error(transparent)]
    Key(#[from] IdentityError),
}
