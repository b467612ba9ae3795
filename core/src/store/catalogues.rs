//! The signed catalogue versions a store holds, and the catalogue amendments its orders'
//! approved returns carry.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Store, StoreError};
use crate::catalogue::RecordedAmendment;
use crate::model::OrderId;

impl Store {
    /// Every catalogue version held, as stored (signed, encoded), oldest first.
    pub fn catalogue_versions(&self) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT version, signed FROM catalogues ORDER BY version")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (version, bytes) = row?;
            let version = u64::try_from(version).map_err(|_| StoreError::Corrupt {
                detail: format!("catalogue version {version}"),
            })?;
            out.push((version, bytes));
        }
        Ok(out)
    }

    /// Keeps a verified catalogue version; a version already held is left as it is.
    pub fn put_catalogue(&self, version: u64, signed: &[u8]) -> Result<(), StoreError> {
        let version = i64::try_from(version).map_err(|_| StoreError::InvalidInput {
            reason: format!("catalogue version {version} is out of range"),
        })?;
        self.conn.execute(
            "INSERT OR IGNORE INTO catalogues (version, signed) VALUES (?1, ?2)",
            params![version, signed],
        )?;
        Ok(())
    }

    /// Whether this version is held.
    pub fn has_catalogue(&self, version: u64) -> Result<bool, StoreError> {
        let Ok(version) = i64::try_from(version) else {
            return Ok(false);
        };
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM catalogues WHERE version = ?1",
                [version],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Every amendment recorded, oldest first.
    pub fn catalogue_amendments(&self) -> Result<Vec<RecordedAmendment>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT amendment FROM catalogue_amendments ORDER BY at, event_id")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for json in rows {
            out.push(
                serde_json::from_str(&json?).map_err(|e| StoreError::Corrupt {
                    detail: format!("catalogue amendment: {e}"),
                })?,
            );
        }
        Ok(out)
    }
}

/// Replaces an order's amendments with those of its newest index row (inside the caller's
/// transaction). Amendments only accumulate in an order's fold, so nothing is lost.
pub(super) fn write_amendments(
    conn: &Connection,
    order: &OrderId,
    amendments: &[RecordedAmendment],
) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM catalogue_amendments WHERE order_id = ?1")?
        .execute([&order.0])?;
    let mut insert = conn.prepare_cached(
        "INSERT OR REPLACE INTO catalogue_amendments (event_id, order_id, at, amendment)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for a in amendments {
        let json = serde_json::to_string(a).map_err(|e| StoreError::InvalidInput {
            reason: format!("catalogue amendment: {e}"),
        })?;
        insert.execute(params![a.event.0, order.0, a.at.timestamp_millis(), json])?;
    }
    Ok(())
}
