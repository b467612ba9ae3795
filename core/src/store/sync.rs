//! What sync needs from the store: the change log by position, per-peer cursors, which orders a
//! peer already has whole, and the log of refused changes.

use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

use super::changes::StoredChange;
use super::{Store, StoreError};
use crate::model::OrderId;

/// What this node and one peer have exchanged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerState {
    /// Our change-log seq up to which the peer has acknowledged.
    pub sent_upto: i64,
    /// The cursor into the peer's log up to which we have processed.
    pub received_upto: i64,
    /// How many of the peer's certificates we have taken.
    pub certs_received: i64,
}

/// A change refused by this node or reported refused by a peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusalRecord {
    pub at: i64,
    pub peer: Option<String>,
    pub order: Option<String>,
    pub hash: Option<String>,
    /// A code this version may not know (a newer peer's) is kept as it was told.
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
}

/// One entry of the change log with its position and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedChange {
    pub seq: i64,
    pub source: Option<String>,
    pub change: StoredChange,
}

/// The columns [`logged_from_row`] reads, in its order.
pub(super) const LOGGED_COLUMNS: &str =
    "seq, source, order_id, hash, event_id, cert_id, signature, bytes";

pub(super) fn logged_from_row(r: &Row<'_>) -> rusqlite::Result<LoggedChange> {
    Ok(LoggedChange {
        seq: r.get(0)?,
        source: r.get(1)?,
        change: StoredChange {
            order: OrderId(r.get(2)?),
            hash: r.get(3)?,
            event_id: r.get(4)?,
            cert_id: r.get(5)?,
            signature: r.get(6)?,
            bytes: r.get(7)?,
        },
    })
}

impl Store {
    /// The newest position of the change log (0 when empty).
    pub fn last_change_seq(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| {
                r.get(0)
            })?)
    }

    /// Changes after `seq`, oldest first, at most `limit` of them.
    pub fn changes_after(&self, seq: i64, limit: u32) -> Result<Vec<LoggedChange>, StoreError> {
        Ok(self
            .changes_received_after(seq, limit)?
            .into_iter()
            .map(|(c, _)| c)
            .collect())
    }

    /// Whether every stored change of `order` came from `source`.
    pub fn all_from(&self, order: &OrderId, source: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT NOT EXISTS (SELECT 1 FROM changes WHERE order_id = ?1
                                    AND (source IS NULL OR source <> ?2))",
            )?
            .query_row(params![order.0, source], |r| r.get(0))?)
    }

    /// How many changes of `order` are stored (cheap staleness check for cached documents).
    pub fn change_count_for(&self, order: &OrderId) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM changes WHERE order_id = ?1")?
            .query_row(params![order.0], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    pub fn peer_state(&self, peer: &str) -> Result<PeerState, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT sent_upto, received_upto, certs_received FROM sync_peers WHERE peer = ?1",
                params![peer],
                |r| {
                    Ok(PeerState {
                        sent_upto: r.get(0)?,
                        received_upto: r.get(1)?,
                        certs_received: r.get(2)?,
                    })
                },
            )
            .optional()?
            .unwrap_or_default())
    }

    pub fn set_peer_state(&self, peer: &str, s: &PeerState, now_ms: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO sync_peers (peer, sent_upto, received_upto, certs_received, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (peer) DO UPDATE SET sent_upto = excluded.sent_upto,
               received_upto = excluded.received_upto, certs_received = excluded.certs_received,
               updated_at = excluded.updated_at",
            params![peer, s.sent_upto, s.received_upto, s.certs_received, now_ms],
        )?;
        Ok(())
    }

    /// Whether `peer` holds `order` whole, given how far it has read our log (`cursor`).
    pub fn peer_has_order(
        &self,
        peer: &str,
        order: &OrderId,
        cursor: i64,
    ) -> Result<bool, StoreError> {
        // Asked for every change a sync round scans: keep the statement prepared.
        Ok(self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM peer_orders
                                WHERE peer = ?1 AND order_id = ?2 AND sent_cursor <= ?3)",
            )?
            .query_row(params![peer, order.0, cursor], |r| r.get(0))?)
    }

    /// Orders `peer` holds but has not yet confirmed having whole: marked held from what it
    /// pushed (`i64::MAX`), or sent whole in an answer its cursor has not passed (lost, say).
    /// At most `limit`, earliest first (served by the `peer_orders_pending` index).
    pub fn peer_orders_not_whole(
        &self,
        peer: &str,
        cursor: i64,
        limit: u32,
    ) -> Result<Vec<OrderId>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT order_id FROM peer_orders WHERE peer = ?1 AND sent_cursor > ?2
             ORDER BY sent_cursor, order_id LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![peer, cursor, limit], |r| r.get(0))?;
        let mut out = Vec::new();
        for id in rows {
            out.push(OrderId(id?));
        }
        Ok(out)
    }

    /// Records that `orders` went to `peer` whole in an answer that moved its cursor to
    /// `sent_cursor`; `i64::MAX` records only that the peer has them in some part.
    pub fn mark_peer_orders(
        &mut self,
        peer: &str,
        orders: &[OrderId],
        sent_cursor: i64,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO peer_orders (peer, order_id, sent_cursor) VALUES (?1, ?2, ?3)
                 ON CONFLICT (peer, order_id) DO UPDATE
                 SET sent_cursor = min(sent_cursor, excluded.sent_cursor)",
            )?;
            for o in orders {
                stmt.execute(params![peer, o.0, sent_cursor])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn log_refusal(&self, r: &RefusalRecord) -> Result<(), StoreError> {
        self.log_refusals(std::slice::from_ref(r))
    }

    /// Logs refusals in one transaction (one sync round's, however many), keeping the log to its
    /// newest rows.
    pub fn log_refusals(&self, records: &[RefusalRecord]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        // `&self` like the store's other single-statement writes; the transaction only groups
        // this call's rows (the store is never shared between threads).
        let tx = self.conn.unchecked_transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO refusals (at, peer, order_id, hash, code, message_zh, message_en)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for r in records {
                insert.execute(params![
                    r.at,
                    r.peer,
                    r.order,
                    r.hash,
                    r.code.as_str(),
                    r.message_zh,
                    r.message_en
                ])?;
            }
        }
        Store::prune_refusals(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// The newest refusals first.
    pub fn refusals(&self, limit: u32) -> Result<Vec<RefusalRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, peer, order_id, hash, code, message_zh, message_en FROM refusals
             ORDER BY seq DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map(params![limit], |r| {
            Ok(RefusalRecord {
                at: r.get(0)?,
                peer: r.get(1)?,
                order: r.get(2)?,
                hash: r.get(3)?,
                code: r.get(4)?,
                message_zh: r.get(5)?,
                message_en: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// When this node stored a change (its own clock), if recorded.
    pub fn received_at(&self, hash: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT received_at FROM changes WHERE hash = ?1",
                params![hash],
                |r| r.get::<_, Option<i64>>(0),
            )
            .optional()?
            .flatten())
    }

    /// Blobs held here that `peer` is not known to hold, oldest first.
    pub fn blobs_not_at(&self, peer: &str, limit: u32) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT b.sha256 FROM blobs b
             WHERE NOT EXISTS (SELECT 1 FROM peer_blobs p WHERE p.peer = ?1 AND p.sha256 = b.sha256)
             ORDER BY b.sha256 LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![peer, limit], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn mark_peer_blob(&self, peer: &str, sha256: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO peer_blobs (peer, sha256) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![peer, sha256],
        )?;
        Ok(())
    }

    /// Every (peer, order, sent cursor) of what peers hold, for copying a hub elsewhere.
    pub fn peer_orders_all(&self) -> Result<Vec<(String, OrderId, i64)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT peer, order_id, sent_cursor FROM peer_orders ORDER BY peer, order_id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, OrderId(r.get(1)?), r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Changes after `seq` with when this node received each (Unix ms), oldest first, at most
    /// `limit`: the log as a copy of the hub needs it.
    pub fn changes_received_after(
        &self,
        seq: i64,
        limit: u32,
    ) -> Result<Vec<(LoggedChange, Option<i64>)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {LOGGED_COLUMNS}, received_at FROM changes WHERE seq > ?1
             ORDER BY seq LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![seq, limit], |r| {
            Ok((logged_from_row(r)?, r.get(8)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every order that has changes, in id order.
    pub fn change_orders(&self) -> Result<Vec<OrderId>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT order_id FROM changes ORDER BY order_id")?;
        let rows = stmt.query_map([], |r| Ok(OrderId(r.get(0)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
