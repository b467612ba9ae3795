//! The catalogue versions a device or the hub holds, and the catalogue's rules for an action:
//! an intake against the version it was filled from, a dispatch and a catalogue amendment
//! against the grassroots rule of the order's version.

use std::collections::BTreeMap;

use super::CatalogueError;
use super::signed::IssuedCatalogue;
use crate::model::{Action, OrderDetails};

/// Every verified catalogue version held, by number.
#[derive(Debug, Clone, Default)]
pub struct CatalogueSet {
    versions: BTreeMap<u64, IssuedCatalogue>,
}

impl CatalogueSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps a verified version (a version is issued once: the same number replaces nothing).
    pub fn insert(&mut self, issued: IssuedCatalogue) {
        self.versions.entry(issued.version).or_insert(issued);
    }

    pub fn get(&self, version: u64) -> Option<&IssuedCatalogue> {
        self.versions.get(&version)
    }

    /// The newest version: what intake forms and the dispatch proposal use.
    pub fn latest(&self) -> Option<&IssuedCatalogue> {
        self.versions.values().next_back()
    }

    /// The newest version's number, 0 when none is held (what a sync request says).
    pub fn latest_version(&self) -> u64 {
        self.versions.keys().next_back().copied().unwrap_or(0)
    }

    /// The catalogue's rules for `action` on an order with `details` (none before its
    /// submission). A version the order names but this holder lacks is refused when `strict`
    /// (the device that filled the form, and the hub, which every version reaches first) and
    /// passed otherwise (a phone that received the order before the catalogue).
    pub fn check_action(
        &self,
        details: Option<&OrderDetails>,
        action: &Action,
        strict: bool,
    ) -> Result<(), CatalogueError> {
        let named =
            |d: &OrderDetails| -> Result<Option<(&IssuedCatalogue, String)>, CatalogueError> {
                let Some(c) = &d.category else {
                    return Ok(None);
                };
                match self.get(c.version) {
                    Some(issued) => Ok(Some((issued, c.code.clone()))),
                    None if strict => Err(CatalogueError::UnknownVersion { version: c.version }),
                    None => Ok(None),
                }
            };
        match action {
            Action::Submit { details } => {
                if details.category.is_none() && !details.attributes.is_empty() {
                    return Err(CatalogueError::AttributesWithoutCategory);
                }
                if let Some((issued, code)) = named(details)? {
                    issued.catalogue.check_intake(
                        issued.version,
                        details.kind,
                        &code,
                        &details.attributes,
                    )?;
                }
                Ok(())
            }
            Action::Dispatch { lead, .. } => match details.map(named).transpose()?.flatten() {
                Some((issued, code)) => issued.catalogue.check_lead(&code, lead),
                None => Ok(()),
            },
            Action::DecideReturn {
                amend_catalogue: Some(amendment),
                ..
            } => {
                amendment.check()?;
                match details.map(named).transpose()?.flatten() {
                    Some((issued, _)) => {
                        if issued.catalogue.category(&amendment.category).is_none() {
                            return Err(CatalogueError::UnknownCategory {
                                code: amendment.category.clone(),
                                version: issued.version,
                            });
                        }
                        issued
                            .catalogue
                            .check_lead(&amendment.category, &amendment.lead)
                    }
                    None => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }
}
