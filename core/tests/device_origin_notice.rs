//! Where an order came from, and what a citizen is told when it is not accepted: recorded on
//! the device, filterable in the inbox, shown by a receipt lookup — and rebuilt for orders a
//! store held before either existed.

use hotline_core::device::{Device, SubmitRequest};
use hotline_core::model::{Action, NotAcceptedReason, Origin, Role};
use hotline_core::store::InboxQuery;
use hotline_testkit::*;

const NOW: &str = "2026-03-02T09:00:00+08:00";

#[test]
fn an_order_keeps_its_origin_and_the_inbox_filters_on_it() {
    // linshu-2020, puyang-2020 §(一): orders come from the province, the city, the county
    // center or the 110 desk, and are counted per origin.
    let mut city = City::turpan();
    let mut desk = city.device("desk", Role::Intake, "center");
    let now = t(NOW);
    let mut made = Vec::new();
    for origin in Origin::ALL {
        let sub = desk
            .submit(
                None,
                SubmitRequest {
                    origin,
                    ..request(&format!("来自{}的诉求", origin.zh()))
                },
                now,
            )
            .unwrap();
        made.push((origin, sub.order));
    }
    for (origin, order) in &made {
        assert_eq!(
            desk.show(order).unwrap().state.details.unwrap().origin,
            *origin
        );
        let rows = desk
            .inbox(&InboxQuery {
                origin: Some(*origin),
                ..InboxQuery::default()
            })
            .unwrap();
        let ids: Vec<_> = rows.iter().map(|r| r.order.clone()).collect();
        assert_eq!(ids, vec![order.clone()], "{origin:?}");
    }
    assert_eq!(desk.inbox(&InboxQuery::default()).unwrap().len(), 5);
}

fn not_accepted(city: &mut City) -> (Device, String) {
    let mut desk = city.device("desk", Role::Intake, "center");
    let now = t(NOW);
    let sub = desk
        .submit(None, request("要求查询邻居的住址"), now)
        .unwrap();
    desk.act(
        None,
        &sub.order,
        Action::NotAccept {
            reason: NotAcceptedReason::Other,
            basis: "《吐鲁番市12345政务服务便民热线管理办法》第二章".into(),
            earlier_order: None,
            stated_reason: Some("涉及他人个人信息，热线不提供查询".into()),
        },
        now,
    )
    .unwrap();
    (desk, sub.receipt)
}

#[test]
fn a_receipt_lookup_says_why_a_request_was_not_accepted() {
    // turpan-2021 art. 13: 应当告知诉求人不予受理及其依据.
    let mut city = City::turpan();
    let (desk, receipt) = not_accepted(&mut city);
    let st = desk.status(&receipt).unwrap();
    let notice = st.not_accepted.unwrap();
    assert_eq!(notice.reason, NotAcceptedReason::Other);
    assert_eq!(notice.reason_zh, "其他不予受理的事项");
    assert_eq!(
        notice.stated_reason.as_deref(),
        Some("涉及他人个人信息，热线不提供查询")
    );
    assert!(notice.basis.contains("第二章"));
    // Nothing personal: the citizen's name and phone are nowhere in what a lookup returns.
    let json = serde_json::to_string(&desk.status(&receipt).unwrap()).unwrap();
    assert!(
        !json.contains("王秀英") && !json.contains("13912345678"),
        "{json}"
    );
}

#[test]
fn a_store_from_before_origins_and_notices_gets_them_on_open() {
    let mut city = City::turpan();
    let (desk, receipt) = not_accepted(&mut city);
    drop(desk);
    // Make the index look as a store written before migration 6 left it.
    let db = rusqlite::Connection::open(city.dir("desk").join("hotline.db")).unwrap();
    db.execute_batch(
        "UPDATE orders SET not_accepted = NULL, origin = 'local';
         DELETE FROM meta WHERE key = 'index_v6';",
    )
    .unwrap();
    drop(db);
    let desk = Device::open(&city.dir("desk")).unwrap();
    let notice = desk.status(&receipt).unwrap().not_accepted;
    assert_eq!(notice.unwrap().reason, NotAcceptedReason::Other);
    assert!(desk.store().index_v6_complete().unwrap());
}

/// The center's intake and desk and unit A's staff, each knowing the others.
fn intake_desk_and_staff(city: &mut City) -> (Device, Device, Device) {
    let mut intake = city.device("intake", Role::Intake, "center");
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    let mut staff = city.device("staff-a", Role::Staff, UNIT_A);
    for d in [&mut intake, &mut desk, &mut staff] {
        city.introduce(d);
    }
    (intake, desk, staff)
}

#[test]
fn an_emergency_with_no_first_response_is_overdue_after_two_hours() {
    // turpan-2021 art. 26: 应当自收到事项后2小时内处理.
    use hotline_core::model::{EmergencyCategory, UnitId, Urgency};
    let mut city = City::turpan();
    let (mut intake, mut desk, mut staff) = intake_desk_and_staff(&mut city);
    let now = t(NOW);
    let order = intake
        .submit(
            None,
            SubmitRequest {
                urgency: Urgency::Emergency,
                emergency_category: Some(EmergencyCategory::DangerousFacility),
                contact: None,
                ..request("路边高压电线掉落")
            },
            now,
        )
        .unwrap()
        .order;
    copy_order(&intake, &mut desk, &order, now);
    register_and_dispatch(&mut desk, &order, UNIT_A, now);
    let overdue_at = |d: &Device, at: &str| -> Vec<hotline_core::model::OrderId> {
        d.inbox(&InboxQuery {
            overdue_at: Some(t(at).timestamp_millis()),
            ..InboxQuery::default()
        })
        .unwrap()
        .into_iter()
        .map(|r| r.order)
        .collect()
    };
    assert!(overdue_at(&desk, "2026-03-02T10:30:00+08:00").is_empty());
    assert_eq!(
        overdue_at(&desk, "2026-03-02T11:30:00+08:00"),
        vec![order.clone()]
    );
    // The unit responds; the order is no longer overdue (its 2 WD close still runs).
    copy_order(&desk, &mut staff, &order, now);
    staff
        .act(
            None,
            &order,
            Action::FirstResponse {
                note: "已设置警戒线，通知供电公司抢修".into(),
            },
            t("2026-03-02T10:00:00+08:00"),
        )
        .unwrap();
    copy_order(&staff, &mut desk, &order, t("2026-03-02T10:05:00+08:00"));
    assert!(overdue_at(&desk, "2026-03-02T11:30:00+08:00").is_empty());
    let row = desk.store().order_row(&order).unwrap().unwrap();
    assert_eq!(row.response_due, None);
    assert_eq!(row.lead_unit, Some(UnitId::new(UNIT_A).0));
}

/// A Turpan help request signed for by unit A, with the desk and A's phone in step.
fn in_handling(city: &mut City) -> (Device, Device, hotline_core::model::OrderId, String) {
    let (mut intake, mut desk, mut staff) = intake_desk_and_staff(city);
    let now = t(NOW);
    let sub = intake.submit(None, request("路灯不亮"), now).unwrap();
    copy_order(&intake, &mut desk, &sub.order, now);
    register_and_dispatch(&mut desk, &sub.order, UNIT_A, now);
    copy_order(&desk, &mut staff, &sub.order, now);
    staff.act(None, &sub.order, sign_for(), now).unwrap();
    (desk, staff, sub.order, sub.receipt)
}

#[test]
fn the_citizen_sees_an_approved_extension_and_a_delay_notice_with_the_new_deadline() {
    use hotline_core::model::ExtensionRequest;
    let mut city = City::turpan();
    let (mut desk, mut staff, order, receipt) = in_handling(&mut city);
    let first_due = staff.status(&receipt).unwrap().handling_due.unwrap();
    assert_eq!(staff.status(&receipt).unwrap().extension, None);
    // puyang-2020 §(四): 确不能按时办结的，承办单位要及时向诉求人说明理由.
    staff
        .act(
            None,
            &order,
            Action::DelayNotice {
                reason: "灯杆需整体更换，配件下周到货".into(),
            },
            t("2026-03-03T09:00:00+08:00"),
        )
        .unwrap();
    staff
        .act(
            None,
            &order,
            Action::RequestExtension(ExtensionRequest {
                working_days: 5,
                explanation: "配件需外地调运".into(),
                statutory_limit: None,
            }),
            t("2026-03-03T09:05:00+08:00"),
        )
        .unwrap();
    copy_order(&staff, &mut desk, &order, t("2026-03-03T09:10:00+08:00"));
    desk.act(
        None,
        &order,
        Action::DecideExtension {
            approve: true,
            note: String::new(),
        },
        t("2026-03-03T10:00:00+08:00"),
    )
    .unwrap();
    // turpan-2021 art. 18: 同意延期的，告知诉求人延期的情况.
    let st = desk.status(&receipt).unwrap();
    let ext = st.extension.clone().unwrap();
    assert_eq!(ext.working_days, 5);
    assert_eq!(ext.approved_at, t("2026-03-03T10:00:00+08:00"));
    assert_eq!(
        st.delay_notice.unwrap().reason,
        "灯杆需整体更换，配件下周到货"
    );
    let new_due = st.handling_due.unwrap();
    assert!(new_due > first_due + chrono::Duration::days(5), "{new_due}");
    // Nothing about the people involved reaches the citizen.
    let json = serde_json::to_string(&desk.status(&receipt).unwrap()).unwrap();
    for private in [UNIT_A, "staff", "dispatcher", "desk"] {
        assert!(!json.contains(private), "{private} in {json}");
    }

    // A store from before migration 9 gains the notices on open.
    drop(desk);
    let db = rusqlite::Connection::open(city.dir("desk").join("hotline.db")).unwrap();
    db.execute_batch(
        "UPDATE orders SET notices = NULL;
         DELETE FROM meta WHERE key = 'index_v6';",
    )
    .unwrap();
    drop(db);
    let desk = Device::open(&city.dir("desk")).unwrap();
    assert_eq!(desk.status(&receipt).unwrap().extension, Some(ext));
}
