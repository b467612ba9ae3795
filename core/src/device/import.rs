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

use super::admission::{Outcome, Rules, StoredOrders, plan_import};
use super::{Device, DeviceError, ImportOutcome};
use crate::doc::{self, OrderDoc};
use crate::identity::{
    BatchItem, CertificateId, IdentityError, PublicKeyBytes, SignatureBytes, TrustStore,
    change_message, verify_batch,
};
use crate::model::{OrderId, Timestamp};
use crate::store::StoredChange;

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

    pub(super) fn into_parts(self) -> (automerge::Change, String) {
        (self.change, self.hash)
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

/// Pushes shorter than this are verified on the calling thread: a thread costs more than a few
/// dozen signatures.
const PARALLEL_FROM: usize = 64;

/// Step 1: sizes, decoding and signatures, with nothing but the trust store. One verdict per
/// change, in order. A long push is split over the machine's cores, each part verified as a
/// batch by the same rule (each key's own check for any change the batch does not clear).
pub fn verify_incoming(trust: &TrustStore, incoming: &[WireChange]) -> Vec<Checked> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if cores < 2 || incoming.len() < PARALLEL_FROM {
        return verify_part(trust, incoming);
    }
    let part = incoming.len().div_ceil(cores);
    std::thread::scope(|scope| {
        let parts: Vec<_> = incoming
            .chunks(part)
            .map(|c| (c.len(), scope.spawn(move || verify_part(trust, c))))
            .collect();
        parts
            .into_iter()
            .flat_map(|(len, handle)| {
                // A part whose thread failed is unprocessed, never accepted.
                handle
                    .join()
                    .unwrap_or_else(|_| (0..len).map(|_| Err(DeviceError::Unprocessed)).collect())
            })
            .collect()
    })
}

/// [`verify_incoming`] on one thread.
fn verify_part(trust: &TrustStore, incoming: &[WireChange]) -> Vec<Checked> {
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
                let sig = SignatureBytes::from_tagged_bytes(&w.signature)
                    .ok_or_else(|| IdentityError::BadSignature { signer: id.clone() })?;
                let hash = change.hash().to_string();
                Ok((
                    Verified { change, hash },
                    change_message(&id, &w.bytes),
                    sig,
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
        let ok = all_good || key.verify(&message, &sig);
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

/// A device's own store as step 2 reads it: documents from the cache when it is current.
struct DeviceOrders<'a>(&'a Device);

impl StoredOrders for DeviceOrders<'_> {
    fn has_change(&mut self, hash: &str) -> Result<bool, DeviceError> {
        Ok(self.0.store.has_change(hash)?)
    }

    fn stored_doc(&mut self, order: &OrderId) -> Result<Option<(OrderDoc, u64)>, DeviceError> {
        let stored = self.0.store.change_count_for(order)?;
        if stored == 0 {
            return Ok(None);
        }
        let (doc, _) = self.0.load(order)?;
        Ok(Some((doc, stored)))
    }

    fn kb_version_held(&mut self, item: &str, version: u32) -> Result<bool, DeviceError> {
        Ok(self.0.store.kb_item_version(item, version)?.is_some())
    }
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
    /// `incoming`): decided by [`plan_import`], stored in one transaction.
    pub fn import_verified(
        &mut self,
        incoming: &[WireChange],
        checked: Vec<Checked>,
        source: Option<&str>,
        arrival: Arrival,
        now: Timestamp,
    ) -> Result<Vec<Outcome>, DeviceError> {
        self.check_writable()?;
        let rules = Rules {
            trust: &self.trust,
            policy: &self.policy,
            calendar: &self.calendar,
            catalogues: &self.catalogues,
        };
        let plan = plan_import(
            rules,
            &mut DeviceOrders(self),
            incoming,
            checked,
            arrival,
            now,
        )?;
        if !plan.records.is_empty() {
            if let Err(e) =
                self.store
                    .record_batch(&plan.records, source, Some(now.timestamp_millis()))
            {
                for (d, _) in &plan.documents {
                    self.cache.borrow_mut().forget(d.order());
                }
                return Err(e.into());
            }
            for (d, count) in plan.documents {
                self.cache.borrow_mut().put(d, count);
            }
        }
        Ok(plan.outcomes)
    }
}
