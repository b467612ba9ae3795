//! The city's catalogue on a device: the signed versions it received (each verified against the
//! city root before it is kept), the newest one for intake forms, and the dispatch proposal
//! for an order — the catalogue's entry as amended by the approved returns held here.

use super::*;
use crate::catalogue::{
    CatalogueError, CatalogueSet, CategoryRef, IssuedCatalogue, Proposal, SignedCatalogue,
};

impl Device {
    pub(super) fn load_catalogues(&mut self) -> Result<(), DeviceError> {
        for (version, bytes) in self.store.catalogue_versions()? {
            let signed = stored_catalogue(version, &bytes)?;
            self.catalogues.insert(signed.open(self.trust.root())?);
        }
        Ok(())
    }

    /// Keeps a catalogue version the authority signed; `false` when it was held already.
    /// Refused when the root's signature or the catalogue's own rules fail.
    pub fn accept_catalogue(&mut self, signed: &SignedCatalogue) -> Result<bool, DeviceError> {
        if self.catalogues.get(signed.version).is_some() {
            return Ok(false);
        }
        let issued = signed.open(self.trust.root())?;
        let bytes = serde_json::to_vec(signed).map_err(DeviceError::encode("a catalogue"))?;
        self.store.put_catalogue(signed.version, &bytes)?;
        self.catalogues.insert(issued);
        Ok(true)
    }

    /// A category choice read against the newest catalogue: the reference the order keeps
    /// and the typed answers, checked as the hub will check them.
    pub(super) fn read_form(
        &self,
        kind: crate::model::RequestKind,
        choice: Option<&super::CategoryChoice>,
    ) -> Result<
        (
            Option<CategoryRef>,
            std::collections::BTreeMap<String, crate::catalogue::AttributeValue>,
        ),
        DeviceError,
    > {
        let Some(choice) = choice else {
            return Ok((None, Default::default()));
        };
        let issued = self.catalogue()?;
        let attributes = issued
            .catalogue
            .parse_attributes(&choice.code, &choice.answers)?;
        issued
            .catalogue
            .check_intake(issued.version, kind, &choice.code, &attributes)?;
        let category = CategoryRef {
            code: choice.code.clone(),
            version: issued.version,
        };
        Ok((Some(category), attributes))
    }

    /// The newest catalogue as signed, for handing on (an offline bundle).
    pub fn signed_catalogue(&self) -> Result<Option<SignedCatalogue>, DeviceError> {
        self.store
            .catalogue_versions()?
            .pop()
            .map(|(version, bytes)| stored_catalogue(version, &bytes))
            .transpose()
    }

    pub fn catalogues(&self) -> &CatalogueSet {
        &self.catalogues
    }

    /// The newest catalogue: what intake forms show.
    pub fn catalogue(&self) -> Result<&IssuedCatalogue, DeviceError> {
        Ok(self
            .catalogues
            .latest()
            .ok_or(CatalogueError::NoCatalogue)?)
    }

    /// A dispatch to another lead unit than the catalogue proposes states why (the proposal is
    /// this device's: the newest catalogue and the amendments it holds).
    pub(super) fn check_dispatch_override(
        &self,
        order: &OrderId,
        lead: &UnitId,
        reason: Option<&str>,
    ) -> Result<(), DeviceError> {
        if self.catalogues.latest().is_none() {
            return Ok(());
        }
        match self.dispatch_proposal(order)? {
            Some(p) if &p.lead != lead && reason.is_none_or(|r| r.trim().is_empty()) => {
                Err(CatalogueError::OverrideNeedsReason {
                    proposed: p.lead.0,
                    chosen: lead.0.clone(),
                }
                .into())
            }
            _ => Ok(()),
        }
    }

    /// Whom the newest catalogue, with the amendments of the approved returns held here,
    /// proposes as the order's units; `None` when the order has no category or the catalogue
    /// no entry for it.
    pub fn dispatch_proposal(&self, order: &OrderId) -> Result<Option<Proposal>, DeviceError> {
        let (_, state) = self.load(order)?;
        let details = state
            .details
            .as_ref()
            .ok_or_else(|| DeviceError::UnknownOrder(order.0.clone()))?;
        let Some(category) = &details.category else {
            return Ok(None);
        };
        let issued = self.catalogue()?;
        let amendments = self.store.catalogue_amendments()?;
        Ok(issued.catalogue.propose(
            issued.issued_at,
            &amendments,
            &category.code,
            details.location.division_code.as_deref(),
        ))
    }
}

/// A catalogue version as the store keeps it (its signed JSON).
fn stored_catalogue(version: u64, bytes: &[u8]) -> Result<SignedCatalogue, DeviceError> {
    serde_json::from_slice(bytes)
        .map_err(|e| DeviceError::Corrupt(format!("catalogue version {version}: {e}")))
}
