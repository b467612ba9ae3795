//! 并单 and 拆单 (国办函〔2025〕66号) through the hub: repeated requests about one matter merged
//! into one order — every receipt shows that order's status, every citizen is called back —
//! and an order covering several matters split into one per matter, in any arrival order; the
//! hub refuses what the device would.

use std::collections::BTreeMap;

use hotline_core::Coded;
use hotline_core::device::{CategoryChoice, Device, SplitPart};
use hotline_core::error::ErrorCode;
use hotline_core::model::{OrderId, ReceiptCode, RequestKind, Role, Satisfaction};
use hotline_core::sync::http::{CancelToken, HubClient};
use hotline_core::workflow::Status;
use hotline_hub::RunningHub;
use hotline_testkit::hub::*;
use hotline_testkit::workflow::{callback, merged_callback, register, reply, review};
use hotline_testkit::*;

struct Desk {
    city: City,
    hub: RunningHub,
    kiosk: Device,
    desk: Device,
}

async fn desk() -> Desk {
    let mut city = City::turpan();
    let kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let desk = city.device("desk", Role::Dispatcher, "center");
    city.device("staff-a", Role::Staff, UNIT_A);
    city.device("callback", Role::Callback, "center");
    city.issue_test_catalogue();
    let hub = city.hub().await;
    let mut d = Desk {
        city,
        hub,
        kiosk,
        desk,
    };
    sync(&d.hub, &mut d.kiosk).await;
    sync(&d.hub, &mut d.desk).await;
    d
}

async fn intake(d: &mut Desk, text: &str) -> (OrderId, String) {
    let s = d.kiosk.submit(None, request(text), t(MORNING)).unwrap();
    sync(&d.hub, &mut d.kiosk).await;
    sync(&d.hub, &mut d.desk).await;
    (s.order, s.receipt)
}

/// What the kiosk's citizen sees for `receipt`, asked of the hub.
async fn hub_status(d: &Desk, receipt: &str) -> hotline_core::device::ReceiptStatus {
    HubClient::new(&d.hub.url(), quick())
        .unwrap()
        .receipt_status(&d.kiosk, None, receipt, &CancelToken::new())
        .await
        .unwrap()
}

#[tokio::test]
async fn merged_requests_share_one_order_and_every_citizen_is_called_back() {
    let mut d = desk().await;
    let (first, first_receipt) = intake(&mut d, "古城路路灯不亮").await;
    let (repeat, repeat_receipt) = intake(&mut d, "古城路路灯坏了好几天").await;
    let (third, third_receipt) = intake(&mut d, "古城路晚上没有路灯").await;
    d.desk.act(None, &first, register(), t(MORNING)).unwrap();
    // Merging into itself, or an order already with a unit, is refused.
    let e = d
        .desk
        .merge(None, &first, &first, "", t(MORNING))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::SameOrder);
    d.desk
        .merge(None, &repeat, &first, "同一路灯", t(MORNING))
        .unwrap();
    d.desk
        .merge(None, &third, &first, "同一路灯", t(MORNING))
        .unwrap();
    d.desk
        .act(None, &first, dispatch(UNIT_A), t(MORNING))
        .unwrap();
    sync(&d.hub, &mut d.desk).await;
    // Every receipt shows the one order's status, at the hub and on the desk.
    for receipt in [&first_receipt, &repeat_receipt, &third_receipt] {
        let at_hub = hub_status(&d, receipt).await;
        assert_eq!(at_hub.status, Status::Dispatched, "{receipt}");
        assert_eq!(at_hub.merged, receipt != &first_receipt);
        assert_eq!(
            &at_hub.receipt, receipt,
            "the citizen's own receipt is shown"
        );
        assert_eq!(d.desk.status(receipt).unwrap().status, Status::Dispatched);
    }
    let view = d.desk.show(&first).unwrap();
    assert_eq!(view.state.absorbed.len(), 2);
    assert_eq!(d.desk.show(&repeat).unwrap().state.status, Status::Merged);
    // A repeat cannot be dispatched on its own any more.
    let e = d
        .desk
        .act(None, &repeat, dispatch(UNIT_A), t(MORNING))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::WrongState);

    // Handled, reviewed: the callback agent calls the first citizen and each merged one.
    let mut staff = Device::open(&d.city.dir("staff-a")).unwrap();
    sync(&d.hub, &mut staff).await;
    staff.act(None, &first, sign_for(), t(MORNING)).unwrap();
    staff
        .act(
            None,
            &first,
            reply(UNIT_A, RequestKind::Complaint),
            t(LATER),
        )
        .unwrap();
    sync(&d.hub, &mut staff).await;
    sync(&d.hub, &mut d.desk).await;
    d.desk.act(None, &first, review(true), t(LATER)).unwrap();
    sync(&d.hub, &mut d.desk).await;
    let mut agent = Device::open(&d.city.dir("callback")).unwrap();
    sync(&d.hub, &mut agent).await;
    let repeat_code = hotline_core::receipt::parse(&repeat_receipt).unwrap().0;
    let third_code = hotline_core::receipt::parse(&third_receipt).unwrap().0;
    agent
        .act(None, &first, callback(Satisfaction::Satisfied), t(LATER))
        .unwrap();
    agent
        .act(
            None,
            &first,
            merged_callback(&repeat_code, Some(Satisfaction::Dissatisfied)),
            t(LATER),
        )
        .unwrap();
    agent
        .act(None, &first, merged_callback(&third_code, None), t(LATER))
        .unwrap();
    // Called back once only; an unknown receipt is not this order's.
    let e = agent
        .act(
            None,
            &first,
            merged_callback(&repeat_code, Some(Satisfaction::Satisfied)),
            t(LATER),
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AlreadyRecorded);
    sync(&d.hub, &mut agent).await;
    let forged = forged_change(
        &d.city,
        &agent,
        &first,
        "callback",
        "callback",
        t(LATER),
        merged_callback("NOT-MERGED", Some(Satisfaction::Satisfied)),
    );
    assert_eq!(refusal_of(&d.hub, &agent, &forged).await, "not_merged_here");
    sync(&d.hub, &mut d.desk).await;
    let absorbed = d.desk.show(&first).unwrap().state.absorbed;
    let by_receipt: BTreeMap<String, (Option<Satisfaction>, u32)> = absorbed
        .iter()
        .map(|a| (a.receipt.0.clone(), (a.rating, a.unreached)))
        .collect();
    assert_eq!(
        by_receipt[&repeat_code],
        (Some(Satisfaction::Dissatisfied), 0)
    );
    assert_eq!(by_receipt[&third_code], (None, 1));
    assert_eq!(hub_status(&d, &third_receipt).await.status, Status::Closed);
}

#[tokio::test]
async fn a_merge_reads_the_same_whichever_order_arrives_first() {
    let mut d = desk().await;
    let (first, _) = intake(&mut d, "古城路路灯不亮").await;
    let (repeat, repeat_receipt) = intake(&mut d, "古城路路灯坏了").await;
    d.desk.act(None, &first, register(), t(MORNING)).unwrap();
    d.desk
        .merge(None, &repeat, &first, "同一路灯", t(MORNING))
        .unwrap();
    // Another center device receives the repeat's history before the target's, then the
    // target's: the receipt reads "merged" throughout and the target's status once it is held.
    let mut other = d.city.device("desk-2", Role::Dispatcher, "center");
    d.city.introduce(&mut other);
    copy_order(&d.desk, &mut other, &repeat, t(LATER));
    let early = other.status(&repeat_receipt).unwrap();
    assert_eq!((early.status, early.merged), (Status::Merged, false));
    copy_order(&d.desk, &mut other, &first, t(LATER));
    let late = other.status(&repeat_receipt).unwrap();
    assert_eq!((late.status, late.merged), (Status::Registered, true));
    // The other way round on a third device: the same answer.
    let mut third = d.city.device("desk-3", Role::Dispatcher, "center");
    d.city.introduce(&mut third);
    copy_order(&d.desk, &mut third, &first, t(LATER));
    copy_order(&d.desk, &mut third, &repeat, t(LATER));
    assert_eq!(third.status(&repeat_receipt).unwrap(), late);
}

#[tokio::test]
async fn a_split_order_lists_its_parts_and_each_part_goes_its_own_way() {
    let mut d = desk().await;
    let (order, receipt) = intake(&mut d, "村务公开栏不更新，另外工地夜间施工扰民").await;
    d.desk.act(None, &order, register(), t(MORNING)).unwrap();
    let made = d
        .desk
        .split(
            None,
            &order,
            vec![
                SplitPart {
                    text: "村务公开栏长期不更新".into(),
                    kind: Some(RequestKind::Help),
                    category: Some(CategoryChoice {
                        code: "0901".into(),
                        answers: BTreeMap::from([("households".into(), "30".into())]),
                    }),
                },
                SplitPart {
                    text: "工地夜间施工扰民".into(),
                    kind: None,
                    category: Some(CategoryChoice {
                        code: "020101".into(),
                        answers: BTreeMap::from([(
                            "started_at".into(),
                            "2026-03-01T22:00:00+08:00".into(),
                        )]),
                    }),
                },
            ],
            "一单多事，按事项拆分",
            t(MORNING),
        )
        .unwrap();
    assert_eq!(made.len(), 2);
    // Each part is an order of its own, from the original, with the citizen's contact.
    for m in &made {
        let part = d.desk.show(&m.order).unwrap().state;
        assert_eq!(
            part.details.as_ref().unwrap().split_from,
            Some(order.clone())
        );
        assert!(
            d.desk
                .contact(None, &m.order, "回访 callback", chrono::Utc::now())
                .is_ok()
        );
    }
    // The catalogue sends each part its own way.
    assert_eq!(
        d.desk
            .dispatch_proposal(&made[0].order)
            .unwrap()
            .unwrap()
            .lead
            .0,
        UNIT_A
    );
    assert_eq!(
        d.desk
            .dispatch_proposal(&made[1].order)
            .unwrap()
            .unwrap()
            .lead
            .0,
        UNIT_B
    );
    sync(&d.hub, &mut d.desk).await;
    // The citizen's one receipt lists the parts, at the hub.
    let s = hub_status(&d, &receipt).await;
    assert_eq!(s.status, Status::Split);
    let mut parts: Vec<(Option<String>, Status)> = s
        .parts
        .iter()
        .map(|p| (p.category.clone(), p.status))
        .collect();
    parts.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        parts,
        vec![
            (Some("020101".into()), Status::Submitted),
            (Some("0901".into()), Status::Submitted),
        ]
    );
    // The original can no longer be dispatched.
    let e = d
        .desk
        .act(None, &order, dispatch(UNIT_A), t(MORNING))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::WrongState);
}

#[tokio::test]
async fn only_the_center_desk_makes_split_parts() {
    // A modified kiosk app files a "part" of somebody's order: the hub refuses it.
    let mut d = desk().await;
    let (order, _) = intake(&mut d, "路灯不亮").await;
    let part = OrderId::new("wo-forged-part");
    let mut details = hotline_testkit::workflow::details(RequestKind::Complaint, false);
    details.id = part.clone();
    details.receipt = ReceiptCode("R-FORGED-PART".into());
    details.split_from = Some(order);
    let forged = forged_submit(&d.city, "kiosk-1", &part, details, t(MORNING));
    assert_eq!(refusal_of(&d.hub, &d.kiosk, &forged).await, "wrong_role");
}
