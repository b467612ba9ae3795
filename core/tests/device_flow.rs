//! A work order made on a kiosk, dispatched at the center, handled by a township phone —
//! every change signed, moved between devices and verified on arrival.

use hotline_core::Coded;
use hotline_core::device::{ImportOutcome, PhotoInput, PhotoSource};
use hotline_core::model::{Action, GpsFix, Role};
use hotline_core::store::InboxQuery;
use hotline_testkit::*;

#[test]
fn kiosk_to_center_to_township_with_sealed_contact() {
    let mut city = City::new("turpan");
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let mut desk = city.device("dispatcher-1", Role::Dispatcher, "center");
    let mut phone = city.device("staff-a", Role::Staff, UNIT_A);
    for d in [&mut kiosk, &mut desk, &mut phone] {
        city.introduce(d);
    }

    let mut req = request("古城路夜间施工噪音扰民已持续两周");
    req.photos.push(PhotoInput {
        source: PhotoSource::Bytes(b"\xff\xd8\xff\xe0 jpeg bytes of the site".to_vec()),
        media_type: "image/jpeg".into(),
        captured_at: Some(t("2026-03-02T08:55:00+08:00")),
        gps: Some(GpsFix::manual(35.76, 115.03)),
    });
    let now = t("2026-03-02T09:00:00+08:00");
    let sub = kiosk.submit(None, req, now).unwrap();

    // The citizen's lookup shows status and the next deadline, nothing personal.
    let st = kiosk.status(&sub.receipt.to_lowercase()).unwrap();
    assert_eq!(st.status, hotline_core::workflow::Status::Submitted);
    let shown = serde_json::to_string(&st).unwrap();
    assert!(
        !shown.contains("王秀英") && !shown.contains("13912345678") && !shown.contains("古城路")
    );
    // The kiosk cannot read back what the citizen typed.
    assert_eq!(
        kiosk
            .contact(None, &sub.order, "回访 callback", chrono::Utc::now())
            .unwrap_err()
            .code()
            .as_str(),
        "contact_not_visible"
    );

    // Center: the order arrives, verified; register and dispatch to unit A.
    copy_order(&kiosk, &mut desk, &sub.order, now);
    assert_eq!(
        desk.contact(None, &sub.order, "回访 callback", chrono::Utc::now())
            .unwrap()
            .phone
            .as_deref(),
        Some("13912345678")
    );
    let t1 = t("2026-03-02T10:00:00+08:00");
    desk.act(
        None,
        &sub.order,
        Action::Register {
            note: String::new(),
        },
        t1,
    )
    .unwrap();
    let v = desk.act(None, &sub.order, dispatch(UNIT_A), t1).unwrap();
    assert_eq!(v.state.status.as_str(), "dispatched");

    // Township phone: inbox shows it with the Turpan 12 h sign-for deadline first.
    copy_order(&desk, &mut phone, &sub.order, t1);
    let inbox = phone
        .inbox(&InboxQuery {
            unit: Some(UNIT_A.into()),
            ..InboxQuery::default()
        })
        .unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(
        inbox[0].next_due_kind,
        Some(hotline_core::workflow::DeadlineKind::SignFor)
    );
    assert_eq!(
        inbox[0].next_due,
        Some(t("2026-03-02T22:00:00+08:00").timestamp_millis())
    );
    // The lead unit got its own sealed copy of the contact on dispatch.
    assert_eq!(
        phone
            .contact(None, &sub.order, "回访 callback", chrono::Utc::now())
            .unwrap()
            .name
            .as_deref(),
        Some("王秀英")
    );
    let v = phone
        .act(None, &sub.order, sign_for(), t("2026-03-02T11:00:00+08:00"))
        .unwrap();
    assert_eq!(v.state.status.as_str(), "in_handling");

    // Site evidence: hash, size, GPS and device are inside the signed change.
    let v = phone
        .add_evidence(
            None,
            &sub.order,
            vec![PhotoInput {
                source: PhotoSource::Bytes([&b"\xff\xd8\xff"[..], &[7u8; 299_997]].concat()),
                media_type: "image/jpeg".into(),
                captured_at: Some(t("2026-03-03T15:00:00+08:00")),
                gps: Some(GpsFix::manual(35.7601, 115.0302)),
            }],
            Some(GpsFix::manual(35.7601, 115.0302)),
            "现场核实：施工单位已停止夜间作业".into(),
            t("2026-03-03T15:05:00+08:00"),
        )
        .unwrap();
    let photo = &v.state.site_evidence[0].content.photos[0];
    assert_eq!(photo.size, 300_000);
    // Named by the city's digest: SHA-256, or `sm3:` and SM3 in a city of the national suite.
    let name = hotline_core::identity::ContentName::parse(&photo.sha256).unwrap();
    assert_eq!(
        name.digest,
        hotline_core::identity::ContentDigest::of_suite(hotline_testkit::test_suite())
    );
    assert!(photo.device.is_some());

    // Back at the center: everything the phone did arrives and verifies; a replay is a no-op.
    let changes = phone.export_changes(&sub.order).unwrap();
    for c in &changes {
        desk.import_change(c, t("2026-03-03T16:00:00+08:00"))
            .unwrap();
    }
    assert_eq!(
        desk.import_change(&changes[0], t("2026-03-03T16:00:00+08:00"))
            .unwrap(),
        ImportOutcome::AlreadyHad
    );
    let on_desk = desk.show(&sub.order).unwrap();
    let on_phone = phone.show(&sub.order).unwrap();
    assert_eq!(on_desk.state, on_phone.state);
    assert!(desk.verify().unwrap().ok());
    assert!(phone.verify().unwrap().ok());
}

#[test]
fn confidential_orders_give_the_unit_no_contact() {
    let mut city = City::new("turpan");
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let mut desk = city.device("dispatcher-1", Role::Dispatcher, "center");
    let mut phone = city.device("staff-a", Role::Staff, UNIT_A);
    for d in [&mut kiosk, &mut desk, &mut phone] {
        city.introduce(d);
    }
    let mut req = request("举报某企业偷排污水");
    req.kind = hotline_core::model::RequestKind::Report;
    req.confidential = true;
    let now = t("2026-03-02T09:00:00+08:00");
    let sub = kiosk.submit(None, req, now).unwrap();
    copy_order(&kiosk, &mut desk, &sub.order, now);
    register_and_dispatch(&mut desk, &sub.order, UNIT_A, now);
    copy_order(&desk, &mut phone, &sub.order, now);
    assert_eq!(
        phone
            .contact(None, &sub.order, "回访 callback", chrono::Utc::now())
            .unwrap_err()
            .code()
            .as_str(),
        "contact_not_visible"
    );
    // The center still can.
    assert!(
        desk.contact(None, &sub.order, "回访 callback", chrono::Utc::now())
            .is_ok()
    );
}

#[test]
fn one_shared_phone_with_two_people() {
    let mut city = City::new("puyang");
    let staff = city.credential(Role::Staff, UNIT_A, "li");
    let head = city.credential(Role::UnitHead, UNIT_A, "zhao");
    let desk_cred = city.credential(Role::Dispatcher, "center", "desk");
    let now = t("2026-03-02T09:00:00+08:00");
    let dir = city.dir("shared");
    hotline_core::device::Device::init(&dir, &staff, now).unwrap();
    hotline_core::device::Device::init(&dir, &head, now).unwrap();
    let mut d = hotline_core::device::Device::init(&dir, &desk_cred, now).unwrap();
    assert_eq!(d.identities().len(), 3);
    let sub = d.submit(Some("desk"), request("路灯不亮"), now);
    // A dispatcher may not submit: intake or kiosk do.
    assert_eq!(sub.unwrap_err().code().as_str(), "wrong_role");
    // Without saying who acts, a shared device refuses.
    assert_eq!(
        d.submit(None, request("路灯不亮"), now)
            .unwrap_err()
            .code()
            .as_str(),
        "device_which_identity"
    );
}
