//! The hub side of a sync round: authenticate, ingest what the device pushed, answer with what
//! that person may see and does not have yet.

use std::collections::{BTreeMap, HashSet};

use super::http::messages::SYNC_PATH;
use super::partitions::{PullScope, merge_positions};
use super::sqlite_hub::SqliteHub;
use super::storage::{HubReads, HubStorage};
use super::wire::{self, PROTOCOL, Refusal, SignedRequest, SyncRequest, SyncResponse};
use super::{MAX_PULL_BYTES, SyncError, auth};
use crate::Coded;
use crate::device::{Checked, ImportOutcome, WireChange, verify_incoming};
use crate::identity::{Certificate, RevocationList, SealingPublicKey, TrustStore};
use crate::model::{OrderId, Role, Timestamp, UnitId};
use crate::store::{LoggedChange, RefusalRecord, peer_scope};

/// What the hub hands out besides changes: every certificate in issue order, the newest
/// revocation list, the units' sealing keys.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub certificates: Vec<Certificate>,
    pub revocations: Option<RevocationList>,
    pub units: BTreeMap<UnitId, SealingPublicKey>,
}

/// What one round did at the hub, for its log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Served {
    pub peer: String,
    pub applied: u64,
    pub refused: u64,
    pub pulled: u64,
    /// Orders asked for whole that this person may not see (logged: someone probing ids).
    pub denied_resends: u64,
}

/// Whether `cert`'s holder may receive `order`: the center sees everything; a supervisor the
/// orders of their area; a unit the orders it leads, co-handles, was passed or separately
/// dispatched — now or once (a unit keeps what it once handled: the scopes of the pull
/// partitions only grow); anyone but a kiosk keeps receiving orders they have had. A kiosk
/// receives nothing: it is a public device and keeps no records but what it submitted.
pub fn may_see(
    store: &mut dyn HubReads,
    cert: &Certificate,
    order: &OrderId,
) -> Result<bool, SyncError> {
    let (scopes, within) = match PullScope::of(cert) {
        PullScope::Nothing => return Ok(false),
        PullScope::Everything { within: None } => return Ok(true),
        PullScope::Everything { within } => (Vec::new(), within),
        PullScope::Scopes { scopes, within } => (scopes, within),
    };
    if store.peer_has_order(&cert.body.id.0, order, i64::MAX)? {
        return Ok(true);
    }
    match within {
        // The scopes are exact: membership is visibility.
        None => Ok(store.order_in_scopes(order, &scopes)?),
        // An area finer than the scopes read: the order's own division code decides.
        Some(area) => Ok(store
            .order_row(order)?
            .is_some_and(|row| row.division_code.is_none_or(|code| code.starts_with(&area)))),
    }
}

/// Log entries read per batch of a pull.
const PULL_BATCH: u32 = 256;

/// The next batch of a pull after `cursor`: the whole log for the center, the person's
/// partitions merged by position (up to `head`) for everyone else.
fn next_batch(
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

/// Orders a peer holds outside its role's scopes (a township phone relaying a village's
/// request) join its own scope, so it keeps following them.
fn follow_held_outside(
    hub: &mut dyn HubStorage,
    scope: &PullScope,
    peer: &str,
    held: &[OrderId],
) -> Result<(), SyncError> {
    let PullScope::Scopes { scopes, .. } = scope else {
        return Ok(());
    };
    let mut outside = Vec::new();
    for order in held {
        if !hub.reads().order_in_scopes(order, scopes)? {
            outside.push(order.clone());
        }
    }
    hub.follow_orders(&peer_scope(peer), &outside)?;
    Ok(())
}

/// Orders held but not yet confirmed whole that one answer sends whole at most (more follow in
/// the next round; the byte budget usually stops first).
const MAX_WHOLE_PER_ROUND: u32 = 256;

/// A request whose first this-many changes all fail to decode or verify is refused whole,
/// before the store is touched: a device that means well never sends that.
pub const MAX_LEADING_REFUSALS: usize = 64;

/// A sync request checked as far as it can be without the hub's store: signer, body, and each
/// pushed change's size, decoding and signature. The hub builds it outside its store lock.
#[derive(Debug)]
pub struct PreparedSync {
    cert: Certificate,
    body: SyncRequest,
    pushed: Vec<WireChange>,
    checked: Vec<Checked>,
}

impl PreparedSync {
    /// The certificate the request was signed with.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }
}

/// The first half of [`serve`]: see [`PreparedSync`]. Errors refuse the whole request.
pub fn prepare(
    trust: &TrustStore,
    req: &SignedRequest,
    now: Timestamp,
) -> Result<PreparedSync, SyncError> {
    let cert = auth::check(trust, SYNC_PATH, req, now)?.clone();
    prepare_body(trust, cert, &req.body)
}

/// [`prepare`] for a request whose signer the caller has already checked (the hub checks the
/// signer, then the challenge and the rate, before it spends time on the changes).
pub fn prepare_body(
    trust: &TrustStore,
    cert: Certificate,
    body: &[u8],
) -> Result<PreparedSync, SyncError> {
    let mut body: SyncRequest = wire::decode(body)?;
    if body.protocol != PROTOCOL {
        return Err(SyncError::Protocol(body.protocol));
    }
    // Each pushed change names its certificate by index: a table longer than the push, or a
    // name longer than any certificate id, is not a device's doing.
    if body.certs.len() > body.push.len() || body.certs.iter().any(|c| c.len() > 128) {
        return Err(SyncError::Malformed(
            "the certificate table does not fit the pushed changes".into(),
        ));
    }
    let pushed = wire::unpack(&body.certs, std::mem::take(&mut body.push))?;
    let checked = verify_incoming(trust, &pushed);
    let leading = checked.iter().take_while(|c| c.is_err()).count();
    if leading >= MAX_LEADING_REFUSALS {
        return Err(SyncError::TooManyRefusals {
            refused: u32::try_from(leading).unwrap_or(u32::MAX),
        });
    }
    Ok(PreparedSync {
        cert,
        body,
        pushed,
        checked,
    })
}

/// Handles one request in full (tests, in-process links): [`prepare`] with the hub's own trust
/// store, then [`serve_prepared`].
pub fn serve(
    hub: &mut SqliteHub,
    dir: &Directory,
    req: &SignedRequest,
    now: Timestamp,
) -> Result<(SyncResponse, Served), SyncError> {
    let prepared = prepare(hub.device().trust(), req, now)?;
    serve_prepared(hub, dir, prepared, now)
}

/// The second half of [`serve`], under the hub's store lock: ingest what was pushed, answer
/// with what this person may see and does not have yet. Errors here refuse the whole request;
/// refusals of single changes travel in the response.
pub fn serve_prepared(
    hub: &mut dyn HubStorage,
    dir: &Directory,
    p: PreparedSync,
    now: Timestamp,
) -> Result<(SyncResponse, Served), SyncError> {
    let PreparedSync {
        cert,
        body,
        pushed,
        checked,
    } = p;
    let peer = cert.body.id.0.clone();
    let mut served = Served {
        peer: peer.clone(),
        ..Served::default()
    };

    // Ingest.
    let hashes: Vec<Option<String>> = checked
        .iter()
        .map(|c| c.as_ref().ok().map(|v| v.hash().to_string()))
        .collect();
    let outcomes = hub.ingest(&pushed, checked, &peer, now)?;
    let mut refused = Vec::new();
    let mut refusal_log = Vec::new();
    let mut held: Vec<OrderId> = Vec::new();
    for (i, ((c, o), hash)) in pushed.iter().zip(&outcomes).zip(&hashes).enumerate() {
        match o {
            Ok(ImportOutcome::Applied) => {
                served.applied += 1;
                // Applied to this order's document, so the label was the change's own.
                held.push(c.order.clone());
            }
            Ok(ImportOutcome::AlreadyHad) => {
                // What a peer holds is derived from what the hub stored, never from the label
                // it sent: a change it signed itself proves it had that order.
                if let Some(h) = hash
                    && let Some((order, signer)) = hub.reads().change_owner(h)?
                    && signer == peer
                {
                    held.push(order);
                }
            }
            Err(e) => {
                served.refused += 1;
                refusal_log.push(RefusalRecord {
                    at: now.timestamp_millis(),
                    peer: Some(peer.clone()),
                    order: Some(c.order.0.chars().take(80).collect()),
                    hash: hash.clone(),
                    code: e.code().to_string(),
                    message_zh: e.message_zh(),
                    message_en: e.message_en(),
                });
                refused.push(Refusal {
                    index: u32::try_from(i).unwrap_or(u32::MAX),
                    code: e.code().to_string(),
                    message_zh: e.message_zh(),
                    message_en: e.message_en(),
                });
            }
        }
    }
    hub.log_refusals(&refusal_log)?;

    // The peer has these orders, so it may follow them — but perhaps not their whole history
    // (it may have been handed one change): `i64::MAX` marks "known, not yet sent whole".
    held.sort();
    held.dedup();
    hub.mark_peer_orders(&peer, &held, i64::MAX)?;
    let scope = PullScope::of(&cert);
    follow_held_outside(hub, &scope, &peer, &held)?;

    // Pull: what this person may see after the device's cursor — their partitions of the log
    // (the whole log for the center) — up to the hub's own limit whatever the device asked for.
    // Partitions are read up to the head as it is now, so the cursor may move to it.
    let head = hub.reads().log_head()?;
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
            hub.reads()
                .peer_orders_not_whole(&peer, body.received_upto, MAX_WHOLE_PER_ROUND)?
                .into_iter()
                .map(|o| (o, false)),
        )
        .collect();
    for (order, by_device) in asked {
        if whole_sent.contains(&order) {
            continue;
        }
        if !may_see(hub.reads(), &cert, &order)? {
            if by_device {
                served.denied_resends += 1;
            }
            continue;
        }
        if bytes >= budget {
            more = true;
            break;
        }
        for c in hub.reads().changes_for(&order)? {
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
        let batch = next_batch(hub.reads(), &scope, cursor, head)?;
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
            if check && !may_see(hub.reads(), &cert, &order)? {
                continue;
            }
            if hub
                .reads()
                .peer_has_order(&peer, &order, body.received_upto)?
            {
                bytes += lc.change.bytes.len() + 64;
                out.push(WireChange::from(&lc.change));
            } else {
                // Newly visible (say, just dispatched to this unit): its whole history, once.
                for c in hub.reads().changes_for(&order)? {
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
    if cursor > body.received_upto {
        hub.mark_peer_orders(&peer, &newly_whole, cursor)?;
    }
    served.pulled = out.len() as u64;
    let (certs, pull) = wire::pack(&out);

    // A kiosk is a public device: it gets the revocation list (so it knows when it is cut off)
    // and nothing about the people of the city.
    let kiosk = cert.body.role == Role::Kiosk;
    let known = usize::try_from(body.certs_known.max(0)).unwrap_or(usize::MAX);
    let certificates: Vec<Certificate> = if kiosk {
        Vec::new()
    } else {
        dir.certificates.iter().skip(known).cloned().collect()
    };
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
