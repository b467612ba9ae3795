//! Step 2 of an import, decided without writing: per order, in arrival order, what each
//! verified change does to the order as stored — only additions, within every content limit,
//! not back-dated, the signer's own, valid when it claims, allowed in the state its author had
//! seen. The same decision for a device's SQLite store and for the hub's PostgreSQL: each
//! supplies the stored orders ([`StoredOrders`]) and writes what the plan says in one
//! transaction.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::import::{Arrival, CLOCK_SKEW, Checked, OFFLINE_GRACE, WireChange};
use super::{DeviceError, ImportOutcome, index_row};
use crate::doc::{self, DocError, OrderDoc, SealedCopy};
use crate::identity::{CertificateId, TrustStore};
use crate::model::{Action, AttachmentRef, Event, EventId, OrderId, Role, Timestamp};
use crate::policy::{HolidayCalendar, Policy};
use crate::store::{ActionRecord, StoredChange};
use crate::workflow::{check_sizes, decide, fold};

/// What one incoming change came to.
pub type Outcome = Result<ImportOutcome, DeviceError>;

/// Whom the city trusts and the rules its orders follow: all an admission decision reads
/// besides the order itself.
#[derive(Debug, Clone, Copy)]
pub struct Rules<'a> {
    pub trust: &'a TrustStore,
    pub policy: &'a Policy,
    pub calendar: &'a HolidayCalendar,
    /// The catalogue versions held: intakes and dispatches are checked against the one the
    /// order names (at the hub, a version it lacks is refused).
    pub catalogues: &'a crate::catalogue::CatalogueSet,
}

/// The orders as a store holds them, read inside the transaction that will write the plan.
pub trait StoredOrders {
    /// Whether a change with this hash is stored.
    fn has_change(&mut self, hash: &str) -> Result<bool, DeviceError>;
    /// The order's document rebuilt from its stored (and re-verified) changes, with their
    /// number; `None` when nothing of it is stored. A [`DeviceError::Store`] fails the whole
    /// batch (the store is unreachable, say); any other error refuses that order's changes.
    fn stored_doc(&mut self, order: &OrderId) -> Result<Option<(OrderDoc, u64)>, DeviceError>;
    /// Whether this version of a knowledge-base item is held (asked at the hub only).
    fn kb_version_held(&mut self, item: &str, version: u32) -> Result<bool, DeviceError>;
}

/// What step 2 decided: one outcome per incoming change, and what to write.
#[derive(Debug)]
pub struct ImportPlan {
    pub outcomes: Vec<Outcome>,
    /// One record per order that gained changes, in arrival order of the orders.
    pub records: Vec<ActionRecord>,
    /// Each such order's document after the batch, with its change count (for a cache).
    pub documents: Vec<(OrderDoc, u64)>,
}

/// A change that passed step 1 and is new here, waiting for step 2.
struct Pending {
    index: usize,
    change: automerge::Change,
    hash: String,
}

/// Decides step 2 for `incoming` (with `checked`, step 1's verdicts, one per change).
pub fn plan_import(
    rules: Rules<'_>,
    stored: &mut dyn StoredOrders,
    incoming: &[WireChange],
    checked: Vec<Checked>,
    arrival: Arrival,
    now: Timestamp,
) -> Result<ImportPlan, DeviceError> {
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
        let (change, hash) = v.into_parts();
        if !seen.insert(hash.clone()) || stored.has_change(&hash)? {
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
            change,
            hash,
        });
    }
    let mut records = Vec::new();
    let mut documents = Vec::new();
    for order in order_seq {
        let Some(list) = by_order.remove(&order) else {
            continue;
        };
        let (mut doc, stored_count) = match stored.stored_doc(&order) {
            Ok(Some(found)) => found,
            Ok(None) => (OrderDoc::empty(&order, doc::actor_for_device(b"import")), 0),
            Err(e @ DeviceError::Store(_)) => return Err(e),
            Err(e) => {
                let code = crate::Coded::code(&e);
                for p in list {
                    outcomes[p.index] = Some(Err(DeviceError::Corrupt(format!(
                        "order {order} cannot be loaded: {code}"
                    ))));
                }
                continue;
            }
        };
        let mut events = doc.events()?;
        let mut changes = Vec::new();
        let mut sealed: Vec<SealedCopy> = Vec::new();
        let mut attachments: Vec<AttachmentRef> = Vec::new();
        for p in list {
            let w = &incoming[p.index];
            let admitted = admit(rules, &doc, &events, &p.change, w, arrival, now)
                .and_then(|a| answer_names_held_item(stored, &a.0, arrival).map(|()| a));
            match admitted {
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
        let count = stored_count + changes.len() as u64;
        let state = fold(&events, rules.policy, rules.calendar);
        let index = index_row::build(&order, &state, rules.policy, rules.calendar, now)?;
        records.push(ActionRecord {
            order: order.clone(),
            changes,
            index,
            sealed_contacts: sealed,
            attachments,
        });
        documents.push((doc, count));
    }
    Ok(ImportPlan {
        outcomes: outcomes
            .into_iter()
            .map(|o| o.unwrap_or(Err(DeviceError::Unprocessed)))
            .collect(),
        records,
        documents,
    })
}

/// Every photo the action attaches is named by the city's digest (SM3 in an `sm` city, so a
/// photo's integrity never rests on another suite's hash): checked where the event is written
/// and again wherever it is received.
pub(super) fn check_content_names(
    action: &crate::model::Action,
    suite: crate::identity::CryptoSuite,
) -> Result<(), DeviceError> {
    let city = crate::identity::ContentDigest::of_suite(suite);
    for a in action.attachments() {
        if let Some(name) = crate::identity::ContentName::parse(&a.sha256)
            && name.digest != city
        {
            return Err(crate::identity::IdentityError::SuiteMismatch {
                city: suite,
                found: name.digest.suite(),
            }
            .into());
        }
    }
    Ok(())
}

/// The checks after the signature: what the change adds, when it claims to have happened,
/// who may have made it.
fn admit(
    rules: Rules<'_>,
    doc: &OrderDoc,
    events: &[Event],
    change: &automerge::Change,
    w: &WireChange,
    arrival: Arrival,
    now: Timestamp,
) -> Result<(Event, Vec<SealedCopy>, OrderDoc), DeviceError> {
    let (effect, after) = doc.preview(change)?;
    let [event] = effect.events.as_slice() else {
        return Err(
            DocError::Rewrites(format!("{} events in one change", effect.events.len())).into(),
        );
    };
    check_sizes(event)?;
    check_content_names(&event.action, rules.trust.suite())?;
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
    let cert = rules.trust.check_certificate(&id, event.at)?;
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
    let before = fold(&past, rules.policy, rules.calendar);
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
        rules.policy,
        rules.calendar,
    )?;
    rules.catalogues.check_action(
        before.details.as_ref(),
        &event.action,
        arrival == Arrival::AtHub,
    )?;
    sealed_copies_fit(&event.action, &effect.sealed)?;
    Ok((event.clone(), effect.sealed, after))
}

/// At the hub, an instant answer that names a knowledge-base version must name one the hub
/// holds: the item is what the citizen was told, and the hub receives every record before
/// the answers that cite it (records travel ahead of changes in each request).
fn answer_names_held_item(
    orders: &mut dyn StoredOrders,
    event: &Event,
    arrival: Arrival,
) -> Result<(), DeviceError> {
    if arrival != Arrival::AtHub {
        return Ok(());
    }
    if let Action::InstantAnswer {
        kb_item,
        kb_version: Some(version),
        ..
    } = &event.action
        && !orders.kb_version_held(kb_item, *version)?
    {
        return Err(crate::kb::KbError::Unknown {
            item: kb_item.clone(),
            version: Some(*version),
        }
        .into());
    }
    Ok(())
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
