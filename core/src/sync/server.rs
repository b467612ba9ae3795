//! The hub side of a sync round: authenticate, ingest what the device pushed, answer with what
//! that person may see and does not have yet.

use std::collections::BTreeMap;

use super::http::messages::SYNC_PATH;
use super::partitions::PullScope;
use super::pull::pull;
use super::sqlite_hub::SqliteHub;
use super::storage::{HubReads, HubStorage};
use super::wire::{self, PROTOCOL, Refusal, SignedRequest, SyncRequest, SyncResponse};
use super::{SyncError, auth};
use crate::Coded;
use crate::device::{Checked, ImportOutcome, WireChange, verify_incoming};
use crate::identity::{Certificate, RevocationList, SealingPublicKey, TrustStore};
use crate::model::{OrderId, Timestamp, UnitId};
use crate::store::{RefusalRecord, peer_scope};

/// What the hub hands out besides changes: every certificate in issue order, the newest
/// revocation list, the units' sealing keys.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub certificates: Vec<Certificate>,
    pub revocations: Option<RevocationList>,
    pub units: BTreeMap<UnitId, SealingPublicKey>,
    /// The newest catalogue version issued.
    pub catalogue: Option<crate::catalogue::SignedCatalogue>,
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
    /// The pushed knowledge-base records, each verified (signature, signer, fields, author).
    kb_checked: Vec<Result<crate::kb::VerifiedKb, crate::kb::KbError>>,
    /// The pushed access-audit entries, each verified (signature by the certificate it names).
    access_checked: Vec<Result<crate::audit::VerifiedAccess, crate::audit::AuditError>>,
}

impl PreparedSync {
    /// The certificate the request was signed with.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// A round that pushes nothing has nothing to write before its pull.
    pub fn round(self) -> Round {
        if !self.pushed.is_empty() || !self.kb_checked.is_empty() || !self.access_checked.is_empty()
        {
            return Round::Push(self);
        }
        Round::PullOnly(Pushed {
            served: Served {
                peer: self.cert.body.id.0.clone(),
                ..Served::default()
            },
            cert: self.cert,
            body: self.body,
            refused: Vec::new(),
            kb_refused: Vec::new(),
            access_refused: Vec::new(),
        })
    }
}

/// What a round needs before its pull: nothing, or [`take_push`] on the hub's write side.
#[derive(Debug)]
pub enum Round {
    PullOnly(Pushed),
    Push(PreparedSync),
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
    let kb_checked = std::mem::take(&mut body.kb_push)
        .iter()
        .map(|r| r.verify(trust))
        .collect();
    let access_checked = std::mem::take(&mut body.access_push)
        .iter()
        .map(|a| a.verify(trust))
        .collect();
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
        kb_checked,
        access_checked,
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

/// The second half of [`serve`] on one storage session: [`take_push`], [`pull`], then
/// [`Pulled::record`]. Errors here refuse the whole request; refusals of single changes travel
/// in the response.
pub fn serve_prepared(
    hub: &mut dyn HubStorage,
    dir: &Directory,
    p: PreparedSync,
    now: Timestamp,
) -> Result<(SyncResponse, Served), SyncError> {
    let pushed = take_push(hub, p, now)?;
    let pulled = pull(hub.reads(), dir, pushed)?;
    pulled.record(hub)?;
    Ok(pulled.into_parts())
}

/// A round's push, taken: who asks and what, and what was refused — what its pull needs.
#[derive(Debug)]
pub struct Pushed {
    pub(super) cert: Certificate,
    pub(super) body: SyncRequest,
    pub(super) refused: Vec<Refusal>,
    pub(super) kb_refused: Vec<Refusal>,
    pub(super) access_refused: Vec<Refusal>,
    pub(super) served: Served,
}

/// The write half of a round, on the hub's write side: ingest what was pushed, log what was
/// refused, and record which orders the peer holds (and follows, outside its scopes).
pub fn take_push(
    hub: &mut dyn HubStorage,
    p: PreparedSync,
    now: Timestamp,
) -> Result<Pushed, SyncError> {
    let PreparedSync {
        cert,
        body,
        pushed,
        checked,
        kb_checked,
        access_checked,
    } = p;
    let peer = cert.body.id.0.clone();
    let mut served = Served {
        peer: peer.clone(),
        ..Served::default()
    };
    // Knowledge-base records first: an instant answer pushed in the same request may cite one.
    let kb_refused = take_kb_push(hub, kb_checked, &peer, now, &mut served)?;
    let access_refused = take_access_push(hub, access_checked, &peer, now)?;

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
                let order = Some(c.order.0.chars().take(80).collect());
                refusal_log.push(refusal_row(e, &peer, order, hash.clone(), now));
                refused.push(refusal(i, e));
            }
        }
    }
    hub.log_refusals(&refusal_log)?;

    // The peer has these orders, so it may follow them. An order every stored change of which
    // came from this peer (its own requests, what it relayed) it holds whole already; any other
    // perhaps only in part (it may have been handed one change): `i64::MAX` marks "known, not
    // yet sent whole", and it goes whole in an answer. Sending a device its own orders back
    // whole would cost every later idle round: such an answer does not move its cursor, so it
    // is never counted as received (see `pull`).
    held.sort();
    held.dedup();
    let mut whole = Vec::new();
    let mut partial = Vec::new();
    for order in &held {
        if hub.reads().all_from(order, &peer)? {
            whole.push(order.clone());
        } else {
            partial.push(order.clone());
        }
    }
    hub.mark_peer_orders(&peer, &whole, body.received_upto)?;
    hub.mark_peer_orders(&peer, &partial, i64::MAX)?;
    let scope = PullScope::of(&cert);
    follow_held_outside(hub, &scope, &peer, &held)?;

    Ok(Pushed {
        cert,
        body,
        refused,
        kb_refused,
        access_refused,
        served,
    })
}

/// Keeps the verified access entries of a push (any signer's: a device may relay another's);
/// refused ones are logged and named back by their place in the push.
fn take_access_push(
    hub: &mut dyn HubStorage,
    checked: Vec<Result<crate::audit::VerifiedAccess, crate::audit::AuditError>>,
    peer: &str,
    now: Timestamp,
) -> Result<Vec<Refusal>, SyncError> {
    let verified: Vec<_> = checked
        .iter()
        .filter_map(|c| c.as_ref().ok().cloned())
        .collect();
    hub.ingest_access(&verified, peer, now.timestamp_millis())?;
    let mut refused = Vec::new();
    let mut log = Vec::new();
    for (i, c) in checked.iter().enumerate() {
        if let Err(e) = c {
            log.push(refusal_row(e, peer, None, None, now));
            refused.push(refusal(i, e));
        }
    }
    hub.log_refusals(&log)?;
    Ok(refused)
}

/// Stores the verified records of a push; refusals (at verification or by the store) go to
/// the refusal log and back to the device by their place in its push.
fn take_kb_push(
    hub: &mut dyn HubStorage,
    kb_checked: Vec<Result<crate::kb::VerifiedKb, crate::kb::KbError>>,
    peer: &str,
    now: Timestamp,
    served: &mut Served,
) -> Result<Vec<Refusal>, SyncError> {
    // A record may not claim a time past the hub's clock, as a change may not: the update
    // duty is judged by the time a version claims.
    let kb_checked: Vec<_> = kb_checked
        .into_iter()
        .map(|c| match c {
            Ok(v) if v.record.at > now + crate::device::CLOCK_SKEW => {
                Err(crate::kb::KbError::FromTheFuture {
                    at: v.record.at,
                    now,
                })
            }
            other => other,
        })
        .collect();
    let verified: Vec<crate::kb::VerifiedKb> = kb_checked
        .iter()
        .filter_map(|c| c.as_ref().ok().cloned())
        .collect();
    let mut stored = hub.ingest_kb(&verified, peer)?.into_iter();
    let mut refused = Vec::new();
    let mut log = Vec::new();
    for (i, checked) in kb_checked.into_iter().enumerate() {
        let verdict = match checked {
            Ok(v) => stored
                .next()
                .unwrap_or(Err(crate::kb::KbError::Undecodable("not stored".into())))
                .map(|_| v.hash),
            Err(e) => Err(e),
        };
        match verdict {
            Ok(_) => served.applied += 1,
            Err(e) => {
                served.refused += 1;
                log.push(refusal_row(&e, peer, None, None, now));
                refused.push(refusal(i, &e));
            }
        }
    }
    hub.log_refusals(&log)?;
    Ok(refused)
}

/// What the device is told of one refused change or record, by its place in the push.
fn refusal(index: usize, e: &dyn Coded) -> Refusal {
    Refusal {
        index: u32::try_from(index).unwrap_or(u32::MAX),
        code: e.code().to_string(),
        message_zh: e.message_zh(),
        message_en: e.message_en(),
    }
}

/// The refusal log's row for one refused change (its order and hash) or record.
fn refusal_row(
    e: &dyn Coded,
    peer: &str,
    order: Option<String>,
    hash: Option<String>,
    now: Timestamp,
) -> RefusalRecord {
    RefusalRecord {
        at: now.timestamp_millis(),
        peer: Some(peer.to_string()),
        order,
        hash,
        code: e.code().to_string(),
        message_zh: e.message_zh(),
        message_en: e.message_en(),
    }
}
