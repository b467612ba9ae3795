//! A round whose answer never reaches the device (a timeout after the hub did its work, a
//! connection cut mid-answer) must cost a retry, never a record.
//!
//! When an order becomes newly visible to a device (say, just dispatched to its unit), the
//! hub sends its whole history; it counts the order as held by the device only once a later
//! request shows the device's cursor has passed that answer. If the answer is lost, the retry
//! from the same cursor gets the whole history again.

use hotline_core::model::Role;
use hotline_core::sync::{SyncClient, wire};
use hotline_testkit::hub::*;
use hotline_testkit::*;

#[tokio::test]
async fn a_lost_answer_does_not_lose_a_newly_visible_order() {
    let mut city = City::turpan();
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    let mut staff_a = city.device("staff-a", Role::Staff, UNIT_A);
    let hub = city.hub().await;
    let order = kiosk
        .submit(None, request("路面塌陷"), t(MORNING))
        .unwrap()
        .order;
    sync(&hub, &mut kiosk).await;
    // Unit A's phone is level with the hub before the order is dispatched to it.
    sync(&hub, &mut staff_a).await;
    sync(&hub, &mut desk).await;
    register_and_dispatch(&mut desk, &order, UNIT_A, t(MORNING));
    sync(&hub, &mut desk).await;

    // The phone's round reaches the hub; its answer is lost on the way back.
    let mut client = SyncClient::new(&staff_a, hub.node_id(), None).unwrap();
    client.set_challenge(challenge(&hub).await);
    let req = client.request(&staff_a, t(LATER)).unwrap();
    post_raw(&hub, "/v1/sync", wire::encode(&req).unwrap())
        .await
        .unwrap();

    let r = sync(&hub, &mut staff_a).await;
    assert_eq!(r.progress.refused_here, 0);
    assert!(
        staff_a.show(&order).is_ok(),
        "unit A never received its order"
    );
}

#[tokio::test]
async fn an_order_held_by_what_a_later_round_pushes_still_comes_whole() {
    // Found by the convergence property: a phone's return request reached the hub relayed by
    // the desk, which approved it (the order left the phone's unit). The phone's own sync then
    // pushed that request in a round whose cursor was already past every change of the order;
    // the hub counted the order as held but the log scan never met it again, so the approval
    // never reached the phone.
    let mut city = City::turpan();
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    let mut staff_a = city.device("staff-a", Role::Staff, UNIT_A);
    let hub = city.hub().await;
    let order = kiosk
        .submit(None, request("占道经营"), t(MORNING))
        .unwrap()
        .order;
    sync(&hub, &mut kiosk).await;
    sync(&hub, &mut desk).await;
    register_and_dispatch(&mut desk, &order, UNIT_A, t(MORNING));
    // Handed over by USB stick both ways, never through the hub.
    copy_order(&desk, &mut staff_a, &order, t(MORNING));
    staff_a
        .act(
            None,
            &order,
            hotline_core::model::Action::RequestReturn(hotline_core::model::ReturnRequest {
                reason: "不属本单位职责".into(),
                basis: "三定方案".into(),
                leader_opinion: "同意退回".into(),
                suggestion: "转住建局".into(),
                phone: "0995-1234567".into(),
                called_center: true,
            }),
            t(MORNING),
        )
        .unwrap();
    copy_order(&staff_a, &mut desk, &order, t(MORNING));
    desk.act(
        None,
        &order,
        hotline_core::model::Action::DecideReturn {
            add_co_units: Vec::new(),
            approve: true,
            note: String::new(),
            amend_catalogue: None,
        },
        t(MORNING),
    )
    .unwrap();
    sync(&hub, &mut desk).await;
    let approval = desk
        .export_changes(&order)
        .unwrap()
        .last()
        .unwrap()
        .hash
        .clone();

    // The phone's round: its cursor past the whole log, pushing its own request (which the hub
    // already has from the desk).
    let mine = staff_a
        .export_changes(&order)
        .unwrap()
        .into_iter()
        .map(|c| hotline_core::device::WireChange::from(&c))
        .filter(|c| c.cert == cert_id(&staff_a))
        .collect::<Vec<_>>();
    assert_eq!(mine.len(), 1);
    let packed = hotline_core::sync::wire::Packed {
        order: order.0.clone(),
        cert: 0,
        signature: mine[0].signature.clone(),
        bytes: mine[0].bytes.clone(),
    };
    let body = sync_body(
        i64::MAX / 2,
        vec![mine[0].cert.clone()],
        vec![packed],
        Vec::new(),
        u32::MAX,
    );
    let bytes = post_raw(
        &hub,
        "/v1/sync",
        signed(&hub, &staff_a, "/v1/sync", body).await,
    )
    .await
    .unwrap();
    let resp: hotline_core::sync::wire::SyncResponse = wire::decode(&bytes).unwrap();
    let pulled: Vec<String> = resp
        .pull
        .iter()
        .map(|p| {
            hotline_core::doc::decode_change(&p.bytes, None)
                .unwrap()
                .hash()
                .to_string()
        })
        .collect();
    assert!(
        pulled.contains(&approval),
        "the approval of the return did not come: {pulled:?}"
    );
}
