//! The access audit log on PostgreSQL (migration 5): every signer's entries as received.

use hotline_core::audit::{SignedAccess, VerifiedAccess};
use hotline_core::store::StoreError;

use super::{PgSession, db};

impl PgSession<'_> {
    /// [`hotline_core::sync::HubStorage::ingest_access`]: one transaction; a repeat is a no-op.
    pub(super) fn ingest_access_pg(
        &mut self,
        entries: &[VerifiedAccess],
        peer: &str,
        received_at: i64,
    ) -> Result<u64, StoreError> {
        if entries.is_empty() {
            return Ok(0);
        }
        let mut tx = self.conn.transaction().map_err(db)?;
        let mut n = 0;
        for v in entries {
            n += super::rows::insert_access(&mut tx, v, Some(peer), Some(received_at))?;
        }
        tx.commit().map_err(db)?;
        Ok(n)
    }

    /// [`hotline_core::sync::HubReads::access_entries`].
    pub(super) fn access_entries_pg(
        &mut self,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<SignedAccess>, StoreError> {
        let rows = self
            .conn
            .query(
                "SELECT cert, signature, payload FROM access_log
                 ORDER BY cert, seq, hash LIMIT $1 OFFSET $2",
                &[
                    &i64::from(limit),
                    &i64::try_from(offset).unwrap_or(i64::MAX),
                ],
            )
            .map_err(db)?;
        Ok(rows
            .iter()
            .map(|r| SignedAccess {
                cert: r.get(0),
                signature: r.get(1),
                payload: r.get(2),
            })
            .collect())
    }
}
