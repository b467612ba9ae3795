//! What keeps a store from growing without bound: photos no record references and unfinished
//! uploads are collected after the grace period, and the refusal log keeps its newest rows.

use std::time::{Duration, SystemTime};

use hotline_core::device::{PhotoInput, PhotoSource};
use hotline_core::model::Role;
use hotline_core::store::{GARBAGE_GRACE, MAX_REFUSAL_ROWS, PARTIAL_DIR, RefusalRecord, Store};
use hotline_testkit::*;

#[test]
fn photos_no_record_references_go_after_the_grace_period() {
    let mut city = City::new("turpan");
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let mut req = request("井盖缺失");
    req.photos = vec![PhotoInput {
        source: PhotoSource::Bytes(jpeg(b"the manhole")),
        media_type: "image/jpeg".into(),
        captured_at: None,
        gps: None,
    }];
    let order = kiosk
        .submit(None, req, t("2026-03-02T09:00:00+08:00"))
        .unwrap()
        .order;
    let kept = kiosk.store().blobs_of_order(&order).unwrap()[0].clone();
    // A photo stored for a record that was never written (the action was refused).
    let stray = kiosk
        .store()
        .put_blob(
            &mut &jpeg(b"never attached")[..],
            "image/jpeg",
            hotline_core::identity::ContentDigest::Sha256,
        )
        .unwrap()
        .sha256;
    // An upload that stopped half-way.
    let partial = kiosk.store().dir().join(PARTIAL_DIR);
    std::fs::create_dir_all(&partial).unwrap();
    std::fs::write(partial.join(format!("{}.part", "a".repeat(64))), b"half").unwrap();

    // Within the grace period nothing goes: the stray photo may be about to be attached.
    let r = kiosk
        .store()
        .collect_garbage(SystemTime::now(), GARBAGE_GRACE)
        .unwrap();
    assert_eq!((r.blobs_removed, r.partial_uploads_removed), (0, 0));
    assert!(kiosk.store().has_blob(&stray).unwrap());

    // A day later, both are gone; the referenced photo stays.
    let later = SystemTime::now() + GARBAGE_GRACE + Duration::from_secs(60);
    let r = kiosk.store().collect_garbage(later, GARBAGE_GRACE).unwrap();
    assert_eq!((r.blobs_removed, r.partial_uploads_removed), (1, 1));
    assert!(!kiosk.store().has_blob(&stray).unwrap());
    assert!(kiosk.store().has_blob(&kept).unwrap());
    assert!(kiosk.verify().unwrap().ok());
}

#[test]
fn the_refusal_log_keeps_its_newest_rows() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let row = |i: i64| RefusalRecord {
        at: i,
        peer: Some("garbage-sender".into()),
        order: None,
        hash: None,
        code: "doc_bad_change".into(),
        message_zh: "变更数据无效".into(),
        message_en: "bad change".into(),
    };
    let rows: Vec<RefusalRecord> = (0..MAX_REFUSAL_ROWS + 500).map(row).collect();
    store.log_refusals(&rows).unwrap();
    store.log_refusal(&row(-1)).unwrap();
    let all = store.refusals(u32::MAX).unwrap();
    assert_eq!(all.len() as i64, MAX_REFUSAL_ROWS);
    // The newest first, the oldest gone.
    assert_eq!(all[0].at, -1);
    assert!(all.iter().all(|r| r.at == -1 || r.at > 500));
}
