//! Duplicates and repeats at intake (DOMAIN.md: not accepted, reason 7 — the same matter again
//! with no new facts, linked to the earlier order; Linshu 二(五): the same matter raised by many
//! people): the same kind of matter at the same place with a similar text is offered before a
//! new order is opened, from the device's own data.

use hotline_core::Coded;
use hotline_core::center::queues::{Queue, desk_queues};
use hotline_core::center::{StoreLog, WarningConfig};
use hotline_core::device::{Device, MatchWindow};
use hotline_core::error::ErrorCode;
use hotline_core::model::{
    Action, IntakeMatch, Location, MatchRelation, NotAcceptedReason, OrderId, RequestKind, Role,
};
use hotline_core::workflow::Status;
use hotline_testkit::*;

const TOWN: &str = "410902001";

fn at(address: &str, text: &str) -> hotline_core::device::SubmitRequest {
    let mut r = request(text);
    r.location = Location {
        address: address.into(),
        division_code: Some(TOWN.into()),
        gps: None,
    };
    r
}

fn offered(
    d: &Device,
    address: &str,
    text: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<(OrderId, MatchRelation)> {
    let r = at(address, text);
    d.intake_candidates(r.kind, &r.text, &r.location, now, &MatchWindow::default())
        .unwrap()
        .into_iter()
        .map(|c| (c.order, c.relation))
        .collect()
}

/// (address, text already reported, a new text, whether it is the same matter).
const CASES: &[(&str, &str, &str, bool)] = &[
    (
        "古城路8号工地",
        "古城路8号工地夜间施工噪音扰民，晚上十一点还在打桩",
        "半夜12点了古城路八号工地还在打桩施工，吵得孩子睡不着",
        true,
    ),
    (
        "古城路8号工地",
        "古城路8号工地夜间施工噪音扰民，晚上十一点还在打桩",
        "古城路8号工地的渣土车不盖篷布，泥土撒了一路",
        false,
    ),
    (
        "古城路8号工地",
        "古城路8号工地夜间施工噪音扰民，晚上十一点还在打桩",
        "我在古城路8号工地干活，老板拖欠农民工工资三个月",
        false,
    ),
    (
        "阳光小区3号楼",
        "阳光小区3号楼从昨天早上开始停水，到现在还没来水",
        "阳光小区3号楼停水一天多了，做饭洗澡都没有水",
        true,
    ),
    (
        "阳光小区3号楼",
        "阳光小区3号楼从昨天早上开始停水，到现在还没来水",
        "阳光小区3号楼电梯坏了一个星期，老人上下楼很不方便",
        false,
    ),
    (
        "沭河大街常林路路口",
        "沭河大街常林路路口的路灯全都不亮，晚上一片漆黑",
        "常林路和沭河大街交叉口路灯坏了好几天，夜里黑乎乎的",
        true,
    ),
    (
        "沭河大街常林路路口",
        "沭河大街常林路路口的路灯全都不亮，晚上一片漆黑",
        "沭河大街常林路路口有人占道摆摊卖菜，早上堵车",
        false,
    ),
    (
        "城北村",
        "城北村村口的垃圾池好几天没人清运，臭气熏天",
        "城北村村口垃圾堆满了一直没人拉走，味道很大",
        true,
    ),
];

#[test]
fn the_same_matter_phrased_differently_is_offered_a_different_one_is_not() {
    let mut city = City::new("puyang");
    let t0 = t("2026-03-02T09:00:00+08:00");
    let later = t("2026-03-03T15:00:00+08:00");
    for (i, (address, earlier, new, same)) in CASES.iter().enumerate() {
        let mut desk = city.device(&format!("intake-{i}"), Role::Intake, "center");
        let first = desk.submit(None, at(address, earlier), t0).unwrap();
        let got = offered(&desk, address, new, later);
        if *same {
            assert_eq!(got, [(first.order, MatchRelation::Joins)], "{new}");
        } else {
            assert!(got.is_empty(), "{new} offered as {earlier}");
        }
    }
}

#[test]
fn elsewhere_or_long_ago_is_a_new_request() {
    let mut city = City::new("puyang");
    let mut desk = city.device("intake", Role::Intake, "center");
    let t0 = t("2026-03-02T09:00:00+08:00");
    desk.submit(
        None,
        at("城北村", "城北村村口的垃圾池好几天没人清运，臭气熏天"),
        t0,
    )
    .unwrap();
    // The same words about another village.
    assert!(
        offered(
            &desk,
            "城南村",
            "城南村村口的垃圾池好几天没人清运，臭气熏天",
            t0
        )
        .is_empty()
    );
    // Another kind of request about the same thing.
    let r = at("城北村", "城北村村口的垃圾池好几天没人清运，臭气熏天");
    let as_suggestion = desk
        .intake_candidates(
            RequestKind::Suggestion,
            &r.text,
            &r.location,
            t0,
            &MatchWindow::default(),
        )
        .unwrap();
    assert!(as_suggestion.is_empty());
    // Three months on, an open order is no longer the same report.
    let much_later = t("2026-06-02T09:00:00+08:00");
    assert!(offered(&desk, "城北村", "城北村村口垃圾堆满了没人拉走", much_later).is_empty());
}

#[test]
fn joining_and_repeating_are_recorded_and_checked() {
    // Turpan's policy lists ground 7 (第二章); the intake agent closes a repeat at once.
    let mut city = City::new("turpan");
    let mut desk = city.device("intake", Role::Intake, "center");
    let t0 = t("2026-03-02T09:00:00+08:00");
    let open = desk
        .submit(
            None,
            at(
                "古城路8号工地",
                "古城路8号工地夜间施工噪音扰民，晚上十一点还在打桩",
            ),
            t0,
        )
        .unwrap();
    // A closed matter: not accepted earlier, so final.
    let closed = desk
        .submit(
            None,
            at("城北村", "城北村村口的垃圾池好几天没人清运，臭气熏天"),
            t0,
        )
        .unwrap();
    desk.act(
        None,
        &closed.order,
        Action::NotAccept {
            reason: NotAcceptedReason::Other,
            basis: "已转环卫所当场清运".into(),
            earlier_order: None,
            stated_reason: Some("已当场解决".into()),
        },
        t0,
    )
    .unwrap();
    let later = t("2026-03-04T09:00:00+08:00");

    // "Add to it": the new request records which order it joins (the center merges it).
    let text = "古城路八号工地半夜还在打桩施工，噪音太大";
    assert_eq!(
        offered(&desk, "古城路8号工地", text, later),
        [(open.order.clone(), MatchRelation::Joins)]
    );
    let joined = desk
        .submit_matched(
            None,
            at("古城路8号工地", text),
            Some(IntakeMatch {
                order: open.order.clone(),
                relation: MatchRelation::Joins,
            }),
            later,
        )
        .unwrap();
    let state = desk.show(&joined.order).unwrap().state;
    assert_eq!(
        state.details.unwrap().intake_match.unwrap().order,
        open.order
    );
    // The desk finds it waiting to be merged, not to be dispatched.
    let queues = desk_queues(
        &mut StoreLog(desk.store()),
        desk.trust(),
        desk.policy(),
        desk.calendar(),
        later,
        &WarningConfig::default(),
    )
    .unwrap();
    let waiting: Vec<(Queue, &str)> = queues
        .entries
        .iter()
        .map(|e| (e.queue, e.order.as_str()))
        .collect();
    assert!(
        waiting.contains(&(Queue::IntakeMatches, joined.order.0.as_str())),
        "{waiting:?}"
    );
    assert!(!waiting.contains(&(Queue::ToDispatch, joined.order.0.as_str())));

    // A repeat of the closed matter with nothing new: not accepted, reason 7, linked.
    let text = "城北村村口垃圾池又堆满了，还是没人清运";
    assert_eq!(
        offered(&desk, "城北村", text, later),
        [(closed.order.clone(), MatchRelation::Repeats)]
    );
    let repeat = desk
        .submit_matched(
            None,
            at("城北村", text),
            Some(IntakeMatch {
                order: closed.order.clone(),
                relation: MatchRelation::Repeats,
            }),
            later,
        )
        .unwrap();
    let state = desk.show(&repeat.order).unwrap().state;
    assert_eq!(state.status, Status::NotAccepted);
    let not_accepted = state.not_accepted.unwrap();
    assert_eq!(
        not_accepted.reason,
        NotAcceptedReason::RepeatWithoutNewFacts
    );
    assert_eq!(not_accepted.earlier_order, Some(closed.order.clone()));

    // An order the check did not offer for this request cannot be named.
    let err = desk
        .submit_matched(
            None,
            at("阳光小区", "阳光小区电梯坏了"),
            Some(IntakeMatch {
                order: open.order,
                relation: MatchRelation::Joins,
            }),
            later,
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::IntakeMatchNotOffered);
}

#[test]
fn a_kiosk_checks_against_its_own_submissions_keeping_no_text() {
    let mut city = City::new("puyang");
    let mut kiosk = city.device("kiosk", Role::Kiosk, "center");
    let t0 = t("2026-03-02T09:00:00+08:00");
    let first = kiosk
        .submit(
            None,
            at(
                "阳光小区3号楼",
                "阳光小区3号楼从昨天早上开始停水，电话13912345678",
            ),
            t0,
        )
        .unwrap();
    let got = offered(
        &kiosk,
        "阳光小区3号楼",
        "阳光小区3号楼停水一天多了，做饭都没有水",
        t0,
    );
    assert_eq!(got, [(first.order, MatchRelation::Joins)]);
    // What the check keeps is hashed features: neither the words nor the number typed into
    // the text can be read from it.
    let row = kiosk
        .store()
        .intake_rows_near("complaint", TOWN, 0)
        .unwrap()
        .remove(0);
    let bytes = row.fingerprint;
    for needle in [
        "停水".as_bytes(),
        "13912345678".as_bytes(),
        "3912".as_bytes(),
    ] {
        assert!(!bytes.windows(needle.len()).any(|w| w == needle));
    }
}
