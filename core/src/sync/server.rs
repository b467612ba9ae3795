//! The hub side of a sync round: authenticate, ingest what the device pushed, answer with what
//! that person may see and does not have yet.

use std::collections::{BTreeMap, HashSet};

use super::wire::{self, PROTOCOL, Refusal, SignedRequest, SyncRequest, SyncResponse};
use super::{SyncError, auth};
use crate::Coded;
use crate::device::{Device, ImportOutcome, WireChange};
use crate::identity::{Certificate, RevocationList, SealingPublicKey};
use crate::model::{OrderId, Role, Timestamp, UnitId};
use crate::store::RefusalRecord;

/// What the hub hands out besides changes: every certificate in issue order, the newest
/// revocation list, the units' sealing keys.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub certificates: Vec<Certificate>,
    pub revocations: Option<RevocationList>,
    pub units: BTreeMap<UnitId, SealingPublicKey>,
}

/// Most orders resent whole in one answer.
const MAX_RESEND: usize = 64;

/// What one round did at the hub, for its log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Served {
    pub peer: String,
    pub applied: u64,
    pub refused: u64,
    pub pulled: u64,
}

/// Whether `cert`'s holder may receive `order`: the center sees everything; a supervisor the
/// orders of their area; a unit the orders it leads or co-handles; anyone but a kiosk keeps
/// receiving orders they have had (a unit what it once handled). A kiosk receives nothing: it
/// is a public device and keeps no records but what it submitted.
pub fn may_see(hub: &Device, cert: &Certificate, order: &OrderId) -> Result<bool, SyncError> {
    let b = &cert.body;
    match b.role {
        Role::Kiosk => return Ok(false),
        Role::Dispatcher | Role::Intake | Role::Callback | Role::Auditor => return Ok(true),
        _ => {}
    }
    if hub.store().peer_has_order(&b.id.0, order, i64::MAX)? {
        return Ok(true);
    }
    let Some(row) = hub.store().order_row(order)? else {
        return Ok(false);
    };
    Ok(match b.role {
        Role::Supervisor => row
            .division_code
            .as_deref()
            .is_none_or(|code| cert.covers_area(code)),
        _ if b.role.is_unit_role() => {
            row.lead_unit.as_deref() == Some(b.unit.0.as_str()) || row.co_units.contains(&b.unit.0)
        }
        _ => false,
    })
}

/// Handles one request. Errors here (bad signature, malformed body) are for the whole request;
/// refusals of single changes travel in the response.
pub fn serve(
    hub: &mut Device,
    dir: &Directory,
    req: &SignedRequest,
    now: Timestamp,
) -> Result<(SyncResponse, Served), SyncError> {
    let cert = auth::check(hub.trust(), &req.cert, &req.signature, &req.body, now)?.clone();
    let body: SyncRequest = wire::decode(&req.body)?;
    if body.protocol != PROTOCOL {
        return Err(SyncError::Protocol(body.protocol));
    }
    let peer = cert.body.id.0.clone();
    let mut served = Served {
        peer: peer.clone(),
        ..Served::default()
    };

    // Ingest.
    let pushed = wire::unpack(&body.certs, body.push)?;
    let outcomes = hub.import_batch(&pushed, Some(&peer), now)?;
    let mut refused = Vec::new();
    let mut touched: Vec<OrderId> = Vec::new();
    for (i, (c, o)) in pushed.iter().zip(&outcomes).enumerate() {
        match o {
            Ok(outcome) => {
                if *outcome == ImportOutcome::Applied {
                    served.applied += 1;
                }
                touched.push(c.order.clone());
            }
            Err(e) => {
                served.refused += 1;
                hub.store().log_refusal(&RefusalRecord {
                    at: now.timestamp_millis(),
                    peer: Some(peer.clone()),
                    order: Some(c.order.0.clone()),
                    hash: crate::doc::decode_change(&c.bytes, None)
                        .ok()
                        .map(|ch| ch.hash().to_string()),
                    code: e.code().to_string(),
                    message_zh: e.message_zh(),
                    message_en: e.message_en(),
                })?;
                refused.push(Refusal {
                    index: u32::try_from(i).unwrap_or(u32::MAX),
                    code: e.code().to_string(),
                    message_zh: e.message_zh(),
                    message_en: e.message_en(),
                });
            }
        }
    }

    // The peer has these orders, so it may follow them — but perhaps not their whole history
    // (it may have been handed one change): `i64::MAX` marks "known, not yet sent whole".
    touched.sort();
    touched.dedup();
    hub.store_mut()
        .mark_peer_orders(&peer, &touched, i64::MAX)?;

    // Pull: the hub's log after the device's cursor, filtered to what this person may see.
    let budget = usize::try_from(body.max_pull).unwrap_or(usize::MAX);
    let mut out: Vec<WireChange> = Vec::new();
    let mut bytes = 0usize;
    let mut cursor = body.received_upto;
    let mut more = false;
    let mut whole_sent: HashSet<OrderId> = HashSet::new();
    let mut newly_whole: Vec<OrderId> = Vec::new();
    // Orders the device says it holds only in part go first, whole.
    for order in body.resend.iter().take(MAX_RESEND) {
        let order = OrderId::new(order.clone());
        if whole_sent.contains(&order) || !may_see(hub, &cert, &order)? {
            continue;
        }
        for c in hub.store().changes_for(&order)? {
            bytes += c.bytes.len() + 64;
            out.push(WireChange::from(&c));
        }
        whole_sent.insert(order.clone());
        newly_whole.push(order);
    }
    'scan: loop {
        let batch = hub.store().changes_after(cursor, 256)?;
        if batch.is_empty() {
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
            if !may_see(hub, &cert, &order)? {
                continue;
            }
            if hub
                .store()
                .peer_has_order(&peer, &order, body.received_upto)?
            {
                bytes += lc.change.bytes.len() + 64;
                out.push(WireChange::from(&lc.change));
            } else {
                // Newly visible (say, just dispatched to this unit): its whole history, once.
                for c in hub.store().changes_for(&order)? {
                    bytes += c.bytes.len() + 64;
                    out.push(WireChange::from(&c));
                }
                whole_sent.insert(order.clone());
                newly_whole.push(order);
            }
        }
    }
    hub.store_mut()
        .mark_peer_orders(&peer, &newly_whole, cursor)?;
    served.pulled = out.len() as u64;
    let (certs, pull) = wire::pack(&out);

    let known = usize::try_from(body.certs_known.max(0)).unwrap_or(usize::MAX);
    let certificates: Vec<Certificate> = dir.certificates.iter().skip(known).cloned().collect();
    let units = if certificates.is_empty() {
        Vec::new()
    } else {
        dir.units.iter().map(|(u, k)| (u.clone(), *k)).collect()
    };
    let revocations = dir
        .revocations
        .as_ref()
        .filter(|r| r.sequence > body.revocation_seq)
        .cloned();
    Ok((
        SyncResponse {
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
        },
        served,
    ))
}
