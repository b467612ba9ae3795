//! The hub's pull partitions (the idea of PowerSync's buckets): every visibility scope an order
//! has been in — its handling units, its area at each administrative level, and the peers that
//! hold it outside those — and every change of the order listed under each of them by log
//! position. A pull then reads one person's scopes by (scope, position) instead of scanning the
//! city's whole log, so a unit's first sync costs its own orders, not the city's. See
//! ARCHITECTURE.md, "Pull partitions".
//!
//! Scopes only grow: an order once in a unit's scope stays there (a unit keeps receiving what it
//! once handled), so a pull never has to re-check a change it found in a scope.
//!
//! Kept on hub stores only ([`Store::enable_pull_partitions`]); a phone's store leaves the
//! tables empty.

use rusqlite::{OptionalExtension, params};

use super::index::IndexRow;
use super::sync::{LOGGED_COLUMNS, LoggedChange, logged_from_row};
use super::{Store, StoreError};
use crate::model::OrderId;

/// Set once the partitions are kept (and were built for what was stored before).
pub const META_PULL_PARTITIONS: &str = "pull_partitions";

/// The prefix of a unit's scope.
pub const UNIT_SCOPE: &str = "unit:";
/// The prefix of an area's scope; `area:` alone holds the orders with no division code.
pub const AREA_SCOPE: &str = "area:";
/// The prefix of a peer's own scope: orders it holds outside its role's scopes.
pub const PEER_SCOPE: &str = "peer:";

/// The lengths of an administrative division code that are levels of their own (province,
/// prefecture, county, township, village: GB/T 2260 and the statistical codes below it). An
/// order is listed under its code cut at each level, so a supervisor whose area is a level
/// reads exactly one scope.
pub const AREA_LEVELS: [usize; 5] = [2, 4, 6, 9, 12];

/// The first `n` characters of `s`, if it has that many.
pub fn leading_chars(s: &str, n: usize) -> Option<&str> {
    match s.char_indices().nth(n) {
        Some((at, _)) => Some(&s[..at]),
        None if s.chars().count() == n => Some(s),
        None => None,
    }
}

/// A unit's scope.
pub fn unit_scope(unit: &str) -> String {
    format!("{UNIT_SCOPE}{unit}")
}

/// An area's scope (`prefix` a division code cut at a level, or empty for "no code").
pub fn area_scope(prefix: &str) -> String {
    format!("{AREA_SCOPE}{prefix}")
}

/// A peer's own scope.
pub fn peer_scope(peer: &str) -> String {
    format!("{PEER_SCOPE}{peer}")
}

/// The scopes an order is in by its index row: each unit that handles it, and its area at
/// every level (and its whole code, when that is not a level).
pub fn order_scopes(row: &IndexRow) -> Vec<String> {
    let mut out: Vec<String> = row
        .lead_unit
        .iter()
        .chain(&row.co_units)
        .chain(&row.sub_units)
        .chain(&row.separate_units)
        .map(|u| unit_scope(u))
        .collect();
    match row.division_code.as_deref() {
        None => out.push(area_scope("")),
        Some(code) => {
            out.extend(
                AREA_LEVELS
                    .iter()
                    .filter_map(|&n| leading_chars(code, n))
                    .map(area_scope),
            );
            out.push(area_scope(code));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Lists `seqs` (changes of `order` just written) under every scope of the order, after adding
/// the scopes its new index row puts it in. Runs inside the caller's transaction.
pub(super) fn record_scopes(
    conn: &rusqlite::Connection,
    row: &IndexRow,
    seqs: &[i64],
) -> Result<(), StoreError> {
    let mut add = conn.prepare_cached(
        "INSERT INTO order_scopes (order_id, scope) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    )?;
    for scope in order_scopes(row) {
        add.execute(params![row.order.0, scope])?;
    }
    let mut list = conn.prepare_cached(
        "INSERT INTO scope_log (scope, seq) SELECT scope, ?2 FROM order_scopes
         WHERE order_id = ?1 ON CONFLICT DO NOTHING",
    )?;
    for seq in seqs {
        list.execute(params![row.order.0, seq])?;
    }
    Ok(())
}

impl Store {
    /// Whether this store keeps the pull partitions.
    pub fn keeps_pull_partitions(&self) -> bool {
        self.partitions
    }

    /// Starts keeping the pull partitions (a hub's store), building them once for what is
    /// already stored: every order under the scopes of its index row, under its holders' own
    /// scopes (the peers that hold it may keep following it), each change under its order's
    /// scopes. One transaction; a no-op once done.
    pub fn enable_pull_partitions(&mut self) -> Result<(), StoreError> {
        if self.meta_get(META_PULL_PARTITIONS)?.is_some() {
            self.partitions = true;
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        {
            let mut orders = tx.prepare("SELECT order_id FROM orders")?;
            let ids = orders
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            drop(orders);
            let mut add = tx.prepare_cached(
                "INSERT INTO order_scopes (order_id, scope) VALUES (?1, ?2)
                 ON CONFLICT DO NOTHING",
            )?;
            for id in ids {
                if let Some(row) = super::index::read_index_row(&tx, &OrderId(id))? {
                    for scope in order_scopes(&row) {
                        add.execute(params![row.order.0, scope])?;
                    }
                }
            }
            tx.execute(
                "INSERT OR IGNORE INTO order_scopes (order_id, scope)
                 SELECT order_id, ?1 || peer FROM peer_orders",
                [PEER_SCOPE],
            )?;
            tx.execute(
                "INSERT OR IGNORE INTO scope_log (scope, seq)
                 SELECT s.scope, c.seq FROM order_scopes s JOIN changes c USING (order_id)",
                [],
            )?;
            super::set_flag(&tx, META_PULL_PARTITIONS)?;
        }
        tx.commit()?;
        self.partitions = true;
        Ok(())
    }

    /// The positions listed under `scope` in (`after`, `upto`], oldest first, at most `limit`.
    pub fn scope_positions(
        &self,
        scope: &str,
        after: i64,
        upto: i64,
        limit: u32,
    ) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq FROM scope_log WHERE scope = ?1 AND seq > ?2 AND seq <= ?3
             ORDER BY seq LIMIT ?4",
        )?;
        let rows = stmt.query_map(params![scope, after, upto, limit], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The changes at these log positions, in the order given (a position not in the log is
    /// skipped).
    pub fn changes_at(&self, seqs: &[i64]) -> Result<Vec<LoggedChange>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {LOGGED_COLUMNS} FROM changes WHERE seq = ?1"
        ))?;
        let mut out = Vec::with_capacity(seqs.len());
        for seq in seqs {
            out.extend(stmt.query_row([seq], logged_from_row).optional()?);
        }
        Ok(out)
    }

    /// Whether `order` is, or has been, in any of `scopes`.
    pub fn order_in_scopes(&self, order: &OrderId, scopes: &[String]) -> Result<bool, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM order_scopes WHERE order_id = ?1 AND scope = ?2)",
        )?;
        for scope in scopes {
            if stmt.query_row(params![order.0, scope], |r| r.get::<_, bool>(0))? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether a change of `order` before position `before` is listed under any of `scopes`.
    pub fn order_listed_before(
        &self,
        order: &OrderId,
        scopes: &[String],
        before: i64,
    ) -> Result<bool, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM changes c JOIN scope_log s
                            ON s.seq = c.seq AND s.scope = ?2
                            WHERE c.order_id = ?1 AND c.seq < ?3)",
        )?;
        for scope in scopes {
            if stmt.query_row(params![order.0, scope, before], |r| r.get::<_, bool>(0))? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Puts `orders` in `scope` from now on (a peer that holds them outside its role's scopes
    /// keeps following them).
    pub fn follow_orders(&mut self, scope: &str, orders: &[OrderId]) -> Result<(), StoreError> {
        if orders.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        {
            let mut add = tx.prepare_cached(
                "INSERT INTO order_scopes (order_id, scope) VALUES (?1, ?2)
                 ON CONFLICT DO NOTHING",
            )?;
            for o in orders {
                add.execute(params![o.0, scope])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Every (order, scope) pair kept, in order (the copy to PostgreSQL carries them over).
    pub fn all_order_scopes(&self) -> Result<Vec<(OrderId, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT order_id, scope FROM order_scopes ORDER BY order_id, scope")?;
        let rows = stmt.query_map([], |r| Ok((OrderId(r.get(0)?), r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_division_code_is_cut_at_each_level() {
        assert_eq!(leading_chars("410902001", 4), Some("4109"));
        assert_eq!(leading_chars("410902001", 9), Some("410902001"));
        assert_eq!(leading_chars("410902001", 12), None);
        assert_eq!(leading_chars("", 0), Some(""));
        assert_eq!(leading_chars("濮阳市", 2), Some("濮阳"));
    }
}
