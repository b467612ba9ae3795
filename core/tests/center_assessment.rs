//! Hand-computed assessments: every scoring rule of Puyang (濮阳市12345政务服务热线工作考核暂行
//! 办法 四、五、六) and Linshu (2020年度12345政务服务热线工作考核办法 三(一), 二), with the
//! arithmetic written beside each expected figure. Facts are built directly here; how they
//! come from signed events is `center_facts.rs`.

use hotline_core::center::Period;
use hotline_core::center::assessment::{
    Assessment, AssessmentInputs, Method, UnitAssessment, assess, linshu, puyang,
};
use hotline_core::center::facts::{
    DueFact, NonCompliantFact, OrderFacts, RatingFact, ReturnFact, SupervisionFact,
};
use hotline_core::model::{
    Origin, RequestKind, Satisfaction, SupervisionForm, SupervisionTrigger, Timestamp, UnitId,
    Urgency,
};
use hotline_core::workflow::Status;
use hotline_testkit::workflow::local;

fn nov(d: u32) -> Timestamp {
    local(2026, 11, d, 10, 0)
}
fn oct(d: u32) -> Timestamp {
    local(2026, 10, d, 10, 0)
}
/// Well after November: every figure is as of the month's end.
fn later() -> Timestamp {
    local(2026, 12, 20, 9, 0)
}
fn november() -> Period {
    Period::month("2026-11").unwrap()
}

fn order(id: &str, unit: &str, dispatched: Timestamp) -> OrderFacts {
    OrderFacts {
        order: id.into(),
        kind: RequestKind::Complaint,
        urgency: Urgency::Normal,
        origin: Origin::Local,
        status: Status::InHandling,
        registered_at: Some(dispatched),
        instant_answer_at: None,
        not_accepted_at: None,
        lead_unit: Some(UnitId::new(unit)),
        dispatched_at: Some(dispatched),
        closed_at: None,
        closed_satisfied: false,
        excluded: false,
        ratings: vec![],
        reopens: vec![],
        returns: vec![],
        dues: vec![],
        supervisions: vec![],
        non_compliant: vec![],
        contacted: true,
    }
}

fn rate(f: &mut OrderFacts, at: Timestamp, rating: Satisfaction) -> &mut RatingFact {
    let round = f.reopens.len() as u32;
    f.ratings.push(RatingFact {
        at,
        round,
        rating,
        not_contacted: false,
        service_dissatisfied: false,
        unit: f.lead_unit.clone(),
    });
    f.ratings.last_mut().unwrap()
}

fn close(f: &mut OrderFacts, at: Timestamp, rating: Satisfaction) {
    rate(f, at, rating);
    f.closed_at = Some(at);
    f.closed_satisfied = !rating.is_dissatisfied();
    f.status = Status::Closed;
}

fn due(f: &mut OrderFacts, due: Timestamp, replied: Option<Timestamp>) {
    let unit = f.lead_unit.clone().unwrap();
    f.dues.push(DueFact {
        unit,
        due,
        replied_at: replied,
    });
}

fn inputs(text: &str) -> AssessmentInputs {
    AssessmentInputs::from_toml_str(text).unwrap()
}

fn unit<'a>(a: &'a Assessment, u: &str) -> &'a UnitAssessment {
    a.unit(u)
        .unwrap_or_else(|| panic!("{u} not in the assessment"))
}

fn points(a: &Assessment, u: &str, key: &str) -> f64 {
    unit(a, u)
        .points(key)
        .unwrap_or_else(|| panic!("{u} has no {key}"))
}

fn close_to(x: f64, y: f64) -> bool {
    (x - y).abs() < 1e-3
}

macro_rules! assert_points {
    ($a:expr, $u:expr, $key:expr, $want:expr) => {
        let got = points(&$a, $u, $key);
        assert!(
            close_to(got, $want),
            "{} {}: got {got}, want {}",
            $u,
            $key,
            $want
        );
    };
}

// ---------------------------------------------------------------- Puyang

/// Three units in November 2026. Every rule of 四 with its arithmetic.
fn puyang_city() -> (Vec<OrderFacts>, AssessmentInputs) {
    let mut f = Vec::new();
    // a1: on time (due 9 Nov, replied 5 Nov), closed satisfied.
    let mut a1 = order("a1", "town-a", nov(2));
    due(&mut a1, local(2026, 11, 9, 23, 59), Some(nov(5)));
    close(&mut a1, nov(6), Satisfaction::Satisfied);
    // a2: replied a day late, closed satisfied.
    let mut a2 = order("a2", "town-a", nov(2));
    due(&mut a2, local(2026, 11, 9, 23, 59), Some(nov(10)));
    close(&mut a2, nov(11), Satisfaction::Satisfied);
    // a3: four dissatisfied ratings on one matter (reopened each time, Puyang has no cap):
    // −1 each, at most −3 for the matter.
    let mut a3 = order("a3", "town-a", nov(3));
    for (d, reply) in [(6, 5), (11, 10), (16, 13), (20, 19)] {
        due(&mut a3, local(2026, 11, 25, 23, 59), Some(nov(reply)));
        rate(&mut a3, nov(d), Satisfaction::Dissatisfied);
        a3.reopens.push(nov(d) + chrono::Duration::hours(1));
    }
    a3.status = Status::Dissatisfied;
    // a4: due 11 Nov, never replied: overdue at the month's end.
    let mut a4 = order("a4", "town-a", nov(4));
    due(&mut a4, local(2026, 11, 11, 23, 59), None);
    // a5: an accepted written statement (cannot be solved): not counted anywhere.
    let mut a5 = order("a5", "town-a", nov(5));
    a5.excluded = true;
    due(&mut a5, local(2026, 11, 12, 23, 59), None);
    rate(&mut a5, nov(20), Satisfaction::VeryDissatisfied);
    // b1: on time, closed satisfied, but the citizen says nobody told them the result.
    let mut b1 = order("b1", "town-b", nov(3));
    due(&mut b1, local(2026, 11, 10, 23, 59), Some(nov(4)));
    close(&mut b1, nov(5), Satisfaction::VerySatisfied);
    b1.ratings[0].not_contacted = true;
    f.extend([a1, a2, a3, a4, a5, b1]);
    let i = inputs(
        r#"
        [units."town-a"]
        name = "古城镇"
        [months."2026-11"."town-a"]
        kb_days_late = 2
        unanswered_phone_checks = 3
        callback_findings = 1
        [months."2026-11"."town-b"]
        kb_days_late = 0
        unanswered_phone_checks = 12
        [months."2026-11"."town-c"]
        kb_days_late = 0
        unanswered_phone_checks = 0
        "#,
    );
    (f, i)
}

#[test]
fn puyang_every_rule_by_hand() {
    let (facts, i) = puyang_city();
    let a = assess(Method::Puyang, &facts, &i, &november(), later());
    // town-a: volume 4 (a5 excluded).
    assert_eq!(unit(&a, "town-a").volume, 4);
    assert_points!(a, "town-a", "knowledge_base", 18.0); // 20 − 2 days × 1
    assert_points!(a, "town-a", "phone_reachability", 7.0); // 10 − 3 × 1
    assert_points!(a, "town-a", "on_time", 8.0); // 10 − (a2 late + a4 unreplied) × 1
    assert_points!(a, "town-a", "closure_rate", 10.0); // 2 closed / 4 dispatched × 20
    assert_points!(a, "town-a", "callback_verification", 19.0); // 20 − (0 not told + 1 finding)
    assert_points!(a, "town-a", "satisfaction", 17.0); // 20 − min(4, 3) on a3; a5 excluded
    // Closures in November: a 2, b 1, c 0 → average 1; 2 is not above 2 × 1: no bonus.
    assert_eq!(unit(&a, "town-a").bonus, 0.0);
    assert_eq!(unit(&a, "town-a").total, Some(79.0)); // 18+7+8+10+19+17
    assert_eq!(unit(&a, "town-a").name.as_deref(), Some("古城镇"));
    // town-b: 20 + 0 (12 unanswered > 10) + 10 + 20 + 19 (not told) + 20 = 89.
    assert_points!(a, "town-b", "phone_reachability", 0.0);
    assert_points!(a, "town-b", "callback_verification", 19.0);
    assert_eq!(unit(&a, "town-b").total, Some(89.0));
    assert_eq!(unit(&a, "town-b").rank, Some(1));
    assert_eq!(unit(&a, "town-a").rank, Some(2));
    // town-c had no orders: listed, never ranked, the reason said.
    let c = unit(&a, "town-c");
    assert_eq!((c.total, c.rank, c.volume), (None, None, 0));
    assert!(c.missing.iter().any(|m| m.contains("no orders")));
    assert_eq!(a.units.last().unwrap().unit, "town-c");
}

#[test]
fn puyang_missing_inputs_are_reported_not_invented() {
    let (facts, _) = puyang_city();
    let a = assess(
        Method::Puyang,
        &facts,
        &AssessmentInputs::default(),
        &november(),
        later(),
    );
    let u = unit(&a, "town-a");
    assert_eq!(u.points("knowledge_base"), None);
    assert_eq!(u.points("phone_reachability"), None);
    assert_eq!(u.total, None);
    assert!(u.missing.iter().any(|m| m.contains("knowledge-base")));
    assert!(u.missing.iter().any(|m| m.contains("phone checks")));
    // What hotline knows itself is still there.
    assert_eq!(u.points("closure_rate"), Some(10.0));
}

#[test]
fn puyang_overdue_past_ten_scores_nothing() {
    let mut facts = Vec::new();
    for n in 0..11 {
        let mut o = order(&format!("o{n}"), "town-a", nov(2));
        due(&mut o, local(2026, 11, 9, 23, 59), Some(nov(10)));
        facts.push(o);
    }
    let a = assess(
        Method::Puyang,
        &facts,
        &AssessmentInputs::default(),
        &november(),
        later(),
    );
    assert_points!(a, "town-a", "on_time", 0.0); // 11 overdue > 10: 0
    facts.pop();
    let a = assess(
        Method::Puyang,
        &facts,
        &AssessmentInputs::default(),
        &november(),
        later(),
    );
    assert_points!(a, "town-a", "on_time", 0.0); // 10 − 10 × 1
    facts.pop();
    let a = assess(
        Method::Puyang,
        &facts,
        &AssessmentInputs::default(),
        &november(),
        later(),
    );
    assert_points!(a, "town-a", "on_time", 1.0); // 10 − 9 × 1
}

#[test]
fn puyang_bonus_against_the_all_unit_average() {
    let zero = |units: &[&str]| {
        let mut t = String::new();
        for u in units {
            t.push_str(&format!(
                "[months.\"2026-11\".\"{u}\"]\nkb_days_late = 0\nunanswered_phone_checks = 0\n"
            ));
        }
        inputs(&t)
    };
    // d closes 7, e and f one each: average 3; 7 > 2 × 3 → +3 (not > 3 × 3).
    let mut facts = Vec::new();
    for n in 0..7 {
        let mut o = order(&format!("d{n}"), "d", nov(2));
        close(&mut o, nov(4), Satisfaction::Satisfied);
        facts.push(o);
    }
    for u in ["e", "f"] {
        let mut o = order(&format!("{u}0"), u, nov(2));
        close(&mut o, nov(4), Satisfaction::Satisfied);
        facts.push(o);
    }
    let a = assess(
        Method::Puyang,
        &facts,
        &zero(&["d", "e", "f"]),
        &november(),
        later(),
    );
    assert_eq!(unit(&a, "d").bonus, 3.0);
    assert_eq!(unit(&a, "d").total, Some(103.0));
    assert_eq!(unit(&a, "e").bonus, 0.0);
    // d closes 10, e, f, g none (each has an open order): average 2.5; 10 > 3 × 2.5 → +5.
    let mut facts: Vec<OrderFacts> = (0..10)
        .map(|n| {
            let mut o = order(&format!("d{n}"), "d", nov(2));
            close(&mut o, nov(4), Satisfaction::Satisfied);
            o
        })
        .collect();
    facts.extend(["e", "f", "g"].map(|u| order(&format!("{u}0"), u, nov(2))));
    let a = assess(
        Method::Puyang,
        &facts,
        &zero(&["d", "e", "f", "g"]),
        &november(),
        later(),
    );
    assert_eq!(unit(&a, "d").bonus, 5.0);
    // Exactly twice the average is not "above it by 100 %": d 2, e 1, f 0 → average 1.
    let mut facts = Vec::new();
    for (u, n) in [("d", 2), ("e", 1)] {
        for k in 0..n {
            let mut o = order(&format!("{u}{k}"), u, nov(2));
            close(&mut o, nov(4), Satisfaction::Satisfied);
            facts.push(o);
        }
    }
    facts.push(order("f0", "f", nov(2)));
    let a = assess(
        Method::Puyang,
        &facts,
        &zero(&["d", "e", "f"]),
        &november(),
        later(),
    );
    assert_eq!(unit(&a, "d").bonus, 0.0);
}

#[test]
fn puyang_satisfaction_cap_runs_over_the_matter_not_the_month() {
    // Dissatisfied on 28 Oct, then 3, 10 and 17 Nov: four on one matter, −3 in all:
    // October −1; November min(4, 3) − min(1, 3) = −2.
    let mut o = order("x", "town-a", oct(20));
    for at in [oct(28), nov(3), nov(10), nov(17)] {
        rate(&mut o, at, Satisfaction::Dissatisfied);
        o.reopens.push(at + chrono::Duration::hours(2));
    }
    let i = inputs("");
    let october = Period::month("2026-10").unwrap();
    let a = assess(
        Method::Puyang,
        std::slice::from_ref(&o),
        &i,
        &october,
        later(),
    );
    assert_points!(a, "town-a", "satisfaction", 19.0);
    let a = assess(Method::Puyang, &[o], &i, &november(), later());
    assert_points!(a, "town-a", "satisfaction", 18.0);
}

#[test]
fn ties_share_a_rank_and_the_next_rank_skips() {
    let mut facts = Vec::new();
    let mut t = String::new();
    for (u, closed) in [("p", true), ("q", true), ("r", false)] {
        let mut o = order(&format!("{u}1"), u, nov(2));
        if closed {
            close(&mut o, nov(4), Satisfaction::Satisfied);
        }
        facts.push(o);
        t.push_str(&format!(
            "[months.\"2026-11\".\"{u}\"]\nkb_days_late = 0\nunanswered_phone_checks = 0\n"
        ));
    }
    // p and q: 100 each (average closures 2/3: each 1 > 4/3? no bonus); r: 80 (closure 0).
    let a = assess(Method::Puyang, &facts, &inputs(&t), &november(), later());
    assert_eq!(unit(&a, "p").total, Some(100.0));
    assert_eq!(unit(&a, "q").total, Some(100.0));
    assert_eq!(unit(&a, "r").total, Some(80.0));
    assert_eq!(
        a.units
            .iter()
            .map(|u| (u.unit.as_str(), u.rank))
            .collect::<Vec<_>>(),
        [("p", Some(1)), ("q", Some(1)), ("r", Some(3))]
    );
}

/// An assessment whose units u1, u2, … have these totals (None: not ranked).
fn with_totals(totals: &[Option<f64>]) -> Assessment {
    let facts: Vec<OrderFacts> = Vec::new();
    let mut a = assess(
        Method::Puyang,
        &facts,
        &AssessmentInputs::default(),
        &november(),
        later(),
    );
    a.units = totals
        .iter()
        .enumerate()
        .map(|(i, t)| UnitAssessment {
            unit: format!("u{}", i + 1),
            name: None,
            class: None,
            volume: 1,
            indicators: vec![],
            bonus: 0.0,
            total: *t,
            rank: None,
            missing: vec![],
        })
        .collect();
    a
}

#[test]
fn puyang_interviews_the_bottom_three_of_three_months_running() {
    // Five units. u5 and u4 are in the bottom three each month; u3 escapes in the second
    // month; in the third month u2 ties u3 at the boundary, so both count as bottom three.
    let m1 = with_totals(&[Some(95.0), Some(90.0), Some(80.0), Some(70.0), Some(60.0)]);
    let m2 = with_totals(&[Some(95.0), Some(70.0), Some(90.0), Some(60.0), Some(50.0)]);
    let m3 = with_totals(&[Some(95.0), Some(80.0), Some(80.0), Some(70.0), Some(60.0)]);
    assert_eq!(
        puyang::interview_list(&[m1.clone(), m2.clone(), m3.clone()]),
        ["u4", "u5"]
    );
    // A unit not ranked in one of the months (no orders, missing data) is not interviewed.
    let m3b = with_totals(&[Some(95.0), Some(80.0), Some(80.0), None, Some(60.0)]);
    assert_eq!(
        puyang::interview_list(&[m1.clone(), m2.clone(), m3b]),
        ["u5"]
    );
    // Two months are not three.
    assert!(puyang::interview_list(&[m2, m3]).is_empty());
    // With three units every ranked unit is in the bottom three.
    let small = with_totals(&[Some(95.0), Some(90.0), Some(80.0)]);
    assert_eq!(
        puyang::interview_list(&[small.clone(), small.clone(), small]),
        ["u1", "u2", "u3"]
    );
}

// ---------------------------------------------------------------- Linshu

/// Towns t1 (10 orders), t2 (5), t3 (5), t4 (none); departments d1 (7), d2 (3).
fn linshu_city() -> (Vec<OrderFacts>, AssessmentInputs) {
    let mut f = Vec::new();
    let satisfied = |id: String, unit: &str| {
        let mut o = order(&id, unit, nov(2));
        close(&mut o, nov(6), Satisfaction::Satisfied);
        o
    };
    // t1: 6 first-time satisfied, 1 satisfied after a reopen, 1 reopened twice (still open),
    // 2 open; 2 unresponded (one "not contacted", one service dissatisfied).
    for n in 0..6 {
        f.push(satisfied(format!("t1-{n}"), "t1"));
    }
    let mut r = order("t1-6", "t1", nov(2));
    rate(&mut r, nov(5), Satisfaction::Dissatisfied).not_contacted = true;
    r.reopens.push(nov(5));
    close(&mut r, nov(12), Satisfaction::Satisfied);
    f.push(r);
    let mut twice = order("t1-7", "t1", nov(2));
    rate(&mut twice, nov(5), Satisfaction::Dissatisfied).service_dissatisfied = true;
    twice.reopens.extend([nov(5), nov(12)]);
    f.push(twice);
    f.push(order("t1-8", "t1", nov(2)));
    let mut late_return = order("t1-9", "t1", nov(2));
    late_return.returns.push(ReturnFact {
        unit: UnitId::new("t1"),
        at: nov(4),
        late: true,
        without_call: false,
        insisted: false,
        approved: Some(true),
    });
    late_return.supervisions.push(SupervisionFact {
        unit: Some(UnitId::new("t1")),
        at: nov(20),
        trigger: SupervisionTrigger::Overdue,
        form: SupervisionForm::Daily,
        by_service: true,
    });
    late_return.non_compliant.push(NonCompliantFact {
        unit: UnitId::new("t1"),
        at: nov(15),
        approved: Some(true),
    });
    f.push(late_return);
    // t2: 4 first-time satisfied, 1 open; a return denied, then insisted on and denied again.
    for n in 0..4 {
        f.push(satisfied(format!("t2-{n}"), "t2"));
    }
    let mut ret = order("t2-4", "t2", nov(2));
    ret.returns.push(ReturnFact {
        unit: UnitId::new("t2"),
        at: nov(2),
        late: false,
        without_call: false,
        insisted: false,
        approved: Some(false),
    });
    ret.returns.push(ReturnFact {
        unit: UnitId::new("t2"),
        at: nov(3),
        late: false,
        without_call: false,
        insisted: true,
        approved: Some(false),
    });
    f.push(ret);
    // t3: 1 first-time satisfied, 1 satisfied after reopening, 1 from the city hotline
    // reopened twice, 2 open with 12 late replies between them; media supervision;
    // an unresponded order; a non-compliant application the center found badly founded.
    f.push(satisfied("t3-0".into(), "t3"));
    let mut r = order("t3-1", "t3", nov(2));
    rate(&mut r, nov(5), Satisfaction::Dissatisfied);
    r.reopens.push(nov(5));
    close(&mut r, nov(12), Satisfaction::BasicallySatisfied);
    f.push(r);
    let mut city = order("t3-2", "t3", nov(2));
    city.origin = Origin::CityHotline;
    city.reopens.extend([nov(6), nov(13)]);
    rate(&mut city, nov(5), Satisfaction::Dissatisfied).not_contacted = true;
    f.push(city);
    let mut slow = order("t3-3", "t3", nov(2));
    for d in 3..=14 {
        due(&mut slow, nov(d), Some(nov(d) + chrono::Duration::hours(1)));
    }
    slow.supervisions.push(SupervisionFact {
        unit: Some(UnitId::new("t3")),
        at: nov(9),
        trigger: SupervisionTrigger::HotIssue,
        form: SupervisionForm::Media,
        by_service: false,
    });
    slow.non_compliant.push(NonCompliantFact {
        unit: UnitId::new("t3"),
        at: nov(16),
        approved: Some(false),
    });
    f.push(slow);
    f.push(order("t3-4", "t3", nov(2)));
    // d1: 7 first-time satisfied; d2: 3.
    for n in 0..7 {
        f.push(satisfied(format!("d1-{n}"), "d1"));
    }
    for n in 0..3 {
        f.push(satisfied(format!("d2-{n}"), "d2"));
    }
    let i = inputs(
        r#"
        [units.t1]
        class = "town"
        [units.t2]
        class = "town"
        [units.t3]
        class = "town"
        [units.t4]
        class = "town"
        [units.d1]
        class = "department"
        [units.d2]
        class = "department"
        [months."2026-11".t2]
        falsified_applications = 1
        [department_bands]
        "2026-11" = [8, 6, 4, 2]
        "#,
    );
    (f, i)
}

#[test]
fn linshu_every_indicator_by_hand() {
    let (facts, i) = linshu_city();
    let a = assess(Method::Linshu, &facts, &i, &november(), later());
    // 1 volume, towns x = 10, 5, 5: W[(x−5)/5 + 0.8(10−x)/5] → 10, 8, 8.
    assert_points!(a, "t1", "volume", 10.0);
    assert_points!(a, "t2", "volume", 8.0);
    assert_points!(a, "t3", "volume", 8.0);
    // 2(1) service, x = 8/10, 5/5, 4/5 → 0.8, 1, 0.8: 8, 10, 8.
    assert_points!(a, "t1", "response_service", 8.0);
    assert_points!(a, "t2", "response_service", 10.0);
    assert_points!(a, "t3", "response_service", 8.0);
    // 2(2) handling: t1 5 − 0.2 (late return) = 4.8; t2 5 − 0.2 (insisted) − 2 × 0.5 (own
    // duty, both denied) = 3.8; t3 5 − 12 × 0.2 = 2.6, raised to 4.8 − 2 = 2.8 (spread ≤ 2).
    assert_points!(a, "t1", "response_handling", 4.8);
    assert_points!(a, "t2", "response_handling", 3.8);
    assert_points!(a, "t3", "response_handling", 2.8);
    // 3 first-time, x = 6/10, 4/5, 1/5; towns k = 0.9:
    // t1 35[(0.6−0.2)/0.6 + 0.9(0.8−0.6)/0.6] = 35 × 0.96667 = 33.8333; t2 35; t3 35 × 0.9.
    assert_points!(a, "t1", "first_time_resolution", 33.8333);
    assert_points!(a, "t2", "first_time_resolution", 35.0);
    assert_points!(a, "t3", "first_time_resolution", 31.5);
    // 4 reopen satisfaction, x = 1/10, 0/5, 1/5: t1 20[0.5 + 0.9 × 0.5] = 19; t2 18; t3 20.
    assert_points!(a, "t1", "reopen_satisfaction", 19.0);
    assert_points!(a, "t2", "reopen_satisfaction", 18.0);
    assert_points!(a, "t3", "reopen_satisfaction", 20.0);
    // 5 reopen rates (1 − share reopened ≥ 2 times) × 5: t1 county 1/10 → 4.5;
    // t3 city 1/5 (from the city hotline) → 4; the rest 5.
    assert_points!(a, "t1", "county_reopen_rate", 4.5);
    assert_points!(a, "t1", "city_reopen_rate", 5.0);
    assert_points!(a, "t3", "county_reopen_rate", 5.0);
    assert_points!(a, "t3", "city_reopen_rate", 4.0);
    // 6 difficult: shares 1/10, 0/5, 1/5 → 2(0.2 − x)/0.2 = 1, 2, 0; plus 3 less 0.5 per
    // badly founded and 1 per falsified: t1 1 + 3 = 4; t2 2 + (3 − 1) = 4; t3 0 + 2.5.
    assert_points!(a, "t1", "difficult_requests", 4.0);
    assert_points!(a, "t2", "difficult_requests", 4.0);
    assert_points!(a, "t3", "difficult_requests", 2.5);
    // 7 supervision: t1 5 − 0.2 (daily, by the center service) = 4.8; t3 5 − 5 (media) = 0.
    assert_points!(a, "t1", "supervision", 4.8);
    assert_points!(a, "t2", "supervision", 5.0);
    assert_points!(a, "t3", "supervision", 0.0);
    // Totals: t1 10+8+4.8+33.8333+19+4.5+5+4+4.8 = 93.9333; t2 8+10+3.8+35+18+5+5+4+5 =
    // 93.8; t3 8+8+2.8+31.5+20+5+4+2.5+0 = 81.8.
    assert!(close_to(unit(&a, "t1").total.unwrap(), 93.9333));
    assert!(close_to(unit(&a, "t2").total.unwrap(), 93.8));
    assert!(close_to(unit(&a, "t3").total.unwrap(), 81.8));
    // t4: a town with no orders is not in anyone's min/max and not ranked.
    assert_eq!(unit(&a, "t4").total, None);
    // Departments: volume bands [8, 6, 4, 2]: d1 7 → 8, d2 3 → 4. Everything else is equal
    // between them, so every normalised indicator gives W: 98 and 94.
    assert_points!(a, "d1", "volume", 8.0);
    assert_points!(a, "d2", "volume", 4.0);
    assert_points!(a, "d1", "first_time_resolution", 35.0);
    assert_points!(a, "d2", "reopen_satisfaction", 20.0);
    assert_eq!(unit(&a, "d1").total, Some(98.0));
    assert_eq!(unit(&a, "d2").total, Some(94.0));
    let ranks: Vec<_> = a.units.iter().map(|u| (u.unit.as_str(), u.rank)).collect();
    assert_eq!(
        ranks,
        [
            ("d1", Some(1)),
            ("d2", Some(2)),
            ("t1", Some(3)),
            ("t2", Some(4)),
            ("t3", Some(5)),
            ("t4", None)
        ]
    );
}

#[test]
fn linshu_one_unit_alone_and_all_equal_score_w() {
    let (facts, i) = linshu_city();
    let alone: Vec<OrderFacts> = facts
        .into_iter()
        .filter(|f| f.order.starts_with("t3"))
        .collect();
    let a = assess(Method::Linshu, &alone, &i, &november(), later());
    // t3 is the only town with orders: max = min, so every normalised indicator is W.
    assert_points!(a, "t3", "volume", 10.0);
    assert_points!(a, "t3", "response_service", 10.0);
    assert_points!(a, "t3", "first_time_resolution", 35.0);
    assert_points!(a, "t3", "reopen_satisfaction", 20.0);
    // Handling keeps its own deductions (the spread cap is against itself): 5 − 12 × 0.2.
    assert_points!(a, "t3", "response_handling", 2.6);
    // Departments without bands for the month: their volume is missing, they are not ranked.
    let (facts, _) = linshu_city();
    let no_bands = inputs("[units.d1]\nclass = \"department\"\n");
    let a = assess(Method::Linshu, &facts, &no_bands, &november(), later());
    assert_eq!(unit(&a, "d1").points("volume"), None);
    assert!(unit(&a, "d1").missing.iter().any(|m| m.contains("bands")));
    // A unit whose class is not given is scored as a town, and says so.
    assert!(
        unit(&a, "t1")
            .missing
            .iter()
            .any(|m| m.contains("class not entered"))
    );
}

#[test]
fn linshu_orders_open_at_the_end_of_the_period_count_as_not_satisfied() {
    // Dispatched 28 Oct, dissatisfied 30 Oct, reopened, satisfied 3 Nov: the reopen crosses
    // the month boundary. In October the order is open at the end: x = 0 for first time and
    // reopen satisfaction, and it stays so whenever October is computed.
    let mut o = order("o", "t1", oct(28));
    rate(&mut o, oct(30), Satisfaction::Dissatisfied);
    o.reopens.push(oct(30) + chrono::Duration::hours(1));
    close(&mut o, nov(3), Satisfaction::Satisfied);
    let mut other = order("p", "t2", oct(28));
    close(&mut other, oct(29), Satisfaction::Satisfied);
    let i = inputs("");
    let october = Period::month("2026-10").unwrap();
    for now in [local(2026, 11, 1, 9, 0), later()] {
        let a = assess(
            Method::Linshu,
            &[o.clone(), other.clone()],
            &i,
            &october,
            now,
        );
        assert_eq!(
            unit(&a, "t1")
                .indicator("reopen_satisfaction")
                .unwrap()
                .value,
            Some(0.0)
        );
        assert_eq!(
            unit(&a, "t1")
                .indicator("first_time_resolution")
                .unwrap()
                .value,
            Some(0.0)
        );
        // t1 lowest on first-time: 35 × 0.9.
        assert_points!(a, "t1", "first_time_resolution", 31.5);
    }
    // Computed mid-way through October (now before the end), the open order is just open.
    let a = assess(Method::Linshu, &[o], &i, &october, oct(31));
    assert_eq!(a.as_of, oct(31));
}

#[test]
fn linshu_annual_is_80_percent_daily_and_20_percent_year_end() {
    // Mean of 90, 80, (missing), 85 = 85; 0.8 × 85 + 0.2 × 70 = 68 + 14 = 82.
    assert_eq!(
        linshu::annual(&[Some(90.0), Some(80.0), None, Some(85.0)], Some(70.0)),
        Some(82.0)
    );
    assert_eq!(linshu::annual(&[Some(90.0)], None), None);
    assert_eq!(linshu::annual(&[None, None], Some(80.0)), None);
}

// ---------------------------------------------------------------- rates

#[test]
fn headline_rates_by_hand() {
    let (facts, _) = puyang_city();
    let mut facts = facts;
    let mut instant = order("i1", "center", nov(3));
    instant.lead_unit = None;
    instant.dispatched_at = None;
    instant.instant_answer_at = Some(nov(3));
    facts.push(instant);
    let a = assess(
        Method::Rates,
        &facts,
        &AssessmentInputs::default(),
        &november(),
        later(),
    );
    let city = unit(&a, "city");
    let r = |k: &str| city.points(k);
    // 6 orders dispatched in November (a1–a5, b1), 1 instant answer: 1 / (1 + 6).
    assert!(close_to(r("direct_answer").unwrap(), 1.0 / 7.0));
    // Closed: a1, a2, b1 of 6 → 0.5; all three satisfied → resolution 1.
    assert_eq!(r("closure"), Some(0.5));
    assert_eq!(r("resolution"), Some(1.0));
    // Ratings in November: a1, a2, b1 satisfied; a3 × 4 and a5 dissatisfied → 3 / 8.
    assert_eq!(r("satisfaction"), Some(3.0 / 8.0));
    // Deadlines in November: a1 ok, a2 late, a3 × 4 ok, a4 missed, a5 missed, b1 ok → 6 / 9.
    assert!(close_to(r("on_time").unwrap(), 6.0 / 9.0));
    // Unresponded: b1 (not told) → 5 / 6.
    assert!(close_to(r("response").unwrap(), 5.0 / 6.0));
    // First-time: a1, a2, b1 → 3 / 6; reopened: a3 → 1 / 6.
    assert_eq!(r("first_time_resolution"), Some(0.5));
    assert!(close_to(r("reopen").unwrap(), 1.0 / 6.0));
    // Never invented: the telephone system's figure.
    assert_eq!(r("effective_connection"), None);
    // A unit has no direct-answer rate (it is the center's).
    assert_eq!(unit(&a, "town-a").points("direct_answer"), None);
}

#[test]
fn a_bad_inputs_file_is_a_typed_error() {
    use hotline_core::Coded;
    for bad in [
        "[months.\"2026-11\".x]\nkb_days_late = -1\n",
        "[months.\"2026-11\".x]\nkb_late = 1\n",
        "[department_bands]\n\"2026-11\" = [1, 2, 3, 4]\n",
        "[year_end.\"2026\"]\nx = 120.0\n",
        "[[",
    ] {
        let e = AssessmentInputs::from_toml_str(bad).unwrap_err();
        assert_eq!(e.code().as_str(), "bad_assessment_inputs", "{bad}");
    }
}
