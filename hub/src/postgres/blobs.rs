//! Photos in PostgreSQL, with the same rules as the SQLite hub's `blobs/` folder: only a photo
//! a stored change references, of the size and type it gives, arrives — chunk by chunk,
//! resumable, contiguous from 0 — and is kept once its bytes hash to its name. Any hub process
//! may take the next chunk of an upload another one started.

use hotline_core::store::{GarbageReport, StoreError, check_blob_hash};
use hotline_core::sync::HubReads;
use hotline_core::sync::SyncError;
use hotline_core::sync::blobs::{BlobChunk, BlobHeld, CHUNK_BYTES, check_chunk};

use super::{PgSession, db};

fn size_of(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl PgSession<'_> {
    /// How much of a photo is here.
    pub fn blob_held(&mut self, sha256: &str) -> Result<BlobHeld, SyncError> {
        check_blob_hash(sha256)?;
        let row = self
            .conn
            .query_opt("SELECT size FROM blobs WHERE sha256 = $1", &[&sha256])
            .map_err(db)?;
        if let Some(r) = row {
            return Ok(BlobHeld {
                held: size_of(r.get(0)),
                complete: true,
            });
        }
        let held: i64 = self
            .conn
            .query_one(
                "SELECT coalesce(max(at_offset + length(data)), 0)::BIGINT FROM blob_parts
                 WHERE sha256 = $1",
                &[&sha256],
            )
            .map_err(db)?
            .get(0);
        Ok(BlobHeld {
            held: size_of(held),
            complete: false,
        })
    }

    /// Takes one chunk of an upload; see `hotline_core::sync::blobs::receive`.
    pub fn blob_receive(&mut self, chunk: &BlobChunk, now_ms: i64) -> Result<BlobHeld, SyncError> {
        let now = self.blob_held(&chunk.sha256)?;
        if now.complete {
            return Ok(now);
        }
        let refs = self.blob_refs(&chunk.sha256)?;
        check_chunk(&refs, chunk)?;
        let end = chunk.offset.saturating_add(chunk.data.len() as u64);
        if chunk.offset != now.held || end > chunk.total {
            return Ok(now);
        }
        let offset = i64::try_from(chunk.offset).unwrap_or(i64::MAX);
        // Two processes taking the same chunk: the key keeps one.
        self.conn
            .execute(
                "INSERT INTO blob_parts (sha256, at_offset, data, received_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                &[&chunk.sha256, &offset, &chunk.data, &now_ms],
            )
            .map_err(db)?;
        if end < chunk.total {
            return Ok(BlobHeld {
                held: end,
                complete: false,
            });
        }
        self.finish(chunk)
    }

    /// The last chunk is in: the parts, hashed, become the photo — in one transaction, or the
    /// upload starts over if they do not hash to its name.
    fn finish(&mut self, chunk: &BlobChunk) -> Result<BlobHeld, SyncError> {
        let mut tx = self.conn.transaction().map_err(db)?;
        let parts = tx
            .query(
                "SELECT data FROM blob_parts WHERE sha256 = $1 ORDER BY at_offset FOR UPDATE",
                &[&chunk.sha256],
            )
            .map_err(db)?;
        let mut bytes = Vec::with_capacity(usize::try_from(chunk.total).unwrap_or(0));
        for p in &parts {
            bytes.extend_from_slice(p.get::<_, &[u8]>(0));
        }
        if bytes.len() as u64 != chunk.total {
            // Another process finished this photo while we waited for the parts' locks (they
            // are gone), or the parts are not all in yet: say what is held now.
            tx.commit().map_err(db)?;
            return self.blob_held(&chunk.sha256);
        }
        let actual = check_blob_hash(&chunk.sha256)?.digest.name_of(&bytes);
        tx.execute("DELETE FROM blob_parts WHERE sha256 = $1", &[&chunk.sha256])
            .map_err(db)?;
        if actual != chunk.sha256 {
            tx.commit().map_err(db)?;
            return Err(SyncError::from(StoreError::BlobHashMismatch {
                expected: chunk.sha256.clone(),
                actual,
            }));
        }
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        tx.execute(
            "INSERT INTO blobs (sha256, media_type, size, bytes) VALUES ($1, $2, $3, $4)
             ON CONFLICT (sha256) DO NOTHING",
            &[&chunk.sha256, &chunk.media_type, &size, &bytes],
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(BlobHeld {
            held: chunk.total,
            complete: true,
        })
    }

    /// One chunk of a stored photo from `offset`.
    pub fn blob_chunk(&mut self, sha256: &str, offset: u64) -> Result<BlobChunk, SyncError> {
        check_blob_hash(sha256)?;
        let from = i64::try_from(offset).unwrap_or(i64::MAX);
        let take = i64::try_from(CHUNK_BYTES).unwrap_or(i64::MAX);
        let row = self
            .conn
            .query_opt(
                "SELECT media_type, size,
                        substring(bytes FROM (least($2::BIGINT, size) + 1)::INT FOR $3::BIGINT::INT)
                 FROM blobs WHERE sha256 = $1",
                &[&sha256, &from, &take],
            )
            .map_err(db)?
            .ok_or_else(|| {
                SyncError::from(StoreError::BlobMissing {
                    sha256: sha256.to_string(),
                })
            })?;
        Ok(BlobChunk {
            sha256: sha256.to_string(),
            media_type: row.get(0),
            offset,
            total: size_of(row.get(1)),
            data: row.get(2),
        })
    }
}

impl super::PgStore {
    /// Unfinished uploads and unreferenced photos older than `grace` (the SQLite hub's
    /// `collect_garbage`, on the database).
    pub fn collect_garbage(
        &self,
        now: std::time::SystemTime,
        grace: std::time::Duration,
    ) -> Result<GarbageReport, StoreError> {
        let now_ms = now
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let before = now_ms.saturating_sub(i64::try_from(grace.as_millis()).unwrap_or(i64::MAX));
        let mut conn = self.connection()?;
        let uploads: i64 = conn
            .query_one(
                "WITH gone AS (DELETE FROM blob_parts p WHERE NOT EXISTS (
                     SELECT 1 FROM blob_parts q WHERE q.sha256 = p.sha256 AND q.received_at >= $1)
                   RETURNING sha256)
                 SELECT count(DISTINCT sha256) FROM gone",
                &[&before],
            )
            .map_err(db)?
            .get(0);
        let photos = conn
            .query_one(
                "WITH gone AS (DELETE FROM blobs b WHERE NOT EXISTS (
                     SELECT 1 FROM blob_refs r WHERE r.sha256 = b.sha256)
                   RETURNING size)
                 SELECT count(*), coalesce(sum(size), 0)::BIGINT FROM gone",
                &[],
            )
            .map_err(db)?;
        Ok(GarbageReport {
            blobs_removed: u64::try_from(photos.get::<_, i64>(0)).unwrap_or(0),
            bytes_freed: u64::try_from(photos.get::<_, i64>(1)).unwrap_or(0),
            partial_uploads_removed: u64::try_from(uploads).unwrap_or(0),
        })
    }
}
