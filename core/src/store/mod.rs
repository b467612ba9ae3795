//! The device's local store: one SQLite file (`hotline.db`) plus a directory of content-addressed
//! blobs (`blobs/`).
//!
//! * the signed change log (the audit trail; every change of every order, in arrival order),
//! * a query index of orders (one row per order) so inboxes never load Automerge documents,
//! * enrolment certificates and revocation lists, key/value metadata,
//! * sealed citizen contact copies,
//! * photos and files as SHA-256-addressed blobs, written by streaming.
//!
//! Durability: WAL with `synchronous=FULL`, so when a write call returns `Ok` the data survives a
//! crash or power loss. An action is recorded in one transaction ([`Store::record`]): change log,
//! index and sealed copies appear together or not at all.
//!
//! Safety of foreign files: [`Store::open`] inspects an existing `hotline.db` read-only first and
//! refuses (leaving it byte-for-byte unchanged) a damaged file, another application's database or
//! a store from a newer version.

mod access;
mod blobs;
mod catalogues;
mod changes;
mod errors;
mod index;
mod knowledge;
mod partitions;
mod retention;
mod schema;
mod sync;
mod trust;

use crate::error::IoAt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

pub use access::AccessTail;
pub use blobs::{BlobInfo, check_blob_hash};
pub use changes::{ActionRecord, StoredChange};
pub use errors::StoreError;
pub use index::{
    DelayNoticeText, ExtensionNotice, HandlingNotices, InboxQuery, IndexRow, IntakeRow,
    META_INDEX_V6, NotAcceptedNotice,
};
pub use knowledge::{KbHit, KbPut, LoggedKb, StoredIntakeRow};
pub use partitions::{
    AREA_LEVELS, AREA_SCOPE, META_PULL_PARTITIONS, PEER_SCOPE, UNIT_SCOPE, area_scope,
    leading_chars, order_scopes, peer_scope, unit_scope,
};
pub use retention::{
    BlobRef, GARBAGE_GRACE, GarbageReport, MAX_REFUSAL_ROWS, META_BLOB_REFS_COMPLETE, PARTIAL_DIR,
};
pub use schema::APPLICATION_ID;
pub use sync::{LoggedChange, PeerState, RefusalRecord};

/// Sets a once-only flag in `meta` (a rebuild done), inside the caller's transaction.
fn set_flag(conn: &Connection, key: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, x'01')
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key],
    )?;
    Ok(())
}

/// File name of the database inside the store directory.
pub const DB_FILE: &str = "hotline.db";
/// Directory of blob files inside the store directory.
pub const BLOB_DIR: &str = "blobs";

/// How long a call waits for another process (e.g. the CLI next to the app) to release the
/// database lock before failing with `store_busy`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// An open store. Not `Sync` (one SQLite connection); open one per thread if needed — WAL lets
/// readers and one writer work side by side.
pub struct Store {
    conn: Connection,
    dir: PathBuf,
    /// Whether writes keep the hub's pull partitions (see [`Store::enable_pull_partitions`]).
    partitions: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dir", &self.dir).finish()
    }
}

impl Store {
    /// Opens or creates a store in `dir` (creating `dir`, `dir/hotline.db` and `dir/blobs/`) and
    /// brings its schema to the newest version.
    ///
    /// Errors: `store_corrupt` (not a SQLite file, or damaged), `store_foreign` (another
    /// application's SQLite file), `store_too_new` (written by a newer version); in these cases the
    /// file is not modified. `store_io`, `store_full`, `store_busy` otherwise.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Self::open_at_version(dir, schema::latest_version())
    }

    /// Like [`Store::open`] but stops migrating at schema `version`. Only for the migration tests
    /// (a store created at an old version, filled, then upgraded); apps use [`Store::open`].
    #[doc(hidden)]
    pub fn open_at_version(dir: &Path, version: u32) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).at(dir)?;
        let db = dir.join(DB_FILE);

        // Decide before the first write whether this file may be touched at all.
        schema::inspect(&db)?;

        let blob_dir = dir.join(BLOB_DIR);
        std::fs::create_dir_all(&blob_dir).at(&blob_dir)?;

        let mut conn = Connection::open(&db).map_err(|e| with_path(&db, e))?;
        configure(&conn).map_err(|e| with_path(&db, e))?;
        schema::migrate(&mut conn, &db, version)?;

        blobs::sweep_stale_temp_files(&blob_dir);
        let mut store = Store {
            conn,
            dir: dir.to_path_buf(),
            partitions: false,
        };
        store.partitions = store.meta_get(partitions::META_PULL_PARTITIONS)?.is_some();
        Ok(store)
    }

    /// Opens an existing store for reading only: nothing is created, migrated or written, so a
    /// store on a read-only medium (an auditor's copy, a write-protected card) can be read, and
    /// the hub's readers never contend with its writer. Writes fail with `store_read_only`.
    pub fn open_read_only(dir: &Path) -> Result<Store, StoreError> {
        let db = dir.join(DB_FILE);
        match schema::inspect(&db)? {
            schema::Existing::Hotline(v) if v == schema::latest_version() => {}
            schema::Existing::Hotline(v) => {
                return Err(StoreError::ReadOnly {
                    detail: format!(
                        "schema version {v} must be upgraded to {}, which needs write access",
                        schema::latest_version()
                    ),
                });
            }
            schema::Existing::Fresh => {
                return Err(StoreError::NotFound {
                    what: "store",
                    id: dir.display().to_string(),
                });
            }
        }
        // An ordinary read-only connection shares the WAL with a writer; where even the side
        // files cannot be made (a read-only medium), the file is read as it stands.
        let conn = schema::open_for_inspection(&db, true)
            .and_then(|c| {
                c.busy_timeout(BUSY_TIMEOUT)?;
                c.query_row("SELECT count(*) FROM meta", [], |r| r.get::<_, i64>(0))?;
                Ok(c)
            })
            .or_else(|_| schema::open_for_inspection(&db, false))
            .map_err(|e| with_path(&db, e))?;
        Ok(Store {
            conn,
            dir: dir.to_path_buf(),
            // Reads only: nothing is written, so nothing is kept.
            partitions: false,
        })
    }

    /// The store directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The schema version of the open file (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// The newest schema version this software knows (what [`Store::open`] migrates to).
    pub fn latest_schema_version() -> u32 {
        schema::latest_version()
    }

    /// SQLite's own consistency check of the whole file (slow on large stores: for `hotline
    /// verify`, not for every start). `Ok` or `store_corrupt` with SQLite's first findings.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA quick_check")?;
        let findings = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        if findings.len() == 1 && findings[0] == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt {
                detail: findings.into_iter().take(5).collect::<Vec<_>>().join("; "),
            })
        }
    }

    /// A metadata value (device id, sync cursors, …).
    pub fn meta_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Sets (inserts or replaces) a metadata value.
    pub fn meta_set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Removes a metadata value; `Ok(false)` if there was none.
    pub fn meta_delete(&self, key: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .execute("DELETE FROM meta WHERE key = ?1", [key])?
            > 0)
    }
}

/// Per-connection settings. `synchronous=FULL` in WAL mode syncs the WAL on every commit, which
/// is what makes "returned Ok" mean "survives power loss".
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Returns the resulting mode; a file system without shared memory may refuse WAL and stay in
    // rollback-journal mode, which is just as durable with synchronous=FULL.
    let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA trusted_schema = OFF;",
    )?;
    Ok(())
}

fn with_path(db: &Path, e: rusqlite::Error) -> StoreError {
    match StoreError::from(e) {
        StoreError::Io { message, .. } => StoreError::Io {
            path: db.display().to_string(),
            message,
        },
        other => other,
    }
}
