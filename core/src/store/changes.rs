//! The signed change log and the one-transaction write of an action.

use rusqlite::{Row, TransactionBehavior, params};

use super::index::{IndexRow, write_index_row};
use super::{Store, StoreError};
use crate::model::{AttachmentRef, OrderId};

/// One signed Automerge change as kept in the log. The store keeps the bytes and the signature
/// as given; verifying them is the identity layer's job (and `hotline verify`'s, via
/// [`Store::for_each_change`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChange {
    pub order: OrderId,
    /// Hex of the Automerge change hash; unique in the store.
    pub hash: String,
    pub event_id: String,
    pub cert_id: String,
    pub signature: Vec<u8>,
    pub bytes: Vec<u8>,
}

/// Everything one workflow action writes, committed together by [`Store::record`].
#[derive(Debug, Clone, PartialEq)]
pub struct ActionRecord {
    pub order: OrderId,
    /// The new signed change(s); ones already stored (same hash) are skipped.
    pub changes: Vec<StoredChange>,
    /// The order's index row after the action.
    pub index: IndexRow,
    /// (recipient key id, sealed bytes) copies of the caller's contact details.
    pub sealed_contacts: Vec<(String, Vec<u8>)>,
    /// The photos the new changes reference (indexed in `blob_refs`).
    pub attachments: Vec<AttachmentRef>,
}

const CHANGE_COLUMNS: &str = "order_id, hash, event_id, cert_id, signature, bytes";

fn change_from_row(r: &Row<'_>) -> rusqlite::Result<StoredChange> {
    Ok(StoredChange {
        order: OrderId(r.get(0)?),
        hash: r.get(1)?,
        event_id: r.get(2)?,
        cert_id: r.get(3)?,
        signature: r.get(4)?,
        bytes: r.get(5)?,
    })
}

impl Store {
    /// Writes an action in ONE transaction: inserts the changes (skipping hashes already stored),
    /// upserts the order's index row, replaces its unit rows and inserts the sealed contact
    /// copies. When this returns `Ok`, all of it is on disk (WAL, synchronous=FULL); on `Err`,
    /// none of it is.
    pub fn record(&mut self, rec: &ActionRecord) -> Result<(), StoreError> {
        self.record_batch(std::slice::from_ref(rec), None, None)
    }

    /// Writes several actions in ONE transaction (a sync batch): all or none. `source` is the
    /// peer the changes came from, `received_at` this node's clock (Unix ms) when it took them.
    pub fn record_batch(
        &mut self,
        recs: &[ActionRecord],
        source: Option<&str>,
        received_at: Option<i64>,
    ) -> Result<(), StoreError> {
        for rec in recs {
            Self::check_record(rec)?;
        }
        // IMMEDIATE takes the write lock up front, so a concurrent writer makes us wait (busy
        // timeout) instead of failing half-way with SQLITE_BUSY on lock upgrade.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for rec in recs {
            write_record(&tx, rec, source, received_at, self.partitions)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn check_record(rec: &ActionRecord) -> Result<(), StoreError> {
        // Catch a mixed-up record before it files one order's changes under another.
        if rec.index.order != rec.order {
            return Err(StoreError::InvalidInput {
                reason: format!(
                    "index row is for order {}, the record for order {}",
                    rec.index.order, rec.order
                ),
            });
        }
        if let Some(c) = rec.changes.iter().find(|c| c.order != rec.order) {
            return Err(StoreError::InvalidInput {
                reason: format!(
                    "change {} is for order {}, the record for order {}",
                    c.hash, c.order, rec.order
                ),
            });
        }
        Ok(())
    }

    /// Whether a change with this hash is stored (to skip re-downloading it during sync).
    pub fn has_change(&self, hash: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM changes WHERE hash = ?1)")?
            .query_row([hash], |r| r.get(0))?)
    }

    /// The order a stored change belongs to and the certificate that signed it: what a change
    /// proves about whoever sends it again.
    pub fn change_owner(&self, hash: &str) -> Result<Option<(OrderId, String)>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .prepare_cached("SELECT order_id, cert_id FROM changes WHERE hash = ?1")?
            .query_row([hash], |r| Ok((OrderId(r.get(0)?), r.get(1)?)))
            .optional()?)
    }

    /// The change with this hash.
    pub fn change(&self, hash: &str) -> Result<Option<StoredChange>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {CHANGE_COLUMNS} FROM changes WHERE hash = ?1"),
                [hash],
                change_from_row,
            )
            .optional()?)
    }

    /// The changes of one order, in insertion order.
    pub fn changes_for(&self, order: &OrderId) -> Result<Vec<StoredChange>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CHANGE_COLUMNS} FROM changes WHERE order_id = ?1 ORDER BY seq"
        ))?;
        let rows = stmt
            .query_map([&order.0], change_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Every change of the store in insertion order, one at a time (the log can be far larger
    /// than memory). Stops at the first error `f` returns and passes it on.
    pub fn for_each_change(
        &self,
        mut f: impl FnMut(StoredChange) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {CHANGE_COLUMNS} FROM changes ORDER BY seq"
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            f(change_from_row(row)?)?;
        }
        Ok(())
    }

    /// How many changes the log holds.
    pub fn change_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM changes", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The sealed contact copies of an order as (recipient key id, sealed bytes), oldest first.
    pub fn sealed_contacts(&self, order: &OrderId) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT recipient, sealed FROM sealed_contacts WHERE order_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt
            .query_map([&order.0], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}

fn write_record(
    tx: &rusqlite::Transaction<'_>,
    rec: &ActionRecord,
    source: Option<&str>,
    received_at: Option<i64>,
    partitions: bool,
) -> Result<(), StoreError> {
    let mut written = Vec::new();
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO changes (order_id, hash, event_id, cert_id, signature, bytes, source, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (hash) DO NOTHING",
        )?;
        for c in &rec.changes {
            let inserted = insert.execute(params![
                c.order.0,
                c.hash,
                c.event_id,
                c.cert_id,
                c.signature,
                c.bytes,
                source,
                received_at
            ])?;
            if inserted == 1 {
                written.push(tx.last_insert_rowid());
            }
        }
    }
    write_index_row(tx, &rec.index)?;
    if partitions {
        super::partitions::record_scopes(tx, &rec.index, &written)?;
    }
    if !rec.attachments.is_empty() {
        let mut insert = tx.prepare_cached(
            "INSERT INTO blob_refs (sha256, order_id, size, media_type) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (sha256, order_id) DO NOTHING",
        )?;
        for a in &rec.attachments {
            let size = i64::try_from(a.size).unwrap_or(i64::MAX);
            insert.execute(params![a.sha256, rec.order.0, size, a.media_type])?;
        }
    }
    if !rec.sealed_contacts.is_empty() {
        let mut insert = tx.prepare_cached(
            "INSERT INTO sealed_contacts (order_id, recipient, sealed) VALUES (?1, ?2, ?3)
             ON CONFLICT (order_id, recipient, sealed) DO NOTHING",
        )?;
        for (recipient, sealed) in &rec.sealed_contacts {
            insert.execute(params![rec.order.0, recipient, sealed])?;
        }
    }
    Ok(())
}
