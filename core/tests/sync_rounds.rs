//! The sync protocol over an in-memory link: a kiosk, the center desk and a township phone
//! exchange records through the hub, each receiving only what its holder may see.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod device_support;

use chrono::{DateTime, Utc};
use device_support::*;
use hotline_core::device::Device;
use hotline_core::model::{Action, Role};
use hotline_core::sync::wire::{self, SignedRequest};
use hotline_core::sync::{Directory, SyncClient, serve};

struct Hub {
    device: Device,
    dir: Directory,
}

fn hub(city: &City) -> Hub {
    let a = &city.authority;
    let mut device = Device::init_hub(
        &city.dir("hub-store"),
        a.root_public(),
        a.platform_public(),
        &a.policy().unwrap(),
    )
    .unwrap();
    for c in a.issued() {
        device.add_certificate(c.clone()).unwrap();
    }
    Hub {
        device,
        dir: Directory {
            certificates: a.issued().to_vec(),
            revocations: a.revocations().cloned(),
            units: a.unit_directory(),
        },
    }
}

/// Runs a whole sync, returning the bytes sent each way.
fn sync(dev: &mut Device, hub: &mut Hub, now: DateTime<Utc>) -> (usize, usize) {
    let mut client = SyncClient::new(dev, "hub", None).unwrap();
    let (mut up, mut down) = (0, 0);
    for _ in 0..50 {
        let req = client.request(dev, now).unwrap();
        let bytes = wire::encode(&req).unwrap();
        up += bytes.len();
        let req: SignedRequest = wire::decode(&bytes).unwrap();
        let (resp, _) = serve(&mut hub.device, &hub.dir, &req, now).unwrap();
        let bytes = wire::encode(&resp).unwrap();
        down += bytes.len();
        if client
            .response(dev, wire::decode(&bytes).unwrap(), now)
            .unwrap()
        {
            return (up, down);
        }
    }
    panic!("sync did not finish");
}

#[test]
fn records_flow_through_the_hub_to_who_may_see_them() {
    let mut city = City::new("turpan");
    let mut kiosk = city.device("kiosk", Role::Kiosk, "center");
    let mut phone_a = city.device("staff-a", Role::Staff, UNIT_A);
    let mut phone_b = city.device("staff-b", Role::Staff, UNIT_B);
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    let mut hub = hub(&city);
    let now = t("2026-03-02T09:00:00+08:00");

    let sub = kiosk.submit(None, request("路灯不亮"), now).unwrap();
    sync(&mut kiosk, &mut hub, now);
    assert!(hub.device.show(&sub.order).is_ok());

    sync(&mut desk, &mut hub, now);
    desk.act(
        None,
        &sub.order,
        Action::Register {
            note: String::new(),
        },
        now,
    )
    .unwrap();
    desk.act(None, &sub.order, dispatch(UNIT_A), now).unwrap();
    sync(&mut desk, &mut hub, now);

    sync(&mut phone_a, &mut hub, now);
    sync(&mut phone_b, &mut hub, now);
    assert!(phone_a.show(&sub.order).is_ok(), "unit A leads the order");
    assert!(
        phone_b.show(&sub.order).is_err(),
        "unit B has no business with it"
    );
    // Unit A's copy of the contact reached the phone sealed to unit A.
    assert_eq!(
        phone_a.contact(None, &sub.order).unwrap().phone.as_deref(),
        Some("13912345678")
    );

    let later = t("2026-03-02T10:00:00+08:00");
    phone_a.act(None, &sub.order, sign_for(), later).unwrap();
    sync(&mut phone_a, &mut hub, later);
    sync(&mut desk, &mut hub, later);
    sync(&mut kiosk, &mut hub, later);
    let state = hub.device.show(&sub.order).unwrap().state;
    assert_eq!(state.status.as_str(), "in_handling");
    assert_eq!(desk.show(&sub.order).unwrap().state, state);
    // A kiosk is a public device: it receives nothing back, not even its own orders' progress.
    assert_eq!(
        kiosk.status(&sub.receipt).unwrap().status,
        hotline_core::workflow::Status::Submitted
    );
    assert_eq!(kiosk.store().change_count().unwrap(), 1);

    // An idle reconnect costs a few dozen bytes, however much is stored.
    let (up, down) = sync(&mut desk, &mut hub, later);
    assert!(up + down < 300, "idle round cost {up} + {down} bytes");
}

#[test]
fn a_kiosk_takes_nothing_from_a_bundle_but_the_revocation_list() {
    let mut city = City::new("turpan");
    let mut kiosk = city.device("kiosk", Role::Kiosk, "center");
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    let mut kiosk2 = city.device("kiosk-2", Role::Kiosk, "center");
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
}
