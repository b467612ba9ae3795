//! The center's rules read off signed events: facts for assessment (late and insisted returns,
//! deadlines across a holiday, unresponded callbacks), warnings per rule and grade (Turpan
//! art. 29, Linshu 二(五)), and the center service's automatic supervision (Turpan art. 28).

use hotline_core::center::assessment::{AssessmentInputs, Method, assess};
use hotline_core::center::warnings::{Grade, order_warnings};
use hotline_core::center::{OrderFacts, Period, WarningConfig, WarningRule, automatic};
use hotline_core::model::{
    Action, Actor, OrderDetails, RequestKind, Role, Satisfaction, SupervisionTrigger, Timestamp,
};
use hotline_core::workflow::deadlines;
use hotline_testkit::workflow::*;

fn service() -> Actor {
    Actor::new("center-service-1", Role::CenterService, CENTER)
}

fn submit_text(kind: RequestKind, text: &str) -> Action {
    Action::Submit {
        details: OrderDetails {
            text: text.into(),
            ..details(kind, false)
        },
    }
}

/// An order submitted, registered and dispatched to UNIT_A at `at`.
fn dispatched(preset: &str, submit: Action, at: Timestamp) -> Script {
    let mut s = Script::new(preset);
    s.ok(intake(), submit, at - hours(2));
    s.ok(intake(), register(), at - hours(1));
    s.ok(dispatcher(), dispatch(UNIT_A, &[]), at);
    s
}

fn facts(s: &Script) -> OrderFacts {
    OrderFacts::of(&s.events, &s.policy, &s.cal).unwrap().0
}

/// The grade of `rule` on the order at `now`, if it warns.
fn grade(s: &Script, rule: WarningRule, now: Timestamp) -> Option<Grade> {
    let w = order_warnings(
        &s.state(),
        now,
        &s.policy,
        &s.cal,
        &WarningConfig::default(),
    );
    let found: Vec<_> = w.iter().filter(|w| w.rule == rule).collect();
    assert!(found.len() <= 1, "{rule:?} twice");
    found.first().map(|w| {
        assert_eq!(w.clause, rule.clause());
        assert!(!w.clause.is_empty());
        w.grade
    })
}

fn mon() -> Timestamp {
    local(2026, 11, 2, 10, 0)
}

// ---------------------------------------------------------------- warnings, per rule and grade

#[test]
fn sign_for_prompt_then_warning_turpan_12_hours() {
    let s = dispatched("turpan", submit(RequestKind::Complaint), mon());
    let rule = WarningRule::SignForLate;
    // (hours after dispatch, grade): 12 h limit, prompt within 4 h of it.
    for (h, want) in [
        (2, None),
        (7, None),
        (9, Some(Grade::Prompt)),
        (12, Some(Grade::Prompt)),
        (13, Some(Grade::Warning)),
    ] {
        assert_eq!(grade(&s, rule, mon() + hours(h)), want, "{h} h");
    }
    let mut signed = s;
    signed.receive(UNIT_A, mon() + hours(3));
    assert_eq!(grade(&signed, rule, mon() + hours(13)), None);
}

#[test]
fn return_window_prompt_and_a_late_return_warned() {
    // Turpan art. 14(二): 20 h.
    let mut s = dispatched("turpan", submit(RequestKind::Complaint), mon());
    let rule = WarningRule::ReturnLate;
    assert_eq!(grade(&s, rule, mon() + hours(10)), None);
    assert_eq!(grade(&s, rule, mon() + hours(17)), Some(Grade::Prompt));
    // Asked for after 21 h: refused, and warned (Puyang: overdue returns are warned).
    s.push(staff(UNIT_A), request_return(true), mon() + hours(21));
    assert_eq!(grade(&s, rule, mon() + hours(22)), Some(Grade::Warning));
    let f = facts(&s);
    assert_eq!(f.returns.len(), 1);
    assert!(f.returns[0].late);
}

#[test]
fn emergency_first_response_prompt_then_warning() {
    // Turpan art. 26: 2 h.
    let mut s = dispatched("turpan", submit_emergency(RequestKind::Help), mon());
    let rule = WarningRule::EmergencyResponseLate;
    assert_eq!(grade(&s, rule, mon() + minutes(30)), None);
    assert_eq!(grade(&s, rule, mon() + minutes(90)), Some(Grade::Prompt));
    assert_eq!(grade(&s, rule, mon() + minutes(150)), Some(Grade::Warning));
    s.receive(UNIT_A, mon() + minutes(20));
    s.ok(
        staff(UNIT_A),
        Action::FirstResponse {
            note: "已关闭阀门".into(),
        },
        mon() + minutes(40),
    );
    assert_eq!(grade(&s, rule, mon() + minutes(150)), None);
}

#[test]
fn handling_due_soon_is_a_prompt_and_overdue_a_warning() {
    let mut s = dispatched("turpan", submit(RequestKind::Complaint), mon());
    s.receive(UNIT_A, mon() + hours(1));
    let due = deadlines(&s.state(), &s.policy, &s.cal)
        .unwrap()
        .handling_due
        .unwrap();
    assert_eq!(
        grade(&s, WarningRule::HandlingDueSoon, due - hours(48)),
        None
    );
    assert_eq!(
        grade(&s, WarningRule::HandlingDueSoon, due - hours(10)),
        Some(Grade::Prompt)
    );
    assert_eq!(grade(&s, WarningRule::Overdue, due - hours(10)), None);
    assert_eq!(
        grade(&s, WarningRule::Overdue, due + hours(1)),
        Some(Grade::Warning)
    );
    assert_eq!(
        grade(&s, WarningRule::HandlingDueSoon, due + hours(1)),
        None
    );
    // Replied: the unit's clock stopped, nothing is due from it.
    s.reply_approved(UNIT_A, RequestKind::Complaint, due - hours(20));
    assert_eq!(grade(&s, WarningRule::Overdue, due + hours(1)), None);
}

/// Signed for, replied, approved and rated `rating` at day `d` of November.
fn handled(s: &mut Script, d: u32, rating: Satisfaction) {
    s.reply_approved(UNIT_A, RequestKind::Complaint, local(2026, 11, d, 9, 0));
    s.ok(dispatcher(), review(true), local(2026, 11, d, 10, 0));
    s.ok(
        callback_agent(),
        callback(rating),
        local(2026, 11, d, 11, 0),
    );
}

#[test]
fn reopened_once_is_a_prompt_twice_a_warning() {
    // Puyang: every dissatisfied rating reopens, no cap.
    let mut s = dispatched("puyang", submit(RequestKind::Complaint), mon());
    s.receive(UNIT_A, mon() + hours(1));
    let rule = WarningRule::ReopenedRepeatedly;
    handled(&mut s, 3, Satisfaction::Dissatisfied);
    s.ok(dispatcher(), reopen(), local(2026, 11, 3, 12, 0));
    assert_eq!(
        grade(&s, rule, local(2026, 11, 3, 13, 0)),
        Some(Grade::Prompt)
    );
    handled(&mut s, 5, Satisfaction::VeryDissatisfied);
    s.ok(dispatcher(), reopen(), local(2026, 11, 5, 12, 0));
    assert_eq!(
        grade(&s, rule, local(2026, 11, 5, 13, 0)),
        Some(Grade::Warning)
    );
    // Closed satisfied at last: nothing to warn about any more.
    handled(&mut s, 9, Satisfaction::Satisfied);
    assert_eq!(grade(&s, rule, local(2026, 11, 9, 13, 0)), None);
}

#[test]
fn a_reply_rejected_twice_is_perfunctory_handling() {
    let mut s = dispatched("turpan", submit(RequestKind::Complaint), mon());
    s.receive(UNIT_A, mon() + hours(1));
    let rule = WarningRule::PerfunctoryHandling;
    assert_eq!(grade(&s, rule, mon() + hours(30)), None);
    for (n, want) in [(1, Grade::Prompt), (2, Grade::Warning)] {
        s.reply_approved(UNIT_A, RequestKind::Complaint, mon() + hours(24 * n));
        s.ok(dispatcher(), review(false), mon() + hours(24 * n + 1));
        assert_eq!(
            grade(&s, rule, mon() + hours(24 * n + 2)),
            Some(want),
            "{n}"
        );
    }
}

#[test]
fn petition_risk_phrases_prompt_and_warn_once_dissatisfied() {
    let rule = WarningRule::PetitionRisk;
    let text = "小区楼下烧烤店油烟扰民半年了，再不解决我们就集体上访";
    let mut s = dispatched("puyang", submit_text(RequestKind::Complaint, text), mon());
    assert_eq!(grade(&s, rule, mon() + hours(1)), Some(Grade::Prompt));
    let plain = dispatched(
        "puyang",
        submit_text(RequestKind::Complaint, "小区楼下烧烤店油烟扰民半年了"),
        mon(),
    );
    assert_eq!(grade(&plain, rule, mon() + hours(1)), None);
    s.receive(UNIT_A, mon() + hours(1));
    handled(&mut s, 3, Satisfaction::Dissatisfied);
    assert_eq!(
        grade(&s, rule, local(2026, 11, 3, 13, 0)),
        Some(Grade::Warning)
    );
    // The phrases are the center's to set.
    let cfg = WarningConfig {
        petition_phrases: vec!["油烟".into()],
        ..WarningConfig::default()
    };
    let w = order_warnings(&plain.state(), mon(), &plain.policy, &plain.cal, &cfg);
    assert!(
        w.iter()
            .any(|w| w.rule == rule && w.detail.contains("油烟"))
    );
}

// ---------------------------------------------------------------- facts from signed events

#[test]
fn a_deadline_across_national_day_counts_the_make_up_saturday() {
    // Puyang complaint, 5 WD, dispatched Wed 30 Sep 2026: 1–7 Oct are holidays, Sat 10 Oct
    // is a working day, so the WDs are 8, 9, 10, 12, 13 Oct: due 13 Oct 23:59:59.
    let start = local(2026, 9, 30, 10, 0);
    let mut on_time = dispatched("puyang", submit(RequestKind::Complaint), start);
    on_time.receive(UNIT_A, start + hours(1));
    let due = deadlines(&on_time.state(), &on_time.policy, &on_time.cal)
        .unwrap()
        .handling_due;
    assert_eq!(due, Some(end_of_day(2026, 10, 13)));
    let mut late = on_time.clone();
    on_time.reply_approved(UNIT_A, RequestKind::Complaint, local(2026, 10, 13, 16, 0));
    late.reply_approved(UNIT_A, RequestKind::Complaint, local(2026, 10, 14, 9, 0));
    let october = Period::month("2026-10").unwrap();
    let inputs = AssessmentInputs::default();
    let now = local(2026, 12, 1, 9, 0);
    let a = assess(Method::Puyang, &[facts(&on_time)], &inputs, &october, now);
    // The deadline falls in October, whose on-time points it decides: 10 − 0.
    assert_eq!(a.unit(UNIT_A).unwrap().points("on_time"), Some(10.0));
    let a = assess(Method::Puyang, &[facts(&late)], &inputs, &october, now);
    assert_eq!(a.unit(UNIT_A).unwrap().points("on_time"), Some(9.0));
    // September's assessment does not see it (dispatched 30 Sep, but the deadline is October's).
    let september = Period::month("2026-09").unwrap();
    let a = assess(Method::Puyang, &[facts(&late)], &inputs, &september, now);
    assert_eq!(a.unit(UNIT_A).unwrap().points("on_time"), Some(10.0));
}

#[test]
fn linshu_returns_without_a_call_and_insisted_returns_are_faults() {
    let mut s = dispatched("linshu", submit(RequestKind::Complaint), mon());
    // Without phoning the center first: refused (Linshu 二(三)), and counted.
    s.push(staff(UNIT_A), request_return(false), mon() + hours(1));
    s.ok(staff(UNIT_A), request_return(true), mon() + hours(2));
    s.ok(dispatcher(), decide_return(false), mon() + hours(3));
    // Asked again after the center said no: insisted (执意退回).
    s.ok(staff(UNIT_A), request_return(true), mon() + hours(4));
    s.ok(dispatcher(), decide_return(false), mon() + hours(5));
    let f = facts(&s);
    let summary: Vec<_> = f
        .returns
        .iter()
        .map(|r| (r.without_call, r.insisted, r.approved))
        .collect();
    assert_eq!(
        summary,
        [
            (true, false, None),
            (false, false, Some(false)),
            (false, true, Some(false))
        ]
    );
    let a = assess(
        Method::Linshu,
        &[f],
        &AssessmentInputs::default(),
        &Period::month("2026-11").unwrap(),
        local(2026, 12, 2, 9, 0),
    );
    // 5 − 0.2 × (1 unphoned + 1 insisted) − 0.5 × 2 denied (own duty treated as a return) = 3.6
    let h = a
        .unit(UNIT_A)
        .unwrap()
        .indicator("response_handling")
        .unwrap();
    assert_eq!(h.value, Some(3.6), "{}", h.working);
}

#[test]
fn a_callback_saying_nobody_called_makes_the_order_unresponded() {
    let mut s = dispatched("linshu", submit(RequestKind::Complaint), mon());
    s.receive(UNIT_A, mon() + hours(1));
    s.reply_approved(UNIT_A, RequestKind::Complaint, local(2026, 11, 3, 9, 0));
    s.ok(dispatcher(), review(true), local(2026, 11, 3, 10, 0));
    s.ok(
        callback_agent(),
        Action::Callback {
            rating: Satisfaction::Satisfied,
            note: "回访".into(),
            service_rating: Some(Satisfaction::Satisfied),
            unit_contacted: Some(false),
        },
        local(2026, 11, 3, 11, 0),
    );
    let f = facts(&s);
    assert!(f.ratings[0].not_contacted && f.ratings[0].unresponded());
    assert!(f.first_time_satisfied(local(2026, 12, 1, 0, 0)));
    assert_eq!(
        f.ratings[0].unit.as_ref().map(|u| u.0.as_str()),
        Some(UNIT_A)
    );
}

// ---------------------------------------------------------------- automatic supervision

#[test]
fn the_center_service_supervises_only_what_the_rules_trigger_once_a_round() {
    let mut s = dispatched("puyang", submit(RequestKind::Complaint), mon());
    s.receive(UNIT_A, mon() + hours(1));
    let due = deadlines(&s.state(), &s.policy, &s.cal)
        .unwrap()
        .handling_due
        .unwrap();
    let overdue = supervise(SupervisionTrigger::Overdue);
    // Not overdue yet: refused.
    assert_eq!(
        s.refusal_code(&service(), &overdue, due - hours(1)),
        "trigger_absent"
    );
    // A trigger people decide on is never the service's.
    assert_eq!(
        s.refusal_code(
            &service(),
            &supervise(SupervisionTrigger::HotIssue),
            due + hours(1)
        ),
        "trigger_absent"
    );
    // The service may do nothing else.
    assert_eq!(
        s.refusal_code(&service(), &sign_for(), due + hours(1)),
        "wrong_role"
    );
    assert_eq!(
        automatic::pending(&s.state(), due + hours(1), &s.policy, &s.cal),
        [SupervisionTrigger::Overdue]
    );
    s.ok(service(), overdue.clone(), due + hours(1));
    assert!(automatic::pending(&s.state(), due + hours(2), &s.policy, &s.cal).is_empty());
    assert_eq!(
        s.refusal_code(&service(), &overdue, due + hours(2)),
        "already_recorded"
    );
    // People may supervise the same order as they see fit.
    s.ok(dispatcher(), overdue.clone(), due + hours(3));
    let f = facts(&s);
    assert_eq!(
        f.supervisions
            .iter()
            .map(|x| x.by_service)
            .collect::<Vec<_>>(),
        [true, false]
    );
}

#[test]
fn the_service_records_still_dissatisfied_after_the_last_reopen() {
    // Turpan: one reopen; the second rating is final.
    let mut s = dispatched("turpan", submit(RequestKind::Complaint), mon());
    s.receive(UNIT_A, mon() + hours(1));
    handled(&mut s, 3, Satisfaction::Dissatisfied);
    let reason = supervise(SupervisionTrigger::ReopenedStillDissatisfied);
    assert_eq!(
        s.refusal_code(&service(), &reason, local(2026, 11, 3, 12, 0)),
        "trigger_absent"
    );
    s.ok(dispatcher(), reopen(), local(2026, 11, 3, 12, 0));
    handled(&mut s, 5, Satisfaction::Dissatisfied);
    let now = local(2026, 11, 5, 12, 0);
    assert_eq!(
        automatic::pending(&s.state(), now, &s.policy, &s.cal),
        [SupervisionTrigger::ReopenedStillDissatisfied]
    );
    s.ok(service(), reason.clone(), now);
    assert_eq!(
        s.refusal_code(&service(), &reason, now + hours(1)),
        "already_recorded"
    );
}

// ---------------------------------------------------------------- concentrated complaints

fn candidate(
    order: &str,
    address: &str,
    text: &str,
) -> hotline_core::center::warnings::ClusterCandidate {
    hotline_core::center::warnings::ClusterCandidate {
        order: order.into(),
        unit: Some(UNIT_A.into()),
        place: "371329".into(),
        address: address.into(),
        kind: "complaint".into(),
        text: text.into(),
        submitted_at: mon(),
    }
}

#[test]
fn many_people_on_one_matter_are_one_cluster_other_matters_at_the_site_are_not() {
    use hotline_core::center::warnings::cluster_warnings;
    let site = "古城路8号工地";
    let noise = [
        "古城路8号工地夜间施工噪音扰民，晚上十一点还在打桩",
        "古城路八号那个工地半夜还在施工，吵得睡不着",
        "晚上12点了古城路8号工地还在打桩，噪音太大",
        "投诉古城路8号工地夜里施工噪音太大，孩子明天还要考试，希望相关部门尽快处理！",
        "工地晚上一直打桩，噪音扰民，已经一个星期了",
    ];
    let others = [
        "古城路8号工地的渣土车不盖篷布，泥土撒了一路，路面全是泥",
        "我在古城路8号工地干活，老板拖欠我们农民工工资三个月了",
        "古城路8号工地扬尘很大，也不洒水，附近居民窗户都不敢开",
    ];
    let mut all: Vec<_> = noise
        .iter()
        .enumerate()
        .map(|(i, t)| candidate(&format!("n{i}"), site, t))
        .collect();
    all.extend(
        others
            .iter()
            .enumerate()
            .map(|(i, t)| candidate(&format!("o{i}"), site, t)),
    );
    let cfg = WarningConfig::default();
    let w = cluster_warnings(&all, &cfg);
    // Five people on the night work: one warning (警示 from five), naming all five orders.
    assert_eq!(w.len(), 1, "{w:#?}");
    assert_eq!(w[0].grade, Grade::Warning);
    assert_eq!(w[0].orders, ["n0", "n1", "n2", "n3", "n4"]);
    assert_eq!(w[0].rule, WarningRule::ConcentratedComplaints);
    // Three of them: a prompt (提示 from three); two: nothing yet.
    assert_eq!(cluster_warnings(&all[..3], &cfg)[0].grade, Grade::Prompt);
    assert!(cluster_warnings(&all[..2], &cfg).is_empty());
    // The same texts at another site are another matter.
    let mut elsewhere = all[..3].to_vec();
    elsewhere.extend(noise[3..].iter().enumerate().map(|(i, t)| {
        candidate(
            &format!("m{i}"),
            "沭河大街19号",
            &t.replace("古城路8号", "沭河大街19号"),
        )
    }));
    let w = cluster_warnings(&elsewhere, &cfg);
    assert!(w.iter().all(|w| w.orders.len() == 3), "{w:#?}");
}
