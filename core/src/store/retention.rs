//! What keeps a store from growing without bound: blobs no record references, unfinished
//! uploads, and the refusal log. Nothing here ever touches a signed change or a blob a record
//! references.

use std::path::Path;
use std::time::{Duration, SystemTime};

use rusqlite::params;
use serde::Serialize;

use super::{Store, StoreError};
use crate::model::OrderId;

/// Rows the refusal log keeps; older ones go first.
pub const MAX_REFUSAL_ROWS: i64 = 100_000;
/// How long an unreferenced blob or an unfinished upload is kept: a photo is stored a moment
/// before the record that references it, and an upload over a bad link may pause for hours.
pub const GARBAGE_GRACE: Duration = Duration::from_secs(24 * 3600);
/// Meta key set once every stored order's photos are indexed in `blob_refs`.
pub const META_BLOB_REFS_COMPLETE: &str = "blob_refs_complete";

/// What one collection removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct GarbageReport {
    pub blobs_removed: u64,
    pub bytes_freed: u64,
    pub partial_uploads_removed: u64,
}

/// One order's reference to a blob, as its signed record gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobRef {
    pub order: OrderId,
    pub size: u64,
    pub media_type: String,
}

impl Store {
    /// The orders that reference a blob, with the size and type each record gives.
    pub fn blob_refs(&self, sha256: &str) -> Result<Vec<BlobRef>, StoreError> {
        super::check_blob_hash(sha256)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT order_id, size, media_type FROM blob_refs WHERE sha256 = ?1 ORDER BY order_id",
        )?;
        let rows = stmt
            .query_map([sha256], |r| {
                Ok(BlobRef {
                    order: OrderId(r.get(0)?),
                    size: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                    media_type: r.get(2)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// The blobs an order's records reference (hashes, in order).
    pub fn blobs_of_order(&self, order: &OrderId) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT sha256 FROM blob_refs WHERE order_id = ?1 ORDER BY sha256")?;
        let rows = stmt
            .query_map([&order.0], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(rows)
    }

    /// Whether every stored order's photos are indexed (stores made before `blob_refs` existed
    /// are indexed once by the device layer).
    pub fn blob_refs_complete(&self) -> Result<bool, StoreError> {
        Ok(self.meta_get(META_BLOB_REFS_COMPLETE)?.is_some())
    }

    /// Records an order's references (the one-time indexing of an older store).
    pub fn add_blob_refs(
        &mut self,
        order: &OrderId,
        refs: &[crate::model::AttachmentRef],
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO blob_refs (sha256, order_id, size, media_type) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (sha256, order_id) DO NOTHING",
            )?;
            for a in refs {
                let size = i64::try_from(a.size).unwrap_or(i64::MAX);
                insert.execute(params![a.sha256, order.0, size, a.media_type])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Removes blobs that no record references and that were stored before `now - grace`, and
    /// unfinished uploads in `partial/` untouched for as long. Does nothing to blobs until
    /// [`Store::blob_refs_complete`], since an older store's references are not all known.
    pub fn collect_garbage(
        &self,
        now: SystemTime,
        grace: Duration,
    ) -> Result<GarbageReport, StoreError> {
        let mut report = GarbageReport {
            partial_uploads_removed: remove_old_files(&self.dir.join(PARTIAL_DIR), now, grace),
            ..GarbageReport::default()
        };
        if !self.blob_refs_complete()? {
            return Ok(report);
        }
        let cutoff = now
            .checked_sub(grace)
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let orphans: Vec<(String, i64)> = {
            let mut stmt = self.conn.prepare(
                "SELECT b.sha256, b.size FROM blobs b
                 WHERE coalesce(b.stored_at, 0) < ?1
                   AND NOT EXISTS (SELECT 1 FROM blob_refs r WHERE r.sha256 = b.sha256)",
            )?;
            stmt.query_map([cutoff], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?
        };
        for (sha256, size) in orphans {
            // The row goes first: a crash in between leaves an unlisted file (harmless, and
            // healed if the same bytes are stored again), never a listed blob without bytes.
            self.conn
                .execute("DELETE FROM blobs WHERE sha256 = ?1", [&sha256])?;
            let _ = std::fs::remove_file(self.blob_path(&sha256)?);
            report.blobs_removed += 1;
            report.bytes_freed += u64::try_from(size).unwrap_or(0);
        }
        Ok(report)
    }

    /// Keeps the refusal log to its newest [`MAX_REFUSAL_ROWS`] rows.
    pub(super) fn prune_refusals(tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
        tx.prepare_cached(
            "DELETE FROM refusals WHERE seq <= (SELECT max(seq) FROM refusals) - ?1",
        )?
        .execute([MAX_REFUSAL_ROWS])?;
        Ok(())
    }
}

/// Where unfinished uploads wait, inside the store folder.
pub const PARTIAL_DIR: &str = "partial";

/// Deletes the regular files of `dir` last modified before `now - grace`; how many it deleted.
fn remove_old_files(dir: &Path, now: SystemTime, grace: Duration) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)
            .and_then(|m| m.modified().ok())
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > grace);
        if old && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}
