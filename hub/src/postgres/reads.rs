//! The read side on PostgreSQL, and the small writes of a sync round (what a peer holds, the
//! refusal log). Queries mirror the SQLite store's, so both backends answer alike (the
//! conformance suite in `hub/tests/storage_conformance.rs` holds them to it).

use hotline_core::model::OrderId;
use hotline_core::store::{
    BlobRef, IndexRow, LoggedChange, MAX_REFUSAL_ROWS, RefusalRecord, StoreError, StoredChange,
};
use hotline_core::sync::HubReads;
use postgres::types::Json;

use super::{PgSession, db, rows};

const CHANGE_COLUMNS: &str = "seq, source, order_id, hash, event_id, cert_id, signature, bytes";

fn logged(r: &postgres::Row) -> LoggedChange {
    LoggedChange {
        seq: r.get(0),
        source: r.get(1),
        change: StoredChange {
            order: OrderId(r.get(2)),
            hash: r.get(3),
            event_id: r.get(4),
            cert_id: r.get(5),
            signature: r.get(6),
            bytes: r.get(7),
        },
    }
}

fn index_row(rows: Vec<postgres::Row>) -> Result<Option<IndexRow>, StoreError> {
    match rows.first() {
        None => Ok(None),
        Some(r) => {
            let row: Json<IndexRow> = r.try_get(0).map_err(|e| StoreError::Corrupt {
                detail: format!("an index row does not read back: {e}"),
            })?;
            Ok(Some(row.0))
        }
    }
}

fn limit_of(limit: u32) -> i64 {
    i64::from(limit)
}

impl HubReads for PgSession<'_> {
    fn kb_after(
        &mut self,
        seq: i64,
        max_bytes: usize,
    ) -> Result<Vec<hotline_core::store::LoggedKb>, StoreError> {
        self.kb_after_pg(seq, max_bytes)
    }

    fn kb_version_held(&mut self, item: &str, version: u32) -> Result<bool, StoreError> {
        super::knowledge::version_held(&mut *self.conn, item, version)
    }

    fn order_row(&mut self, order: &OrderId) -> Result<Option<IndexRow>, StoreError> {
        let rows = self
            .conn
            .query("SELECT row FROM orders WHERE order_id = $1", &[&order.0])
            .map_err(db)?;
        index_row(rows)
    }

    fn order_by_receipt(&mut self, receipt: &str) -> Result<Option<IndexRow>, StoreError> {
        let rows = self
            .conn
            .query(
                "SELECT row FROM orders WHERE receipt = $1 ORDER BY order_id LIMIT 1",
                &[&receipt],
            )
            .map_err(db)?;
        index_row(rows)
    }

    fn changes_for(&mut self, order: &OrderId) -> Result<Vec<StoredChange>, StoreError> {
        let rows = self
            .conn
            .query(
                &format!("SELECT {CHANGE_COLUMNS} FROM changes WHERE order_id = $1 ORDER BY seq"),
                &[&order.0],
            )
            .map_err(db)?;
        Ok(rows.iter().map(|r| logged(r).change).collect())
    }

    fn changes_after(&mut self, seq: i64, limit: u32) -> Result<Vec<LoggedChange>, StoreError> {
        let rows = self
            .conn
            .query(
                &format!(
                    "SELECT {CHANGE_COLUMNS} FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2"
                ),
                &[&seq, &limit_of(limit)],
            )
            .map_err(db)?;
        Ok(rows.iter().map(logged).collect())
    }

    fn all_from(&mut self, order: &OrderId, source: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_one(
                "SELECT NOT EXISTS (SELECT 1 FROM changes WHERE order_id = $1
                                    AND (source IS NULL OR source <> $2))",
                &[&order.0, &source],
            )
            .map_err(db)?
            .get(0))
    }

    fn change_owner(&mut self, hash: &str) -> Result<Option<(OrderId, String)>, StoreError> {
        let rows = self
            .conn
            .query(
                "SELECT order_id, cert_id FROM changes WHERE hash = $1",
                &[&hash],
            )
            .map_err(db)?;
        Ok(rows.first().map(|r| (OrderId(r.get(0)), r.get(1))))
    }

    fn peer_has_order(
        &mut self,
        peer: &str,
        order: &OrderId,
        cursor: i64,
    ) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM peer_orders
                                WHERE peer = $1 AND order_id = $2 AND sent_cursor <= $3)",
                &[&peer, &order.0, &cursor],
            )
            .map_err(db)?
            .get(0))
    }

    fn peer_orders_not_whole(
        &mut self,
        peer: &str,
        cursor: i64,
        limit: u32,
    ) -> Result<Vec<OrderId>, StoreError> {
        let rows = self
            .conn
            .query(
                "SELECT order_id FROM peer_orders WHERE peer = $1 AND sent_cursor > $2
                 ORDER BY sent_cursor, order_id LIMIT $3",
                &[&peer, &cursor, &limit_of(limit)],
            )
            .map_err(db)?;
        Ok(rows.iter().map(|r| OrderId(r.get(0))).collect())
    }

    fn blob_refs(&mut self, sha256: &str) -> Result<Vec<BlobRef>, StoreError> {
        hotline_core::store::check_blob_hash(sha256)?;
        let rows = self
            .conn
            .query(
                "SELECT order_id, size, media_type FROM blob_refs WHERE sha256 = $1
                 ORDER BY order_id",
                &[&sha256],
            )
            .map_err(db)?;
        Ok(rows
            .iter()
            .map(|r| BlobRef {
                order: OrderId(r.get(0)),
                size: u64::try_from(r.get::<_, i64>(1)).unwrap_or(0),
                media_type: r.get(2),
            })
            .collect())
    }

    fn refusals(&mut self, limit: u32) -> Result<Vec<RefusalRecord>, StoreError> {
        let rows = self
            .conn
            .query(
                "SELECT at, peer, order_id, hash, code, message_zh, message_en FROM refusals
                 ORDER BY seq DESC LIMIT $1",
                &[&limit_of(limit)],
            )
            .map_err(db)?;
        Ok(rows
            .iter()
            .map(|r| RefusalRecord {
                at: r.get(0),
                peer: r.get(1),
                order: r.get(2),
                hash: r.get(3),
                code: r.get(4),
                message_zh: r.get(5),
                message_en: r.get(6),
            })
            .collect())
    }

    fn log_head(&mut self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_one("SELECT coalesce(max(seq), 0) FROM changes", &[])
            .map_err(db)?
            .get(0))
    }

    fn scope_positions(
        &mut self,
        scope: &str,
        after: i64,
        upto: i64,
        limit: u32,
    ) -> Result<Vec<i64>, StoreError> {
        let rows = self
            .conn
            .query(
                "SELECT seq FROM scope_log WHERE scope = $1 AND seq > $2 AND seq <= $3
                 ORDER BY seq LIMIT $4",
                &[&scope, &after, &upto, &limit_of(limit)],
            )
            .map_err(db)?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn changes_at(&mut self, seqs: &[i64]) -> Result<Vec<LoggedChange>, StoreError> {
        let rows = self
            .conn
            .query(
                &format!(
                    "SELECT {CHANGE_COLUMNS} FROM changes c
                     JOIN unnest($1::bigint[]) WITH ORDINALITY AS q(seq, at) USING (seq)
                     ORDER BY q.at"
                ),
                &[&seqs],
            )
            .map_err(db)?;
        Ok(rows.iter().map(logged).collect())
    }

    fn changes_for_orders(
        &mut self,
        orders: &[OrderId],
    ) -> Result<Vec<Vec<StoredChange>>, StoreError> {
        let ids: Vec<&str> = orders.iter().map(|o| o.0.as_str()).collect();
        let rows = self
            .conn
            .query(
                &format!(
                    "SELECT {CHANGE_COLUMNS} FROM changes WHERE order_id = ANY($1) \
                     ORDER BY order_id, seq"
                ),
                &[&ids],
            )
            .map_err(db)?;
        let mut by_order: std::collections::HashMap<String, Vec<StoredChange>> =
            std::collections::HashMap::with_capacity(orders.len());
        for r in &rows {
            let c = logged(r).change;
            by_order.entry(c.order.0.clone()).or_default().push(c);
        }
        Ok(orders
            .iter()
            .map(|o| by_order.remove(&o.0).unwrap_or_default())
            .collect())
    }
    fn order_ids_after(&mut self, after: &str, limit: u32) -> Result<Vec<OrderId>, StoreError> {
        let rows = self
            .conn
            .query(
                "SELECT order_id FROM orders WHERE order_id > $1 ORDER BY order_id LIMIT $2",
                &[&after, &i64::from(limit)],
            )
            .map_err(db)?;
        Ok(rows.iter().map(|r| OrderId(r.get(0))).collect())
    }
    fn access_entries(
        &mut self,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<hotline_core::audit::SignedAccess>, StoreError> {
        self.access_entries_pg(offset, limit)
    }
    fn order_listed_before(
        &mut self,
        order: &OrderId,
        scopes: &[String],
        before: i64,
    ) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM changes c JOIN scope_log s
                                ON s.seq = c.seq AND s.scope = ANY($2)
                                WHERE c.order_id = $1 AND c.seq < $3)",
                &[&order.0, &scopes, &before],
            )
            .map_err(db)?
            .get(0))
    }
    fn order_in_scopes(&mut self, order: &OrderId, scopes: &[String]) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM order_scopes
                                WHERE order_id = $1 AND scope = ANY($2))",
                &[&order.0, &scopes],
            )
            .map_err(db)?
            .get(0))
    }
}

impl PgSession<'_> {
    pub(super) fn log_refusals_pg(&mut self, rows: &[RefusalRecord]) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.conn.transaction().map_err(db)?;
        for r in rows {
            rows::insert_refusal(&mut tx, r)?;
        }
        tx.execute(
            "DELETE FROM refusals WHERE seq <= (SELECT max(seq) FROM refusals) - $1",
            &[&MAX_REFUSAL_ROWS],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(())
    }
}
