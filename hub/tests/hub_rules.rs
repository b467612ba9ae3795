//! Every rule the device checks, the hub checks again: changes written by a modified app that
//! skips the device's checks are refused at the hub with the same typed code.

use hotline_core::device::SubmitRequest;
use hotline_core::model::{Action, ExtensionRequest, Role, Urgency};
use hotline_testkit::hub::*;
use hotline_testkit::*;

/// A Turpan emergency submitted at the kiosk, dispatched to unit A and signed for, all
/// through the hub; unit B's phone is enrolled too.
struct Emergency {
    city: City,
    hub: hotline_hub::RunningHub,
    staff_a: hotline_core::device::Device,
    staff_b: hotline_core::device::Device,
    order: hotline_core::model::OrderId,
}

async fn emergency() -> Emergency {
    let mut city = City::turpan();
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    let mut staff_a = city.device("staff-a", Role::Staff, UNIT_A);
    let staff_b = city.device("staff-b", Role::Staff, UNIT_B);
    let hub = city.hub().await;
    let order = kiosk
        .submit(
            None,
            SubmitRequest {
                urgency: Urgency::Emergency,
                emergency_category: Some(hotline_core::model::EmergencyCategory::UtilityOutage),
                ..request("自来水主管道爆裂，整条街停水")
            },
            t(MORNING),
        )
        .unwrap()
        .order;
    sync(&hub, &mut kiosk).await;
    sync(&hub, &mut desk).await;
    register_and_dispatch(&mut desk, &order, UNIT_A, t(MORNING));
    sync(&hub, &mut desk).await;
    sync(&hub, &mut staff_a).await;
    staff_a.act(None, &order, sign_for(), t(MORNING)).unwrap();
    sync(&hub, &mut staff_a).await;
    Emergency {
        city,
        hub,
        staff_a,
        staff_b,
        order,
    }
}

#[tokio::test]
async fn the_hub_refuses_a_first_response_from_another_unit_or_too_long() {
    // turpan-2021 art. 26: the lead unit responds. A modified app on unit B's phone writes one
    // for unit A's order, and one on A's phone writes a note longer than any record may hold.
    let e = emergency().await;
    let other = forged_change(
        &e.city,
        &e.staff_a,
        &e.order,
        "staff-b",
        "staff-b",
        t(LATER),
        Action::FirstResponse {
            note: "已处置".into(),
        },
    );
    assert_eq!(refusal_of(&e.hub, &e.staff_b, &other).await, "wrong_unit");
    let long = forged_change(
        &e.city,
        &e.staff_a,
        &e.order,
        "staff-a",
        "staff-a",
        t(LATER),
        Action::FirstResponse {
            note: "长".repeat(20_000),
        },
    );
    assert_eq!(
        refusal_of(&e.hub, &e.staff_a, &long).await,
        "field_too_long"
    );
    assert!(!hub_has(&e.hub, &hash_of(&other)) && !hub_has(&e.hub, &hash_of(&long)));
}

#[tokio::test]
async fn the_hub_refuses_an_extension_of_a_turpan_emergency() {
    // turpan-2021 art. 17: 除突发类事项外 … 再行申请延期办结 — never for an emergency.
    let Emergency {
        city,
        hub,
        mut staff_a,
        order,
        ..
    } = emergency().await;

    let ask = Action::RequestExtension(ExtensionRequest {
        statutory_limit: None,
        working_days: 5,
        explanation: "抢修需要更换管道".into(),
    });
    // The device refuses it…
    let refused = staff_a
        .act(None, &order, ask.clone(), t(LATER))
        .unwrap_err();
    assert_eq!(
        hotline_core::Coded::code(&refused).as_str(),
        "extension_not_for_emergency"
    );
    // …and so does the hub, when a modified app writes it anyway.
    let forged = forged_change(&city, &staff_a, &order, "staff-a", "staff-a", t(LATER), ask);
    assert_eq!(
        refusal_of(&hub, &staff_a, &forged).await,
        "extension_not_for_emergency"
    );
    assert!(!hub_has(&hub, &hash_of(&forged)));
}

#[tokio::test]
async fn the_hub_holds_linshu_staff_to_their_leaders_sign_off() {
    // linshu-2020 二(二): 必须由主要负责人签批 … 办理结果由业务分管负责人审核同意并签字. A
    // modified app on a staff phone skips both; the hub refuses what the device would have.
    let Scene {
        city,
        hub,
        mut staff_a,
        order,
        ..
    } = scene_under("linshu").await;
    staff_a.act(None, &order, sign_for(), t(MORNING)).unwrap();
    sync(&hub, &mut staff_a).await;

    let contact = Action::Contact {
        method: hotline_core::model::ContactMethod::Phone,
        reached: true,
        note: "已联系".into(),
    };
    let refused = staff_a
        .act(None, &order, contact.clone(), t(LATER))
        .unwrap_err();
    assert_eq!(
        hotline_core::Coded::code(&refused).as_str(),
        "sign_off_first"
    );
    let before_sign_off = forged_change(
        &city,
        &staff_a,
        &order,
        "staff-a",
        "staff-a",
        t(LATER),
        contact,
    );
    assert_eq!(
        refusal_of(&hub, &staff_a, &before_sign_off).await,
        "sign_off_first"
    );
    // Nor may the staff member sign it off in the leader's stead.
    let self_signed = forged_change(
        &city,
        &staff_a,
        &order,
        "staff-a",
        "staff-a",
        t(LATER),
        Action::LeaderSignOff {
            note: "同意".into(),
        },
    );
    assert_eq!(refusal_of(&hub, &staff_a, &self_signed).await, "wrong_role");
    assert!(!hub_has(&hub, &hash_of(&before_sign_off)) && !hub_has(&hub, &hash_of(&self_signed)));
}

#[tokio::test]
async fn the_hub_refuses_a_duty_statement_made_by_staff() {
    // turpan-2021 附则: 履责意见 … 由具体办理事项的单位主要领导或分管领导签发.
    let e = emergency().await;
    let forged = forged_change(
        &e.city,
        &e.staff_a,
        &e.order,
        "staff-a",
        "staff-a",
        t(LATER),
        Action::DutyStatement {
            text: "已依法履责".into(),
            non_compliant: false,
        },
    );
    assert_eq!(refusal_of(&e.hub, &e.staff_a, &forged).await, "wrong_role");
}
