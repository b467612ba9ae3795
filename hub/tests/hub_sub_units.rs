//! Turpan's sub-units at the hub: registered with the center's approval before anyone is
//! enrolled in them, they receive by sync only the orders their unit passes on to them, open the
//! citizen's contact re-sealed for them, and nobody else gains anything.

use hotline_core::Coded;
use hotline_core::authority::EnrolRequest;
use hotline_core::model::{Action, ContactMethod, PersonId, Role, UnitId};
use hotline_testkit::hub::*;
use hotline_testkit::*;

fn enrol_request(unit: &str) -> EnrolRequest {
    EnrolRequest {
        role: Role::Staff,
        unit: UnitId::new(unit),
        person: PersonId::new("staff-early"),
        display_name: "早到的人".into(),
        area: "4109".into(),
        not_before: t(MORNING),
        valid_days: 30,
    }
}

#[tokio::test]
async fn a_sub_unit_receives_only_what_its_unit_passes_on() {
    // DOMAIN.md corrections (Turpan): a unit may, with the center's approval, register sub-units
    // and pass an order on to them; it stays responsible.
    let mut s = scene().await;
    let sub = format!("{UNIT_A}/village-1");
    let other_sub = format!("{UNIT_B}/village-9");

    // Nobody is enrolled in a sub-unit the center has not approved, nor under an unknown unit.
    let early = s
        .city
        .authority
        .enrol(&enrol_request(&sub), None, t(MORNING))
        .unwrap_err();
    assert_eq!(early.code().as_str(), "sub_unit_not_registered");
    let orphan = s
        .city
        .authority
        .register_sub_unit(&UnitId::new("unit-nowhere/x"), "批复", t(MORNING))
        .unwrap_err();
    assert_eq!(orphan.code().as_str(), "unknown_parent_unit");
    for u in [&sub, &other_sub] {
        let record = s
            .city
            .authority
            .register_sub_unit(
                &UnitId::new(u.as_str()),
                "市政务服务中心批复〔2026〕3号",
                t(MORNING),
            )
            .unwrap();
        assert_eq!(record.parent, UnitId::new(u.split('/').next().unwrap()));
    }
    let mut sub_staff = s.city.device("staff-sub", Role::Staff, &sub);
    let mut other_staff = s.city.device("staff-other-sub", Role::Staff, &other_sub);
    sync(&s.hub, &mut sub_staff).await;
    assert!(sub_staff.show(&s.order).is_err(), "not passed on yet");

    // Unit A signs for it and passes it on.
    s.staff_a
        .act(None, &s.order, sign_for(), t(MORNING))
        .unwrap();
    sync(&s.hub, &mut s.staff_a).await;
    let pass_on = |to: &str| Action::PassOn {
        sub_unit: UnitId::new(to),
        note: "请一村核实".into(),
    };
    let refused = s
        .staff_a
        .act(None, &s.order, pass_on(&other_sub), t(LATER))
        .unwrap_err();
    assert_eq!(refused.code().as_str(), "not_a_sub_unit");
    let view = s
        .staff_a
        .act(None, &s.order, pass_on(&sub), t(LATER))
        .unwrap();
    assert_eq!(view.state.sub_units, vec![UnitId::new(sub.as_str())]);
    sync(&s.hub, &mut s.staff_a).await;

    // The sub-unit receives it, calls the citizen and logs the call; the lead unit replies.
    sync(&s.hub, &mut sub_staff).await;
    assert!(sub_staff.show(&s.order).is_ok());
    let contact = sub_staff.contact(None, &s.order).unwrap();
    assert!(contact.phone.is_some());
    sub_staff
        .act(
            None,
            &s.order,
            Action::Contact {
                method: ContactMethod::Phone,
                reached: true,
                note: "已电话联系".into(),
            },
            t(LATER),
        )
        .unwrap();
    sync(&s.hub, &mut sub_staff).await;

    // Nobody else gains the order: not unit B, not B's sub-unit.
    for dev in [&mut s.staff_b, &mut other_staff] {
        sync(&s.hub, dev).await;
        assert!(dev.show(&s.order).is_err());
    }
    // A modified app on A's phone passing it to B's sub-unit is refused at the hub.
    let forged = forged_change(
        &s.city,
        &s.staff_a,
        &s.order,
        "staff-a",
        "staff-a",
        t(LATER),
        pass_on(&other_sub),
    );
    assert_eq!(
        refusal_of(&s.hub, &s.staff_a, &forged).await,
        "not_a_sub_unit"
    );
    sync(&s.hub, &mut other_staff).await;
    assert!(other_staff.show(&s.order).is_err());
}
