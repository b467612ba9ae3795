//! Who this device knows: the people enrolled on it, and the certificates, unit keys and revocations it trusts.

use super::*;

impl Device {
    pub fn identities(&self) -> &[Identity] {
        &self.identities
    }

    /// The person acting: by person id or certificate id, or the only one enrolled.
    pub fn identity(&self, who: Option<&str>) -> Result<&Identity, DeviceError> {
        match who {
            Some(w) => self
                .identities
                .iter()
                .find(|i| i.certificate.body.person.0 == w || i.certificate.body.id.0 == w)
                .ok_or_else(|| DeviceError::NoSuchIdentity(w.to_string())),
            None => match self.identities.as_slice() {
                [one] => Ok(one),
                // Read-only, people whose keys this user may not read are left out.
                [] if self.read_only => Err(self
                    .check_writable()
                    .err()
                    .unwrap_or(DeviceError::NotInitialised)),
                [] => Err(DeviceError::NotInitialised),
                _ => Err(DeviceError::WhichIdentity),
            },
        }
    }

    /// Trusts another enrolled device's certificate (it must be signed by this city's root).
    pub fn add_certificate(&mut self, cert: Certificate) -> Result<(), DeviceError> {
        cert.verify_signature(self.trust.root())?;
        if self.trust.certificate(&cert.body.id).is_some() {
            return Ok(());
        }
        let body = serde_json::to_vec(&cert).map_err(DeviceError::encode("a certificate"))?;
        self.store.put_certificate(&cert.body.id.0, &body)?;
        self.trust.add_certificate(cert)?;
        Ok(())
    }

    /// Adds or replaces units' sealing keys (the unit directory the city distributes), so a
    /// dispatcher can seal the citizen's contact to units enrolled after it.
    pub fn update_unit_directory(
        &mut self,
        units: BTreeMap<UnitId, SealingPublicKey>,
    ) -> Result<(), DeviceError> {
        self.unit_directory.extend(units);
        set_json_meta(&self.store, META_UNITS, &self.unit_directory)
    }

    /// Installs `list` if it is newer than the one held; an older or equal one is ignored
    /// (lists arrive from several peers in any order).
    pub fn accept_revocations(&mut self, list: RevocationList) -> Result<(), DeviceError> {
        let newer = self
            .trust
            .revocations()
            .is_none_or(|have| list.sequence > have.sequence);
        if newer {
            self.set_revocations(list)?;
        }
        Ok(())
    }

    /// Installs a newer root-signed revocation list.
    pub fn set_revocations(&mut self, list: RevocationList) -> Result<(), DeviceError> {
        list.verify(self.trust.root())?;
        let body = serde_json::to_vec(&list).map_err(DeviceError::encode("a revocation list"))?;
        self.trust.set_revocations(list.clone())?;
        self.store.put_revocation_list(list.sequence, &body)?;
        Ok(())
    }
}
