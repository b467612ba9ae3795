//! The sync protocol over an in-memory link: a kiosk, the center desk and a township phone
//! exchange records through the hub, each receiving only what its holder may see.

use hotline_core::model::Role;
use hotline_testkit::link::MemoryHub;
use hotline_testkit::*;

#[test]
fn records_flow_through_the_hub_to_who_may_see_them() {
    let mut city = City::new("turpan");
    let mut kiosk = city.device("kiosk", Role::Kiosk, "center");
    let mut phone_a = city.device("staff-a", Role::Staff, UNIT_A);
    let mut phone_b = city.device("staff-b", Role::Staff, UNIT_B);
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    let mut hub = MemoryHub::new(&city, "hub-store");
    let now = t("2026-03-02T09:00:00+08:00");

    let sub = kiosk.submit(None, request("路灯不亮"), now).unwrap();
    hub.sync(&mut kiosk, now);
    assert!(hub.hub.device().show(&sub.order).is_ok());

    hub.sync(&mut desk, now);
    register_and_dispatch(&mut desk, &sub.order, UNIT_A, now);
    hub.sync(&mut desk, now);

    hub.sync(&mut phone_a, now);
    hub.sync(&mut phone_b, now);
    assert!(phone_a.show(&sub.order).is_ok(), "unit A leads the order");
    assert!(
        phone_b.show(&sub.order).is_err(),
        "unit B has no business with it"
    );
    // Unit A's copy of the contact reached the phone sealed to unit A.
    assert_eq!(
        phone_a
            .contact(None, &sub.order, "回访 callback", chrono::Utc::now())
            .unwrap()
            .phone
            .as_deref(),
        Some("13912345678")
    );

    let later = t("2026-03-02T10:00:00+08:00");
    phone_a.act(None, &sub.order, sign_for(), later).unwrap();
    hub.sync(&mut phone_a, later);
    hub.sync(&mut desk, later);
    hub.sync(&mut kiosk, later);
    let state = hub.hub.device().show(&sub.order).unwrap().state;
    assert_eq!(state.status.as_str(), "in_handling");
    assert_eq!(desk.show(&sub.order).unwrap().state, state);
    // A kiosk is a public device: it receives nothing back, not even its own orders' progress.
    assert_eq!(
        kiosk.status(&sub.receipt).unwrap().status,
        hotline_core::workflow::Status::Submitted
    );
    assert_eq!(kiosk.store().change_count().unwrap(), 1);

    // An idle reconnect costs a few dozen bytes, however much is stored.
    let (up, down) = hub.sync(&mut desk, later);
    assert!(up + down < 300, "idle round cost {up} + {down} bytes");
}

/// A desk that took more requests than one answer sends whole (256) reconnects idle for a
/// few dozen bytes: the hub counts a device's own orders as held whole, rather than sending
/// them back whole in answers that never move its cursor — and so never count as received.
#[test]
fn an_idle_reconnect_after_a_large_push_costs_a_few_dozen_bytes() {
    let mut city = City::new("turpan");
    let mut desk = city.device("desk", Role::Intake, "center");
    let mut hub = MemoryHub::new(&city, "hub-store");
    let now = t("2026-03-02T09:00:00+08:00");
    for i in 0..300 {
        desk.submit(None, request(&format!("第{i}件：路灯不亮")), now)
            .unwrap();
    }
    hub.sync(&mut desk, now);
    for _ in 0..2 {
        let (up, down) = hub.sync(&mut desk, now);
        assert!(up + down < 300, "idle round cost {up} + {down} bytes");
    }
}

#[test]
fn a_kiosk_takes_nothing_from_a_bundle_but_the_revocation_list_and_the_catalogue() {
    let mut city = City::new("turpan");
    let mut kiosk = city.device("kiosk", Role::Kiosk, "center");
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    let mut kiosk2 = city.device("kiosk-2", Role::Kiosk, "center");
    // Issued after the kiosk was enrolled: it has version 1, the desk gets version 2.
    city.issue_test_catalogue();
    city.introduce(&mut desk);
    let now = t("2026-03-02T09:00:00+08:00");
    let mut other = request("楼道灯坏了");
    other.contact = None;
    // The desk holds another kiosk's order.
    let sub = kiosk2.submit(None, other, now).unwrap();
    copy_order(&kiosk2, &mut desk, &sub.order, now);
    let file = city.dir("to-kiosk.hlb");
    let kiosk_node = kiosk.node_id().unwrap();
    hotline_core::sync::bundle::export(&desk, &kiosk_node, &file, now).unwrap();
    let before = kiosk.store().change_count().unwrap();
    let certs_before = kiosk.trust().certificates().count();
    let report = hotline_core::sync::bundle::import(&mut kiosk, &file, now).unwrap();
    assert_eq!(report.applied, 0);
    assert_eq!(kiosk.store().change_count().unwrap(), before);
    assert!(kiosk.show(&sub.order).is_err());
    // Nor who works where: the desk's bundle carries the city's certificates, the kiosk keeps
    // none of them.
    assert!(desk.trust().certificates().count() > certs_before);
    assert_eq!(kiosk.trust().certificates().count(), certs_before);
    // The city's categories it does take: a kiosk's intake forms come from them.
    assert_eq!(kiosk.catalogues().latest_version(), 2);
}

/// A village phone that only ever gets the township's USB bundles receives a newer catalogue
/// with them, before the changes that may name it; one from another city is refused.
#[test]
fn a_bundle_carries_the_newest_catalogue() {
    let mut city = City::new("turpan");
    let mut village = city.device("village", Role::Staff, "unit-shengli");
    let mut township = city.device("township", Role::Staff, "unit-gucheng");
    assert_eq!(village.catalogues().latest_version(), 1);
    city.issue_test_catalogue();
    city.introduce(&mut township);
    let now = t("2026-03-02T09:00:00+08:00");
    let file = city.dir("to-village.hlb");
    let node = village.node_id().unwrap();
    hotline_core::sync::bundle::export(&township, &node, &file, now).unwrap();
    hotline_core::sync::bundle::import(&mut village, &file, now).unwrap();
    assert_eq!(village.catalogues().latest_version(), 2);
    assert!(
        village
            .catalogue()
            .unwrap()
            .catalogue
            .category("0901")
            .is_some()
    );
    // A bundle from a device of another city: its catalogue does not verify here.
    let mut elsewhere = City::new("turpan");
    let foreign = elsewhere.device("foreign", Role::Staff, "unit-gucheng");
    let mut fresh = city.device("fresh", Role::Staff, "unit-gucheng");
    let file = city.dir("foreign.hlb");
    hotline_core::sync::bundle::export(&foreign, &fresh.node_id().unwrap(), &file, now).unwrap();
    let e = hotline_core::sync::bundle::import(&mut fresh, &file, now).unwrap_err();
    assert_eq!(
        hotline_core::Coded::code(&e),
        hotline_core::error::ErrorCode::CatalogueBadSignature
    );
    assert_eq!(fresh.catalogues().latest_version(), 2);
}
