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
