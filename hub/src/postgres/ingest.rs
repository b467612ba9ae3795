//! A sync round's ingest on PostgreSQL: one transaction per round, in which
//!
//! 1. each order the round touches is locked (`pg_advisory_xact_lock`, in one fixed order so two
//!    rounds never wait on each other in a cycle): per-order ordering across hub processes, so a
//!    change is always judged against every change of its order committed before it;
//! 2. the orders are read back and the plan is made ([`plan_import`], the same decision as on a
//!    device and on the SQLite hub);
//! 3. the log lock is taken, the accepted changes get their log positions from `change_seq`, the
//!    index rows, photo references and sealed copies are written, and the transaction commits.
//!
//! The log lock is held from the first position drawn until the commit, so positions become
//! visible in the order they were drawn: a reader tailing the log by position (the pull) never
//! finds a lower position appear after it read a higher one. PostgreSQL makes a transaction
//! visible before it releases its locks, so the next writer's positions are drawn only once the
//! previous ones can be read. See ARCHITECTURE.md, "The pull log".

use super::{PgSession, db, partitions, rows};
use hotline_core::device::{
    Arrival, Checked, DeviceError, Outcome, Rules, StoredOrders, WireChange, check_stored_change,
    plan_import,
};
use hotline_core::doc::{self, OrderDoc};
use hotline_core::identity::TrustStore;
use hotline_core::model::{OrderId, Timestamp};
use hotline_core::store::{ActionRecord, StoreError};
use hotline_core::sync::{HubReads, HubStorage};

/// Advisory lock classes (first key of `pg_advisory_xact_lock(int, int)`).
const ORDER_LOCK: i32 = 0x486c_0002;
pub(super) const LOG_LOCK: (i32, i32) = (0x486c_0003, 0);

/// The orders as the transaction sees them, after their locks are held.
struct TxOrders<'t, 'c> {
    tx: &'t mut postgres::Transaction<'c>,
    trust: &'t TrustStore,
}

impl StoredOrders for TxOrders<'_, '_> {
    fn has_change(&mut self, hash: &str) -> Result<bool, DeviceError> {
        Ok(self
            .tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM changes WHERE hash = $1)",
                &[&hash],
            )
            .map_err(db)?
            .get(0))
    }

    fn stored_doc(&mut self, order: &OrderId) -> Result<Option<(OrderDoc, u64)>, DeviceError> {
        let rows = self
            .tx
            .query(
                "SELECT order_id, hash, event_id, cert_id, signature, bytes FROM changes
                 WHERE order_id = $1 ORDER BY seq",
                &[&order.0],
            )
            .map_err(db)?;
        if rows.is_empty() {
            return Ok(None);
        }
        let mut changes = Vec::with_capacity(rows.len());
        for r in &rows {
            let stored = hotline_core::store::StoredChange {
                order: OrderId(r.get(0)),
                hash: r.get(1),
                event_id: r.get(2),
                cert_id: r.get(3),
                signature: r.get(4),
                bytes: r.get(5),
            };
            changes.push(check_stored_change(self.trust, &stored)?);
        }
        let doc = OrderDoc::from_changes(order, doc::actor_for_device(b"hub"), changes)?;
        Ok(Some((doc, rows.len() as u64)))
    }

    fn kb_version_held(&mut self, item: &str, version: u32) -> Result<bool, DeviceError> {
        Ok(super::knowledge::version_held(
            &mut *self.tx,
            item,
            version,
        )?)
    }
}

/// Takes the per-order locks, in one fixed order so two transactions never wait on each other
/// in a cycle.
fn lock_orders<'o>(
    tx: &mut postgres::Transaction<'_>,
    orders: impl Iterator<Item = &'o OrderId>,
) -> Result<(), StoreError> {
    let mut ids: Vec<&str> = orders.map(|o| o.0.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    for order in ids {
        tx.execute(
            "SELECT pg_advisory_xact_lock($1, hashtext($2))",
            &[&ORDER_LOCK, &order],
        )
        .map_err(db)?;
    }
    Ok(())
}

fn write(
    tx: &mut postgres::Transaction<'_>,
    rec: &ActionRecord,
    source: &str,
    received_at: i64,
) -> Result<(), StoreError> {
    let mut written = Vec::with_capacity(rec.changes.len());
    for c in &rec.changes {
        written.extend(rows::insert_change(
            tx,
            None,
            c,
            Some(source),
            Some(received_at),
        )?);
    }
    rows::upsert_index_row(tx, &rec.index)?;
    partitions::record(tx, &rec.index, &written)?;
    for a in &rec.attachments {
        rows::insert_blob_ref(tx, &a.sha256, &rec.order, a.size, &a.media_type)?;
    }
    for (recipient, sealed) in &rec.sealed_contacts {
        rows::insert_sealed_copy(tx, &rec.order, recipient, sealed)?;
    }
    Ok(())
}

impl HubStorage for PgSession<'_> {
    fn reads(&mut self) -> &mut dyn HubReads {
        self
    }

    fn ingest_access(
        &mut self,
        entries: &[hotline_core::audit::VerifiedAccess],
        peer: &str,
        received_at: i64,
    ) -> Result<u64, StoreError> {
        self.ingest_access_pg(entries, peer, received_at)
    }

    fn ingest_kb(
        &mut self,
        records: &[hotline_core::kb::VerifiedKb],
        peer: &str,
    ) -> Result<Vec<Result<hotline_core::store::KbPut, hotline_core::kb::KbError>>, StoreError>
    {
        self.ingest_kb_pg(records, peer)
    }

    fn ingest(
        &mut self,
        incoming: &[WireChange],
        checked: Vec<Checked>,
        peer: &str,
        now: Timestamp,
    ) -> Result<Vec<Outcome>, DeviceError> {
        let rules = Rules {
            trust: self.trust,
            policy: self.policy,
            calendar: self.calendar,
            catalogues: self.catalogues,
        };
        let mut tx = self.conn.transaction().map_err(db)?;
        lock_orders(&mut tx, incoming.iter().map(|w| &w.order))?;
        let plan = plan_import(
            rules,
            &mut TxOrders {
                tx: &mut tx,
                trust: self.trust,
            },
            incoming,
            checked,
            Arrival::AtHub,
            now,
        )?;
        if !plan.records.is_empty() {
            tx.execute(
                "SELECT pg_advisory_xact_lock($1, $2)",
                &[&LOG_LOCK.0, &LOG_LOCK.1],
            )
            .map_err(db)?;
            for rec in &plan.records {
                write(&mut tx, rec, peer, now.timestamp_millis())?;
            }
        }
        tx.commit().map_err(db)?;
        Ok(plan.outcomes)
    }

    fn mark_peer_orders(
        &mut self,
        peer: &str,
        orders: &[hotline_core::model::OrderId],
        sent_cursor: i64,
    ) -> Result<(), StoreError> {
        let ids: Vec<&str> = orders.iter().map(|o| o.0.as_str()).collect();
        rows::mark_peer_orders(&mut *self.conn, peer, &ids, sent_cursor)
    }

    fn log_refusals(
        &mut self,
        rows: &[hotline_core::store::RefusalRecord],
    ) -> Result<(), StoreError> {
        self.log_refusals_pg(rows)
    }

    /// Under the orders' locks: an ingest of the same order on another hub process either
    /// committed before (its changes reach the peer whole this round) or lists its changes
    /// under the new scope.
    fn follow_orders(&mut self, scope: &str, orders: &[OrderId]) -> Result<(), StoreError> {
        if orders.is_empty() {
            return Ok(());
        }
        let mut tx = self.conn.transaction().map_err(db)?;
        lock_orders(&mut tx, orders.iter())?;
        for order in orders {
            partitions::add_scopes(&mut tx, order, &[scope.to_string()])?;
        }
        tx.commit().map_err(db)?;
        Ok(())
    }
}
