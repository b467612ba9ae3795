//! The hub's PostgreSQL schema, in numbered migrations like the SQLite store's. A hub applies
//! the ones it lacks at start, one transaction each, under an advisory lock so hub processes
//! starting together do not race; it refuses a database whose schema is newer than it knows
//! (`store_too_new`), leaving it untouched.

use postgres::GenericClient;

use super::errors::db;
use hotline_core::store::StoreError;

/// Held while migrating (class, key of `pg_advisory_xact_lock`).
const MIGRATION_LOCK: (i32, i32) = (0x486c, 1);

/// Migration `n` is `MIGRATIONS[n - 1]`. Never edit a shipped one: add the next.
const MIGRATIONS: &[&str] = &[
    // 1: the change log, the order index, what peers hold, refusals, photos.
    "CREATE TABLE hub_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     -- The pull log. seq comes from change_seq under the log lock (see ingest.rs), so a
     -- reader never sees a position commit after a higher one it already read.
     CREATE SEQUENCE change_seq AS BIGINT;
     CREATE TABLE changes (
        seq BIGINT PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        order_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        cert_id TEXT NOT NULL,
        signature BYTEA NOT NULL,
        bytes BYTEA NOT NULL,
        source TEXT,
        received_at BIGINT);
     CREATE INDEX changes_by_order ON changes (order_id, seq);
     CREATE TABLE orders (
        order_id TEXT PRIMARY KEY,
        receipt TEXT NOT NULL,
        lead_unit TEXT,
        division_code TEXT,
        updated_at BIGINT NOT NULL,
        row JSONB NOT NULL);
     CREATE INDEX orders_by_receipt ON orders (receipt);
     CREATE TABLE peer_orders (
        peer TEXT NOT NULL,
        order_id TEXT NOT NULL,
        sent_cursor BIGINT NOT NULL,
        PRIMARY KEY (peer, order_id));
     CREATE INDEX peer_orders_pending ON peer_orders (peer, sent_cursor, order_id);
     CREATE TABLE refusals (
        seq BIGSERIAL PRIMARY KEY,
        at BIGINT NOT NULL,
        peer TEXT,
        order_id TEXT,
        hash TEXT,
        code TEXT NOT NULL,
        message_zh TEXT NOT NULL,
        message_en TEXT NOT NULL);
     CREATE TABLE sealed_contacts (
        seq BIGSERIAL PRIMARY KEY,
        order_id TEXT NOT NULL,
        recipient TEXT NOT NULL,
        sealed BYTEA NOT NULL,
        UNIQUE (order_id, recipient, sealed));
     CREATE TABLE blob_refs (
        sha256 TEXT NOT NULL,
        order_id TEXT NOT NULL,
        size BIGINT NOT NULL,
        media_type TEXT NOT NULL,
        PRIMARY KEY (sha256, order_id));
     -- Photos whole. EXTERNAL: kept uncompressed out of line, so a chunk read fetches only
     -- its own pages (substring on a compressed value would inflate all of it).
     CREATE TABLE blobs (
        sha256 TEXT PRIMARY KEY,
        media_type TEXT NOT NULL,
        size BIGINT NOT NULL,
        bytes BYTEA NOT NULL);
     ALTER TABLE blobs ALTER COLUMN bytes SET STORAGE EXTERNAL;
     -- Uploads under way, one row per received chunk, contiguous from offset 0.
     CREATE TABLE blob_parts (
        sha256 TEXT NOT NULL,
        at_offset BIGINT NOT NULL,
        data BYTEA NOT NULL,
        received_at BIGINT NOT NULL,
        PRIMARY KEY (sha256, at_offset));",
    // 2: request challenges redeemed at any hub process (each is good once, city-wide).
    "CREATE TABLE redeemed_challenges (
        id BYTEA PRIMARY KEY,
        forget_at BIGINT NOT NULL);
     CREATE INDEX redeemed_challenges_by_age ON redeemed_challenges (forget_at);",
    // 3: the pull partitions (see partitions.rs), built for what is stored by `AFTER`.
    "CREATE TABLE order_scopes (
        order_id TEXT NOT NULL,
        scope TEXT NOT NULL,
        PRIMARY KEY (order_id, scope));
     CREATE TABLE scope_log (
        scope TEXT NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (scope, seq));",
    // 4: the knowledge base's signed records (knowledge.rs), pulled by position like the
    // change log, and each item's owning unit.
    "CREATE TABLE kb_log (
        seq BIGSERIAL PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        item TEXT NOT NULL,
        version INTEGER,
        unit TEXT NOT NULL,
        at BIGINT NOT NULL,
        cert TEXT NOT NULL,
        signature BYTEA NOT NULL,
        payload BYTEA NOT NULL,
        source TEXT);
     CREATE INDEX kb_log_item ON kb_log (item, version);
     CREATE TABLE kb_owners (
        item TEXT PRIMARY KEY,
        unit TEXT NOT NULL);",
    // 5: the access audit log (every signer's entries; two claiming one place both kept).
    "CREATE TABLE access_log (
        cert TEXT NOT NULL,
        hash TEXT NOT NULL,
        seq BIGINT NOT NULL,
        order_id TEXT NOT NULL,
        at BIGINT NOT NULL,
        signature BYTEA NOT NULL,
        payload BYTEA NOT NULL,
        source TEXT,
        received_at BIGINT,
        PRIMARY KEY (cert, hash));
     CREATE INDEX access_log_chain ON access_log (cert, seq);
     CREATE INDEX access_log_order ON access_log (order_id);",
];

/// What a migration does after its SQL, in the same transaction: `(version, step)`.
type After = fn(&mut postgres::Transaction<'_>) -> Result<(), StoreError>;
const AFTER: &[(usize, After)] = &[(3, |tx| super::partitions::build(tx))];

/// The newest schema version this software knows.
pub fn latest() -> u32 {
    MIGRATIONS.len() as u32
}

/// The database's schema version (0: none yet).
pub fn version(client: &mut impl GenericClient) -> Result<u32, StoreError> {
    let exists: bool = client
        .query_one("SELECT to_regclass('hotline_schema') IS NOT NULL", &[])
        .map_err(db)?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let v: i32 = client
        .query_one("SELECT coalesce(max(version), 0) FROM hotline_schema", &[])
        .map_err(db)?
        .get(0);
    Ok(u32::try_from(v).unwrap_or(0))
}

/// Brings the database to the newest schema; `store_too_new` if it is past it.
pub fn migrate(client: &mut postgres::Client, place: &str) -> Result<u32, StoreError> {
    let mut tx = client.transaction().map_err(db)?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, $2)",
        &[&MIGRATION_LOCK.0, &MIGRATION_LOCK.1],
    )
    .map_err(db)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS hotline_schema (
            version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .map_err(db)?;
    let found = version(&mut tx)?;
    if found > latest() {
        return Err(StoreError::TooNew {
            path: place.to_string(),
            found,
            known: latest(),
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.batch_execute(sql).map_err(db)?;
        for (_, step) in AFTER.iter().filter(|(v, _)| *v == i + 1) {
            step(&mut tx)?;
        }
        let v = i32::try_from(i + 1).unwrap_or(i32::MAX);
        tx.execute("INSERT INTO hotline_schema (version) VALUES ($1)", &[&v])
            .map_err(db)?;
    }
    tx.commit().map_err(db)?;
    Ok(latest())
}
