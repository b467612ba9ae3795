//! The access audit log's rows (migration 16): this device's own chain and, at a hub, every
//! signer's entries as received.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};
use crate::audit::{SignedAccess, VerifiedAccess};

/// The last entry of a signer's own chain: what the next one links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessTail {
    pub seq: u64,
    pub hash: String,
}

fn signed_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SignedAccess> {
    Ok(SignedAccess {
        cert: r.get(0)?,
        signature: r.get(1)?,
        payload: r.get(2)?,
    })
}

impl Store {
    /// The newest entry of `cert`'s own chain here.
    pub fn access_tail(&self, cert: &str) -> Result<Option<AccessTail>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, hash FROM access_log WHERE cert = ?1 AND own = 1
             ORDER BY seq DESC LIMIT 1",
        )?;
        Ok(stmt
            .query_row([cert], |r| {
                Ok(AccessTail {
                    seq: r.get::<_, i64>(0)? as u64,
                    hash: r.get(1)?,
                })
            })
            .optional()?)
    }

    /// Keeps an entry this device just signed (not yet taken by a hub). A second entry at the
    /// same place of its own chain is an error, never a silent fork.
    pub fn append_own_access(&self, v: &VerifiedAccess) -> Result<(), StoreError> {
        self.put_access(v, None, None)?;
        Ok(())
    }

    /// Keeps entries received from `source` (a hub's store; a repeat is a no-op). Returns how
    /// many were new.
    pub fn ingest_access(
        &self,
        entries: &[VerifiedAccess],
        source: Option<&str>,
        received_at: i64,
    ) -> Result<u64, StoreError> {
        let mut n = 0;
        for v in entries {
            n += self.put_access(v, Some(source), Some(received_at))? as u64;
        }
        Ok(n)
    }

    /// One row: this device's own (`received` = None: not pushed yet) or received from a peer
    /// (kept as taken; a repeat ignored).
    fn put_access(
        &self,
        v: &VerifiedAccess,
        received: Option<Option<&str>>,
        received_at: Option<i64>,
    ) -> Result<usize, StoreError> {
        let own = received.is_none();
        let sql = format!(
            "INSERT {} INTO access_log
             (cert, hash, seq, order_id, at, signature, payload, own, pushed, source, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            if own { "" } else { "OR IGNORE" }
        );
        // The place fits an i64: `SignedAccess::verify` refuses any other.
        let seq = i64::try_from(v.entry.seq).unwrap_or(i64::MAX);
        Ok(self.conn.prepare_cached(&sql)?.execute(params![
            v.signed.cert,
            v.hash,
            seq,
            v.entry.order.0,
            v.entry.at.timestamp_millis(),
            v.signed.signature,
            v.signed.payload,
            own,
            !own,
            received.flatten(),
            received_at,
        ])?)
    }

    /// This device's own entries no hub has taken yet, oldest first, at most `limit`.
    pub fn access_unpushed(&self, limit: u32) -> Result<Vec<SignedAccess>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT cert, signature, payload FROM access_log WHERE own = 1 AND pushed = 0
             ORDER BY cert, seq LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], signed_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Marks own entries as taken by a hub.
    pub fn mark_access_pushed(&self, entries: &[SignedAccess]) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("UPDATE access_log SET pushed = 1 WHERE cert = ?1 AND hash = ?2")?;
        for e in entries {
            stmt.execute(params![e.cert, e.hash()])?;
        }
        Ok(())
    }

    /// Every entry kept here (own and received), by signer and place, at most `limit` after
    /// skipping `offset` (the audit command reads them page by page).
    pub fn access_entries(&self, offset: u64, limit: u32) -> Result<Vec<SignedAccess>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT cert, signature, payload FROM access_log
             ORDER BY cert, seq, hash LIMIT ?1 OFFSET ?2",
        )?;
        let rows = stmt.query_map(params![limit, offset as i64], signed_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
