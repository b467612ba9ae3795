//! Enrolment certificates and revocation lists, stored as the signed bytes the identity layer
//! produced; the store does not interpret them.
//!
//! Both are immutable signed documents: storing the same bytes again is a no-op, while other
//! bytes under an id that is already taken are refused (`store_conflict`) rather than silently
//! replacing what signatures were checked against.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};

impl Store {
    /// Stores a certificate. Idempotent for the same bytes; `store_conflict` for other bytes
    /// under the same id.
    pub fn put_certificate(&self, id: &str, body: &[u8]) -> Result<(), StoreError> {
        let inserted = self.conn.execute(
            "INSERT INTO certificates (id, body) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING",
            params![id, body],
        )?;
        if inserted == 0 && self.certificate(id)?.as_deref() != Some(body) {
            return Err(StoreError::Conflict {
                what: "certificate",
                id: id.to_string(),
            });
        }
        Ok(())
    }

    /// The certificate stored under `id`.
    pub fn certificate(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT body FROM certificates WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Every certificate, by id.
    pub fn certificates(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, body FROM certificates ORDER BY id")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Stores revocation list number `seq`. Idempotent for the same bytes; `store_conflict` for
    /// other bytes under the same number.
    pub fn put_revocation_list(&self, seq: u64, body: &[u8]) -> Result<(), StoreError> {
        let key = seq_to_sql(seq)?;
        let inserted = self.conn.execute(
            "INSERT INTO revocation_lists (seq, body) VALUES (?1, ?2) ON CONFLICT (seq) DO NOTHING",
            params![key, body],
        )?;
        if inserted == 0 {
            let stored: Option<Vec<u8>> = self
                .conn
                .query_row(
                    "SELECT body FROM revocation_lists WHERE seq = ?1",
                    [key],
                    |r| r.get(0),
                )
                .optional()?;
            if stored.as_deref() != Some(body) {
                return Err(StoreError::Conflict {
                    what: "revocation list",
                    id: seq.to_string(),
                });
            }
        }
        Ok(())
    }

    /// The revocation list with the highest number.
    pub fn latest_revocation_list(&self) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .latest_revocation_list_with_seq()?
            .map(|(_, body)| body))
    }

    /// The revocation list with the highest number, with that number (to compare with an offered
    /// list without decoding the stored one).
    pub fn latest_revocation_list_with_seq(&self) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let row: Option<(i64, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT seq, body FROM revocation_lists ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match row {
            None => Ok(None),
            Some((seq, body)) => {
                let seq = u64::try_from(seq).map_err(|_| StoreError::Corrupt {
                    detail: format!("negative revocation list number {seq}"),
                })?;
                Ok(Some((seq, body)))
            }
        }
    }
}

/// SQLite integers are signed 64-bit; a larger number cannot be kept faithfully.
fn seq_to_sql(seq: u64) -> Result<i64, StoreError> {
    i64::try_from(seq).map_err(|_| StoreError::InvalidInput {
        reason: format!("revocation list number {seq} is larger than {}", i64::MAX),
    })
}
