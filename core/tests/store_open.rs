//! Opening: refusing files that are not (or not yet) ours without touching them, and numbered
//! migrations that turn an old store into exactly what a new one is.

use std::path::Path;

use hotline_core::Coded;
use hotline_core::model::OrderId;
use hotline_core::store::{APPLICATION_ID, Store};
use hotline_testkit::store::{action, change, names_in};
use rusqlite::Connection;

fn db(dir: &Path) -> std::path::PathBuf {
    dir.join("hotline.db")
}

/// Opens `dir`, expects the error `code`, and checks that the database file is byte-for-byte
/// what it was and nothing (journal, WAL, blob directory) appeared next to it.
fn assert_refused_unchanged(dir: &Path, code: &str) {
    let before = std::fs::read(db(dir)).unwrap();
    let files_before = names_in(dir);
    let err = Store::open(dir).unwrap_err();
    assert_eq!(err.code().as_str(), code, "{err}");
    assert!(!err.message_zh().is_empty());
    assert_eq!(
        std::fs::read(db(dir)).unwrap(),
        before,
        "the file was modified"
    );
    assert_eq!(
        names_in(dir),
        files_before,
        "files appeared next to the database"
    );
}

#[test]
fn random_bytes_are_store_corrupt_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = vec![0u8; 8192];
    let mut x: u32 = 0x9E37_79B9;
    for b in &mut bytes {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
    std::fs::write(db(dir.path()), &bytes).unwrap();
    assert_refused_unchanged(dir.path(), "store_corrupt");
    // Short garbage too.
    std::fs::write(db(dir.path()), b"SQLite format 3").unwrap();
    assert_refused_unchanged(dir.path(), "store_corrupt");
}

#[test]
fn a_damaged_store_is_store_corrupt_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    let mut bytes = std::fs::read(db(dir.path())).unwrap();
    // Keep the 100-byte header, scribble over the schema table on the rest of page 1.
    for (i, b) in bytes[100..4096].iter_mut().enumerate() {
        *b = (i * 31 % 251) as u8;
    }
    std::fs::write(db(dir.path()), &bytes).unwrap();
    assert_refused_unchanged(dir.path(), "store_corrupt");
}

#[test]
fn another_applications_database_is_store_foreign_and_left_alone() {
    // A plain SQLite file of some other app (application_id 0, its own tables).
    let dir = tempfile::tempdir().unwrap();
    {
        let c = Connection::open(db(dir.path())).unwrap();
        c.execute_batch(
            "CREATE TABLE contacts (name TEXT, phone TEXT);
             INSERT INTO contacts VALUES ('张三', '13800000000');",
        )
        .unwrap();
    }
    assert_refused_unchanged(dir.path(), "store_foreign");

    // One that does set its own application_id, even in WAL mode.
    let dir = tempfile::tempdir().unwrap();
    {
        let c = Connection::open(db(dir.path())).unwrap();
        c.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA application_id = 1234; PRAGMA user_version = 1;
             CREATE TABLE t (x);",
        )
        .unwrap();
    }
    let err = Store::open(dir.path()).unwrap_err();
    assert_eq!(err.code().as_str(), "store_foreign");
    assert!(err.to_string().contains("1234"));
    assert_refused_unchanged(dir.path(), "store_foreign");
}

#[test]
fn a_foreign_database_whose_newest_pages_are_still_in_its_wal_is_recognised() {
    // The other app is running: its application id and tables exist only in its WAL, the main
    // file still looks like an empty database.
    let dir = tempfile::tempdir().unwrap();
    let other = Connection::open(db(dir.path())).unwrap();
    other
        .execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
             PRAGMA application_id = 777; CREATE TABLE notes (body TEXT);
             INSERT INTO notes VALUES ('not yours');",
        )
        .unwrap();
    assert!(dir.path().join("hotline.db-wal").exists());
    let header = std::fs::read(db(dir.path())).unwrap();
    assert_eq!(
        &header[68..72],
        &[0, 0, 0, 0],
        "the main file's header does not have the id yet"
    );
    assert_refused_unchanged(dir.path(), "store_foreign");
    let n: i64 = other
        .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn paths_with_uri_characters_work() {
    let base = tempfile::tempdir().unwrap();
    let dir = base.path().join("12345 热线 ?#%20 store");
    {
        let mut store = Store::open(&dir).unwrap();
        store.record(&action("o1", &["h1"])).unwrap();
    }
    // Reopened after a clean close: inspected through the `immutable` URI.
    let store = Store::open(&dir).unwrap();
    assert!(store.has_change("h1").unwrap());
    assert!(!base.path().join("12345 热线 ").exists());
}

#[test]
fn a_store_from_a_newer_version_is_store_too_new_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    {
        let c = Connection::open(db(dir.path())).unwrap();
        c.execute_batch("PRAGMA user_version = 99;").unwrap();
    }
    assert_refused_unchanged(dir.path(), "store_too_new");
}

#[test]
fn an_empty_file_or_empty_database_becomes_a_store() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(db(dir.path()), b"").unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        Store::latest_schema_version()
    );

    let dir = tempfile::tempdir().unwrap();
    {
        let c = Connection::open(db(dir.path())).unwrap();
        c.execute_batch("PRAGMA journal_mode = WAL;").unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        Store::latest_schema_version()
    );
}

#[test]
fn new_stores_carry_the_application_id_and_durable_settings() {
    let dir = tempfile::tempdir().unwrap();
    let _store = Store::open(dir.path()).unwrap();
    let c = Connection::open(db(dir.path())).unwrap();
    let app: i32 = c
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(app, APPLICATION_ID);
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn unknown_target_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = Store::open_at_version(dir.path(), Store::latest_schema_version() + 1).unwrap_err();
    assert_eq!(err.code().as_str(), "not_found");
}

/// Everything about a schema that matters, in a comparable form: schema objects with normalised
/// SQL, every table's columns, indexes and foreign keys, every index's columns, and the ids.
fn schema_of(path: &Path) -> Vec<String> {
    let c = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut out = Vec::new();
    for pragma in ["application_id", "user_version"] {
        let v: i64 = c
            .query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0))
            .unwrap();
        out.push(format!("{pragma}={v}"));
    }
    let mut stmt = c
        .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
        .unwrap();
    let objects: Vec<(String, String, String, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (ty, name, tbl, sql) in &objects {
        let sql = sql
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        out.push(format!("{ty} {name} on {tbl}: {sql}"));
        let pragmas: &[&str] = if ty == "table" {
            &["table_xinfo", "index_list", "foreign_key_list"]
        } else if ty == "index" {
            &["index_xinfo"]
        } else {
            &[]
        };
        for p in pragmas {
            let mut s = c.prepare(&format!("SELECT * FROM pragma_{p}(?1)")).unwrap();
            let n = s.column_count();
            let rows: Vec<String> = s
                .query_map([name], |r| {
                    let mut cells = Vec::new();
                    for i in 0..n {
                        let v: rusqlite::types::Value = r.get(i)?;
                        cells.push(format!("{v:?}"));
                    }
                    Ok(cells.join("|"))
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            for row in rows {
                out.push(format!("  {p}({name}): {row}"));
            }
        }
    }
    out
}

/// What version-1 code wrote for an action: today's `record` also fills the sync columns of
/// migration 3, which a version-1 store does not have.
fn record_as_v1(dir: &Path, rec: &hotline_core::store::ActionRecord) {
    let conn = Connection::open(db(dir)).unwrap();
    for c in &rec.changes {
        conn.execute(
            "INSERT INTO changes (order_id, hash, event_id, cert_id, signature, bytes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![
                c.order.0,
                c.hash,
                c.event_id,
                c.cert_id,
                c.signature,
                c.bytes
            ],
        )
        .unwrap();
    }
    let r = &rec.index;
    conn.execute(
        "INSERT INTO orders (order_id, receipt, kind, urgency, status, confidential, lead_unit,
                             handling_due, next_due, next_due_kind, terminal, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        rusqlite::params![
            r.order.0,
            r.receipt,
            r.kind.as_str(),
            r.urgency.as_str(),
            r.status.as_str(),
            r.confidential,
            r.lead_unit,
            r.handling_due,
            r.next_due,
            r.next_due_kind.map(|k| k.as_str()),
            r.terminal,
            r.updated_at
        ],
    )
    .unwrap();
    if let Some(lead) = &r.lead_unit {
        conn.execute(
            "INSERT INTO order_units (order_id, role, unit, position) VALUES (?1, 'lead', ?2, 0)",
            rusqlite::params![r.order.0, lead],
        )
        .unwrap();
    }
    for (i, unit) in (0i64..).zip(&r.co_units) {
        conn.execute(
            "INSERT INTO order_units (order_id, role, unit, position) VALUES (?1, 'co', ?2, ?3)",
            rusqlite::params![r.order.0, unit, i],
        )
        .unwrap();
    }
}

#[test]
fn a_store_upgraded_from_version_1_equals_a_new_store_and_keeps_its_data() {
    let old = tempfile::tempdir().unwrap();
    {
        let v1 = Store::open_at_version(old.path(), 1).unwrap();
        assert_eq!(v1.schema_version().unwrap(), 1);
        v1.meta_set("device_id", b"phone-3").unwrap();
        v1.put_certificate("cert-1", b"certificate body").unwrap();
        v1.put_revocation_list(4, b"crl 4").unwrap();
        let mut rec = action("o1", &["h1", "h2"]);
        rec.index.lead_unit = Some("unit-a".into());
        rec.index.co_units = vec!["unit-b".into()];
        rec.index.next_due = Some(77);
        drop(v1);
        record_as_v1(old.path(), &rec);
        record_as_v1(old.path(), &action("o2", &["h3"]));
    }
    let before_upgrade = schema_of(&db(old.path()));
    assert!(before_upgrade.contains(&"user_version=1".to_string()));

    let upgraded = Store::open(old.path()).unwrap();
    let fresh_dir = tempfile::tempdir().unwrap();
    let fresh = Store::open(fresh_dir.path()).unwrap();
    assert_eq!(
        upgraded.schema_version().unwrap(),
        Store::latest_schema_version()
    );

    let a = schema_of(&db(old.path()));
    let b = schema_of(&db(fresh_dir.path()));
    assert_eq!(a, b, "upgraded schema differs from a new store's");
    assert_ne!(before_upgrade, a, "migration 2 changed nothing?");
    drop(fresh);

    // The data is all there and the new tables work.
    assert_eq!(
        upgraded.meta_get("device_id").unwrap().as_deref(),
        Some(&b"phone-3"[..])
    );
    assert_eq!(
        upgraded.certificate("cert-1").unwrap().as_deref(),
        Some(&b"certificate body"[..])
    );
    assert_eq!(
        upgraded.latest_revocation_list().unwrap().as_deref(),
        Some(&b"crl 4"[..])
    );
    let o1 = OrderId::new("o1");
    assert_eq!(
        upgraded.changes_for(&o1).unwrap(),
        vec![change("o1", "h1"), change("o1", "h2")]
    );
    let row = upgraded.order_row(&o1).unwrap().unwrap();
    assert_eq!(row.co_units, vec!["unit-b".to_string()]);
    assert_eq!(row.next_due, Some(77));
    assert_eq!(upgraded.order_count().unwrap(), 2);
    assert_eq!(upgraded.change_count().unwrap(), 3);
    upgraded
        .put_blob(
            &mut &b"after upgrade"[..],
            "text/plain",
            hotline_core::identity::ContentDigest::Sha256,
        )
        .unwrap();
    upgraded.integrity_check().unwrap();

    // Re-opening an up-to-date store runs no migration and changes nothing.
    drop(upgraded);
    let again = Store::open(old.path()).unwrap();
    drop(again);
    assert_eq!(schema_of(&db(old.path())), a);
}
