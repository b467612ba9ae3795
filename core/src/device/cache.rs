//! A bounded cache of loaded order documents, so a hub ingesting a stream of changes (or a phone
//! working through its inbox) does not rebuild and re-verify a document for every change, while
//! memory stays flat however many orders the store holds: bounded by count and by the bytes of
//! the changes the documents hold, so a few very long orders cannot fill memory either.

use std::collections::HashMap;

use crate::doc::OrderDoc;
use crate::model::OrderId;

pub(super) struct DocCache {
    capacity: usize,
    max_bytes: usize,
    bytes: usize,
    tick: u64,
    entries: HashMap<OrderId, Entry>,
}

struct Entry {
    doc: OrderDoc,
    /// How many stored changes the document was built from: another process writing the same
    /// store (the CLI next to an app) makes the count differ, and the entry is rebuilt.
    changes: u64,
    used: u64,
    /// The document's changes, inflated: what its memory grows with.
    bytes: usize,
}

impl std::fmt::Debug for DocCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocCache")
            .field("capacity", &self.capacity)
            .field("loaded", &self.entries.len())
            .field("bytes", &self.bytes)
            .finish()
    }
}

impl DocCache {
    pub(super) fn new(capacity: usize, max_bytes: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            max_bytes,
            bytes: 0,
            tick: 0,
            entries: HashMap::new(),
        }
    }

    pub(super) fn get(&mut self, order: &OrderId, stored_changes: u64) -> Option<OrderDoc> {
        self.tick += 1;
        let tick = self.tick;
        match self.entries.get_mut(order) {
            Some(e) if e.changes == stored_changes => {
                e.used = tick;
                Some(e.doc.clone())
            }
            Some(_) => {
                self.forget(order);
                None
            }
            None => None,
        }
    }

    pub(super) fn put(&mut self, doc: OrderDoc, changes: u64) {
        self.tick += 1;
        self.forget(doc.order());
        let bytes = doc.change_bytes();
        if bytes > self.max_bytes {
            // Kept out rather than emptying the cache for it: it is rebuilt when needed.
            return;
        }
        while self.entries.len() >= self.capacity || self.bytes + bytes > self.max_bytes {
            // Least recently used goes; a linear scan is cheap at the capacities used here.
            let Some(old) = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            self.forget(&old);
        }
        self.bytes += bytes;
        let order = doc.order().clone();
        self.entries.insert(
            order,
            Entry {
                doc,
                changes,
                used: self.tick,
                bytes,
            },
        );
    }

    pub(super) fn forget(&mut self, order: &OrderId) {
        if let Some(e) = self.entries.remove(order) {
            self.bytes -= e.bytes;
        }
    }

    /// Bytes of changes the loaded documents hold.
    pub(super) fn bytes(&self) -> usize {
        self.bytes
    }

    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::actor_for_device;
    use crate::model::{
        Action, Actor, Channel, Event, EventId, Location, OrderDetails, PersonId, ReceiptCode,
        RequestKind, Role, UnitId, Urgency,
    };

    fn doc(i: usize, chars: usize) -> OrderDoc {
        let order = OrderId::new(format!("wo-{i}"));
        let event = Event {
            id: EventId::new(format!("ev-{i}")),
            actor: Actor {
                person: PersonId::new("k"),
                role: Role::Kiosk,
                unit: UnitId::new("center"),
            },
            at: chrono::DateTime::UNIX_EPOCH,
            after: Vec::new(),
            action: Action::Submit {
                details: OrderDetails {
                    id: order.clone(),
                    receipt: ReceiptCode("R".into()),
                    kind: RequestKind::Help,
                    urgency: Urgency::Normal,
                    channel: Channel::Kiosk,
                    // Varied, so the change does not compress to nothing.
                    text: (0..chars)
                        .map(|j| char::from_u32(0x4e00 + ((i * 31 + j * 7) % 2000) as u32))
                        .map(|c| c.unwrap_or('扰'))
                        .collect(),
                    location: Location {
                        address: "x".into(),
                        division_code: None,
                        gps: None,
                    },
                    confidential: false,
                    attachments: Vec::new(),
                    origin: crate::model::Origin::Local,
                    emergency_category: None,
                    attributes: Default::default(),
                    category: None,
                    split_from: None,
                    intake_match: None,
                },
            },
        };
        match OrderDoc::create(&order, actor_for_device(b"t"), &event, &[]) {
            Ok((d, _)) => d,
            Err(e) => unreachable!("{e}"),
        }
    }

    #[test]
    fn long_orders_cannot_fill_memory() {
        let budget = 200_000;
        let mut cache = DocCache::new(64, budget);
        for i in 0..50 {
            cache.put(doc(i, 5_000), 1);
            assert!(cache.bytes() <= budget, "{} bytes loaded", cache.bytes());
        }
        assert!(
            cache.len() < 50,
            "the byte budget, not the count, bounded it"
        );
        assert!(cache.len() > 1);
        // One order larger than the whole budget is not kept at all.
        let giant = doc(99, 5_000);
        let mut small = DocCache::new(64, giant.change_bytes() - 1);
        small.put(giant, 1);
        assert_eq!((small.len(), small.bytes()), (0, 0));
    }
}
