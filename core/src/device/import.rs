//! Changes made elsewhere: verified, authorised and applied in batches, in two steps so the hub
//! can do the first outside its store lock.
//!
//! 1. [`verify_incoming`] needs only the trust store: each change is within its size limits
//!    ([`crate::doc::check_change_size`]), decodes (an Automerge assertion becomes a refusal),
//!    and its signature verifies against a known certificate (all of a batch at once, one by one
//!    only to find a culprit).
//! 2. [`Device::import_verified`]: a change already stored is `AlreadyHad`; otherwise, per
//!    order in arrival order, it must only add to the document; its event must be within every
//!    content limit, claim a time no earlier than its causal predecessors, be the certificate
//!    holder's own, signed while the certificate was valid; at the hub it must also not claim a
//!    time more than [`CLOCK_SKEW`] ahead of the hub's clock, nor arrive later than
//!    [`OFFLINE_GRACE`] after its certificate expired (see ARCHITECTURE.md, "Time"); and the
//!    action must have been allowed in the state its author had seen (its causal past). What one
//!    batch accepts is stored in one transaction.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::{Device, DeviceError, ImportOutcome, index_row};
use crate::doc::{self, DocError, OrderDoc, SealedCopy};
use crate::identity::{
    BatchItem, CertificateId, IdentityError, PublicKeyBytes, SignatureBytes, TrustStore,
    change_message, verify_batch,
};
use crate::model::{Action, AttachmentRef, Event, EventId, OrderId, Role, Timestamp};
use crate::store::{ActionRecord, StoredChange};
use crate::workflow::{check_sizes, decide, fold};

/// How far ahead of the hub's clock an event may claim to be (a phone whose clock runs fast).
/// Behind is no matter: a device never stamps an event before the events its author had seen
/// (it takes the latest of those if its own clock is behind), and the hub holds every change to
/// that, exactly.
pub const CLOCK_SKEW: Duration = Duration::hours(1);
/// How long after its certificate expired a change signed while it was valid may still reach
/// the hub: a township phone offline for a week, its records relayed by a colleague.
pub const OFFLINE_GRACE: Duration = Duration::days(7);

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

/// A change whose bytes decoded and whose signature verified: all that can be known of it
/// without the store.
#[derive(Debug, Clone)]
pub struct Verified {
    change: automerge::Change,
    hash: String,
}

impl Verified {
    /// The Automerge hash the change is filed under.
    pub fn hash(&self) -> &str {
        &self.hash
    }
}

/// The first step's verdict on one incoming change.
pub type Checked = Result<Verified, DeviceError>;

/// Where a batch arrives: the hub judges arrival against its own clock; a device, whose clock
/// may be wrong, judges only what every replica can judge alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    AtHub,
    OnDevice,
}

type Outcome = Result<ImportOutcome, DeviceError>;

/// Step 1: sizes, decoding and signatures, with nothing but the trust store. One verdict per
/// change, in order.
pub fn verify_incoming(trust: &TrustStore, incoming: &[WireChange]) -> Vec<Checked> {
    let mut out: Vec<Option<Checked>> = (0..incoming.len()).map(|_| None).collect();
    let mut ready: Vec<(usize, Verified, Vec<u8>, SignatureBytes, PublicKeyBytes)> = Vec::new();
    for (i, w) in incoming.iter().enumerate() {
        let id = CertificateId::new(w.cert.clone());
        let step =
            || -> Result<(Verified, Vec<u8>, SignatureBytes, PublicKeyBytes), DeviceError> {
                let change = doc::decode_change(&w.bytes, None)?;
                let cert = trust
                    .certificate(&id)
                    .ok_or_else(|| IdentityError::UnknownCertificate { id: id.clone() })?;
                let sig = <[u8; 64]>::try_from(w.signature.as_slice())
                    .map_err(|_| IdentityError::BadSignature { signer: id.clone() })?;
                let hash = change.hash().to_string();
                Ok((
                    Verified { change, hash },
                    change_message(&id, &w.bytes),
                    SignatureBytes(sig),
                    cert.body.device_key,
                ))
            };
        match step() {
            Ok((v, message, sig, key)) => ready.push((i, v, message, sig, key)),
            Err(e) => out[i] = Some(Err(e)),
        }
    }
    let items: Vec<BatchItem<'_>> = ready
        .iter()
        .map(|(_, _, m, s, k)| BatchItem {
            message: m,
            signature: s,
            key: k,
        })
        .collect();
    let all_good = verify_batch(&items).is_ok();
    for (i, v, message, sig, key) in ready {
        let ok = all_good
            || key.to_verifying_key().is_ok_and(|k| {
                ed25519_dalek::Signature::from_slice(&sig.0)
                    .is_ok_and(|s| k.verify_strict(&message, &s).is_ok())
            });
        out[i] = Some(if ok {
            Ok(v)
        } else {
            let signer = CertificateId::new(incoming[i].cert.clone());
            Err(IdentityError::BadSignature { signer }.into())
        });
    }
    out.into_iter()
        .map(|o| o.unwrap_or(Err(DeviceError::Unprocessed)))
        .collect()
}

/// A change that passed step 1 and is new here, waiting for step 2.
struct Pending {
    index: usize,
    change: automerge::Change,
    hash: String,
}

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
        out.pop().unwrap_or(Err(DeviceError::Unprocessed))
    }

    /// Checks and applies changes from `source` (a peer id; `None` for a file or a test) on this
    /// device: both steps. Returns one outcome per change, in order; the outer error means
    /// nothing was stored.
    pub fn import_batch(
        &mut self,
        incoming: &[WireChange],
        source: Option<&str>,
        now: Timestamp,
    ) -> Result<Vec<Outcome>, DeviceError> {
        let checked = verify_incoming(&self.trust, incoming);
        self.import_verified(incoming, checked, source, Arrival::OnDevice, now)
    }

    /// Step 2 for changes that went through [`verify_incoming`] (`checked`, one per change of
    /// `incoming`).
    pub fn import_verified(
        &mut self,
        incoming: &[WireChange],
        checked: Vec<Checked>,
        source: Option<&str>,
        arrival: Arrival,
        now: Timestamp,
    ) -> Result<Vec<Outcome>, DeviceError> {
        self.check_writable()?;
        let mut outcomes: Vec<Option<Outcome>> = (0..incoming.len()).map(|_| None).collect();
        let mut seen = HashSet::new();
        let mut by_order: BTreeMap<OrderId, Vec<Pending>> = BTreeMap::new();
        let mut order_seq: Vec<OrderId> = Vec::new();
        for (index, c) in checked.into_iter().enumerate().take(incoming.len()) {
            let v = match c {
                Ok(v) => v,
                Err(e) => {
                    outcomes[index] = Some(Err(e));
                    continue;
                }
            };
            if !seen.insert(v.hash.clone()) || self.store.has_change(&v.hash)? {
                outcomes[index] = Some(Ok(ImportOutcome::AlreadyHad));
                continue;
            }
            // Per order, in arrival order, so each change finds the ones it depends on.
            let order = incoming[index].order.clone();
            if !by_order.contains_key(&order) {
                order_seq.push(order.clone());
            }
            by_order.entry(order).or_default().push(Pending {
                index,
                change: v.change,
                hash: v.hash,
            });
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
                        let code = crate::Coded::code(&e);
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
            let mut attachments: Vec<AttachmentRef> = Vec::new();
            for p in list {
                let w = &incoming[p.index];
                match self.admit(&doc, &events, &p.change, w, arrival, now) {
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
                        attachments.extend(event.action.attachments().iter().cloned());
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
                attachments,
            });
            touched.push((doc, stored + changes_len));
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
            .map(|o| o.unwrap_or(Err(DeviceError::Unprocessed)))
            .collect())
    }

    /// The checks after the signature: what the change adds, when it claims to have happened,
    /// who may have made it.
    fn admit(
        &self,
        doc: &OrderDoc,
        events: &[Event],
        change: &automerge::Change,
        w: &WireChange,
        arrival: Arrival,
        now: Timestamp,
    ) -> Result<(Event, Vec<SealedCopy>, OrderDoc), DeviceError> {
        let (effect, after) = doc.preview(change)?;
        let [event] = effect.events.as_slice() else {
            return Err(DocError::Rewrites(format!(
                "{} events in one change",
                effect.events.len()
            ))
            .into());
        };
        check_sizes(event)?;
        // Not earlier than what its author had seen: a device's clock decides only among
        // events that did not know of each other.
        let latest_seen = events
            .iter()
            .filter(|e| event.after.contains(&e.id))
            .map(|e| e.at)
            .max();
        if let Some(seen) = latest_seen
            && event.at < seen
        {
            return Err(DeviceError::Backdated {
                at: event.at,
                predecessor: seen,
            });
        }
        let id = CertificateId::new(w.cert.clone());
        // Valid at the instant the change claims (a device offline for a week signs records that
        // arrive after its certificate's window); revocation applies whatever the instant.
        let cert = self.trust.check_certificate(&id, event.at)?;
        if arrival == Arrival::AtHub {
            if event.at > now + CLOCK_SKEW {
                return Err(DeviceError::FromTheFuture { at: event.at, now });
            }
            if now > cert.body.not_after + OFFLINE_GRACE {
                return Err(DeviceError::ArrivedTooLate {
                    certificate: id,
                    not_after: cert.body.not_after,
                    now,
                });
            }
        }
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
        sealed_copies_fit(&event.action, &effect.sealed)?;
        Ok((event.clone(), effect.sealed, after))
    }
}

/// A change may carry sealed copies of the citizen's contact only for whom its action concerns:
/// the platform's copy with the submission, the units' copies with the dispatch that names
/// them, a sub-unit's with the pass-on to it. Anything else — a co-unit planting a copy for
/// another unit, say — is refused, so nobody opens a contact someone else chose for them.
fn sealed_copies_fit(action: &Action, sealed: &[SealedCopy]) -> Result<(), DeviceError> {
    let allowed = |recipient: &str| match action {
        Action::Submit { .. } => recipient == super::PLATFORM_RECIPIENT,
        Action::Dispatch {
            lead,
            separate_units,
            ..
        } => {
            recipient == super::unit_recipient(lead)
                || separate_units
                    .iter()
                    .any(|u| recipient == super::unit_recipient(u))
        }
        Action::PassOn { sub_unit, .. } => recipient == super::unit_recipient(sub_unit),
        _ => false,
    };
    match sealed.iter().find(|(r, _)| !allowed(r)) {
        Some((r, _)) => Err(DeviceError::SealedCopyNotAllowed {
            recipient: r.chars().take(64).collect(),
            action: action.name(),
        }),
        None => Ok(()),
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
