//! The store's schema as numbered migrations, and the check that a file is a hotline store before
//! anything is written to it.
//!
//! Rules: a shipped migration is never edited (devices in the field already ran it); a change is
//! a new migration appended at the end. Each migration runs in its own transaction together with
//! the `user_version` bump, so a crash leaves the store at either the old or the new version.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::errors::StoreError;
use crate::error::{IoAt, PathIoError};

/// `PRAGMA application_id` of every hotline store: ASCII "HL12". Lets us recognise another
/// application's SQLite file instead of "migrating" (damaging) it.
pub const APPLICATION_ID: i32 = 0x484C_3132;

/// One numbered schema step.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: u32,
    pub sql: &'static str,
}

/// In order, versions 1, 2, … with no gaps (checked by [`migrate`]).
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sql: r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE certificates (
    id   TEXT PRIMARY KEY NOT NULL,
    body BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE revocation_lists (
    seq  INTEGER PRIMARY KEY NOT NULL CHECK (seq >= 0),
    body BLOB NOT NULL
);

-- The signed change log: the audit trail and the source of truth. `seq` is the insertion order
-- (rows are never deleted, so the rowid never goes back). No foreign key to `orders`: the index
-- is derived data and may be rebuilt; the log must never lose a change because of it.
CREATE TABLE changes (
    seq       INTEGER PRIMARY KEY,
    order_id  TEXT NOT NULL,
    hash      TEXT NOT NULL UNIQUE,
    event_id  TEXT NOT NULL,
    cert_id   TEXT NOT NULL,
    signature BLOB NOT NULL,
    bytes     BLOB NOT NULL
);
CREATE INDEX changes_by_order ON changes (order_id, seq);

-- The query index: one row per order, rewritten after every action, so inbox queries never
-- load documents.
CREATE TABLE orders (
    order_id      TEXT PRIMARY KEY NOT NULL,
    receipt       TEXT NOT NULL,
    kind          TEXT NOT NULL,
    urgency       TEXT NOT NULL,
    status        TEXT NOT NULL,
    confidential  INTEGER NOT NULL CHECK (confidential IN (0, 1)),
    lead_unit     TEXT,
    handling_due  INTEGER,
    next_due      INTEGER,
    next_due_kind TEXT,
    terminal      INTEGER NOT NULL CHECK (terminal IN (0, 1)),
    updated_at    INTEGER NOT NULL
) WITHOUT ROWID;
-- Not UNIQUE: two offline devices could in theory draw the same receipt, and refusing the second
-- order would lose a signed action.
CREATE INDEX orders_by_receipt ON orders (receipt);

-- Lead and co-handling units of each order, so "my unit's inbox" is one index lookup.
CREATE TABLE order_units (
    order_id TEXT NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('lead', 'co')),
    unit     TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (order_id, role, unit)
) WITHOUT ROWID;
CREATE INDEX order_units_by_unit ON order_units (unit, order_id);
"#,
    },
    Migration {
        version: 2,
        sql: r#"
-- Content-addressed attachments; the bytes live in blobs/<2 hex>/<62 hex>, this row says what
-- they are. A row is written only after its file is durable.
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
    size       INTEGER NOT NULL CHECK (size >= 0),
    media_type TEXT NOT NULL
) WITHOUT ROWID;

-- Citizen contact details sealed to a recipient key (platform, or a unit when allowed); the
-- device cannot read them. Identical copies are kept once; a newer copy for the same recipient
-- comes later in `seq` order.
CREATE TABLE sealed_contacts (
    seq       INTEGER PRIMARY KEY,
    order_id  TEXT NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
    recipient TEXT NOT NULL,
    sealed    BLOB NOT NULL,
    UNIQUE (order_id, recipient, sealed)
);

-- Deadline scans for inboxes and warnings.
CREATE INDEX orders_by_next_due ON orders (next_due, order_id);
CREATE INDEX orders_by_handling_due ON orders (terminal, handling_due);
CREATE INDEX orders_by_status ON orders (status, next_due);
"#,
    },
    Migration {
        version: 3,
        sql: r#"
-- Sync. Where each change came from (NULL: made on this node) and when this node stored it:
-- the hub trusts its own receipt time, never a device clock, and never echoes a change back to
-- the peer it came from.
ALTER TABLE changes ADD COLUMN source TEXT;
ALTER TABLE changes ADD COLUMN received_at INTEGER;

-- What each peer and this node have exchanged: `sent_upto` is the seq of our change log the peer
-- has acknowledged; `received_upto` is the cursor into the peer's log we have processed;
-- `certs_received` counts certificates taken from the peer. An idle reconnect sends only these.
CREATE TABLE sync_peers (
    peer           TEXT PRIMARY KEY NOT NULL,
    sent_upto      INTEGER NOT NULL DEFAULT 0,
    received_upto  INTEGER NOT NULL DEFAULT 0,
    certs_received INTEGER NOT NULL DEFAULT 0,
    updated_at     INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Orders a peer holds whole, so later changes of them go one by one. An order sent whole in an
-- answer counts as held only once the peer's cursor has passed that answer's (`sent_cursor`):
-- if the answer was lost, the whole history goes again.
CREATE TABLE peer_orders (
    peer        TEXT NOT NULL,
    order_id    TEXT NOT NULL,
    sent_cursor INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (peer, order_id)
) WITHOUT ROWID;

-- Where an order is, for area-bound roles (supervisors see their division and below).
ALTER TABLE orders ADD COLUMN division_code TEXT;

-- Blobs a peer is known to hold in full, so photos are offered once.
CREATE TABLE peer_blobs (
    peer   TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (peer, sha256)
) WITHOUT ROWID;

-- Changes refused (by this node, or by a peer that told us), with the typed reason.
CREATE TABLE refusals (
    seq        INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    peer       TEXT,
    order_id   TEXT,
    hash       TEXT,
    code       TEXT NOT NULL,
    message_zh TEXT NOT NULL,
    message_en TEXT NOT NULL
);
"#,
    },
    Migration {
        version: 4,
        sql: r#"
-- Why an order has no deadline although it should (a date outside the holiday calendar), apart
-- from which deadline comes next: earlier versions kept the error code in `next_due_kind`.
ALTER TABLE orders ADD COLUMN deadline_error TEXT;
UPDATE orders SET deadline_error = next_due_kind, next_due_kind = NULL
 WHERE next_due_kind LIKE 'calendar%';
"#,
    },
    Migration {
        version: 5,
        sql: r#"
-- Which orders reference which blob, with the size and media type their signed records give:
-- the hub takes an upload only for a blob a record it holds references, of that size and type,
-- and blobs no record references are collected. Orders stored before this version are
-- indexed once by the device layer (meta `blob_refs_complete` says when that is done).
CREATE TABLE blob_refs (
    sha256     TEXT NOT NULL,
    order_id   TEXT NOT NULL,
    size       INTEGER NOT NULL CHECK (size >= 0),
    media_type TEXT NOT NULL,
    PRIMARY KEY (sha256, order_id)
) WITHOUT ROWID;
CREATE INDEX blob_refs_by_order ON blob_refs (order_id);
INSERT INTO meta (key, value) SELECT 'blob_refs_complete', x'01'
 WHERE NOT EXISTS (SELECT 1 FROM changes);

-- When this node stored a blob (Unix ms; NULL before this version): an unreferenced blob is
-- collected only once it is older than the grace period.
ALTER TABLE blobs ADD COLUMN stored_at INTEGER;
"#,
    },
    Migration {
        version: 6,
        sql: r#"
-- Where each order came from (provincial or city hotline, county center, 110 diversion, or
-- local), and what a citizen is told when a request is not accepted (ground and basis). Rows
-- of orders stored before this version are rebuilt once from their documents by the device
-- layer (meta `index_v6` says when that is done).
ALTER TABLE orders ADD COLUMN origin TEXT NOT NULL DEFAULT 'local';
ALTER TABLE orders ADD COLUMN not_accepted TEXT;
INSERT INTO meta (key, value) SELECT 'index_v6', x'01'
 WHERE NOT EXISTS (SELECT 1 FROM changes);
"#,
    },
    Migration {
        version: 7,
        sql: r#"
-- An emergency's first-response deadline while none is recorded (Turpan art. 26): overdue
-- once passed, like the handling deadline. Rows are rebuilt once more by the device layer.
ALTER TABLE orders ADD COLUMN response_due INTEGER;
DELETE FROM meta WHERE key = 'index_v6' AND EXISTS (SELECT 1 FROM changes);
"#,
    },
    Migration {
        version: 8,
        sql: r#"
-- Every sync answer looks up the orders a peer holds but has not confirmed whole
-- (sent_cursor above its cursor): by peer and cursor, not by walking all the peer's rows.
CREATE INDEX peer_orders_pending ON peer_orders (peer, sent_cursor);
"#,
    },
    Migration {
        version: 9,
        sql: r#"
-- What a citizen is told while the order takes longer (an approved extension, Turpan art. 18;
-- the unit's delay notice, Puyang). Rows are rebuilt once more by the device layer.
ALTER TABLE orders ADD COLUMN notices TEXT;
DELETE FROM meta WHERE key = 'index_v6' AND EXISTS (SELECT 1 FROM changes);
"#,
    },
    Migration {
        version: 10,
        sql: r#"
-- Sub-units an order was passed on to (Turpan) are indexed with its lead and co-units, so the
-- hub's visibility check and a sub-unit's inbox are one index lookup. SQLite cannot widen a
-- CHECK in place: the table is rebuilt with its rows.
CREATE TABLE order_units_v10 (
    order_id TEXT NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('lead', 'co', 'sub')),
    unit     TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (order_id, role, unit)
) WITHOUT ROWID;
INSERT INTO order_units_v10 SELECT order_id, role, unit, position FROM order_units;
DROP TABLE order_units;
ALTER TABLE order_units_v10 RENAME TO order_units;
CREATE INDEX order_units_by_unit ON order_units (unit, order_id);
"#,
    },
    Migration {
        version: 11,
        sql: r#"
-- Units an order was dispatched to separately (分别转办, Turpan art. 12) are indexed too: they
-- receive the order by sync like its lead unit. The table is rebuilt once more to widen its CHECK.
CREATE TABLE order_units_v11 (
    order_id TEXT NOT NULL REFERENCES orders (order_id) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('lead', 'co', 'sub', 'separate')),
    unit     TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (order_id, role, unit)
) WITHOUT ROWID;
INSERT INTO order_units_v11 SELECT order_id, role, unit, position FROM order_units;
DROP TABLE order_units;
ALTER TABLE order_units_v11 RENAME TO order_units;
CREATE INDEX order_units_by_unit ON order_units (unit, order_id);
"#,
    },
    Migration {
        version: 12,
        sql: r#"
-- The hub's pull partitions (see partitions.rs): the scopes each order has been in, and each
-- change listed under its order's scopes by log position. Filled on hub stores only.
CREATE TABLE order_scopes (
    order_id TEXT NOT NULL,
    scope    TEXT NOT NULL,
    PRIMARY KEY (order_id, scope)
) WITHOUT ROWID;
CREATE TABLE scope_log (
    scope TEXT NOT NULL,
    seq   INTEGER NOT NULL,
    PRIMARY KEY (scope, seq)
) WITHOUT ROWID;
"#,
    },
    Migration {
        version: 13,
        sql: r#"
-- Categories and the dispatch catalogue: each order's category (for lists), every signed
-- catalogue version received, and the catalogue amendments approved returns carry.
ALTER TABLE orders ADD COLUMN category TEXT;
-- Merging and splitting (并单, 拆单): where a receipt's lookup goes on to.
ALTER TABLE orders ADD COLUMN merged_into TEXT;
ALTER TABLE orders ADD COLUMN split_into TEXT;
CREATE TABLE catalogues (
    version INTEGER PRIMARY KEY,
    signed  BLOB NOT NULL
);
CREATE TABLE catalogue_amendments (
    event_id  TEXT PRIMARY KEY,
    order_id  TEXT NOT NULL,
    at        INTEGER NOT NULL,
    amendment TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX catalogue_amendments_by_order ON catalogue_amendments (order_id);
"#,
    },
    Migration {
        version: 14,
        sql: r#"
-- A blob's name says its digest: 64 hex digits for SHA-256 (every name so far), `sm3:` and 64
-- hex digits for SM3 in a city of the national suite. The table is rebuilt to widen its CHECK.
CREATE TABLE blobs_v14 (
    sha256     TEXT PRIMARY KEY NOT NULL CHECK (
        length(sha256) = 64 OR (length(sha256) = 68 AND substr(sha256, 1, 4) = 'sm3:')),
    size       INTEGER NOT NULL CHECK (size >= 0),
    media_type TEXT NOT NULL,
    stored_at  INTEGER
) WITHOUT ROWID;
INSERT INTO blobs_v14 SELECT sha256, size, media_type, stored_at FROM blobs;
DROP TABLE blobs;
ALTER TABLE blobs_v14 RENAME TO blobs;
"#,
    },
    Migration {
        version: 15,
        sql: r#"
-- The knowledge base: every signed record received or made here, in the order this store took
-- them (a hub's position is what devices pull after); `source` is the peer it came from, NULL
-- for records made on this device.
CREATE TABLE kb_records (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    hash      TEXT NOT NULL UNIQUE,
    item      TEXT NOT NULL,
    version   INTEGER,
    unit      TEXT NOT NULL,
    at        INTEGER NOT NULL,
    cert      TEXT NOT NULL,
    signature BLOB NOT NULL,
    payload   BLOB NOT NULL,
    source    TEXT
);
CREATE INDEX kb_records_item ON kb_records (item, seq);
-- The version of each item that counts: the highest (version, at, hash), the same everywhere.
CREATE TABLE kb_items (
    id          INTEGER PRIMARY KEY,
    item        TEXT NOT NULL UNIQUE,
    unit        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    hash        TEXT NOT NULL,
    valid_from  TEXT,
    valid_until TEXT,
    body        TEXT NOT NULL
);
CREATE INDEX kb_items_unit ON kb_items (unit, item);
-- Search: each current item's title, answer and other fields as character and bigram terms
-- (kb::terms), rowid = kb_items.id.
CREATE VIRTUAL TABLE kb_search USING fts5(title, answer, body, tokenize = 'unicode61');
-- How far each hub has taken this device's records, and how far this device has read the hub's.
CREATE TABLE kb_peers (
    peer          TEXT PRIMARY KEY NOT NULL,
    sent_upto     INTEGER NOT NULL DEFAULT 0,
    received_upto INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
-- Duplicates at intake: the non-personal fields of each order held (a kiosk keeps its own
-- submissions' after their records are gone): kind, place, when, open or closed, and the text's
-- fingerprint as hashed features, from which the text cannot be read back.
CREATE TABLE intake_matches (
    order_id     TEXT PRIMARY KEY NOT NULL,
    kind         TEXT NOT NULL,
    division     TEXT NOT NULL,
    address      TEXT NOT NULL,
    submitted_at INTEGER NOT NULL,
    closed       INTEGER NOT NULL,
    status       TEXT NOT NULL,
    fingerprint  BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX intake_matches_place ON intake_matches (kind, division, submitted_at);
-- The orders held already enter it when the device layer rebuilds the index once.
DELETE FROM meta WHERE key = 'index_v6' AND EXISTS (SELECT 1 FROM changes);
"#,
    },
    Migration {
        version: 16,
        sql: r#"
-- The access audit log: every signed entry recording an opening of a citizen's contact — this
-- device's own (own = 1; pushed once a hub took it) and, at a hub, everyone's. Keyed by
-- (signer, hash): two different entries claiming one place in a chain are both kept, so the
-- fork shows.
CREATE TABLE access_log (
    cert        TEXT NOT NULL,
    hash        TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    order_id    TEXT NOT NULL,
    at          INTEGER NOT NULL,
    signature   BLOB NOT NULL,
    payload     BLOB NOT NULL,
    own         INTEGER NOT NULL,
    pushed      INTEGER NOT NULL DEFAULT 0,
    source      TEXT,
    received_at INTEGER,
    PRIMARY KEY (cert, hash)
) WITHOUT ROWID;
CREATE INDEX access_log_chain ON access_log (cert, seq);
-- A device never writes two entries at one place of its own chain.
CREATE UNIQUE INDEX access_log_own ON access_log (cert, seq) WHERE own = 1;
CREATE INDEX access_log_order ON access_log (order_id);
CREATE INDEX access_log_unpushed ON access_log (own, pushed);
"#,
    },
];

/// The newest schema this software knows.
pub fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// What an existing file turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// No file, an empty file, or an empty SQLite database: safe to initialise.
    Fresh,
    /// A hotline store at this schema version (≤ latest).
    Hotline(u32),
}

/// Looks at `db` without writing to it: the header bytes first (so random bytes never reach
/// SQLite's recovery code), then a read-only connection for `application_id`, `user_version` and
/// the schema. The WAL may hold newer pages than the main file, which is why the ids are read
/// through SQLite and not from the header.
pub fn inspect(db: &Path) -> Result<Existing, StoreError> {
    let len = match std::fs::metadata(db) {
        Ok(m) if m.is_file() => m.len(),
        Ok(_) => {
            return Err(StoreError::Io {
                path: db.display().to_string(),
                message: "exists but is not a regular file".to_string(),
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::Fresh),
        Err(e) => return Err(PathIoError::new(db, e).into()),
    };
    let wal = wal_path(db);
    let had_wal = wal.exists();
    if len == 0 && !had_wal {
        // SQLite itself treats an empty file as an empty database; a crash between creating the
        // file and the first commit leaves exactly this. (With a WAL beside it, the content may
        // all be in the WAL: fall through and let SQLite read it.)
        return Ok(Existing::Fresh);
    }
    if len > 0 {
        check_header(db)?;
    }

    let ids = match read_ids(db, had_wal) {
        // A process that opened the store just after we looked for its WAL may be writing
        // under our `immutable` reader; read again the ordinary way before calling it damaged.
        Err(StoreError::Corrupt { .. }) if !had_wal && wal.exists() => read_ids(db, true)?,
        other => other?,
    };

    if ids.application_id == APPLICATION_ID {
        let known = latest_version();
        if ids.user_version > known {
            return Err(StoreError::TooNew {
                path: db.display().to_string(),
                found: ids.user_version,
                known,
            });
        }
        return Ok(Existing::Hotline(ids.user_version));
    }
    if ids.application_id == 0 && ids.user_version == 0 && ids.objects == 0 {
        return Ok(Existing::Fresh);
    }
    Err(StoreError::Foreign {
        path: db.display().to_string(),
        application_id: ids.application_id,
    })
}

fn wal_path(db: &Path) -> std::path::PathBuf {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    wal.into()
}

/// What identifies a SQLite file's owner and schema.
struct Ids {
    application_id: i32,
    user_version: u32,
    objects: i64,
}

fn read_ids(db: &Path, through_wal: bool) -> Result<Ids, StoreError> {
    let read = || -> rusqlite::Result<Ids> {
        let conn = open_for_inspection(db, through_wal)?;
        Ok(Ids {
            application_id: conn.query_row("PRAGMA application_id", [], |r| r.get(0))?,
            user_version: conn.query_row("PRAGMA user_version", [], |r| r.get(0))?,
            // Reading the schema makes SQLite parse page 1 and the schema table, which is
            // where a damaged file with a valid header usually fails.
            objects: conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?,
        })
    };
    read().map_err(|e| open_error(db, e))
}

/// A read-only connection that leaves no trace. Without a `-wal` file next to the database no
/// connection is open and none crashed mid-write, so the main file is complete and is opened
/// `immutable` (no locks, no `-wal`/`-shm` created beside someone else's file). With a `-wal`
/// file, its pages may be the newest state and must be read through an ordinary read-only
/// connection, which reuses the side files that already exist.
pub(super) fn open_for_inspection(db: &Path, through_wal: bool) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if through_wal {
        return Connection::open_with_flags(db, flags);
    }
    let uri = format!("file:{}?mode=ro&immutable=1", uri_path(db));
    Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
}

/// Escapes the characters that would end or alter the path part of a `file:` URI.
fn uri_path(p: &Path) -> String {
    let mut out = String::new();
    for c in p.to_string_lossy().chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            #[cfg(windows)]
            '\\' => out.push('/'),
            _ => out.push(c),
        }
    }
    out
}

/// The first 16 bytes of every SQLite 3 database.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

fn check_header(db: &Path) -> Result<(), StoreError> {
    use std::io::Read;
    let mut header = [0u8; 100];
    let mut file = std::fs::File::open(db).at(db)?;
    let mut filled = 0;
    while filled < header.len() {
        match file.read(&mut header[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(PathIoError::new(db, e).into()),
        }
    }
    if filled < header.len() || &header[..16] != SQLITE_MAGIC {
        return Err(StoreError::Corrupt {
            detail: format!("{} is not a SQLite database (bad header)", db.display()),
        });
    }
    Ok(())
}

fn open_error(db: &Path, e: rusqlite::Error) -> StoreError {
    match StoreError::from(e) {
        StoreError::Corrupt { detail } => StoreError::Corrupt {
            detail: format!("{}: {detail}", db.display()),
        },
        StoreError::Io { message, .. } => StoreError::Io {
            path: db.display().to_string(),
            message,
        },
        other => other,
    }
}

/// Applies every migration above the current version up to `target`, each in its own
/// transaction with its `user_version` bump.
pub fn migrate(conn: &mut Connection, db: &Path, target: u32) -> Result<(), StoreError> {
    let known = latest_version();
    if target > known {
        return Err(StoreError::NotFound {
            what: "schema version",
            id: target.to_string(),
        });
    }
    for (i, m) in MIGRATIONS.iter().enumerate() {
        // A gap or a reordering would silently skip a step on some devices.
        if usize::try_from(m.version).ok() != Some(i + 1) {
            return Err(StoreError::Sqlite {
                message: format!("migration list is out of order at version {}", m.version),
            });
        }
    }
    // The common case, an up-to-date store, takes no write lock.
    let current: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current >= target {
        return Ok(());
    }
    for m in MIGRATIONS.iter().filter(|m| m.version <= target) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Read inside the write transaction: another process may have migrated meanwhile.
        let current: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current > known {
            return Err(StoreError::TooNew {
                path: db.display().to_string(),
                found: current,
                known,
            });
        }
        if current >= m.version {
            continue;
        }
        tx.execute_batch(m.sql)?;
        // Both pragmas write page 1 inside this transaction, so they commit with the tables.
        tx.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {};",
            m.version
        ))?;
        tx.commit()?;
    }
    Ok(())
}
