//! Round trips of the store's records: metadata, certificates, revocation lists, actions.

use hotline_core::Coded;
use hotline_core::model::OrderId;
use hotline_core::store::{Store, StoreError};
use hotline_testkit::store::{action, change, new_store};

#[test]
fn open_creates_layout_at_latest_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/store");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.dir(), path.as_path());
    assert!(path.join("hotline.db").is_file());
    assert!(path.join("blobs").is_dir());
    assert_eq!(
        store.schema_version().unwrap(),
        Store::latest_schema_version()
    );
    assert!(Store::latest_schema_version() >= 2);
    store.integrity_check().unwrap();
    assert_eq!(store.order_count().unwrap(), 0);
    drop(store);
    // Reopening an existing store is fine and keeps the version.
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        Store::latest_schema_version()
    );
}

#[test]
fn meta_round_trip() {
    let (_d, store) = new_store();
    assert_eq!(store.meta_get("device_id").unwrap(), None);
    store.meta_set("device_id", b"kiosk-17").unwrap();
    assert_eq!(
        store.meta_get("device_id").unwrap().as_deref(),
        Some(&b"kiosk-17"[..])
    );
    store.meta_set("device_id", b"kiosk-18").unwrap();
    assert_eq!(
        store.meta_get("device_id").unwrap().as_deref(),
        Some(&b"kiosk-18"[..])
    );
    store.meta_set("empty", b"").unwrap();
    assert_eq!(store.meta_get("empty").unwrap(), Some(Vec::new()));
    assert!(store.meta_delete("empty").unwrap());
    assert!(!store.meta_delete("empty").unwrap());
    assert_eq!(store.meta_get("empty").unwrap(), None);
}

#[test]
fn certificates_are_idempotent_and_refuse_other_bytes() {
    let (_d, store) = new_store();
    store.put_certificate("c2", b"second").unwrap();
    store.put_certificate("c1", b"first").unwrap();
    store.put_certificate("c1", b"first").unwrap();
    assert_eq!(
        store.certificate("c1").unwrap().as_deref(),
        Some(&b"first"[..])
    );
    assert_eq!(store.certificate("nope").unwrap(), None);
    assert_eq!(
        store.certificates().unwrap(),
        vec![
            ("c1".to_string(), b"first".to_vec()),
            ("c2".to_string(), b"second".to_vec())
        ]
    );
    let err = store.put_certificate("c1", b"forged").unwrap_err();
    assert_eq!(err.code().as_str(), "store_conflict");
    assert_eq!(
        store.certificate("c1").unwrap().as_deref(),
        Some(&b"first"[..])
    );
}

#[test]
fn latest_revocation_list_is_the_highest_number() {
    let (_d, store) = new_store();
    assert_eq!(store.latest_revocation_list().unwrap(), None);
    store.put_revocation_list(2, b"two").unwrap();
    store.put_revocation_list(10, b"ten").unwrap();
    store.put_revocation_list(3, b"three").unwrap();
    store.put_revocation_list(10, b"ten").unwrap();
    assert_eq!(
        store.latest_revocation_list().unwrap().as_deref(),
        Some(&b"ten"[..])
    );
    assert_eq!(
        store.latest_revocation_list_with_seq().unwrap(),
        Some((10, b"ten".to_vec()))
    );
    assert_eq!(
        store
            .put_revocation_list(3, b"other")
            .unwrap_err()
            .code()
            .as_str(),
        "store_conflict"
    );
    assert_eq!(
        store
            .put_revocation_list(u64::MAX, b"x")
            .unwrap_err()
            .code()
            .as_str(),
        "store_invalid_input"
    );
}

#[test]
fn record_round_trip() {
    let (_d, mut store) = new_store();
    let mut rec = action("o1", &["h1", "h2"]);
    rec.index.lead_unit = Some("unit-a".into());
    rec.index.co_units = vec!["unit-c".into(), "unit-b".into()];
    rec.index.handling_due = Some(1_700_100_000_000);
    rec.index.next_due = Some(1_700_050_000_000);
    rec.index.next_due_kind = Some(hotline_core::workflow::DeadlineKind::SignFor);
    rec.index.confidential = true;
    rec.sealed_contacts = vec![
        ("platform-key".into(), vec![1, 2, 3]),
        ("unit-a-key".into(), vec![4, 5]),
    ];
    store.record(&rec).unwrap();

    let o1 = OrderId::new("o1");
    assert_eq!(store.order_row(&o1).unwrap(), Some(rec.index.clone()));
    assert_eq!(
        store.order_by_receipt("R-o1").unwrap(),
        Some(rec.index.clone())
    );
    assert_eq!(store.order_by_receipt("R-zz").unwrap(), None);
    assert_eq!(store.order_row(&OrderId::new("zz")).unwrap(), None);
    assert_eq!(store.changes_for(&o1).unwrap(), rec.changes);
    assert_eq!(store.sealed_contacts(&o1).unwrap(), rec.sealed_contacts);
    assert!(store.has_change("h1").unwrap());
    assert!(!store.has_change("h9").unwrap());
    assert_eq!(store.change("h2").unwrap(), Some(rec.changes[1].clone()));
    assert_eq!(store.change("h9").unwrap(), None);
    assert_eq!(store.order_count().unwrap(), 1);
    assert_eq!(store.change_count().unwrap(), 2);
}

#[test]
fn record_skips_known_changes_and_replaces_the_index_row() {
    let (_d, mut store) = new_store();
    let mut first = action("o1", &["h1"]);
    first.index.lead_unit = Some("unit-a".into());
    first.index.co_units = vec!["unit-b".into()];
    first.sealed_contacts = vec![("platform".into(), vec![9])];
    store.record(&first).unwrap();
    store.record(&action("o2", &["x1"])).unwrap();

    // The same change again (a retry, or received from sync) plus a new one.
    let mut second = action("o1", &["h1", "h3"]);
    second.changes[0].bytes = b"ignored: the hash is already stored".to_vec();
    second.index.status = hotline_core::workflow::Status::Dispatched;
    second.index.lead_unit = Some("unit-z".into());
    second.index.co_units = vec![];
    second.sealed_contacts = vec![("platform".into(), vec![9]), ("platform".into(), vec![10])];
    store.record(&second).unwrap();
    store.record(&second).unwrap();

    let o1 = OrderId::new("o1");
    let changes = store.changes_for(&o1).unwrap();
    assert_eq!(changes, vec![change("o1", "h1"), change("o1", "h3")]);
    assert_eq!(store.order_row(&o1).unwrap(), Some(second.index.clone()));
    assert_eq!(
        store.sealed_contacts(&o1).unwrap(),
        vec![
            ("platform".to_string(), vec![9]),
            ("platform".to_string(), vec![10])
        ]
    );
    assert_eq!(store.order_count().unwrap(), 2);
    assert_eq!(store.change_count().unwrap(), 3);

    // for_each_change streams every change in insertion order.
    let mut seen = Vec::new();
    store
        .for_each_change(|c| {
            seen.push((c.order.0, c.hash));
            Ok(())
        })
        .unwrap();
    assert_eq!(
        seen,
        vec![
            ("o1".to_string(), "h1".to_string()),
            ("o2".to_string(), "x1".to_string()),
            ("o1".to_string(), "h3".to_string())
        ]
    );
    // An error from the callback stops the walk and comes back unchanged.
    let mut calls = 0;
    let err = store
        .for_each_change(|_| {
            calls += 1;
            Err(StoreError::NotFound {
                what: "order",
                id: "stop".into(),
            })
        })
        .unwrap_err();
    assert_eq!(err.code().as_str(), "not_found");
    assert_eq!(calls, 1);
}

#[test]
fn a_mixed_up_record_is_refused_and_nothing_is_written() {
    let (_d, mut store) = new_store();
    let mut rec = action("o1", &["h1"]);
    rec.changes.push(change("o2", "h2"));
    assert_eq!(
        store.record(&rec).unwrap_err().code().as_str(),
        "store_invalid_input"
    );
    let mut rec = action("o1", &["h1"]);
    rec.index.order = OrderId::new("o2");
    assert_eq!(
        store.record(&rec).unwrap_err().code().as_str(),
        "store_invalid_input"
    );
    assert!(!store.has_change("h1").unwrap());
    assert_eq!(store.order_count().unwrap(), 0);
}

#[test]
fn a_record_that_fails_half_way_leaves_nothing_behind() {
    let (d, mut store) = new_store();
    store.record(&action("o1", &["h1", "h1"])).unwrap();
    assert_eq!(
        store.change_count().unwrap(),
        1,
        "a hash repeated inside one record is kept once"
    );

    // Make the last statement of `record` (the sealed copies) fail, from another connection, as
    // a full disk or a bug would.
    let other = rusqlite::Connection::open(d.path().join("store/hotline.db")).unwrap();
    other
        .execute_batch(
            "CREATE TRIGGER boom BEFORE INSERT ON sealed_contacts WHEN NEW.recipient = 'boom'
             BEGIN SELECT RAISE(ABORT, 'boom'); END;",
        )
        .unwrap();
    drop(other);

    let mut rec = action("o2", &["h2", "h3"]);
    rec.index.lead_unit = Some("unit-a".into());
    rec.sealed_contacts = vec![("platform".into(), vec![1]), ("boom".into(), vec![2])];
    let err = store.record(&rec).unwrap_err();
    assert_eq!(err.code().as_str(), "store_sqlite", "{err}");
    assert!(!store.has_change("h2").unwrap());
    assert!(!store.has_change("h3").unwrap());
    assert_eq!(store.order_row(&OrderId::new("o2")).unwrap(), None);
    assert!(
        store
            .sealed_contacts(&OrderId::new("o2"))
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .inbox(&hotline_core::store::InboxQuery {
                unit: Some("unit-a".into()),
                ..Default::default()
            })
            .unwrap()
            .is_empty()
    );

    // The store is still usable afterwards.
    rec.sealed_contacts.pop();
    store.record(&rec).unwrap();
    assert!(store.has_change("h3").unwrap());
}

#[test]
fn every_error_has_a_code_and_two_messages() {
    let errors = vec![
        StoreError::Io {
            path: "p".into(),
            message: "m".into(),
        },
        StoreError::Full { detail: "d".into() },
        StoreError::Busy { detail: "d".into() },
        StoreError::Corrupt { detail: "d".into() },
        StoreError::Foreign {
            path: "p".into(),
            application_id: 5,
        },
        StoreError::TooNew {
            path: "p".into(),
            found: 9,
            known: 2,
        },
        StoreError::Sqlite {
            message: "m".into(),
        },
        StoreError::InvalidInput { reason: "r".into() },
        StoreError::Conflict {
            what: "certificate",
            id: "c".into(),
        },
        StoreError::NotFound {
            what: "order",
            id: "o".into(),
        },
        StoreError::BlobMissing { sha256: "s".into() },
        StoreError::BlobHashMismatch {
            expected: "e".into(),
            actual: "a".into(),
        },
        StoreError::BadBlobHash { value: "v".into() },
    ];
    let mut codes = std::collections::BTreeSet::new();
    for e in &errors {
        let code = e.code();
        assert!(
            code.as_str()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{code}"
        );
        assert!(codes.insert(code), "duplicate code {code}");
        assert!(!e.message_zh().is_empty());
        assert_eq!(e.message_en(), e.to_string());
    }
    assert_eq!(codes.len(), errors.len());
}

#[test]
fn two_handles_on_one_store_write_side_by_side() {
    // E.g. the app and the `hotline` CLI on the same kiosk: WAL plus IMMEDIATE transactions and
    // the busy timeout make the writers take turns instead of failing.
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let path = dir.path().to_path_buf();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                for i in 0..50 {
                    let order = format!("w{w}-o{i}");
                    store
                        .record(&action(&order, &[&format!("{order}-h")]))
                        .unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.order_count().unwrap(), 100);
    assert_eq!(store.change_count().unwrap(), 100);
}
