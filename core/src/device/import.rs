//! Changes made elsewhere: verified, authorised and applied in batches.
//!
//! For each change, in this order: it decodes; it is new (replays are `AlreadyHad`); its
//! signature verifies (all of a batch at once, one by one only to find a culprit); its
//! certificate is known, unrevoked and valid at the instant the change claims; the event inside
//! is the certificate holder's own; the action was allowed in the state its author had seen (the
//! fold of its causal past) — so an order re-dispatched meanwhile does not turn a legitimate
//! offline sign-for into a refusal, while a kiosk's dispatch or another unit's reply never
//! passes. Concurrent conflicts between allowed actions are then the fold's to settle, visibly.
//! Everything accepted from one batch is stored in one transaction.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::{Device, DeviceError, ImportOutcome, index_row};
use crate::doc::{self, DocError, OrderDoc, SealedCopy};
use crate::identity::{
    BatchItem, CertificateId, IdentityError, PublicKeyBytes, SignatureBytes, change_message,
    verify_batch,
};
use crate::model::{Event, EventId, OrderId, Role, Timestamp};
use crate::store::{ActionRecord, StoredChange};
use crate::workflow::{decide, fold};

/// A change as it travels between nodes. The receiver computes its hash and reads its event
/// from the bytes, so neither can be misstated by the sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireChange {
    pub order: OrderId,
    pub cert: String,
    pub signature: Vec<u8>,
    pub bytes: Vec<u8>,
}

impl From<&StoredChange> for WireChange {
    fn from(s: &StoredChange) -> Self {
        WireChange {
            order: s.order.clone(),
            cert: s.cert_id.clone(),
            signature: s.signature.clone(),
            bytes: s.bytes.clone(),
        }
    }
}

/// A decoded change waiting for its checks.
struct Pending {
    index: usize,
    change: automerge::Change,
    hash: String,
}

type Outcome = Result<ImportOutcome, DeviceError>;

impl Device {
    /// One change from another device; see [`Device::import_batch`].
    pub fn import_change(
        &mut self,
        incoming: &StoredChange,
        now: Timestamp,
    ) -> Result<ImportOutcome, DeviceError> {
        // The recorded hash must match the bytes: a change altered in transit is named as such.
        doc::decode_change(&incoming.bytes, Some(&incoming.hash))?;
        let mut out = self.import_batch(&[WireChange::from(incoming)], None, now)?;
        out.pop()
            .unwrap_or(Err(DeviceError::Corrupt("empty import result".into())))
    }

    /// Checks and applies changes from `source` (a peer id; `None` for a file or a test).
    /// Returns one outcome per change, in order; the outer error means nothing was stored.
    pub fn import_batch(
        &mut self,
        incoming: &[WireChange],
        source: Option<&str>,
        now: Timestamp,
    ) -> Result<Vec<Outcome>, DeviceError> {
        let mut outcomes: Vec<Option<Outcome>> = (0..incoming.len()).map(|_| None).collect();
        let pending = self.decode_new(incoming, &mut outcomes)?;
        let pending = self.check_signatures(incoming, pending, &mut outcomes);

        // Per order, in arrival order, so each change finds the ones it depends on.
        let mut by_order: BTreeMap<OrderId, Vec<Pending>> = BTreeMap::new();
        let mut order_seq: Vec<OrderId> = Vec::new();
        for p in pending {
            let order = incoming[p.index].order.clone();
            if !by_order.contains_key(&order) {
                order_seq.push(order.clone());
            }
            by_order.entry(order).or_default().push(p);
        }
        let mut records = Vec::new();
        let mut touched = Vec::new();
        for order in order_seq {
            let Some(list) = by_order.remove(&order) else {
                continue;
            };
            let stored = self.store.change_count_for(&order)?;
            let mut doc = if stored == 0 {
                OrderDoc::empty(&order, doc::actor_for_device(b"import"))
            } else {
                match self.load(&order) {
                    Ok((d, _)) => d,
                    Err(e) => {
                        let code = crate::Coded::code(&e).to_string();
                        for p in list {
                            outcomes[p.index] = Some(Err(DeviceError::Corrupt(format!(
                                "order {order} cannot be loaded: {code}"
                            ))));
                        }
                        continue;
                    }
                }
            };
            let mut events = doc.events()?;
            let mut changes = Vec::new();
            let mut sealed: Vec<SealedCopy> = Vec::new();
            for p in list {
                let w = &incoming[p.index];
                match self.admit(&doc, &events, &p.change, w) {
                    Ok((event, copies, after)) => {
                        doc = after;
                        changes.push(StoredChange {
                            order: order.clone(),
                            hash: p.hash,
                            event_id: event.id.0.clone(),
                            cert_id: w.cert.clone(),
                            signature: w.signature.clone(),
                            bytes: w.bytes.clone(),
                        });
                        events.push(event);
                        sealed.extend(copies);
                        outcomes[p.index] = Some(Ok(ImportOutcome::Applied));
                    }
                    Err(e) => outcomes[p.index] = Some(Err(e)),
                }
            }
            if changes.is_empty() {
                continue;
            }
            let changes_len = changes.len() as u64;
            let state = fold(&events, &self.policy, &self.calendar);
            let index = index_row::build(&order, &state, &self.policy, &self.calendar, now)?;
            records.push(ActionRecord {
                order: order.clone(),
                changes,
                index,
                sealed_contacts: sealed,
            });
            let count = stored + changes_len;
            touched.push((doc, count));
        }
        if !records.is_empty() {
            if let Err(e) = self
                .store
                .record_batch(&records, source, Some(now.timestamp_millis()))
            {
                for (d, _) in &touched {
                    self.cache.borrow_mut().forget(d.order());
                }
                return Err(e.into());
            }
            for (d, count) in touched {
                self.cache.borrow_mut().put(d, count);
            }
        }
        Ok(outcomes
            .into_iter()
            .map(|o| o.unwrap_or(Err(DeviceError::Corrupt("change not processed".into()))))
            .collect())
    }

    fn decode_new(
        &self,
        incoming: &[WireChange],
        outcomes: &mut [Option<Outcome>],
    ) -> Result<Vec<Pending>, DeviceError> {
        let mut seen = HashSet::new();
        let mut pending = Vec::new();
        for (index, w) in incoming.iter().enumerate() {
            match doc::decode_change(&w.bytes, None) {
                Err(e) => outcomes[index] = Some(Err(e.into())),
                Ok(change) => {
                    let hash = change.hash().to_string();
                    if !seen.insert(hash.clone()) || self.store.has_change(&hash)? {
                        outcomes[index] = Some(Ok(ImportOutcome::AlreadyHad));
                    } else {
                        pending.push(Pending {
                            index,
                            change,
                            hash,
                        });
                    }
                }
            }
        }
        Ok(pending)
    }

    /// Verifies all signatures in one batch; only when the batch fails are they checked one
    /// by one, to name the bad ones.
    fn check_signatures(
        &self,
        incoming: &[WireChange],
        pending: Vec<Pending>,
        outcomes: &mut [Option<Outcome>],
    ) -> Vec<Pending> {
        let mut ready: Vec<(Pending, Vec<u8>, SignatureBytes, PublicKeyBytes)> = Vec::new();
        for p in pending {
            let w = &incoming[p.index];
            let id = CertificateId::new(w.cert.clone());
            let Some(cert) = self.trust.certificate(&id) else {
                outcomes[p.index] = Some(Err(IdentityError::UnknownCertificate { id }.into()));
                continue;
            };
            let Ok(sig) = <[u8; 64]>::try_from(w.signature.as_slice()) else {
                outcomes[p.index] = Some(Err(IdentityError::BadSignature { signer: id }.into()));
                continue;
            };
            let message = change_message(&id, &w.bytes);
            ready.push((p, message, SignatureBytes(sig), cert.body.device_key));
        }
        let items: Vec<BatchItem<'_>> = ready
            .iter()
            .map(|(_, m, s, k)| BatchItem {
                message: m,
                signature: s,
                key: k,
            })
            .collect();
        if verify_batch(&items).is_ok() {
            return ready.into_iter().map(|(p, ..)| p).collect();
        }
        let mut good = Vec::new();
        for (p, message, sig, key) in ready {
            let ok = key.to_verifying_key().is_ok_and(|k| {
                ed25519_dalek::Signature::from_slice(&sig.0)
                    .is_ok_and(|s| k.verify_strict(&message, &s).is_ok())
            });
            if ok {
                good.push(p);
            } else {
                let signer = CertificateId::new(incoming[p.index].cert.clone());
                outcomes[p.index] = Some(Err(IdentityError::BadSignature { signer }.into()));
            }
        }
        good
    }

    /// The checks after the signature: what the change adds, who may have made it.
    fn admit(
        &self,
        doc: &OrderDoc,
        events: &[Event],
        change: &automerge::Change,
        w: &WireChange,
    ) -> Result<(Event, Vec<SealedCopy>, OrderDoc), DeviceError> {
        let (effect, after) = doc.preview(change)?;
        let [event] = effect.events.as_slice() else {
            return Err(DocError::Rewrites(format!(
                "{} events in one change",
                effect.events.len()
            ))
            .into());
        };
        let id = CertificateId::new(w.cert.clone());
        // Validity at the instant the change claims: a device offline for a week signs records
        // that arrive after its certificate's window; revocation applies whatever the instant.
        let cert = self.trust.check_certificate(&id, event.at)?;
        cert.check_actor(&event.actor)?;
        let past = causal_past(events, &event.after);
        let before = fold(&past, &self.policy, &self.calendar);
        if cert.body.role == Role::Supervisor
            && let Some(code) = before
                .details
                .as_ref()
                .and_then(|d| d.location.division_code.as_deref())
            && !cert.covers_area(code)
        {
            return Err(DeviceError::OutsideArea {
                area: cert.body.area.clone(),
                division: code.to_string(),
            });
        }
        decide(
            &before,
            &event.actor,
            &event.action,
            event.at,
            &self.policy,
            &self.calendar,
        )?;
        Ok((event.clone(), effect.sealed, after))
    }
}

/// The events `after` names and everything before them.
pub(super) fn causal_past(events: &[Event], after: &[EventId]) -> Vec<Event> {
    let by_id: BTreeMap<&EventId, &Event> = events.iter().map(|e| (&e.id, e)).collect();
    let mut seen: BTreeSet<&EventId> = BTreeSet::new();
    let mut stack: Vec<&EventId> = after.iter().collect();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        if let Some(e) = by_id.get(id) {
            stack.extend(e.after.iter());
        }
    }
    events
        .iter()
        .filter(|e| seen.contains(&e.id))
        .cloned()
        .collect()
}
