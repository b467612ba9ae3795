//! Reading: an order folded from its verified changes, the inbox and receipt lookups from the index, the citizen's contact for whom may open it, and the whole-store verification.

use super::*;

impl Device {
    /// The order's document rebuilt from its stored changes, each checked against its hash and
    /// its signer's key first.
    pub(super) fn load(&self, order: &OrderId) -> Result<(OrderDoc, OrderState), DeviceError> {
        let count = self.store.change_count_for(order)?;
        if count == 0 {
            return Err(DeviceError::UnknownOrder(order.0.clone()));
        }
        let cached = self.cache.borrow_mut().get(order, count);
        if let Some(doc) = cached {
            let state = fold(&doc.events()?, &self.policy, &self.calendar);
            return Ok((doc, state));
        }
        let stored = self.store.changes_for(order)?;
        let mut changes = Vec::with_capacity(stored.len());
        for s in &stored {
            changes.push(self.check_stored(s)?);
        }
        let actor = match self.identities.first() {
            Some(i) => doc::actor_for_device(i.certificate.body.device_key.as_bytes()),
            None => doc::actor_for_device(b"read-only"),
        };
        let doc = OrderDoc::from_changes(order, actor, changes)?;
        self.cache
            .borrow_mut()
            .put(doc.clone(), stored.len() as u64);
        let state = fold(&doc.events()?, &self.policy, &self.calendar);
        Ok((doc, state))
    }

    /// See [`check_stored_change`].
    pub(crate) fn check_stored(&self, s: &StoredChange) -> Result<automerge::Change, DeviceError> {
        check_stored_change(&self.trust, s)
    }

    /// The order with its current deadlines.
    pub fn show(&self, order: &OrderId) -> Result<OrderView, DeviceError> {
        let (_, state) = self.load(order)?;
        Ok(self.view(state))
    }

    /// Inbox, overdue and due-soon lists from the index (documents are not loaded).
    pub fn inbox(&self, q: &InboxQuery) -> Result<Vec<IndexRow>, DeviceError> {
        Ok(self.store.inbox(q)?)
    }

    /// What a citizen sees for a receipt code: status and next deadline, nothing personal.
    pub fn status(&self, receipt: &str) -> Result<ReceiptStatus, DeviceError> {
        let code = crate::receipt::parse(receipt)?;
        views::status_of(self.store.order_by_receipt(&code.0)?, code.0, &mut |o| {
            self.store.order_row(o)
        })
    }

    /// The citizen's contact details, for someone entitled to them on this order: the center
    /// (platform key) always, the lead unit when the order is not confidential.
    pub fn contact(
        &self,
        who: Option<&str>,
        order: &OrderId,
        purpose: &str,
        now: Timestamp,
    ) -> Result<ContactDetails, DeviceError> {
        self.contact_via(who, order, purpose, crate::audit::AccessVia::Device, now)
    }

    /// [`Device::contact`] recording where it was opened: an opening is entered in the signer's
    /// access-audit chain (signed, kept to sync to the hub) before the details are returned,
    /// so nothing is shown that was not recorded.
    pub fn contact_via(
        &self,
        who: Option<&str>,
        order: &OrderId,
        purpose: &str,
        via: crate::audit::AccessVia,
        now: Timestamp,
    ) -> Result<ContactDetails, DeviceError> {
        let purpose = crate::audit::check_purpose(purpose)?;
        let details = self.open_contact(who, order)?;
        self.log_access(who, order, purpose, via, now)?;
        Ok(details)
    }

    fn log_access(
        &self,
        who: Option<&str>,
        order: &OrderId,
        purpose: String,
        via: crate::audit::AccessVia,
        now: Timestamp,
    ) -> Result<(), DeviceError> {
        let identity = self.identity(who)?;
        let cert = &identity.certificate;
        let tail = self.store.access_tail(&cert.body.id.0)?;
        let entry = crate::audit::AccessEntry {
            cert: cert.body.id.0.clone(),
            seq: tail.as_ref().map_or(1, |t| t.seq + 1),
            prev: tail.map_or_else(String::new, |t| t.hash),
            at: now,
            order: order.clone(),
            purpose,
            via,
        };
        let signed = crate::audit::SignedAccess::sign(&entry, cert, identity.custody.as_ref())?;
        let verified = signed.verify(&self.trust)?;
        Ok(self.store.append_own_access(&verified)?)
    }

    fn open_contact(
        &self,
        who: Option<&str>,
        order: &OrderId,
    ) -> Result<ContactDetails, DeviceError> {
        let identity = self.identity(who)?;
        let (doc, state) = self.load(order)?;
        let sealed = doc.sealed();
        let find = |r: &str| sealed.iter().find(|(k, _)| k == r).map(|(_, b)| b.clone());
        if let Some(platform) = &identity.platform_sealing
            && let Some(bytes) = find(PLATFORM_RECIPIENT)
        {
            return Ok(SealedContact::from_bytes(bytes).open_with(platform.as_ref())?);
        }
        let unit = &identity.certificate.body.unit;
        // The lead unit, or a sub-unit it passed the order on to (Turpan), opens its own copy.
        if let Some(key) = &identity.unit_sealing
            && !state.is_confidential()
            && (state.lead_unit.as_ref() == Some(unit)
                || state.sub_units.contains(unit)
                || state.separate_track(unit).is_some())
            && let Some(bytes) = find(&unit_recipient(unit))
        {
            return Ok(SealedContact::from_bytes(bytes).open_with(key.as_ref())?);
        }
        Err(DeviceError::ContactNotVisible)
    }

    /// Every signed change of an order, as stored: what another device or the hub needs.
    pub fn export_changes(&self, order: &OrderId) -> Result<Vec<StoredChange>, DeviceError> {
        Ok(self.store.changes_for(order)?)
    }

    /// Re-checks every stored change (hash, signature, certificate, signer = actor) and every
    /// blob (content still matches its hash). Reports every problem; changes nothing.
    pub fn verify(&self) -> Result<VerifyReport, DeviceError> {
        verify::run(self)
    }
}

/// Hash and signature of a stored change, checked again as it is read back; revocation is not
/// re-applied here, since the change was accepted before any later revocation (`hotline verify`
/// reports those).
pub fn check_stored_change(
    trust: &TrustStore,
    s: &StoredChange,
) -> Result<automerge::Change, DeviceError> {
    let change = doc::decode_change(&s.bytes, Some(&s.hash))?;
    let id = CertificateId::new(s.cert_id.clone());
    let cert = trust
        .certificate(&id)
        .ok_or_else(|| crate::identity::IdentityError::UnknownCertificate { id: id.clone() })?;
    let sig = crate::identity::SignatureBytes::from_tagged_bytes(&s.signature)
        .ok_or_else(|| crate::identity::IdentityError::BadSignature { signer: id.clone() })?;
    if !cert
        .body
        .device_key
        .verify(&crate::identity::change_message(&id, &s.bytes), &sig)
    {
        return Err(crate::identity::IdentityError::BadSignature { signer: id }.into());
    }
    Ok(change)
}
