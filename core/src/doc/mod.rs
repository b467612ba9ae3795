//! The Automerge schema of one work order: one document per order, whose history is the audit
//! trail.
//!
//! ```text
//! ROOT
//!   schema:   1
//!   order_id: "…"
//!   events:   { <event id>: "<Event as JSON>" }   one key per workflow action
//!   sealed:   { <recipient key id>: <bytes> }      citizen contact, sealed per recipient
//! ```
//!
//! Events are keyed by id in a map rather than appended to a list: concurrent appends from
//! offline devices then merge without any ordering question, and the order's state never
//! depends on Automerge's list order — it is the workflow fold over the events' own causal
//! links. Each event is one JSON string so an event is written, signed and checked as one
//! immutable value.
//!
//! A change received from elsewhere is first applied to a fork ([`OrderDoc::preview`]) and
//! accepted only if it does nothing but add new event keys and sealed copies: it may never edit
//! or delete what is already there.

mod errors;
mod guard;

pub use errors::DocError;
pub use guard::{MAX_CHANGE_BYTES, MAX_CHANGE_RAW_BYTES, check_change_size, guarded};

use automerge::{
    ActorId, Automerge, Change, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value,
    transaction::{CommitOptions, Transactable},
};
use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Event, EventId, OrderId, Timestamp};

pub const SCHEMA_VERSION: i64 = 1;
const EVENTS: &str = "events";
const SEALED: &str = "sealed";

/// One sealed copy of the citizen's contact details, for one recipient key.
pub type SealedCopy = (String, Vec<u8>);

/// What a change adds to a document.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeEffect {
    pub events: Vec<Event>,
    pub sealed: Vec<SealedCopy>,
}

#[derive(Debug, Clone)]
pub struct OrderDoc {
    order: OrderId,
    doc: Automerge,
}

/// An Automerge actor per device: stable across the device's documents so its sequence numbers
/// stay consistent when a document is rebuilt from its changes.
pub fn actor_for_device(device_public_key: &[u8]) -> ActorId {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(device_public_key);
    ActorId::from(&digest[..16])
}

fn event_json(event: &Event) -> Result<String, DocError> {
    serde_json::to_string(event).map_err(|e| DocError::Encode(e.to_string()))
}

/// Runs `f` as one transaction stamped with `at` and returns the change it made.
fn commit(
    doc: &mut Automerge,
    at: Timestamp,
    f: impl FnOnce(
        &mut automerge::transaction::Transaction<'_>,
    ) -> Result<(), automerge::AutomergeError>,
) -> Result<Change, DocError> {
    let hash = match doc.transact_with(
        |_| CommitOptions::default().with_time(at.timestamp_millis()),
        f,
    ) {
        Ok(s) => s.hash.ok_or(DocError::EmptyChange)?,
        Err(f) => return Err(DocError::Automerge(f.error.to_string())),
    };
    doc.get_change_by_hash(&hash).ok_or(DocError::EmptyChange)
}

/// One event under its id, and the sealed copies that go with it.
fn put_event(
    tx: &mut automerge::transaction::Transaction<'_>,
    events: &ObjId,
    sealed_obj: &ObjId,
    id: &EventId,
    json: &str,
    sealed: &[SealedCopy],
) -> Result<(), automerge::AutomergeError> {
    tx.put(events, id.0.as_str(), json)?;
    for (recipient, bytes) in sealed {
        tx.put(
            sealed_obj,
            recipient.as_str(),
            ScalarValue::Bytes(bytes.clone()),
        )?;
    }
    Ok(())
}

impl OrderDoc {
    pub fn order(&self) -> &OrderId {
        &self.order
    }

    /// Starts a document with the submission event. Returns the document and its first change.
    pub fn create(
        order: &OrderId,
        actor: ActorId,
        submit: &Event,
        sealed: &[SealedCopy],
    ) -> Result<(OrderDoc, Change), DocError> {
        let mut doc = Automerge::new().with_actor(actor);
        let json = event_json(submit)?;
        let order_id = order.0.clone();
        let change = commit(&mut doc, submit.at, |tx| {
            tx.put(ROOT, "schema", SCHEMA_VERSION)?;
            tx.put(ROOT, "order_id", order_id.as_str())?;
            let events = tx.put_object(ROOT, EVENTS, ObjType::Map)?;
            let sealed_obj = tx.put_object(ROOT, SEALED, ObjType::Map)?;
            put_event(tx, &events, &sealed_obj, &submit.id, &json, sealed)
        })?;
        Ok((
            OrderDoc {
                order: order.clone(),
                doc,
            },
            change,
        ))
    }

    /// Rebuilds a document from its changes, in an order where every change follows its deps
    /// (the store's insertion order is one).
    pub fn from_changes(
        order: &OrderId,
        actor: ActorId,
        changes: Vec<Change>,
    ) -> Result<OrderDoc, DocError> {
        let mut doc = Automerge::new().with_actor(actor);
        guarded("rebuilding the order", || {
            doc.apply_changes(changes)
                .map_err(|e| DocError::Automerge(e.to_string()))
        })?;
        let this = OrderDoc {
            order: order.clone(),
            doc,
        };
        this.check_order_id()?;
        Ok(this)
    }

    /// A document with no change yet, to preview an order's first change received from
    /// elsewhere.
    pub fn empty(order: &OrderId, actor: ActorId) -> OrderDoc {
        OrderDoc {
            order: order.clone(),
            doc: Automerge::new().with_actor(actor),
        }
    }

    /// Who the next local change is written as (each enrolled device key is its own actor).
    pub fn set_actor(&mut self, actor: ActorId) {
        self.doc.set_actor(actor);
    }

    fn check_order_id(&self) -> Result<(), DocError> {
        match self.doc.get(ROOT, "order_id") {
            Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
                ScalarValue::Str(id) if id.as_str() == self.order.0 => Ok(()),
                _ => Err(DocError::WrongOrder),
            },
            _ => Err(DocError::NotAnOrder),
        }
    }

    fn map(&self, key: &str) -> Result<ObjId, DocError> {
        match self.doc.get(ROOT, key) {
            Ok(Some((Value::Object(ObjType::Map), id))) => Ok(id),
            _ => Err(DocError::NotAnOrder),
        }
    }

    /// Appends one event (and sealed copies) as one change.
    pub fn append(&mut self, event: &Event, sealed: &[SealedCopy]) -> Result<Change, DocError> {
        let events = self.map(EVENTS)?;
        let sealed_obj = self.map(SEALED)?;
        if self
            .doc
            .get(&events, event.id.0.as_str())
            .ok()
            .flatten()
            .is_some()
        {
            return Err(DocError::DuplicateEvent(event.id.0.clone()));
        }
        let json = event_json(event)?;
        commit(&mut self.doc, event.at, |tx| {
            put_event(tx, &events, &sealed_obj, &event.id, &json, sealed)
        })
    }

    fn read_events(doc: &Automerge) -> Result<BTreeMap<String, String>, DocError> {
        let events = match doc.get(ROOT, EVENTS) {
            Ok(Some((Value::Object(ObjType::Map), id))) => id,
            _ => return Ok(BTreeMap::new()),
        };
        let mut out = BTreeMap::new();
        for item in doc.map_range(&events, ..) {
            let value: Value<'static> = item.value.into();
            match value {
                Value::Scalar(s) => match s.as_ref() {
                    ScalarValue::Str(text) => {
                        out.insert(item.key.to_string(), text.to_string());
                    }
                    _ => return Err(DocError::BadEvent(item.key.to_string())),
                },
                _ => return Err(DocError::BadEvent(item.key.to_string())),
            }
        }
        Ok(out)
    }

    fn read_sealed(doc: &Automerge) -> BTreeMap<String, Vec<u8>> {
        let Ok(Some((Value::Object(ObjType::Map), sealed))) = doc.get(ROOT, SEALED) else {
            return BTreeMap::new();
        };
        doc.map_range(&sealed, ..)
            .filter_map(|item| {
                let value: Value<'static> = item.value.into();
                match value {
                    Value::Scalar(s) => match s.as_ref() {
                        ScalarValue::Bytes(b) => Some((item.key.to_string(), b.clone())),
                        _ => None,
                    },
                    _ => None,
                }
            })
            .collect()
    }

    fn parse_event(key: &str, json: &str) -> Result<Event, DocError> {
        let event: Event =
            serde_json::from_str(json).map_err(|_| DocError::BadEvent(key.to_string()))?;
        if event.id.0 != key {
            return Err(DocError::BadEvent(key.to_string()));
        }
        Ok(event)
    }

    /// Every event of the order, in event-id order (the fold gives the meaningful order).
    pub fn events(&self) -> Result<Vec<Event>, DocError> {
        Self::read_events(&self.doc)?
            .iter()
            .map(|(k, v)| Self::parse_event(k, v))
            .collect()
    }

    /// Events nobody has acted after yet: what the next event lists as its predecessors.
    pub fn event_heads(&self) -> Result<Vec<EventId>, DocError> {
        let events = self.events()?;
        let referenced: BTreeSet<&EventId> = events.iter().flat_map(|e| e.after.iter()).collect();
        Ok(events
            .iter()
            .filter(|e| !referenced.contains(&e.id))
            .map(|e| e.id.clone())
            .collect())
    }

    pub fn sealed(&self) -> Vec<SealedCopy> {
        Self::read_sealed(&self.doc).into_iter().collect()
    }

    pub fn heads(&self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    pub fn has_change(&self, hash: &ChangeHash) -> bool {
        self.doc.get_change_by_hash(hash).is_some()
    }

    pub fn changes(&self) -> Vec<Change> {
        self.doc.get_changes(&[])
    }

    /// The inflated bytes of every change of the document: what its memory grows with.
    pub fn change_bytes(&self) -> usize {
        self.doc
            .get_changes(&[])
            .iter()
            .map(|c| c.raw_bytes().len())
            .sum()
    }

    /// What `change` would add, without touching this document. Refused when its dependencies
    /// are not all here, or when it edits or deletes anything that exists.
    /// Returns what it adds and the document with it applied (the caller keeps that instead of
    /// applying the change a second time).
    pub fn preview(&self, change: &Change) -> Result<(ChangeEffect, OrderDoc), DocError> {
        guarded("previewing the change", || self.preview_unguarded(change))
    }

    fn preview_unguarded(&self, change: &Change) -> Result<(ChangeEffect, OrderDoc), DocError> {
        if let Some(missing) = change.deps().iter().find(|d| !self.has_change(d)) {
            return Err(DocError::MissingDependency(missing.to_string()));
        }
        let before_events = Self::read_events(&self.doc)?;
        let before_sealed = Self::read_sealed(&self.doc);
        let mut fork = self.doc.fork();
        fork.apply_changes([change.clone()])
            .map_err(|e| DocError::Automerge(e.to_string()))?;
        let root_keys: BTreeSet<String> = fork.keys(ROOT).collect();
        let known: BTreeSet<String> = ["schema", "order_id", EVENTS, SEALED]
            .into_iter()
            .map(String::from)
            .collect();
        if !root_keys.is_subset(&known) {
            return Err(DocError::Rewrites("root".into()));
        }
        let fork_doc = OrderDoc {
            order: self.order.clone(),
            doc: fork,
        };
        fork_doc.check_order_id()?;
        let after_events = Self::read_events(&fork_doc.doc)?;
        let after_sealed = Self::read_sealed(&fork_doc.doc);
        for (k, v) in &before_events {
            if after_events.get(k) != Some(v) {
                return Err(DocError::Rewrites(format!("events/{k}")));
            }
        }
        for (k, v) in &before_sealed {
            if after_sealed.get(k) != Some(v) {
                return Err(DocError::Rewrites(format!("sealed/{k}")));
            }
        }
        let events = after_events
            .iter()
            .filter(|(k, _)| !before_events.contains_key(*k))
            .map(|(k, v)| Self::parse_event(k, v))
            .collect::<Result<Vec<_>, _>>()?;
        let sealed = after_sealed
            .into_iter()
            .filter(|(k, _)| !before_sealed.contains_key(k))
            .collect();
        Ok((ChangeEffect { events, sealed }, fork_doc))
    }
}

/// Decodes change bytes (after [`check_change_size`]), checking they hash to what was recorded.
pub fn decode_change(bytes: &[u8], expected_hash: Option<&str>) -> Result<Change, DocError> {
    check_change_size(bytes)?;
    let change = guarded("decoding the change", || {
        Change::from_bytes(bytes.to_vec()).map_err(|e| DocError::BadChange(e.to_string()))
    })?;
    if let Some(h) = expected_hash
        && change.hash().to_string() != h
    {
        return Err(DocError::HashMismatch);
    }
    Ok(change)
}
