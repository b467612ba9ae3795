//! Units beside the lead unit, at the hub (Turpan). Sub-units: registered with the center's
//! approval before anyone is enrolled in them, they receive by sync only the orders their unit
//! passes on to them, open the citizen's contact re-sealed for them, and nobody else gains
//! anything. Separate dispatch: each unit receives the order and answers for itself only.

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
    let contact = sub_staff
        .contact(None, &s.order, "回访 callback", chrono::Utc::now())
        .unwrap();
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

#[tokio::test]
async fn a_unit_dispatched_separately_receives_the_order_and_answers_only_for_itself() {
    // turpan-2021 art. 12: 按照职责规定分别转派至承办单位办理.
    let mut city = City::turpan();
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    let mut staff_b = city.device("staff-b", Role::Staff, UNIT_B);
    let hub = city.hub().await;
    let order = kiosk
        .submit(None, request("路口积水且井盖缺失"), t(MORNING))
        .unwrap()
        .order;
    sync(&hub, &mut kiosk).await;
    sync(&hub, &mut desk).await;
    desk.act(
        None,
        &order,
        Action::Register {
            note: String::new(),
        },
        t(MORNING),
    )
    .unwrap();
    let mut separately = dispatch(UNIT_A);
    if let Action::Dispatch { separate_units, .. } = &mut separately {
        separate_units.push(UnitId::new(UNIT_B));
    }
    desk.act(None, &order, separately, t(MORNING)).unwrap();
    sync(&hub, &mut desk).await;

    // B receives it by sync, opens the contact re-sealed for it, and signs for its track.
    sync(&hub, &mut staff_b).await;
    assert!(
        staff_b
            .contact(None, &order, "回访 callback", chrono::Utc::now())
            .unwrap()
            .phone
            .is_some()
    );
    staff_b.act(None, &order, sign_for(), t(LATER)).unwrap();
    sync(&hub, &mut staff_b).await;
    // A modified app on B's phone replying in A's name is refused at the hub.
    let mut in_a_name = reply_in(UNIT_A);
    if let Action::Reply(r) = &mut in_a_name {
        r.unit = UnitId::new(UNIT_A);
    }
    let forged = forged_change(
        &city,
        &staff_b,
        &order,
        "staff-b",
        "staff-b",
        t(LATER),
        in_a_name,
    );
    assert_eq!(refusal_of(&hub, &staff_b, &forged).await, "wrong_unit");
    let view = staff_b
        .act(None, &order, reply_in(UNIT_B), t(LATER))
        .unwrap();
    assert_eq!(view.state.separate[0].replied_at, Some(t(LATER)));
    assert_eq!(
        view.state.status,
        hotline_core::workflow::Status::Dispatched
    );
}

fn reply_in(unit: &str) -> Action {
    Action::Reply(hotline_core::model::ReplyContent {
        handled_at: t(LATER),
        unit: UnitId::new(unit),
        handler: "李四".into(),
        result: "已清理积水、补装井盖".into(),
        legal_basis: "《城市道路管理条例》".into(),
        citizen_informed_how: "电话".into(),
        case: Some(hotline_core::model::CaseInfo::NotFiled {
            reason: "不涉及违法行为".into(),
        }),
        responsible_leader: None,
    })
}

#[tokio::test]
async fn a_change_may_not_plant_a_sealed_contact_for_someone_it_does_not_concern() {
    // A modified app on unit A's phone logs a call and attaches a "contact" sealed for a
    // sub-unit the order was never passed on to, which would open a number of its choosing.
    let s = scene().await;
    let planted = forged_change_sealed(
        &s.city,
        &s.staff_a,
        &s.order,
        "staff-a",
        "staff-a",
        t(LATER),
        Action::Contact {
            method: ContactMethod::Phone,
            reached: true,
            note: "已联系".into(),
        },
        &[(format!("unit:{UNIT_A}/village-1"), vec![7u8; 80])],
    );
    assert_eq!(
        refusal_of(&s.hub, &s.staff_a, &planted).await,
        "sealed_copy_not_allowed"
    );
}
