//! The read half of a sync round: what this person may see after the device's cursor — their
//! partitions of the hub's log (the whole log for the center), orders it holds only in part
//! sent whole first — read on a connection that never waits for a writer.

use std::collections::HashSet;

use super::partitions::{PullScope, merge_positions};
use super::server::{Directory, Pushed, Served, may_see};
use super::storage::{HubReads, HubStorage, MAX_KB_PULL_BYTES};
use super::wire::{self, SyncResponse};
use super::{MAX_PULL_BYTES, SyncError};
use crate::device::WireChange;
use crate::identity::Certificate;
use crate::model::{OrderId, Role};
use crate::store::LoggedChange;

/// Orders held but not yet confirmed whole that one answer sends whole at most (more follow in
/// the next round; the byte budget usually stops first).
const MAX_WHOLE_PER_ROUND: u32 = 256;

/// Log entries read per batch of a pull.
pub(super) const PULL_BATCH: u32 = 256;

/// The next batch of a pull after `cursor`: the whole log for the center, the person's
/// partitions merged by position (up to `head`) for everyone else.
pub(super) fn next_batch(
    reads: &mut dyn HubReads,
    scope: &PullScope,
    cursor: i64,
    head: i64,
) -> Result<Vec<LoggedChange>, SyncError> {
    match scope {
        PullScope::Nothing => Ok(Vec::new()),
        PullScope::Everything { .. } => Ok(reads.changes_after(cursor, PULL_BATCH)?),
        PullScope::Scopes { scopes, .. } => {
            let mut per_scope = Vec::with_capacity(scopes.len());
            for s in scopes {
                per_scope.push(reads.scope_positions(s, cursor, head, PULL_BATCH)?);
            }
            let seqs = merge_positions(per_scope, PULL_BATCH as usize);
            Ok(reads.changes_at(&seqs)?)
        }
    }
}

/// A round's answer, and the orders it sent whole — held whole by the peer once its cursor
/// passes this answer, which [`Pulled::record`] writes.
#[derive(Debug)]
pub struct Pulled {
    response: SyncResponse,
    served: Served,
    peer: String,
    sent_whole: Vec<OrderId>,
    /// Whether the answer moves the device's cursor. One that does not cannot be told apart
    /// from a lost one: its orders stay pending and go again.
    moved: bool,
}

impl Pulled {
    /// Whether [`Pulled::record`] has anything to write.
    pub fn needs_recording(&self) -> bool {
        self.moved && !self.sent_whole.is_empty()
    }

    /// Records, on the hub's write side, the orders this answer sent whole.
    pub fn record(&self, hub: &mut dyn HubStorage) -> Result<(), SyncError> {
        if self.needs_recording() {
            hub.mark_peer_orders(&self.peer, &self.sent_whole, self.response.cursor)?;
        }
        Ok(())
    }

    pub fn into_parts(self) -> (SyncResponse, Served) {
        (self.response, self.served)
    }
}

/// The read half of a round after [`take_push`](super::take_push): the answer, from `reads` —
/// on the SQLite hub a read-only connection, so pulls never wait for another round's ingest.
pub fn pull(
    reads: &mut dyn HubReads,
    dir: &Directory,
    pushed: Pushed,
) -> Result<Pulled, SyncError> {
    let Pushed {
        cert,
        body,
        refused,
        kb_refused,
        access_refused,
        mut served,
    } = pushed;
    let peer = cert.body.id.0.clone();
    let scope = PullScope::of(&cert);
    // Pull: what this person may see after the device's cursor — their partitions of the log
    // (the whole log for the center) — up to the hub's own limit whatever the device asked for.
    // Partitions are read up to the head as it is now, so the cursor may move to it.
    let head = reads.log_head()?;
    let budget = usize::try_from(body.max_pull)
        .unwrap_or(usize::MAX)
        .min(MAX_PULL_BYTES as usize);
    let mut out: Vec<WireChange> = Vec::new();
    let mut bytes = 0usize;
    let mut cursor = body.received_upto;
    let mut more = false;
    let mut whole_sent: HashSet<OrderId> = HashSet::new();
    let mut newly_whole: Vec<OrderId> = Vec::new();
    // Orders the device holds only in part go first, whole: those it says it lacks pieces of,
    // and those the hub knows it holds but has not seen it confirm whole — held since what it
    // just pushed, or sent whole in an answer that never arrived. The log scan below cannot be
    // relied on for them: it starts at the device's cursor, which may already be past every
    // change of such an order (a push in a later round of the same sync).
    let asked: Vec<(OrderId, bool)> = body
        .resend
        .iter()
        .map(|o| (OrderId::new(o.clone()), true))
        .chain(
            reads
                .peer_orders_not_whole(&peer, body.received_upto, MAX_WHOLE_PER_ROUND)?
                .into_iter()
                .map(|o| (o, false)),
        )
        .collect();
    for (order, by_device) in asked {
        if whole_sent.contains(&order) {
            continue;
        }
        if !may_see(reads, &cert, &order)? {
            if by_device {
                served.denied_resends += 1;
            }
            continue;
        }
        if bytes >= budget {
            more = true;
            break;
        }
        for c in reads.changes_for(&order)? {
            bytes += c.bytes.len() + 64;
            out.push(WireChange::from(&c));
        }
        whole_sent.insert(order.clone());
        newly_whole.push(order);
    }
    let check = scope.needs_check();
    'scan: loop {
        if more {
            break;
        }
        let batch = next_batch(reads, &scope, cursor, head)?;
        if batch.is_empty() {
            // Nothing more of theirs up to the head: the device may skip the rest.
            if !matches!(scope, PullScope::Everything { within: None }) {
                cursor = cursor.max(head);
            }
            break;
        }
        for lc in batch {
            if bytes >= budget {
                more = true;
                break 'scan;
            }
            cursor = lc.seq;
            let order = lc.change.order.clone();
            if lc.source.as_deref() == Some(peer.as_str()) || whole_sent.contains(&order) {
                continue;
            }
            if check && !may_see(reads, &cert, &order)? {
                continue;
            }
            if reads.peer_has_order(&peer, &order, body.received_upto)? {
                bytes += lc.change.bytes.len() + 64;
                out.push(WireChange::from(&lc.change));
            } else {
                // Newly visible (say, just dispatched to this unit): its whole history, once.
                for c in reads.changes_for(&order)? {
                    bytes += c.bytes.len() + 64;
                    out.push(WireChange::from(&c));
                }
                whole_sent.insert(order.clone());
                newly_whole.push(order);
            }
        }
    }
    // Held whole once the device's cursor passes this answer. An answer that does not move the
    // cursor cannot be told apart from a lost one: its orders stay pending and go again.
    served.pulled = out.len() as u64;
    let (certs, pull) = wire::pack(&out);

    // The knowledge base goes to everyone, kiosks included: nothing in it is about a citizen.
    // A device's own records are not sent back (the cursor still passes them).
    let kb_logged = reads.kb_after(body.kb_received, MAX_KB_PULL_BYTES)?;
    let kb_cursor = kb_logged.last().map_or(body.kb_received, |l| l.seq);
    let kb_more = !kb_logged.is_empty() && !reads.kb_after(kb_cursor, 1)?.is_empty();
    let kb_rows: Vec<crate::kb::SignedKb> = kb_logged
        .into_iter()
        .filter(|l| l.source.as_deref() != Some(peer.as_str()))
        .map(|l| l.signed)
        .collect();
    served.pulled += kb_rows.len() as u64;

    // A kiosk is a public device: it gets the revocation list (so it knows when it is cut off),
    // and of the city's people only the certificates that signed the knowledge-base records it
    // is sent — without them it could not check a single one.
    let kiosk = cert.body.role == Role::Kiosk;
    let known = usize::try_from(body.certs_known.max(0)).unwrap_or(usize::MAX);
    let certificates: Vec<Certificate> = if kiosk {
        let signers: HashSet<&str> = kb_rows.iter().map(|r| r.cert.as_str()).collect();
        dir.certificates
            .iter()
            .filter(|c| signers.contains(c.body.id.0.as_str()))
            .cloned()
            .collect()
    } else {
        dir.certificates.iter().skip(known).cloned().collect()
    };
    let units = if kiosk || certificates.is_empty() {
        Vec::new()
    } else {
        dir.units.iter().map(|(u, k)| (u.clone(), *k)).collect()
    };
    let revocations = dir
        .revocations
        .as_ref()
        .filter(|r| r.sequence > body.revocation_seq)
        .cloned();
    // Every device gets a newer catalogue, kiosks included: it holds nothing about people.
    let catalogue = dir
        .catalogue
        .as_ref()
        .filter(|c| c.version > body.catalogue_version)
        .cloned();
    Ok(Pulled {
        response: SyncResponse {
            acked_upto: body.push_upto,
            refused,
            certs,
            pull,
            cursor,
            more,
            certificates,
            certs_total: i64::try_from(dir.certificates.len()).unwrap_or(i64::MAX),
            revocations,
            units,
            catalogue,
            kb_acked_upto: body.kb_push_upto,
            kb_refused,
            kb: kb_rows,
            kb_cursor,
            kb_more,
            access_refused,
        },
        served,
        peer,
        sent_whole: newly_whole,
        moved: cursor > body.received_upto,
    })
}
