//! Every forged, tampered, replayed, revoked, expired or out-of-bounds record is refused with
//! its typed reason — made here or arriving from another device — and tampering with what is
//! stored is found by `verify`.

use hotline_core::Coded;
use hotline_core::device::{
    Device, ImportOutcome, PhotoInput, PhotoSource, WireChange, verify_incoming,
};
use hotline_core::doc::{OrderDoc, actor_for_device, decode_change};
use hotline_core::identity::SignedEnvelope;
use hotline_core::key_files::FileKeyCustody;
use hotline_core::model::{Action, Event, EventId, GpsFix, OrderId, Role};
use hotline_core::store::StoredChange;
use hotline_testkit::*;

struct Scene {
    city: City,
    kiosk: Device,
    desk: Device,
    staff_a: Device,
    staff_b: Device,
    order: OrderId,
}

/// A complaint submitted at a kiosk, registered and dispatched to unit A; every device has it.
fn scene() -> Scene {
    let mut city = City::new("turpan");
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let mut staff_a = city.device("staff-a", Role::Staff, UNIT_A);
    let mut staff_b = city.device("staff-b", Role::Staff, UNIT_B);
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    for d in [&mut kiosk, &mut desk, &mut staff_a, &mut staff_b] {
        city.introduce(d);
    }
    let now = t("2026-03-02T09:00:00+08:00");
    let order = kiosk
        .submit(None, request("小区门口积水严重"), now)
        .unwrap()
        .order;
    copy_order(&kiosk, &mut desk, &order, now);
    register_and_dispatch(&mut desk, &order, UNIT_A, now);
    copy_order(&desk, &mut staff_a, &order, now);
    copy_order(&desk, &mut staff_b, &order, now);
    copy_order(&desk, &mut kiosk, &order, now);
    Scene {
        city,
        kiosk,
        desk,
        staff_a,
        staff_b,
        order,
    }
}

const LATER: &str = "2026-03-02T11:00:00+08:00";

/// A change written straight into a copy of the document and signed with `signer`'s key file,
/// as a modified app could: the workflow's own checks on that device are bypassed.
fn forged_change(s: &Scene, signer: &str, event_actor_of: &str, action: Action) -> StoredChange {
    let signer_dev = Device::open(&s.city.dir(signer)).unwrap();
    let identity = signer_dev.identity(None).unwrap();
    let claimed = Device::open(&s.city.dir(event_actor_of)).unwrap();
    let actor = claimed.identity(None).unwrap().actor();
    let stored = s.desk.export_changes(&s.order).unwrap();
    let changes = stored
        .iter()
        .map(|c| decode_change(&c.bytes, Some(&c.hash)).unwrap())
        .collect();
    let key = identity.certificate.body.device_key;
    let mut doc =
        OrderDoc::from_changes(&s.order, actor_for_device(key.as_bytes()), changes).unwrap();
    let event = Event {
        id: EventId::new("ev-forged"),
        actor,
        at: t(LATER),
        after: doc.event_heads().unwrap(),
        action,
    };
    let change = doc.append(&event, &[]).unwrap();
    let custody = FileKeyCustody::open(
        &s.city
            .dir(signer)
            .join("keys")
            .join(format!("{}.key", identity.certificate.body.id)),
    )
    .unwrap();
    let env =
        SignedEnvelope::sign(change.raw_bytes().to_vec(), &identity.certificate, &custody).unwrap();
    StoredChange {
        order: s.order.clone(),
        hash: change.hash().to_string(),
        event_id: "ev-forged".into(),
        cert_id: env.signer.0.clone(),
        signature: env.signature.to_tagged_bytes(),
        bytes: env.payload,
    }
}

fn import_code(dev: &mut Device, c: &StoredChange) -> String {
    dev.import_change(c, t(LATER))
        .unwrap_err()
        .code()
        .to_string()
}

#[test]
fn a_kiosk_may_not_dispatch_here_or_anywhere() {
    let mut s = scene();
    let err = s
        .kiosk
        .act(None, &s.order, dispatch(UNIT_B), t(LATER))
        .unwrap_err();
    assert_eq!(err.code().as_str(), "wrong_role");
    let forged = forged_change(&s, "kiosk-1", "kiosk-1", dispatch(UNIT_B));
    assert_eq!(import_code(&mut s.desk, &forged), "wrong_role");
    // Nothing of it was stored.
    assert!(!s.desk.store().has_change(&forged.hash).unwrap());
}

#[test]
fn staff_may_not_act_on_another_units_order() {
    let mut s = scene();
    let err = s
        .staff_b
        .act(None, &s.order, sign_for(), t(LATER))
        .unwrap_err();
    assert_eq!(err.code().as_str(), "wrong_unit");
    assert!(
        err.message_zh()
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    );
    let forged = forged_change(&s, "staff-b", "staff-b", sign_for());
    assert_eq!(import_code(&mut s.desk, &forged), "wrong_unit");
    // The right unit may.
    s.staff_a.act(None, &s.order, sign_for(), t(LATER)).unwrap();
}

#[test]
fn a_signature_from_one_person_cannot_carry_anothers_action() {
    let mut s = scene();
    // Signed by staff B, claiming to be staff A.
    let forged = forged_change(&s, "staff-b", "staff-a", sign_for());
    assert_eq!(import_code(&mut s.desk, &forged), "actor_mismatch");
}

#[test]
fn forged_and_tampered_changes_are_refused() {
    let mut s = scene();
    let good = forged_change(&s, "staff-a", "staff-a", sign_for());
    let mut bad_sig = good.clone();
    bad_sig.signature[10] ^= 0x01;
    assert_eq!(import_code(&mut s.desk, &bad_sig), "bad_signature");
    // Altered bytes under the original hash.
    let mut bad_bytes = good.clone();
    let n = bad_bytes.bytes.len();
    bad_bytes.bytes[n - 3] ^= 0x20;
    let code = import_code(&mut s.desk, &bad_bytes);
    assert!(
        code == "change_hash_mismatch" || code == "doc_bad_change",
        "{code}"
    );
    // Altered bytes with the hash recomputed: the signature no longer matches.
    let mut doc_bytes = good.clone();
    let reencoded = decode_change(&good.bytes, None).unwrap();
    doc_bytes.hash = reencoded.hash().to_string();
    doc_bytes.signature = bad_sig.signature.clone();
    assert_eq!(import_code(&mut s.desk, &doc_bytes), "bad_signature");
    // The genuine one is accepted once; replaying it changes nothing.
    assert_eq!(
        s.desk.import_change(&good, t(LATER)).unwrap(),
        ImportOutcome::Applied
    );
    assert_eq!(
        s.desk.import_change(&good, t(LATER)).unwrap(),
        ImportOutcome::AlreadyHad
    );
    let history = s.desk.show(&s.order).unwrap().state.history;
    assert_eq!(
        history
            .iter()
            .filter(|h| h.event.id.0 == "ev-forged")
            .count(),
        1
    );
}

#[test]
fn revoked_certificates_are_refused_here_and_on_arrival() {
    let mut s = scene();
    let staff_cert = s
        .staff_a
        .identity(None)
        .unwrap()
        .certificate
        .body
        .id
        .clone();
    let forged = forged_change(&s, "staff-a", "staff-a", sign_for());
    let list = s
        .city
        .authority
        .revoke(&[staff_cert], t("2026-03-02T10:00:00+08:00"))
        .unwrap();
    s.desk.set_revocations(list.clone()).unwrap();
    assert_eq!(import_code(&mut s.desk, &forged), "certificate_revoked");
    s.staff_a.set_revocations(list).unwrap();
    let err = s
        .staff_a
        .act(None, &s.order, sign_for(), t(LATER))
        .unwrap_err();
    assert_eq!(err.code().as_str(), "certificate_revoked");
    // The revocation survives a restart.
    let reopened = Device::open(&s.city.dir("staff-a")).unwrap();
    drop(reopened);
    let mut again = Device::open(&s.city.dir("staff-a")).unwrap();
    assert_eq!(
        again
            .act(None, &s.order, sign_for(), t(LATER))
            .unwrap_err()
            .code()
            .as_str(),
        "certificate_revoked"
    );
}

#[test]
fn expired_certificates_are_refused() {
    let mut s = scene();
    // A supervisor enrolled for January only.
    let cred = s.city.credential_valid(
        Role::Supervisor,
        "center",
        "sup-jan",
        t("2026-01-01T00:00:00+08:00"),
        31,
    );
    let dir = s.city.dir("sup-jan");
    let mut sup = Device::init(&dir, &cred, t("2026-01-10T09:00:00+08:00")).unwrap();
    copy_order(&s.desk, &mut sup, &s.order, t("2026-01-10T09:00:00+08:00"));
    let supervise = Action::Supervise {
        trigger: hotline_core::model::SupervisionTrigger::HotIssue,
        form: hotline_core::model::SupervisionForm::Daily,
        note: "集中反映".into(),
    };
    let err = sup
        .act(None, &s.order, supervise.clone(), t(LATER))
        .unwrap_err();
    assert_eq!(err.code().as_str(), "certificate_expired");
    s.city.introduce(&mut s.desk);
    let forged = forged_change(&s, "sup-jan", "sup-jan", supervise);
    assert_eq!(import_code(&mut s.desk, &forged), "certificate_expired");
}

#[test]
fn a_change_may_not_rewrite_history() {
    let mut s = scene();
    // Rebuild the desk's document and overwrite the submission event in place.
    let stored = s.desk.export_changes(&s.order).unwrap();
    let changes: Vec<_> = stored
        .iter()
        .map(|c| decode_change(&c.bytes, Some(&c.hash)).unwrap())
        .collect();
    let mut raw = automerge::Automerge::new();
    raw.apply_changes(changes).unwrap();
    use automerge::ReadDoc;
    use automerge::transaction::Transactable;
    let (_, events) = raw.get(automerge::ROOT, "events").unwrap().unwrap();
    let first = raw.keys(&events).next().unwrap();
    let mut tx = raw.transaction();
    tx.put(&events, first.as_str(), "{}").unwrap();
    let (hash, _) = tx.commit();
    let change = raw.get_change_by_hash(&hash.unwrap()).unwrap();
    let identity = s.desk.identity(None).unwrap();
    let custody = FileKeyCustody::open(
        &s.city
            .dir("desk")
            .join("keys")
            .join(format!("{}.key", identity.certificate.body.id)),
    )
    .unwrap();
    let env =
        SignedEnvelope::sign(change.raw_bytes().to_vec(), &identity.certificate, &custody).unwrap();
    let c = StoredChange {
        order: s.order.clone(),
        hash: change.hash().to_string(),
        event_id: first.clone(),
        cert_id: env.signer.0,
        signature: env.signature.to_tagged_bytes(),
        bytes: env.payload,
    };
    assert_eq!(import_code(&mut s.staff_a, &c), "change_rewrites_history");
}

fn sql(dir: &std::path::Path, stmt: &str) {
    let conn = rusqlite::Connection::open(dir.join("hotline.db")).unwrap();
    conn.execute_batch(stmt).unwrap();
}

fn problem_codes(dev: &Device) -> Vec<String> {
    dev.verify()
        .unwrap()
        .problems
        .into_iter()
        .map(|p| p.code)
        .collect()
}

#[test]
fn verify_finds_a_tampered_change_signature_blob_and_certificate() {
    let mut s = scene();
    s.staff_a.act(None, &s.order, sign_for(), t(LATER)).unwrap();
    let v = s
        .staff_a
        .add_evidence(
            None,
            &s.order,
            vec![PhotoInput {
                source: PhotoSource::Bytes(b"\xff\xd8\xff\xe0 original site photo".to_vec()),
                media_type: "image/jpeg".into(),
                captured_at: Some(t("2026-03-02T10:30:00+08:00")),
                gps: Some(GpsFix::manual(35.7, 115.0)),
            }],
            Some(GpsFix::manual(35.7, 115.0)),
            "现场照片".into(),
            t(LATER),
        )
        .unwrap();
    assert!(s.staff_a.verify().unwrap().ok());
    let dir = s.city.dir("staff-a");
    let sha = v.state.site_evidence[0].content.photos[0].sha256.clone();
    let blob = s.staff_a.store().blob_path(&sha).unwrap();
    drop(s.staff_a);

    // Swap the photo for another one.
    std::fs::write(&blob, b"a different photo!!").unwrap();
    let dev = Device::open(&dir).unwrap();
    assert_eq!(problem_codes(&dev), vec!["blob_hash_mismatch"]);
    drop(dev);

    // Flip a signature bit.
    sql(
        &dir,
        "UPDATE changes SET signature = zeroblob(64) WHERE seq = (SELECT max(seq) FROM changes)",
    );
    let dev = Device::open(&dir).unwrap();
    let codes = problem_codes(&dev);
    assert!(codes.contains(&"bad_signature".to_string()), "{codes:?}");
    // Loading that order now fails with the reason instead of showing forged state.
    assert_eq!(
        dev.show(&s.order).unwrap_err().code().as_str(),
        "bad_signature"
    );
    drop(dev);

    // Alter a change's bytes.
    sql(
        &dir,
        "UPDATE changes SET bytes = CAST(bytes || x'00' AS BLOB) WHERE seq = 1",
    );
    let dev = Device::open(&dir).unwrap();
    let codes = problem_codes(&dev);
    assert!(
        codes
            .iter()
            .any(|c| c == "change_hash_mismatch" || c == "doc_bad_change"),
        "{codes:?}"
    );
    drop(dev);

    // Promote the kiosk's certificate to dispatcher in the stored copy.
    let conn = rusqlite::Connection::open(dir.join("hotline.db")).unwrap();
    let rows: Vec<(String, Vec<u8>)> = conn
        .prepare("SELECT id, body FROM certificates")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let (id, body) = rows
        .iter()
        .find(|(_, b)| String::from_utf8_lossy(b).contains("\"kiosk\""))
        .unwrap();
    let promoted = String::from_utf8_lossy(body).replace("\"kiosk\"", "\"dispatcher\"");
    conn.execute(
        "UPDATE certificates SET body = ?1 WHERE id = ?2",
        rusqlite::params![promoted.as_bytes(), id],
    )
    .unwrap();
    drop(conn);
    let dev = Device::open(&dir).unwrap();
    let codes = problem_codes(&dev);
    assert!(
        codes.contains(&"certificate_bad_signature".to_string()),
        "{codes:?}"
    );
}

#[test]
fn bad_input_gets_a_typed_error_and_writes_nothing() {
    let mut s = scene();
    let before = s.kiosk.store().change_count().unwrap();
    let mut r = request("  ");
    assert_eq!(
        s.kiosk
            .submit(None, r.clone(), t(LATER))
            .unwrap_err()
            .code()
            .as_str(),
        "bad_input"
    );
    r.text = "有效内容".into();
    r.location.gps = Some(GpsFix::manual(135.0, 15.0));
    assert_eq!(
        s.kiosk
            .submit(None, r.clone(), t(LATER))
            .unwrap_err()
            .code()
            .as_str(),
        "bad_input"
    );
    r.location.gps = None;
    r.location.division_code = Some("41A9".into());
    assert_eq!(
        s.kiosk
            .submit(None, r, t(LATER))
            .unwrap_err()
            .code()
            .as_str(),
        "bad_input"
    );
    assert_eq!(
        s.kiosk.status("ABCD").unwrap_err().code().as_str(),
        "receipt_bad_length"
    );
    assert_eq!(
        s.kiosk
            .show(&OrderId::new("wo-nope"))
            .unwrap_err()
            .code()
            .as_str(),
        "unknown_order"
    );
    assert_eq!(s.kiosk.store().change_count().unwrap(), before);
}

/// A long push is verified on several cores: each change still gets its own verdict, in its
/// place — a bad signature or altered bytes anywhere in it refuse exactly that change.
#[test]
fn a_long_push_is_judged_change_by_change_whatever_the_cores() {
    let mut city = City::turpan();
    let mut kiosk = city.device("kiosk-9", Role::Kiosk, "center");
    let mut wires: Vec<WireChange> = (0..150)
        .map(|i| {
            let order = kiosk
                .submit(
                    None,
                    request(&format!("第{i}号路灯不亮")),
                    t("2026-03-02T09:00:00+08:00"),
                )
                .unwrap()
                .order;
            WireChange::from(&kiosk.export_changes(&order).unwrap()[0])
        })
        .collect();
    wires[5].bytes[20] ^= 0x01;
    wires[120].signature[3] ^= 0x01;
    let hub = city.hub_store(&city.dir("hub-verify"));
    let verdicts = verify_incoming(hub.device().trust(), &wires);
    assert_eq!(verdicts.len(), wires.len());
    for (i, v) in verdicts.iter().enumerate() {
        match i {
            5 | 120 => assert!(v.is_err(), "change {i} was accepted"),
            _ => {
                let expected = decode_change(&wires[i].bytes, None)
                    .unwrap()
                    .hash()
                    .to_string();
                assert_eq!(
                    v.as_ref().unwrap().hash(),
                    expected,
                    "verdict {i} out of place"
                );
            }
        }
    }
    assert_eq!(
        verdicts[120].as_ref().unwrap_err().code().as_str(),
        "bad_signature"
    );
}
