//! The row writes more than one path makes (a sync round's ingest, the copy from SQLite), each
//! written once.

use hotline_core::model::OrderId;
use hotline_core::store::{IndexRow, RefusalRecord, StoreError, StoredChange};
use postgres::GenericClient;
use postgres::types::Json;

use super::db;

/// One change into the log, at position `seq` — or, with `None`, at the next position of
/// `change_seq` (the caller holds the log lock; see ingest.rs). A hash already stored is kept:
/// the position is returned only for a change written now.
pub fn insert_change(
    c: &mut impl GenericClient,
    seq: Option<i64>,
    change: &StoredChange,
    source: Option<&str>,
    received_at: Option<i64>,
) -> Result<Option<i64>, StoreError> {
    let written = c
        .query(
            "INSERT INTO changes (seq, order_id, hash, event_id, cert_id, signature, bytes,
                                  source, received_at)
             VALUES (coalesce($1, nextval('change_seq')), $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (hash) DO NOTHING RETURNING seq",
            &[
                &seq,
                &change.order.0,
                &change.hash,
                &change.event_id,
                &change.cert_id,
                &change.signature,
                &change.bytes,
                &source,
                &received_at,
            ],
        )
        .map_err(db)?;
    Ok(written.first().map(|r| r.get(0)))
}

pub fn upsert_index_row(c: &mut impl GenericClient, row: &IndexRow) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO orders (order_id, receipt, lead_unit, division_code, updated_at, row)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (order_id) DO UPDATE SET receipt = excluded.receipt,
           lead_unit = excluded.lead_unit, division_code = excluded.division_code,
           updated_at = excluded.updated_at, row = excluded.row",
        &[
            &row.order.0,
            &row.receipt,
            &row.lead_unit,
            &row.division_code,
            &row.updated_at,
            &Json(row),
        ],
    )
    .map_err(db)?;
    Ok(())
}

pub fn insert_sealed_copy(
    c: &mut impl GenericClient,
    order: &OrderId,
    recipient: &str,
    sealed: &[u8],
) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO sealed_contacts (order_id, recipient, sealed) VALUES ($1, $2, $3)
         ON CONFLICT (order_id, recipient, sealed) DO NOTHING",
        &[&order.0, &recipient, &sealed],
    )
    .map_err(db)?;
    Ok(())
}

pub fn insert_blob_ref(
    c: &mut impl GenericClient,
    sha256: &str,
    order: &OrderId,
    size: u64,
    media_type: &str,
) -> Result<(), StoreError> {
    let size = i64::try_from(size).unwrap_or(i64::MAX);
    c.execute(
        "INSERT INTO blob_refs (sha256, order_id, size, media_type) VALUES ($1, $2, $3, $4)
         ON CONFLICT (sha256, order_id) DO NOTHING",
        &[&sha256, &order.0, &size, &media_type],
    )
    .map_err(db)?;
    Ok(())
}

pub fn insert_refusal(c: &mut impl GenericClient, r: &RefusalRecord) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO refusals (at, peer, order_id, hash, code, message_zh, message_en)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &r.at,
            &r.peer,
            &r.order,
            &r.hash,
            &r.code,
            &r.message_zh,
            &r.message_en,
        ],
    )
    .map_err(db)?;
    Ok(())
}

/// Records that `peer` holds `orders` (see `HubStorage::mark_peer_orders`): an earlier cursor
/// is never replaced by a later one.
pub fn mark_peer_orders(
    c: &mut impl GenericClient,
    peer: &str,
    orders: &[&str],
    sent_cursor: i64,
) -> Result<(), StoreError> {
    if orders.is_empty() {
        return Ok(());
    }
    c.execute(
        "INSERT INTO peer_orders (peer, order_id, sent_cursor)
         SELECT $1, o, $3 FROM unnest($2::text[]) AS o
         ON CONFLICT (peer, order_id) DO UPDATE
         SET sent_cursor = least(peer_orders.sent_cursor, excluded.sent_cursor)",
        &[&peer, &orders, &sent_cursor],
    )
    .map_err(db)?;
    Ok(())
}

/// One access-audit entry (a repeat is a no-op): how many rows it added.
pub fn insert_access(
    c: &mut impl GenericClient,
    v: &hotline_core::audit::VerifiedAccess,
    source: Option<&str>,
    received_at: Option<i64>,
) -> Result<u64, StoreError> {
    // The place fits a BIGINT: `SignedAccess::verify` refuses any other.
    let seq = i64::try_from(v.entry.seq).unwrap_or(i64::MAX);
    c.execute(
        "INSERT INTO access_log
         (cert, hash, seq, order_id, at, signature, payload, source, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
        &[
            &v.signed.cert,
            &v.hash,
            &seq,
            &v.entry.order.0,
            &v.entry.at.timestamp_millis(),
            &v.signed.signature,
            &v.signed.payload,
            &source,
            &received_at,
        ],
    )
    .map_err(db)
}
