//! The knowledge base on a device: publishing and updating items as signed records, taking
//! others' records (each verified), searching offline, the update duty, and the instant answer
//! a kiosk or an intake agent records from an item.

use chrono::NaiveDate;

use super::*;
use crate::kb::{
    KbChange, KbError, KbFields, KbItem, KbRecord, SignedKb, UpdateDuty, update_duties,
};
use crate::store::{KbHit, KbPut};

/// An item as its unit or the center writes it; the device adds the version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KbDraft {
    pub id: String,
    /// The owning unit; the publisher's own when `None`.
    pub unit: Option<UnitId>,
    pub title: String,
    pub answer: String,
    pub fields: KbFields,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub policy_date: Option<NaiveDate>,
    /// The version the person was looking at: publishing fails with `kb_version_stale` when
    /// another has come since (an update made on an old copy would silently undo it).
    pub expected_version: Option<u32>,
}

/// Most search hits one query returns.
pub const MAX_KB_HITS: u32 = 50;

impl Device {
    /// Publishes a new item (version 1) or the next version of one, signed by `who`.
    pub fn kb_publish(
        &mut self,
        who: Option<&str>,
        draft: KbDraft,
        now: Timestamp,
    ) -> Result<KbItem, DeviceError> {
        self.check_writable()?;
        let actor = self.identity(who)?.actor();
        let current = self.store.kb_item(&draft.id)?;
        let unit = draft.unit.unwrap_or_else(|| actor.unit.clone());
        if let Some(c) = &current
            && c.unit != unit
        {
            return Err(KbError::OwnerMismatch {
                item: draft.id,
                owner: c.unit.clone(),
                claimed: unit,
            }
            .into());
        }
        let held = current.as_ref().map(|c| c.version);
        if let Some(expected) = draft.expected_version
            && held != Some(expected)
        {
            return Err(KbError::VersionStale {
                item: draft.id,
                current: held.unwrap_or(0),
            }
            .into());
        }
        let item = KbItem {
            id: draft.id,
            version: held.map_or(1, |v| v.saturating_add(1)),
            unit,
            title: draft.title,
            answer: draft.answer,
            fields: draft.fields,
            valid_from: draft.valid_from,
            valid_until: draft.valid_until,
            policy_date: draft.policy_date,
        };
        self.sign_kb(
            who,
            KbChange::Publish {
                item: Box::new(item.clone()),
            },
            now,
        )?;
        Ok(item)
    }

    /// Records that the policy behind an item changed on `on` (the center or the owning unit):
    /// from then the unit owes a version carrying it within a week.
    pub fn kb_policy_changed(
        &mut self,
        who: Option<&str>,
        item: &str,
        on: NaiveDate,
        note: String,
        now: Timestamp,
    ) -> Result<(), DeviceError> {
        self.check_writable()?;
        let current = self.store.kb_item(item)?.ok_or_else(|| KbError::Unknown {
            item: item.to_string(),
            version: None,
        })?;
        let change = KbChange::PolicyChanged {
            item: current.id,
            unit: current.unit,
            on,
            note,
        };
        self.sign_kb(who, change, now)
    }

    fn sign_kb(
        &mut self,
        who: Option<&str>,
        change: KbChange,
        now: Timestamp,
    ) -> Result<(), DeviceError> {
        let identity = self.identity(who)?;
        let record = KbRecord {
            at: now,
            by: identity.actor(),
            change,
        };
        let signed = SignedKb::sign(&record, &identity.certificate, identity.custody.as_ref())?;
        // Checked as any receiver will check it: a record this device's own trust store
        // refuses (an expired certificate, say) is never stored to be pushed.
        let verified = signed.verify(&self.trust)?;
        self.store.put_kb(&verified, None)??;
        Ok(())
    }

    /// Takes records from a peer, each verified here; what one of them is refused for does not
    /// stop the others.
    pub fn import_kb(
        &mut self,
        records: &[SignedKb],
        source: &str,
    ) -> Result<Vec<Result<KbPut, KbError>>, DeviceError> {
        self.check_writable()?;
        let mut out = Vec::with_capacity(records.len());
        for signed in records {
            let verdict = match signed.verify(&self.trust) {
                Ok(verified) => self.store.put_kb(&verified, Some(source))?,
                Err(e) => Err(e),
            };
            out.push(verdict);
        }
        Ok(out)
    }

    /// Items that apply today (+08:00), best match first.
    pub fn kb_search(
        &self,
        query: &str,
        limit: u32,
        now: Timestamp,
    ) -> Result<Vec<KbHit>, DeviceError> {
        let day = crate::policy::to_local(now).date_naive();
        Ok(self.store.kb_search(query, limit.min(MAX_KB_HITS), day)?)
    }

    pub fn kb_item(&self, id: &str) -> Result<Option<KbItem>, DeviceError> {
        Ok(self.store.kb_item(id)?)
    }

    pub fn kb_items(&self, unit: Option<&UnitId>) -> Result<Vec<KbItem>, DeviceError> {
        Ok(self.store.kb_items(unit)?)
    }

    /// Every policy change the records held show, with its update (Puyang's one week).
    pub fn kb_duties(&self, now: Timestamp) -> Result<Vec<UpdateDuty>, DeviceError> {
        let records = self.store.kb_records()?;
        Ok(update_duties(&records, now))
    }

    /// 即时答复: an inquiry answered on the spot from version `version` of item `item`, which
    /// must be held here and apply today. The request is submitted and answered at once; the
    /// answer names the item and the version the citizen read.
    pub fn answer_from_kb(
        &mut self,
        who: Option<&str>,
        req: SubmitRequest,
        item: &str,
        version: u32,
        now: Timestamp,
    ) -> Result<Submitted, DeviceError> {
        if req.kind != crate::model::RequestKind::Inquiry {
            return Err(
                crate::workflow::WorkflowError::InstantAnswerKind { kind: req.kind }.into(),
            );
        }
        let found = self
            .store
            .kb_item_version(item, version)?
            .filter(|i| i.valid_on(crate::policy::to_local(now).date_naive()))
            .ok_or_else(|| KbError::Unknown {
                item: item.to_string(),
                version: Some(version),
            })?;
        let submitted = self.submit(who, req, now)?;
        // The item's answer fits an event: items and events share the text limit.
        self.act(
            who,
            &submitted.order,
            Action::InstantAnswer {
                kb_item: found.id,
                answer: found.answer,
                kb_version: Some(found.version),
            },
            now,
        )?;
        Ok(submitted)
    }
}
