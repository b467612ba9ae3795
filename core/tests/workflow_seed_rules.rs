//! The rules the seeds state and today's workflow once got wrong (DOMAIN.md, "Corrections and
//! additions"), one table each; every row names its seed file and article or section.
//! Seeds: `shared/seeds/turpan-2021-hotline-management-measures.txt` (Turpan),
//! `shared/seeds/puyang-2020-unified-hotline-platform.txt` (Puyang),
//! `shared/seeds/linshu-2020-hotline-handling-notice.txt` (Linshu).

use hotline_core::model::{
    Action, NotAcceptedReason, RequestKind, Satisfaction, Timestamp, Urgency,
};
use hotline_core::policy::{Limit, preset};
use hotline_core::workflow::{Status, deadlines};
use hotline_testkit::workflow::*;

/// (preset, reopens tried, the round refused and its code or None, rule).
type ReopenRow = (&'static str, u32, Option<(u32, &'static str)>, &'static str);
/// (preset, ground, words for "other", refusal code or None, rule).
type GroundRow = (
    &'static str,
    NotAcceptedReason,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
);

/// A help request of `urgency`.
fn help_of(urgency: Urgency) -> Action {
    match urgency {
        Urgency::Emergency => submit_emergency(RequestKind::Help),
        Urgency::Normal => submit(RequestKind::Help),
    }
}

/// An order of `urgency` under `preset_name`, registered, dispatched to A and signed for.
fn in_handling(preset_name: &str, urgency: Urgency) -> Script {
    let mut s = Script::new(preset_name);
    let t = monday();
    let submitted = help_of(urgency);
    s.ok(kiosk(), submitted, t);
    s.ok(intake(), register(), t + minutes(5));
    s.ok(
        dispatcher(),
        dispatch_reported(UNIT_A, t + minutes(8), "电话报告市政府值班室值班员"),
        t + minutes(10),
    );
    s.receive(UNIT_A, t + minutes(20));
    s
}

#[test]
fn an_emergency_is_extended_only_where_the_policy_allows_it() {
    // (preset, urgency, refusal code or None, where the rule comes from)
    let rows: [(&str, Urgency, Option<&str>, &str); 6] = [
        (
            "turpan",
            Urgency::Emergency,
            Some("extension_not_for_emergency"),
            "turpan-2021 art. 17: 除突发类事项外 … 再行申请延期办结",
        ),
        (
            "turpan",
            Urgency::Normal,
            None,
            "turpan-2021 art. 17: other matters may be extended (≤ 30 WD)",
        ),
        (
            "puyang",
            Urgency::Emergency,
            None,
            "puyang-2020 §(四): no emergency exception, only a written explanation",
        ),
        (
            "puyang",
            Urgency::Normal,
            None,
            "puyang-2020 §(四): extension with a written explanation",
        ),
        (
            "linshu",
            Urgency::Emergency,
            None,
            "linshu-2020: sets no extension rule of its own",
        ),
        (
            "linshu",
            Urgency::Normal,
            None,
            "linshu-2020: sets no extension rule of its own",
        ),
    ];
    for (preset_name, urgency, refused, rule) in rows {
        let mut s = in_handling(preset_name, urgency);
        let at = monday() + hours(2);
        let ask = request_extension_by_law(5, "法定办理时限为 15 个工作日，需现场测量", 15);
        match refused {
            Some(code) => s.expect_refused(staff(UNIT_A), ask, at, code),
            None => {
                s.ok(staff(UNIT_A), ask, at);
                assert_eq!(s.state().status, Status::ExtensionRequested, "{rule}");
            }
        }
    }
}

#[test]
fn a_puyang_emergency_is_dispatched_with_its_report_to_the_duty_office() {
    // puyang-2020 §(四): 对应急类事项事件，市热线平台应立即转办至相关单位，同时上报市政府值班室。
    let t = monday();
    let reported = dispatch_reported(UNIT_A, t + minutes(8), "电话报告市政府值班室值班员");
    let blank_report = dispatch_reported(UNIT_A, t + minutes(8), "  ");
    // (preset, urgency, dispatch, refusal: the missing field, or None)
    let rows: [(&str, Urgency, Action, Option<&str>, &str); 6] = [
        (
            "puyang",
            Urgency::Emergency,
            dispatch(UNIT_A, &[]),
            Some("duty_report"),
            "puyang-2020 §(四): 同时上报市政府值班室",
        ),
        (
            "puyang",
            Urgency::Emergency,
            blank_report,
            Some("duty_report"),
            "puyang-2020 §(四): a report that says nothing is no report",
        ),
        (
            "puyang",
            Urgency::Emergency,
            reported.clone(),
            None,
            "puyang-2020 §(四)",
        ),
        (
            "puyang",
            Urgency::Normal,
            dispatch(UNIT_A, &[]),
            None,
            "puyang-2020 §(四): only emergencies are reported",
        ),
        (
            "turpan",
            Urgency::Emergency,
            dispatch(UNIT_A, &[]),
            None,
            "turpan-2021 art. 26: no duty-office report in Turpan's rules",
        ),
        (
            "linshu",
            Urgency::Emergency,
            dispatch(UNIT_A, &[]),
            None,
            "linshu-2020: no duty-office report",
        ),
    ];
    for (preset_name, urgency, dispatched, refused, rule) in rows {
        let mut s = Script::new(preset_name);
        let submitted = help_of(urgency);
        s.ok(kiosk(), submitted, t);
        s.ok(intake(), register(), t + minutes(5));
        match refused {
            Some(field) => {
                let e = s.refusal(&dispatcher(), &dispatched, t + minutes(10));
                assert!(
                    matches!(e, hotline_core::workflow::WorkflowError::MissingField { field: f, .. } if f == field),
                    "{rule}: {e}"
                );
                s.expect_refused(dispatcher(), dispatched, t + minutes(10), "missing_field");
            }
            None => {
                s.ok(dispatcher(), dispatched, t + minutes(10));
                assert_eq!(s.state().status, Status::Dispatched, "{rule}");
            }
        }
    }
}

#[test]
fn an_emergency_is_due_for_dispatch_in_hours_where_the_policy_says_at_once() {
    let t = monday();
    // (preset, urgency, dispatch due after registration, rule)
    let rows: [(&str, Urgency, Option<Timestamp>, &str); 4] = [
        (
            "puyang",
            Urgency::Emergency,
            Some(t + minutes(5) + hours(1)),
            "puyang-2020 §(四): 立即转办 — read as within one natural hour",
        ),
        (
            "puyang",
            Urgency::Normal,
            // Registered Monday: the next working day, Tuesday, ends the limit.
            Some(end_of_day(2026, 3, 3)),
            "puyang-2020 §(四): dispatched within 1 WD",
        ),
        (
            "turpan",
            Urgency::Emergency,
            None,
            "turpan-2021: no dispatch limit",
        ),
        (
            "linshu",
            Urgency::Emergency,
            None,
            "linshu-2020: no dispatch limit",
        ),
    ];
    for (preset_name, urgency, due, rule) in rows {
        let mut s = Script::new(preset_name);
        let submitted = help_of(urgency);
        s.ok(kiosk(), submitted, t);
        s.ok(intake(), register(), t + minutes(5));
        let d = deadlines(&s.state(), &s.policy, &s.cal).unwrap();
        assert_eq!(d.dispatch_due, due, "{rule}");
    }
    let puyang = preset("puyang").unwrap();
    assert_eq!(puyang.limits.emergency_dispatch, Some(Limit::Hours(1)));
    assert_eq!(
        puyang.dispatch_limit(Urgency::Normal),
        Some(Limit::WorkingDays(1))
    );
}

/// Reply, approve, rate dissatisfied and reopen, `times` times over; the last reopen's refusal
/// code, if any.
fn reopen_times(preset_name: &str, times: u32) -> Result<Script, (u32, &'static str)> {
    let mut s = scripted(preset_name, RequestKind::Complaint, "in_handling");
    let mut at = monday() + hours(4);
    for round in 1..=times {
        s.reply_approved(UNIT_A, RequestKind::Complaint, at);
        s.ok(dispatcher(), review(true), at + minutes(10));
        s.ok(
            callback_agent(),
            callback(Satisfaction::Dissatisfied),
            at + minutes(20),
        );
        let code = s.decide(&dispatcher(), &reopen(), at + minutes(30));
        if let Err(e) = code {
            return Err((round, hotline_core::Coded::code(&e).as_str()));
        }
        s.ok(dispatcher(), reopen(), at + minutes(30));
        at += hours(1);
    }
    Ok(s)
}

#[test]
fn puyang_reopens_on_every_dissatisfied_rating_and_turpan_once() {
    // (preset, reopens tried, the round refused and its code, or None, rule)
    let rows: [ReopenRow; 4] = [
        (
            "puyang",
            4,
            None,
            "puyang-2020 §(六) with DOMAIN corrections: every dissatisfied rating reopens, no cap",
        ),
        (
            "turpan",
            2,
            Some((2, "reopen_limit")),
            "turpan-2021 art. 22: 重办一次",
        ),
        ("turpan", 1, None, "turpan-2021 art. 22: the first reopen"),
        (
            "linshu",
            3,
            None,
            "linshu-2020: counts orders reopened ≥ 2 times, so sets no cap",
        ),
    ];
    for (preset_name, times, refused, rule) in rows {
        match (reopen_times(preset_name, times), refused) {
            (Ok(s), None) => {
                assert_eq!(s.state().reopen_count, times, "{rule}");
                assert_eq!(s.state().status, Status::InHandling, "{rule}");
            }
            (Err(got), Some((round, code))) => assert_eq!(got, (round, code), "{rule}"),
            (Ok(_), Some(want)) => panic!("{rule}: expected {want:?}, every reopen was accepted"),
            (Err(got), None) => panic!("{rule}: reopen refused: {got:?}"),
        }
    }
    // puyang-2020 §(六): each reopen has its own 5 WD — the third, on Monday 2 March, is due
    // at the end of Monday 9 March.
    let s = reopen_times("puyang", 3).unwrap();
    let d = deadlines(&s.state(), &s.policy, &s.cal).unwrap();
    assert_eq!(d.handling_due, Some(end_of_day(2026, 3, 9)));
}

#[test]
fn a_dispatch_written_before_the_duty_report_reads_and_writes_as_it_was() {
    // The JSON a dispatch event had in stores made before the rule: no `duty_report`.
    let before = r#"{"type":"dispatch","lead":"unit-a","co_units":[],"leader_approval":false,"note":"请核实"}"#;
    let action: Action = serde_json::from_str(before).unwrap();
    assert!(matches!(
        &action,
        Action::Dispatch {
            duty_report: None,
            coordination: None,
            ..
        }
    ));
    // Written back byte for byte the same, so a re-encoded old event hashes the same.
    assert_eq!(serde_json::to_string(&action).unwrap(), before);
    // A stored policy from before the new rules keeps the behaviour it had.
    let mut old = serde_json::to_value(preset("turpan").unwrap()).unwrap();
    let fields = old.as_object_mut().unwrap();
    fields.remove("emergencies_extendable");
    fields.remove("emergency_duty_report");
    fields["limits"]
        .as_object_mut()
        .unwrap()
        .remove("emergency_dispatch");
    let read: hotline_core::policy::Policy = serde_json::from_value(old).unwrap();
    assert!(read.emergencies_extendable && !read.emergency_duty_report);
    assert_eq!(read.limits.emergency_dispatch, None);
}

/// A not-accept of `reason` with a basis, and `stated` words for "other".
fn not_accept_for(reason: NotAcceptedReason, stated: Option<&str>) -> Action {
    Action::NotAccept {
        reason,
        basis: "《吐鲁番市12345政务服务便民热线管理办法》第二章".into(),
        earlier_order: None,
        stated_reason: stated.map(str::to_string),
    }
}

#[test]
fn each_policy_refuses_requests_on_its_own_grounds() {
    use NotAcceptedReason::*;
    // (preset, ground, words for "other", refusal code or None, rule)
    let rows: [GroundRow; 11] = [
        (
            "turpan",
            EmergencyServices,
            None,
            None,
            "turpan-2021 第二章: 依法应当通过110、119、120等紧急服务专线处理的事项",
        ),
        (
            "turpan",
            Other,
            Some("诉求人要求查询他人住址"),
            None,
            "turpan-2021 第二章: 其他不予受理的事项",
        ),
        (
            "turpan",
            Other,
            None,
            Some("missing_field"),
            "turpan-2021 art. 13: the citizen is told the reason — 'other' must say it",
        ),
        (
            "turpan",
            DisciplineInspection,
            None,
            Some("reason_not_in_policy"),
            "turpan-2021 第二章: 纪检监察 is not among Turpan's grounds",
        ),
        (
            "turpan",
            NotLocalAdministration,
            None,
            Some("reason_not_in_policy"),
            "turpan-2021 第二章: nor is 不属本地管理",
        ),
        (
            "puyang",
            NotLocalAdministration,
            None,
            None,
            "puyang-2020 §(二): 不属本地管理的事项，不纳入热线受理范围",
        ),
        (
            "puyang",
            DisciplineInspection,
            None,
            None,
            "puyang-2020 §(二): 涉及司法、纪检、信访方面的诉求",
        ),
        (
            "puyang",
            SecretsOrPrivacy,
            None,
            Some("reason_not_in_policy"),
            "puyang-2020 §(二): lists no secrets ground",
        ),
        (
            "linshu",
            PublicMorals,
            None,
            None,
            "linshu-2020 lists no grounds, so any of them (公序良俗: lishui-2021 1)",
        ),
        (
            "linshu",
            DisciplineInspection,
            None,
            None,
            "linshu-2020: any ground (纪检监察: lishui-2021 1)",
        ),
        (
            "linshu",
            Other,
            Some("   "),
            Some("missing_field"),
            "blank words are no stated reason",
        ),
    ];
    for (preset_name, reason, stated, refused, rule) in rows {
        let mut s = scripted(preset_name, RequestKind::Help, "submitted");
        let at = monday() + minutes(10);
        let action = not_accept_for(reason, stated);
        match refused {
            Some(code) => {
                assert_eq!(s.refusal_code(&intake(), &action, at), code, "{rule}");
                s.expect_refused(intake(), action, at, code);
            }
            None => {
                s.ok(intake(), action, at);
                let state = s.state();
                assert_eq!(state.status, Status::NotAccepted, "{rule}");
                let record = state.not_accepted.unwrap();
                assert_eq!(record.reason, reason, "{rule}");
                assert_eq!(record.stated_reason.as_deref(), stated, "{rule}");
            }
        }
    }
    // Turpan's own wording of the emergency ground: 110, 119, 120 — not 122.
    assert!(!EmergencyServices.zh().contains("122"));
}

#[test]
fn a_unit_fixed_by_the_centers_coordination_may_not_return_the_order() {
    // turpan-2021 art. 16: 通过上述方式确定的承办单位，应当遵照办理，不得退回。
    let coordinated = |record: &str| dispatch_coordinated(UNIT_A, record);
    let t = monday();
    // (dispatch, then the return request's refusal or None, rule)
    let rows: [(Action, Option<&str>, &str); 2] = [
        (
            coordinated("2026年3月2日协调会纪要：由古城路街道主办"),
            Some("return_after_coordination"),
            "turpan-2021 art. 16: 不得退回",
        ),
        (
            dispatch(UNIT_A, &[]),
            None,
            "turpan-2021 art. 14 (二): an ordinary dispatch may be returned within 20 h",
        ),
    ];
    for (dispatched, refused, rule) in rows {
        let mut s = scripted("turpan", RequestKind::Complaint, "registered");
        s.ok(dispatcher(), dispatched, t + hours(1));
        let ask = request_return(false);
        match refused {
            Some(code) => {
                assert_eq!(
                    s.refusal_code(&staff(UNIT_A), &ask, t + hours(2)),
                    code,
                    "{rule}"
                );
                s.expect_refused(staff(UNIT_A), ask, t + hours(2), code);
            }
            None => {
                s.ok(staff(UNIT_A), ask, t + hours(2));
                assert_eq!(s.state().status, Status::ReturnRequested, "{rule}");
            }
        }
    }
    // The record is required: a coordination that says nothing fixes nobody.
    let mut s = scripted("turpan", RequestKind::Complaint, "registered");
    s.expect_refused(
        dispatcher(),
        coordinated(" "),
        t + hours(1),
        "missing_field",
    );
    // The center can still re-dispatch after coordination; the new dispatch decides.
    let mut s = scripted("turpan", RequestKind::Complaint, "registered");
    s.ok(dispatcher(), coordinated("编办审定意见"), t + hours(1));
    assert!(s.state().coordination.is_some());
}

#[test]
fn the_new_values_have_one_name_in_json_and_everywhere_else() {
    use hotline_core::model::{CoordinationMethod, Origin};
    fn json_name<T: serde::Serialize>(v: T) -> String {
        serde_json::to_value(v)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }
    for o in Origin::ALL {
        assert_eq!(json_name(o), o.as_str());
        assert_eq!(Origin::parse(o.as_str()), Some(o));
    }
    for m in CoordinationMethod::ALL {
        assert_eq!(json_name(m), m.as_str());
    }
    for r in NotAcceptedReason::ALL {
        assert_eq!(json_name(r), r.as_str());
        assert_eq!(NotAcceptedReason::parse(r.as_str()), Some(r));
    }
}

/// (preset, urgency, category given, missing field or None, rule).
type CategoryRow = (
    &'static str,
    Urgency,
    bool,
    Option<&'static str>,
    &'static str,
);

#[test]
fn an_emergency_names_its_kind() {
    // turpan-2021 art. 26: 突发类事项 — outages, disasters, dangerous city facilities, threats
    // to public safety.
    let rows: [CategoryRow; 5] = [
        (
            "turpan",
            Urgency::Emergency,
            false,
            Some("emergency_category"),
            "turpan-2021 art. 26",
        ),
        (
            "turpan",
            Urgency::Emergency,
            true,
            None,
            "turpan-2021 art. 26",
        ),
        (
            "turpan",
            Urgency::Normal,
            false,
            None,
            "turpan-2021 art. 26: only emergencies",
        ),
        (
            "puyang",
            Urgency::Emergency,
            false,
            Some("emergency_category"),
            "puyang-2020 §(四) 应急类事项, classified by turpan-2021 art. 26",
        ),
        (
            "linshu",
            Urgency::Emergency,
            true,
            None,
            "turpan-2021 art. 26 kinds serve every preset",
        ),
    ];
    for (preset_name, urgency, with_category, missing, rule) in rows {
        let mut s = Script::new(preset_name);
        let mut action = help_of(urgency);
        if let Action::Submit { details } = &mut action
            && !with_category
        {
            details.emergency_category = None;
        }
        match missing {
            Some(field) => {
                let e = s.refusal(&kiosk(), &action, monday());
                assert!(
                    matches!(e, hotline_core::workflow::WorkflowError::MissingField { field: f, .. } if f == field),
                    "{rule}: {e}"
                );
            }
            None => {
                s.ok(kiosk(), action, monday());
            }
        }
    }
}

/// An emergency under Turpan, registered and dispatched to A (or not dispatched yet).
fn turpan_emergency(dispatched: bool) -> Script {
    let mut s = Script::new("turpan");
    let t = monday();
    s.ok(kiosk(), submit_emergency(RequestKind::Help), t);
    s.ok(intake(), register(), t + minutes(5));
    if dispatched {
        s.ok(dispatcher(), dispatch(UNIT_A, &[]), t + minutes(10));
    }
    s
}

/// (actor, dispatched yet, emergency, action, refusal or None, rule).
type ResponseRow = (
    hotline_core::model::Actor,
    bool,
    bool,
    Action,
    Option<&'static str>,
    &'static str,
);
/// (actor, emergency, action, refusal or None, rule).
type ExcuseRow = (
    hotline_core::model::Actor,
    bool,
    Action,
    Option<&'static str>,
    &'static str,
);

fn first_response(note: &str) -> Action {
    Action::FirstResponse { note: note.into() }
}

fn force_majeure(basis: &str) -> Action {
    Action::ForceMajeure {
        basis: basis.into(),
    }
}

#[test]
fn the_lead_unit_records_an_emergencys_first_response_within_two_hours() {
    // turpan-2021 art. 26: 突发类事项，应当自收到事项后2小时内处理.
    let t = monday() + minutes(40);
    let done = first_response("已关闭阀门，抢修队到场");
    // (actor, dispatched yet, emergency, action, refusal or None, rule)
    let rows: [ResponseRow; 7] = [
        (
            staff(UNIT_A),
            true,
            true,
            done.clone(),
            None,
            "art. 26: the lead unit responds",
        ),
        (
            head(UNIT_A),
            true,
            true,
            done.clone(),
            None,
            "art. 26: its head may too",
        ),
        (
            dispatcher(),
            true,
            true,
            done.clone(),
            Some("wrong_role"),
            "the center does not respond for the unit",
        ),
        (
            staff(UNIT_B),
            true,
            true,
            done.clone(),
            Some("wrong_unit"),
            "another unit cannot respond for the lead unit",
        ),
        (
            staff(UNIT_A),
            false,
            true,
            done.clone(),
            Some("wrong_state"),
            "nothing to respond to before dispatch",
        ),
        (
            staff(UNIT_A),
            true,
            false,
            done.clone(),
            Some("not_an_emergency"),
            "art. 26 is about emergencies",
        ),
        (
            staff(UNIT_A),
            true,
            true,
            first_response(" "),
            Some("missing_field"),
            "a response says what was done",
        ),
    ];
    for (actor, dispatched, emergency, action, refused, rule) in rows {
        let mut s = if emergency {
            turpan_emergency(dispatched)
        } else {
            scripted("turpan", RequestKind::Help, "dispatched")
        };
        match refused {
            Some(code) => {
                assert_eq!(s.refusal_code(&actor, &action, t), code, "{rule}");
                s.expect_refused(actor, action, t, code);
            }
            None => {
                let before = deadlines(&s.state(), &s.policy, &s.cal).unwrap();
                assert_eq!(before.response_due, Some(monday() + minutes(10) + hours(2)));
                s.ok(actor, action, t);
                let state = s.state();
                assert_eq!(
                    state.first_response.as_ref().map(|l| l.at),
                    Some(t),
                    "{rule}"
                );
                // Responded: no response deadline any more; the 2 WD close still runs.
                let after = deadlines(&state, &s.policy, &s.cal).unwrap();
                assert_eq!(after.response_due, None, "{rule}");
                assert_eq!(after.handling_due, Some(end_of_day(2026, 3, 4)), "{rule}");
                // Once only.
                s.expect_refused(
                    staff(UNIT_A),
                    first_response("再次处置"),
                    t,
                    "already_recorded",
                );
            }
        }
    }
}

#[test]
fn force_majeure_recorded_by_the_center_lifts_the_emergency_limits() {
    // turpan-2021 art. 26: 在2个工作日内办结，发生自然灾害等不可抗力的情形除外.
    let t = monday() + minutes(30);
    let basis = force_majeure("3月2日特大沙尘暴，道路封闭，抢修无法进行");
    // (actor, emergency, action, refusal or None, rule)
    let rows: [ExcuseRow; 4] = [
        (
            dispatcher(),
            true,
            basis.clone(),
            None,
            "art. 26: the center records it",
        ),
        (
            staff(UNIT_A),
            true,
            basis.clone(),
            Some("wrong_role"),
            "the unit cannot excuse itself",
        ),
        (
            dispatcher(),
            false,
            basis.clone(),
            Some("not_an_emergency"),
            "only emergencies have these limits",
        ),
        (
            dispatcher(),
            true,
            force_majeure(""),
            Some("missing_field"),
            "force majeure states its basis",
        ),
    ];
    for (actor, emergency, action, refused, rule) in rows {
        let mut s = if emergency {
            turpan_emergency(true)
        } else {
            scripted("turpan", RequestKind::Help, "dispatched")
        };
        match refused {
            Some(code) => {
                assert_eq!(s.refusal_code(&actor, &action, t), code, "{rule}");
                s.expect_refused(actor, action, t, code);
            }
            None => {
                s.ok(actor, action, t);
                let d = deadlines(&s.state(), &s.policy, &s.cal).unwrap();
                // No 2 h response and no 2 WD close: the ordinary 5 WD of a help request,
                // from the dispatch on Monday 2 March — Monday 9 March.
                assert_eq!(d.response_due, None, "{rule}");
                assert_eq!(d.handling_due, Some(end_of_day(2026, 3, 9)), "{rule}");
                s.expect_refused(dispatcher(), force_majeure("再次"), t, "already_recorded");
            }
        }
    }
}

fn close_as_lawful(basis: &str) -> Action {
    Action::CloseAsLawful {
        basis: basis.into(),
    }
}

/// (preset, actor, stage the order is brought to, action, refusal or None, rule).
type LawfulRow = (
    &'static str,
    hotline_core::model::Actor,
    &'static str,
    Action,
    Option<&'static str>,
    &'static str,
);

#[test]
fn the_center_closes_a_dissatisfied_order_whose_reply_is_lawful() {
    // puyang-2020 §(六): 答复内容符合法律法规、政策规定 — the order closes despite the rating.
    let lawful = close_as_lawful("答复符合《噪声污染防治法》第四十三条，施工许可合法有效");
    let rows: [LawfulRow; 5] = [
        (
            "puyang",
            dispatcher(),
            "dissatisfied",
            lawful.clone(),
            None,
            "puyang-2020 §(六)",
        ),
        (
            "puyang",
            staff(UNIT_A),
            "dissatisfied",
            lawful.clone(),
            Some("wrong_role"),
            "puyang-2020 §(六): the center decides",
        ),
        (
            "puyang",
            dispatcher(),
            "in_handling",
            lawful.clone(),
            Some("wrong_state"),
            "puyang-2020 §(六): after a dissatisfied rating",
        ),
        (
            "puyang",
            dispatcher(),
            "dissatisfied",
            close_as_lawful(""),
            Some("missing_field"),
            "puyang-2020 §(六): with its basis",
        ),
        (
            "linshu",
            dispatcher(),
            "dissatisfied",
            lawful.clone(),
            Some("not_in_policy"),
            "linshu-2020 has no such closure (its own path is the non-compliant application)",
        ),
    ];
    for (preset_name, actor, stage, action, refused, rule) in rows {
        let mut s = scripted(preset_name, RequestKind::Complaint, "in_handling");
        let at = monday() + hours(60);
        if stage == "dissatisfied" {
            s.reply_approved(UNIT_A, RequestKind::Complaint, monday() + hours(4));
            s.ok(dispatcher(), review(true), monday() + hours(5));
            s.ok(
                callback_agent(),
                callback(Satisfaction::Dissatisfied),
                monday() + hours(6),
            );
            assert_eq!(s.state().status, Status::Dissatisfied, "{rule}");
        }
        match refused {
            Some(code) => {
                assert_eq!(s.refusal_code(&actor, &action, at), code, "{rule}");
                s.expect_refused(actor, action, at, code);
            }
            None => {
                s.ok(actor, action, at);
                let state = s.state();
                assert_eq!(state.status, Status::Closed, "{rule}");
                assert_eq!(state.closed_at, Some(at), "{rule}");
                assert!(state.lawful_closure.is_some(), "{rule}");
                // Closed: no reopen after it.
                s.expect_refused(dispatcher(), reopen(), at, "wrong_state");
            }
        }
    }
}
