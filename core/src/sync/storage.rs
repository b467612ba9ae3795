//! What the hub needs from its storage, whatever holds it: the embedded SQLite store
//! ([`SqliteHub`](super::SqliteHub), the default) or PostgreSQL (the hub crate's `postgres` backend).
//! [`serve_prepared`](super::serve_prepared), the receipt lookup and the photo routes are
//! written against these traits only, and one conformance suite runs against both backends.
//!
//! [`HubReads`] is the read side — answered from a read connection that never waits for a
//! writer. [`HubStorage`] adds what a sync round writes: the ingest (step 2 of an import, in
//! one transaction), which orders a peer holds, and the refusal log.

use crate::device::{Checked, DeviceError, Outcome, WireChange};
use crate::model::{OrderId, Timestamp};
use crate::store::{
    BlobRef, IndexRow, LoggedChange, RefusalRecord, Store, StoreError, StoredChange,
};

/// The hub's read side.
pub trait HubReads {
    /// The order's index row.
    fn order_row(&mut self, order: &OrderId) -> Result<Option<IndexRow>, StoreError>;
    /// The index row of the order with this receipt code (already parsed and normalised).
    fn order_by_receipt(&mut self, receipt: &str) -> Result<Option<IndexRow>, StoreError>;
    /// Every stored change of `order`, oldest first.
    fn changes_for(&mut self, order: &OrderId) -> Result<Vec<StoredChange>, StoreError>;
    /// The pull log: changes after `seq`, in log order, at most `limit`. A change never
    /// appears below a position already returned (see ARCHITECTURE.md, "The pull log").
    fn changes_after(&mut self, seq: i64, limit: u32) -> Result<Vec<LoggedChange>, StoreError>;
    /// Whether every stored change of `order` came from `source` (it pushed them all, so it
    /// holds the order whole).
    fn all_from(&mut self, order: &OrderId, source: &str) -> Result<bool, StoreError>;
    /// The order a stored change belongs to and the certificate that signed it.
    fn change_owner(&mut self, hash: &str) -> Result<Option<(OrderId, String)>, StoreError>;
    /// Whether `peer` holds `order` whole, given how far it has read the log (`cursor`).
    fn peer_has_order(
        &mut self,
        peer: &str,
        order: &OrderId,
        cursor: i64,
    ) -> Result<bool, StoreError>;
    /// Orders `peer` holds but has not confirmed whole (see [`Store::peer_orders_not_whole`]).
    fn peer_orders_not_whole(
        &mut self,
        peer: &str,
        cursor: i64,
        limit: u32,
    ) -> Result<Vec<OrderId>, StoreError>;
    /// The orders that reference a photo, with its recorded size and type.
    fn blob_refs(&mut self, sha256: &str) -> Result<Vec<BlobRef>, StoreError>;
    /// The refusal log, newest first.
    fn refusals(&mut self, limit: u32) -> Result<Vec<RefusalRecord>, StoreError>;
    /// The newest log position (0 when empty). Every position at or below it is committed, so
    /// a pull that reads up to it and no further never skips a change committed late.
    fn log_head(&mut self) -> Result<i64, StoreError>;
    /// The pull partitions: positions listed under `scope` in (`after`, `upto`], oldest first,
    /// at most `limit`.
    fn scope_positions(
        &mut self,
        scope: &str,
        after: i64,
        upto: i64,
        limit: u32,
    ) -> Result<Vec<i64>, StoreError>;
    /// The changes at these positions, in the order given.
    fn changes_at(&mut self, seqs: &[i64]) -> Result<Vec<LoggedChange>, StoreError>;
    /// Whether `order` is, or has been, in any of `scopes`.
    fn order_in_scopes(&mut self, order: &OrderId, scopes: &[String]) -> Result<bool, StoreError>;
    /// Access-audit entries held, by signer and place, `limit` after skipping `offset`.
    fn access_entries(
        &mut self,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<crate::audit::SignedAccess>, StoreError>;
    /// Whether a change of `order` before log position `before` is listed under any of
    /// `scopes`: false when the order entered those scopes at or after `before`.
    fn order_listed_before(
        &mut self,
        order: &OrderId,
        scopes: &[String],
        before: i64,
    ) -> Result<bool, StoreError>;
    /// Order ids above `after` in id order, at most `limit`: how the center walks every order.
    fn order_ids_after(&mut self, after: &str, limit: u32) -> Result<Vec<OrderId>, StoreError>;
    /// Knowledge-base records after log position `seq`, about `max_bytes` of them, each with
    /// its position and the peer it came from.
    fn kb_after(
        &mut self,
        seq: i64,
        max_bytes: usize,
    ) -> Result<Vec<crate::store::LoggedKb>, StoreError>;
    /// Whether a version of an item was published here (an instant answer names one).
    fn kb_version_held(&mut self, item: &str, version: u32) -> Result<bool, StoreError>;
    /// Every stored change of each of `orders`, per order oldest first, in the order given. A
    /// backend a round trip away answers a whole page at once.
    fn changes_for_orders(
        &mut self,
        orders: &[OrderId],
    ) -> Result<Vec<Vec<StoredChange>>, StoreError> {
        orders.iter().map(|o| self.changes_for(o)).collect()
    }
}

/// Bytes of knowledge-base records one answer carries.
pub const MAX_KB_PULL_BYTES: usize = 256 * 1024;

/// The hub's write side, with its reads in the same session.
pub trait HubStorage {
    /// The read side of this session (the writer's own connection: it sees what it wrote).
    fn reads(&mut self) -> &mut dyn HubReads;
    /// Step 2 of importing `incoming` from `peer` at the hub's clock `now`: authorised against
    /// the orders as stored and written in one transaction, per order in arrival order. The
    /// outer error means nothing was stored.
    fn ingest(
        &mut self,
        incoming: &[WireChange],
        checked: Vec<Checked>,
        peer: &str,
        now: Timestamp,
    ) -> Result<Vec<Outcome>, DeviceError>;
    /// Records that `orders` went to `peer` whole in an answer that moved its cursor to
    /// `sent_cursor`; `i64::MAX` records only that the peer has them in some part.
    fn mark_peer_orders(
        &mut self,
        peer: &str,
        orders: &[OrderId],
        sent_cursor: i64,
    ) -> Result<(), StoreError>;
    /// Appends to the refusal log (kept to its newest rows).
    fn log_refusals(&mut self, rows: &[RefusalRecord]) -> Result<(), StoreError>;
    /// Puts `orders` in `scope` from now on: their later changes are listed under it.
    fn follow_orders(&mut self, scope: &str, orders: &[OrderId]) -> Result<(), StoreError>;
    /// Keeps verified knowledge-base records from `peer`, in order: each stored, already
    /// held, or refused (another unit's item, a notice for an item not held).
    fn ingest_kb(
        &mut self,
        records: &[crate::kb::VerifiedKb],
        peer: &str,
    ) -> Result<Vec<Result<crate::store::KbPut, crate::kb::KbError>>, StoreError>;
    /// Keeps verified access-audit entries received from `peer` (a repeat is a no-op).
    fn ingest_access(
        &mut self,
        entries: &[crate::audit::VerifiedAccess],
        peer: &str,
        received_at: i64,
    ) -> Result<u64, StoreError>;
}

impl HubReads for Store {
    fn order_row(&mut self, order: &OrderId) -> Result<Option<IndexRow>, StoreError> {
        Store::order_row(self, order)
    }
    fn order_by_receipt(&mut self, receipt: &str) -> Result<Option<IndexRow>, StoreError> {
        Store::order_by_receipt(self, receipt)
    }
    fn changes_for(&mut self, order: &OrderId) -> Result<Vec<StoredChange>, StoreError> {
        Store::changes_for(self, order)
    }
    fn changes_after(&mut self, seq: i64, limit: u32) -> Result<Vec<LoggedChange>, StoreError> {
        Store::changes_after(self, seq, limit)
    }
    fn change_owner(&mut self, hash: &str) -> Result<Option<(OrderId, String)>, StoreError> {
        Store::change_owner(self, hash)
    }
    fn all_from(&mut self, order: &OrderId, source: &str) -> Result<bool, StoreError> {
        Store::all_from(self, order, source)
    }
    fn peer_has_order(
        &mut self,
        peer: &str,
        order: &OrderId,
        cursor: i64,
    ) -> Result<bool, StoreError> {
        Store::peer_has_order(self, peer, order, cursor)
    }
    fn peer_orders_not_whole(
        &mut self,
        peer: &str,
        cursor: i64,
        limit: u32,
    ) -> Result<Vec<OrderId>, StoreError> {
        Store::peer_orders_not_whole(self, peer, cursor, limit)
    }
    fn blob_refs(&mut self, sha256: &str) -> Result<Vec<BlobRef>, StoreError> {
        Store::blob_refs(self, sha256)
    }
    fn refusals(&mut self, limit: u32) -> Result<Vec<RefusalRecord>, StoreError> {
        Store::refusals(self, limit)
    }
    fn log_head(&mut self) -> Result<i64, StoreError> {
        Store::last_change_seq(self)
    }
    fn scope_positions(
        &mut self,
        scope: &str,
        after: i64,
        upto: i64,
        limit: u32,
    ) -> Result<Vec<i64>, StoreError> {
        Store::scope_positions(self, scope, after, upto, limit)
    }
    fn changes_at(&mut self, seqs: &[i64]) -> Result<Vec<LoggedChange>, StoreError> {
        Store::changes_at(self, seqs)
    }
    fn order_in_scopes(&mut self, order: &OrderId, scopes: &[String]) -> Result<bool, StoreError> {
        Store::order_in_scopes(self, order, scopes)
    }
    fn order_ids_after(&mut self, after: &str, limit: u32) -> Result<Vec<OrderId>, StoreError> {
        Store::order_ids_after(self, after, limit)
    }
    fn order_listed_before(
        &mut self,
        order: &OrderId,
        scopes: &[String],
        before: i64,
    ) -> Result<bool, StoreError> {
        Store::order_listed_before(self, order, scopes, before)
    }
    fn access_entries(
        &mut self,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<crate::audit::SignedAccess>, StoreError> {
        Store::access_entries(self, offset, limit)
    }
    fn kb_after(
        &mut self,
        seq: i64,
        max_bytes: usize,
    ) -> Result<Vec<crate::store::LoggedKb>, StoreError> {
        Store::kb_records_after(self, seq, 512, max_bytes)
    }
    fn kb_version_held(&mut self, item: &str, version: u32) -> Result<bool, StoreError> {
        Ok(Store::kb_item_version(self, item, version)?.is_some())
    }
}
