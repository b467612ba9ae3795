//! `hotline hub migrate --from DIR --to postgres://…`: an SQLite hub copied into PostgreSQL so
//! that the copy answers every device as the original did — the same log positions (devices'
//! cursors stay valid), the same node id, the same index, peers' holdings, sealed copies, photo
//! references and photos, and the refusal log.
//!
//! Every change is checked again on the way (its hash against its bytes, its signature against
//! the city's certificates); one that fails stops the copy with its typed error. The copy goes
//! in batches, each one transaction, so an interruption leaves a consistent prefix and running
//! the command again resumes after the last position copied. The tail (holdings, refusals) is
//! copied once the log is complete, in one transaction with the mark that the copy finished.

use std::collections::BTreeSet;
use std::io::Read;
use std::ops::ControlFlow;
use std::path::Path;

use super::{PgStore, db, partitions, rows};
use crate::errors::HubError;
use hotline_core::authority::PublicAuthority;
use hotline_core::device::{Device, DeviceError, check_stored_change};
use hotline_core::identity::IdentityError;
use hotline_core::kb::{KbError, VerifiedKb};
use hotline_core::model::OrderId;
use hotline_core::store::{Store, StoreError};
use hotline_core::sync::SyncError;

/// Changes per transaction.
const BATCH: u32 = 500;

/// How far a copy has got, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub changes_copied: u64,
    pub changes_total: u64,
}

/// What a finished copy holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migrated {
    pub changes: u64,
    pub orders: u64,
    /// Photos held whole.
    pub photos: u64,
    /// Changes already in the database when this run started (a resumed copy).
    pub resumed_after: u64,
}

fn invalid(reason: impl Into<String>) -> HubError {
    HubError::from(StoreError::InvalidInput {
        reason: reason.into(),
    })
}

/// Copies the SQLite hub of the authority folder `data_dir` (its `store/`) into the database at
/// `url`, calling `progress` after each batch; `ControlFlow::Break` stops the copy there
/// (`sync_cancelled`), to be resumed by the next run.
pub fn from_sqlite(
    data_dir: &Path,
    url: &str,
    progress: &mut dyn FnMut(Progress) -> ControlFlow<()>,
) -> Result<Migrated, HubError> {
    from_sqlite_in_batches(data_dir, url, BATCH, progress)
}

/// [`from_sqlite`] with `batch` changes per transaction.
pub fn from_sqlite_in_batches(
    data_dir: &Path,
    url: &str,
    batch: u32,
    progress: &mut dyn FnMut(Progress) -> ControlFlow<()>,
) -> Result<Migrated, HubError> {
    let authority = PublicAuthority::open(data_dir)?;
    let trust = crate::authority_watch::trust_of(&authority)?;
    let store_dir = data_dir.join(crate::STORE_DIR);
    let hub = Device::open_read_only(&store_dir)?;
    let node_id = hub.node_id()?;
    let source = hub.store();
    let target = PgStore::open(url, &authority.root.to_hex(), authority.policy.clone(), 2)?;
    let mut conn = target.connection()?;

    // The target is empty, or a copy of this very hub under way.
    let held: Option<String> = conn
        .query_opt("SELECT value FROM hub_meta WHERE key = 'node_id'", &[])
        .map_err(db)?
        .map(|r| r.get(0));
    let copied: i64 = conn
        .query_one("SELECT coalesce(max(seq), 0) FROM changes", &[])
        .map_err(db)?
        .get(0);
    match held {
        Some(id) if id != node_id && copied > 0 => {
            return Err(invalid(format!(
                "{} already holds the log of hub {id}, not of {node_id}",
                target.place()
            )));
        }
        _ => target.set_node_id(&node_id)?,
    }
    let total = source.change_count()?;
    let resumed_after = u64::try_from(copied).unwrap_or(0);
    let mut cursor = copied;
    let mut done = resumed_after;
    let mut report = |done: u64| -> Result<(), HubError> {
        match progress(Progress {
            changes_copied: done,
            changes_total: total,
        }) {
            ControlFlow::Continue(()) => Ok(()),
            ControlFlow::Break(()) => Err(SyncError::Cancelled.into()),
        }
    };
    report(done)?;
    loop {
        let batch = source.changes_received_after(cursor, batch.max(1))?;
        let Some((last, _)) = batch.last() else {
            break;
        };
        let last_seq = last.seq;
        let mut tx = conn.transaction().map_err(db)?;
        let mut orders = BTreeSet::new();
        for (logged, received_at) in &batch {
            check_stored_change(&trust, &logged.change)?;
            let c = &logged.change;
            rows::insert_change(
                &mut tx,
                Some(logged.seq),
                c,
                logged.source.as_deref(),
                *received_at,
            )?;
            orders.insert(c.order.clone());
        }
        for order in &orders {
            copy_order(source, &mut tx, order)?;
        }
        tx.execute("SELECT setval('change_seq', $1)", &[&last_seq])
            .map_err(db)?;
        tx.commit().map_err(db)?;
        cursor = last_seq;
        done += batch.len() as u64;
        report(done)?;
    }
    copy_knowledge(source, &mut conn, &trust)?;
    copy_access(source, &mut conn, &trust)?;
    copy_tail(source, &mut conn)?;
    let held = conn
        .query_one(
            "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM blobs)",
            &[],
        )
        .map_err(db)?;
    let count = |i: usize| u64::try_from(held.get::<_, i64>(i)).unwrap_or(0);
    Ok(Migrated {
        changes: done,
        orders: count(0),
        photos: count(1),
        resumed_after,
    })
}

/// One order's index row, sealed copies, photo references and photos, as the source holds
/// them now (a later batch touching the order writes them again, newer).
fn copy_order(
    source: &Store,
    tx: &mut postgres::Transaction<'_>,
    order: &OrderId,
) -> Result<(), HubError> {
    if let Some(row) = source.order_row(order)? {
        rows::upsert_index_row(tx, &row)?;
    }
    for (recipient, sealed) in source.sealed_contacts(order)? {
        rows::insert_sealed_copy(tx, order, &recipient, &sealed)?;
    }
    for sha in source.blobs_of_order(order)? {
        for r in source.blob_refs(&sha)?.iter().filter(|r| r.order == *order) {
            rows::insert_blob_ref(tx, &sha, order, r.size, &r.media_type)?;
        }
        let copied: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM blobs WHERE sha256 = $1)",
                &[&sha],
            )
            .map_err(db)?
            .get(0);
        // Copied with an earlier batch of the order; or referenced, never uploaded (a device
        // may still send it).
        let Some(info) = source.blob_info(&sha)?.filter(|_| !copied) else {
            continue;
        };
        source.verify_blob(&sha)?;
        let mut bytes = Vec::new();
        let path = std::path::PathBuf::from(&sha);
        source
            .open_blob(&sha)?
            .read_to_end(&mut bytes)
            .map_err(|e| StoreError::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
        let size = i64::try_from(info.size).unwrap_or(i64::MAX);
        tx.execute(
            "INSERT INTO blobs (sha256, media_type, size, bytes) VALUES ($1, $2, $3, $4)
             ON CONFLICT (sha256) DO NOTHING",
            &[&sha, &info.media_type, &size, &bytes],
        )
        .map_err(db)?;
    }
    Ok(())
}

/// The knowledge base's records, each checked again, at the positions they had: devices' cursors
/// into it stay valid, as into the change log. Resumes after the last position copied.
fn copy_knowledge(
    source: &Store,
    conn: &mut postgres::Client,
    trust: &hotline_core::identity::TrustStore,
) -> Result<(), HubError> {
    let mut cursor: i64 = conn
        .query_one("SELECT coalesce(max(seq), 0) FROM kb_log", &[])
        .map_err(db)?
        .get(0);
    loop {
        let part = source.kb_records_after(cursor, 500, usize::MAX)?;
        let Some(last) = part.last().map(|l| l.seq) else {
            return Ok(());
        };
        let mut tx = conn.transaction().map_err(db)?;
        for logged in &part {
            let kb = match logged.signed.verify(trust) {
                Ok(kb) => kb,
                // Revoked since it arrived: the record stays in the log, as a revoked person's
                // changes do; its signature still has to hold.
                Err(KbError::Identity(IdentityError::CertificateRevoked { .. })) => {
                    signed_by_revoked(&logged.signed, trust)?
                }
                Err(e) => return Err(DeviceError::from(e).into()),
            };
            let r = &kb.record;
            tx.execute(
                "INSERT INTO kb_owners (item, unit) VALUES ($1, $2) ON CONFLICT (item) DO NOTHING",
                &[&r.item_id(), &r.unit().0],
            )
            .map_err(db)?;
            tx.execute(
                "INSERT INTO kb_log (seq, hash, item, version, unit, at, cert, signature, payload, source)
                 VALUES ($1, $2, $3, $4::BIGINT::INTEGER, $5, $6, $7, $8, $9, $10)",
                &[
                    &logged.seq,
                    &kb.hash,
                    &r.item_id(),
                    &r.version().map(i64::from),
                    &r.unit().0,
                    &r.at.timestamp_millis(),
                    &kb.signed.cert,
                    &kb.signed.signature,
                    &kb.signed.payload,
                    &logged.source,
                ],
            )
            .map_err(db)?;
        }
        tx.execute("SELECT setval('kb_log_seq_seq', $1)", &[&last])
            .map_err(db)?;
        tx.commit().map_err(db)?;
        cursor = last;
    }
}

/// The access audit log, each entry checked again (a rerun skips what was copied).
fn copy_access(
    source: &Store,
    conn: &mut postgres::Client,
    trust: &hotline_core::identity::TrustStore,
) -> Result<(), HubError> {
    let mut offset = 0u64;
    loop {
        let part = source.access_entries(offset, 500)?;
        if part.is_empty() {
            return Ok(());
        }
        offset += part.len() as u64;
        let mut tx = conn.transaction().map_err(db)?;
        for signed in &part {
            let v = signed.verify(trust).map_err(DeviceError::from)?;
            rows::insert_access(&mut tx, &v, None, None)?;
        }
        tx.commit().map_err(db)?;
    }
}

/// A stored record whose signer has been revoked since: its signature checked against the
/// certificate alone.
fn signed_by_revoked(
    signed: &hotline_core::kb::SignedKb,
    trust: &hotline_core::identity::TrustStore,
) -> Result<VerifiedKb, HubError> {
    let id = hotline_core::identity::CertificateId::new(signed.cert.clone());
    let holds = trust.certificate(&id).is_some_and(|c| {
        hotline_core::identity::SignatureBytes::from_tagged_bytes(&signed.signature).is_some_and(
            |sig| {
                c.body.device_key.verify(
                    &hotline_core::identity::knowledge_message(&id, &signed.payload),
                    &sig,
                )
            },
        )
    });
    let record = serde_json::from_slice(&signed.payload)
        .ok()
        .filter(|_| holds)
        .ok_or_else(|| DeviceError::from(IdentityError::BadSignature { signer: id.clone() }))?;
    Ok(VerifiedKb {
        record,
        hash: signed.hash(),
        signed: signed.clone(),
    })
}

/// What peers hold, the pull partitions and the refusal log, once the log is complete (again on a rerun: holdings
/// are merged as the hub merges them, refusals are copied only once).
fn copy_tail(source: &Store, conn: &mut postgres::Client) -> Result<(), HubError> {
    let mut tx = conn.transaction().map_err(db)?;
    for (peer, order, cursor) in source.peer_orders_all()? {
        rows::mark_peer_orders(&mut tx, &peer, &[order.0.as_str()], cursor)?;
    }
    // The scopes orders have been in carry over (a unit keeps what it once handled); what the
    // source did not keep is built from the copied index and holdings.
    for (order, scope) in source.all_order_scopes()? {
        partitions::add_scopes(&mut tx, &order, &[scope])?;
    }
    partitions::build(&mut tx)?;
    let first_time = tx
        .execute(
            "INSERT INTO hub_meta (key, value) VALUES ('migrated_refusals', 'yes')
             ON CONFLICT (key) DO NOTHING",
            &[],
        )
        .map_err(db)?
        == 1;
    if first_time {
        let mut refusals = source.refusals(u32::MAX)?;
        refusals.reverse(); // oldest first, so the copy keeps their order
        for r in &refusals {
            rows::insert_refusal(&mut tx, r)?;
        }
    }
    tx.commit().map_err(db)?;
    Ok(())
}
