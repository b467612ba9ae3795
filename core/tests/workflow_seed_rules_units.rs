//! The seed rules of the handling units' side (DOMAIN.md, "Corrections and additions"): leader
//! sign-off, closures the center decides on a unit's application, time limits set by law and
//! delay notices, several units, callbacks, the unit's on-site form. One table per rule; every
//! row names its seed file and article or section.
//! Seeds: `shared/seeds/linshu-2020-hotline-handling-notice.txt` (Linshu),
//! `shared/seeds/turpan-2021-hotline-management-measures.txt` (Turpan),
//! `shared/seeds/puyang-2020-unified-hotline-platform.txt` (Puyang),
//! `shared/seeds/lishui-2021-hotline-integration-plan.txt` (Lishui).

use hotline_core::model::{Action, Actor, ClosureGround, PersonId, RequestKind, Satisfaction};
use hotline_core::policy::{Limit, deadline_after};
use hotline_core::workflow::{ClosureDecision, Status, WorkflowError, deadlines};
use hotline_testkit::workflow::*;

/// (actor, action, refusal code, rule).
type RefusalRow = (Actor, Action, &'static str, &'static str);

fn refusals(s: &mut Script, at: Timestamp, rows: Vec<RefusalRow>) {
    for (actor, action, code, rule) in rows {
        assert_eq!(s.refusal_code(&actor, &action, at), code, "{rule}");
        s.expect_refused(actor, action, at, code);
    }
}

type Timestamp = hotline_core::model::Timestamp;

/// A Linshu help request dispatched to A (co-unit B) and signed for, not yet signed off.
fn linshu_signed_for() -> Script {
    let mut s = scripted("linshu", RequestKind::Help, "dispatched");
    s.ok(head(UNIT_A), sign_for(), monday() + hours(2));
    s
}

fn reply_naming(leader: Option<&str>) -> Action {
    let mut c = reply_content(UNIT_A, RequestKind::Help);
    c.responsible_leader = leader.map(PersonId::new);
    Action::Reply(c)
}

// ---- leader sign-off (Linshu 二(二)) ----

#[test]
fn linshu_staff_act_only_after_the_main_leader_signs_the_order_off() {
    let mut s = linshu_signed_for();
    let t = monday() + hours(3);
    let before = "linshu-2020 二(二): 凡转办到承办单位的工单，必须由主要负责人签批，签批后转交相关业务科室办理";
    refusals(
        &mut s,
        t,
        vec![
            (staff(UNIT_A), contact(), "sign_off_first", before),
            (staff(UNIT_A), site_evidence(), "sign_off_first", before),
            (
                staff(UNIT_A),
                request_extension(3, "需协调"),
                "sign_off_first",
                before,
            ),
            (staff(UNIT_A), interim_progress(), "sign_off_first", before),
            (staff(UNIT_A), delay_notice(), "sign_off_first", before),
            (deputy(UNIT_A), approve_result(), "sign_off_first", before),
            (
                staff(UNIT_A),
                reply_naming(Some("deputy-unit-gaochang-town")),
                "sign_off_first",
                before,
            ),
            (
                staff(UNIT_A),
                leader_sign_off(),
                "wrong_role",
                "linshu-2020 二(二): 主要负责人签批 — not staff",
            ),
            (
                deputy(UNIT_A),
                leader_sign_off(),
                "wrong_role",
                "linshu-2020 二(二): the main leader, not the deputy",
            ),
            (
                head(UNIT_B),
                leader_sign_off(),
                "wrong_unit",
                "linshu-2020 二(二): the lead unit's leader signs off",
            ),
        ],
    );
    // A co-unit's legwork does not wait for the lead unit's leader.
    s.ok(staff(UNIT_B), contact(), t);
    s.ok(head(UNIT_A), leader_sign_off(), t);
    assert!(s.state().sign_off.is_some());
    s.expect_refused(
        head(UNIT_A),
        leader_sign_off(),
        t + minutes(1),
        "already_recorded",
    );
    s.ok(staff(UNIT_A), contact(), t + minutes(2));
}

#[test]
fn linshu_the_deputy_approves_the_result_and_the_reply_names_that_leader() {
    let mut s = scripted("linshu", RequestKind::Help, "in_handling");
    let t = monday() + hours(10);
    let rule = "linshu-2020 二(二): 办理结果由业务分管负责人审核同意并签字 … 回复时要注明牵头负责人、具体办理人员";
    refusals(
        &mut s,
        t,
        vec![
            (
                staff(UNIT_A),
                reply_naming(Some("deputy-unit-gaochang-town")),
                "result_not_approved",
                rule,
            ),
            (staff(UNIT_A), approve_result(), "wrong_role", rule),
            (deputy(UNIT_B), approve_result(), "wrong_unit", rule),
        ],
    );
    s.ok(deputy(UNIT_A), approve_result(), t);
    s.expect_refused(
        deputy(UNIT_A),
        approve_result(),
        t + minutes(1),
        "already_recorded",
    );
    let e = s.refusal(&staff(UNIT_A), &reply_naming(None), t + minutes(2));
    assert!(
        matches!(
            e,
            WorkflowError::MissingField {
                field: "responsible_leader",
                ..
            }
        ),
        "{rule}: {e}"
    );
    s.expect_refused(
        staff(UNIT_A),
        reply_naming(Some("head-unit-gaochang-town")),
        t + minutes(2),
        "responsible_leader_mismatch",
    );
    s.ok(
        staff(UNIT_A),
        reply_naming(Some("deputy-unit-gaochang-town")),
        t + minutes(3),
    );
    // The approval covered that reply: a rejected reply is approved anew before the next.
    s.ok(dispatcher(), review(false), t + hours(1));
    s.expect_refused(
        staff(UNIT_A),
        reply_naming(Some("deputy-unit-gaochang-town")),
        t + hours(2),
        "result_not_approved",
    );
    // The main leader may approve too.
    s.ok(head(UNIT_A), approve_result(), t + hours(2));
    s.ok(
        staff(UNIT_A),
        reply_naming(Some("head-unit-gaochang-town")),
        t + hours(3),
    );
}

#[test]
fn sign_off_is_linshus_procedure_only() {
    // (preset, rule)
    let rows = [
        ("turpan", "turpan-2021: no sign-off procedure"),
        ("puyang", "puyang-2020: no sign-off procedure"),
    ];
    for (preset_name, rule) in rows {
        let mut s = scripted(preset_name, RequestKind::Help, "in_handling");
        let t = monday() + hours(10);
        s.expect_refused(head(UNIT_A), leader_sign_off(), t, "not_in_policy");
        s.expect_refused(deputy(UNIT_A), approve_result(), t, "not_in_policy");
        // Staff act and reply without either.
        s.ok(staff(UNIT_A), contact(), t);
        s.ok(staff(UNIT_A), reply_naming(None), t + hours(1));
        assert_eq!(s.state().status, Status::UnderReview, "{rule}");
    }
}

#[test]
fn the_duty_statement_is_made_by_the_units_main_or_deputy_leader() {
    // (preset, actor, refusal or None, rule)
    let rows: [(&str, Actor, Option<&str>, &str); 6] = [
        (
            "turpan",
            staff(UNIT_A),
            Some("wrong_role"),
            "turpan-2021 附则: 履责意见，是指由具体办理事项的单位主要领导或分管领导签发",
        ),
        ("turpan", head(UNIT_A), None, "turpan-2021: 主要领导签发"),
        ("turpan", deputy(UNIT_A), None, "turpan-2021: 分管领导签发"),
        (
            "linshu",
            staff(UNIT_A),
            Some("wrong_role"),
            "DOMAIN corrections: the duty statement is the leaders'",
        ),
        ("linshu", deputy(UNIT_A), None, "DOMAIN corrections"),
        (
            "puyang",
            staff(UNIT_A),
            Some("wrong_role"),
            "DOMAIN corrections",
        ),
    ];
    for (preset_name, actor, refused, rule) in rows {
        let mut s = scripted(preset_name, RequestKind::Help, "in_handling");
        let t = monday() + hours(10);
        match refused {
            Some(code) => s.expect_refused(actor, duty_statement(), t, code),
            None => {
                s.ok(actor, duty_statement(), t);
                assert_eq!(s.state().duty_statements.len(), 1, "{rule}");
            }
        }
    }
    // A policy stored before the rule keeps letting staff make it.
    let mut s = scripted("turpan", RequestKind::Help, "in_handling");
    s.policy.procedures.duty_statement_by_leaders = false;
    s.ok(staff(UNIT_A), duty_statement(), monday() + hours(10));
}

// ---- closures the center decides (Linshu 疑难诉求, Puyang 考核) ----

/// A Linshu order rated dissatisfied and reopened once, back with unit A.
fn linshu_reopened() -> Script {
    let mut s = scripted("linshu", RequestKind::Help, "awaiting_callback");
    let t = monday() + hours(52);
    s.ok(callback_agent(), callback(Satisfaction::Dissatisfied), t);
    s.ok(dispatcher(), reopen(), t + hours(1));
    s
}

#[test]
fn linshu_a_non_compliant_request_is_closed_on_the_centers_approval_after_the_first_reopen() {
    let rule = "linshu-2020 考核 6(2): 省级一次办理工单和市级重办一次工单 … 仍不能满意的，可以通过上报不合规诉求申请办结";
    let non_compliant = || apply_closure(ClosureGround::NonCompliant);

    let mut first = scripted("linshu", RequestKind::Help, "in_handling");
    first.expect_refused(
        staff(UNIT_A),
        non_compliant(),
        monday() + hours(10),
        "closure_before_reopen",
    );

    let mut s = linshu_reopened();
    let t = monday() + hours(60);
    let mut blank = non_compliant();
    if let Action::ApplyClosure(a) = &mut blank {
        a.evidence = " ".into();
    }
    refusals(
        &mut s,
        t,
        vec![
            (staff(UNIT_A), blank, "missing_field", rule),
            (staff(UNIT_B), non_compliant(), "wrong_unit", rule),
            (dispatcher(), non_compliant(), "wrong_role", rule),
            (
                dispatcher(),
                decide_closure(true),
                "nothing_to_decide",
                rule,
            ),
        ],
    );
    s.ok(staff(UNIT_A), non_compliant(), t);
    assert!(s.state().pending_closure().is_some());
    let mut silent = decide_closure(false);
    if let Action::DecideClosure { note, .. } = &mut silent {
        note.clear();
    }
    refusals(
        &mut s,
        t + minutes(5),
        vec![
            (staff(UNIT_A), non_compliant(), "closure_pending", rule),
            (staff(UNIT_A), decide_closure(true), "wrong_role", rule),
            (dispatcher(), silent, "missing_field", rule),
        ],
    );
    // Denied: handling goes on.
    s.ok(dispatcher(), decide_closure(false), t + hours(1));
    assert_eq!(s.state().status, Status::InHandling, "{rule}");
    assert_eq!(
        s.state().closure_applications[0].decision,
        ClosureDecision::Denied
    );
    // Applied again and approved: closed.
    s.ok(staff(UNIT_A), non_compliant(), t + hours(2));
    s.ok(dispatcher(), decide_closure(true), t + hours(3));
    let st = s.state();
    assert_eq!(st.status, Status::Closed, "{rule}");
    assert!(st.closed_as_non_compliant());
    assert!(!st.not_counted_in_assessment());
}

#[test]
fn puyang_an_order_that_cannot_be_solved_is_kept_out_of_assessment_once_accepted() {
    let rule =
        "puyang-2020 考核 1: 对因受客观条件限制暂时无法解决的 … 向热线平台书面说明，不计入考核";
    let cannot = || apply_closure(ClosureGround::CannotBeSolved);
    let mut s = scripted("puyang", RequestKind::Help, "in_handling");
    let t = monday() + hours(10);
    s.ok(staff(UNIT_A), cannot(), t);
    s.ok(dispatcher(), decide_closure(true), t + hours(1));
    let st = s.state();
    assert!(st.not_counted_in_assessment(), "{rule}");
    // Accepting the statement does not close the order: the unit still replies.
    assert_eq!(st.status, Status::InHandling, "{rule}");
    s.expect_refused(staff(UNIT_A), cannot(), t + hours(2), "already_recorded");
    // Each ground is its policy's own.
    let rows = [
        (
            "linshu",
            ClosureGround::CannotBeSolved,
            "linshu-2020: no exclusion from assessment",
        ),
        (
            "turpan",
            ClosureGround::CannotBeSolved,
            "turpan-2021: no exclusion from assessment",
        ),
        (
            "puyang",
            ClosureGround::NonCompliant,
            "puyang-2020: no non-compliant application",
        ),
    ];
    for (preset_name, ground, rule) in rows {
        let mut s = scripted(preset_name, RequestKind::Help, "in_handling");
        assert_eq!(
            s.refusal_code(&staff(UNIT_A), &apply_closure(ground), t),
            "not_in_policy",
            "{rule}"
        );
        s.expect_refused(staff(UNIT_A), apply_closure(ground), t, "not_in_policy");
    }
}

// ---- time limits by law (Turpan art. 17, Puyang §(四), 考核 1) ----

#[test]
fn a_statutory_limit_given_at_dispatch_prevails_over_the_preset() {
    // (preset, kind, statutory WD or None, expected WD, rule)
    let rows: [(&str, RequestKind, Option<u32>, u32, &str); 4] = [
        (
            "turpan",
            RequestKind::Complaint,
            None,
            15,
            "turpan-2021 art. 17(一): 投诉、举报类事项15个工作日内办结",
        ),
        (
            "turpan",
            RequestKind::Complaint,
            Some(10),
            10,
            "turpan-2021 art. 17(二): 规定的期限严于上述期限的，办理期限从其规定",
        ),
        (
            "turpan",
            RequestKind::Help,
            Some(3),
            3,
            "turpan-2021 art. 17(二): a stricter statutory limit prevails",
        ),
        (
            "puyang",
            RequestKind::Help,
            Some(20),
            20,
            "puyang-2020 考核 1: 法律、法规、规章对办理时限规定超过五个工作日的",
        ),
    ];
    for (preset_name, kind, statutory, wd, rule) in rows {
        let mut s = Script::new(preset_name);
        let t = monday();
        s.ok(kiosk(), submit(kind), t);
        s.ok(intake(), register(), t + minutes(5));
        let d = match statutory {
            Some(n) => dispatch_statutory(UNIT_A, n, "《信访工作条例》第三十二条"),
            None => dispatch(UNIT_A, &[]),
        };
        let dispatched = t + minutes(10);
        s.ok(dispatcher(), d, dispatched);
        let due = deadlines(&s.state(), &s.policy, &s.cal)
            .unwrap()
            .handling_due;
        assert_eq!(
            due,
            Some(deadline_after(Limit::WorkingDays(wd), dispatched, &s.cal).unwrap()),
            "{rule}"
        );
    }
    let mut s = scripted("turpan", RequestKind::Help, "registered");
    let t = monday() + hours(1);
    s.expect_refused(
        dispatcher(),
        dispatch_statutory(UNIT_A, 0, "某条例"),
        t,
        "missing_field",
    );
    s.expect_refused(
        dispatcher(),
        dispatch_statutory(UNIT_A, 20, " "),
        t,
        "missing_field",
    );
}

#[test]
fn an_extension_rests_on_the_statutory_limit_where_one_is_given_or_required() {
    let puyang = "puyang-2020 考核 1: 承办单位因法律、法规、规章对办理时限规定超过五个工作日的，向市热线平台书面说明，可以延期办理";
    let turpan = "turpan-2021 art. 17: 延长时限不得超过法定时限，无相关法定时限的，延长期限不得超过30个工作日";
    // (preset, request, refusal code or None, rule)
    let rows: [(&str, Action, Option<&str>, &str); 8] = [
        (
            "puyang",
            request_extension(10, "需现场测量"),
            Some("missing_field"),
            puyang,
        ),
        (
            "puyang",
            request_extension_by_law(10, " ", 20),
            Some("missing_field"),
            "puyang-2020 考核 1: … 书面说明",
        ),
        (
            "puyang",
            request_extension_by_law(3, "需现场测量", 5),
            Some("statutory_not_longer"),
            puyang,
        ),
        (
            "puyang",
            request_extension_by_law(15, "需现场测量", 20),
            None,
            puyang,
        ),
        ("turpan", request_extension(30, "需鉴定"), None, turpan),
        (
            "turpan",
            request_extension(31, "需鉴定"),
            Some("extension_too_long"),
            turpan,
        ),
        (
            "turpan",
            request_extension_by_law(12, "需鉴定", 10),
            Some("extension_too_long"),
            turpan,
        ),
        (
            "turpan",
            request_extension_by_law(40, "需鉴定", 60),
            None,
            turpan,
        ),
    ];
    for (preset_name, ask, refused, rule) in rows {
        let mut s = scripted(preset_name, RequestKind::Help, "in_handling");
        let t = monday() + hours(10);
        match refused {
            Some(code) => {
                assert_eq!(s.refusal_code(&staff(UNIT_A), &ask, t), code, "{rule}");
                s.expect_refused(staff(UNIT_A), ask, t, code);
            }
            None => {
                s.ok(staff(UNIT_A), ask, t);
            }
        }
    }
    let s = scripted("puyang", RequestKind::Help, "in_handling");
    let e = s.refusal(
        &staff(UNIT_A),
        &request_extension(10, "需现场测量"),
        monday() + hours(10),
    );
    assert!(
        matches!(
            e,
            WorkflowError::MissingField {
                field: "statutory_limit",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn a_late_unit_tells_the_citizen_why_and_the_center_approves_more_time() {
    let rule = "puyang-2020 §(四): 确不能按时办结的，承办单位要及时向诉求人说明理由";
    let mut s = scripted("puyang", RequestKind::Help, "in_handling");
    let t = monday() + hours(10);
    let mut blank = delay_notice();
    if let Action::DelayNotice { reason } = &mut blank {
        reason.clear();
    }
    refusals(
        &mut s,
        t,
        vec![
            (staff(UNIT_A), blank, "missing_field", rule),
            (staff(UNIT_B), delay_notice(), "wrong_unit", rule),
            (dispatcher(), delay_notice(), "wrong_role", rule),
        ],
    );
    s.ok(staff(UNIT_A), delay_notice(), t);
    s.ok(
        staff(UNIT_A),
        request_extension_by_law(5, "需现场测量", 20),
        t + hours(1),
    );
    s.ok(dispatcher(), decide_extension(true), t + hours(2));
    let st = s.state();
    assert_eq!(st.delay_notices.len(), 1, "{rule}");
    // Turpan art. 18: 同意延期的，告知诉求人延期的情况 — the decision is dated for the notice.
    assert_eq!(st.extensions[0].decided_at, Some(t + hours(2)));
    s.ok(staff(UNIT_A), reply_naming(None), t + hours(3));
    s.expect_refused(staff(UNIT_A), delay_notice(), t + hours(4), "wrong_state");
}

// ---- several units (Turpan art. 12, Lishui 首接负责制, Linshu 二(三)) ----

#[test]
fn co_units_report_their_part_to_the_lead_unit() {
    let rule = "lishui-2021 重大问题解决机制: 其他有关单位应当配合，并在规定期限内将办理结果报送至首接单位";
    let mut s = scripted("turpan", RequestKind::Help, "in_handling");
    let t = monday() + hours(10);
    let mut blank = co_unit_opinion();
    if let Action::CoUnitOpinion { text } = &mut blank {
        text.clear();
    }
    refusals(
        &mut s,
        t,
        vec![
            (staff(UNIT_A), co_unit_opinion(), "wrong_unit", rule),
            (staff(UNIT_C), co_unit_opinion(), "wrong_unit", rule),
            (staff(UNIT_B), blank, "missing_field", rule),
            (dispatcher(), co_unit_opinion(), "wrong_role", rule),
        ],
    );
    assert!(matches!(
        s.refusal(&staff(UNIT_A), &co_unit_opinion(), t),
        WorkflowError::NotACoUnit { .. }
    ));
    // Where the policy requires it, the lead unit replies only once every co-unit reported.
    s.policy.procedures.co_unit_opinions_required = true;
    s.expect_refused(
        staff(UNIT_A),
        reply_naming(None),
        t,
        "co_unit_opinions_missing",
    );
    s.ok(staff(UNIT_B), co_unit_opinion(), t + minutes(1));
    assert_eq!(s.state().co_units_without_opinion(), vec![]);
    s.ok(staff(UNIT_A), reply_naming(None), t + minutes(2));
}

#[test]
fn the_center_adds_assisting_units_after_dispatch() {
    let rule = "linshu-2020 二(三): 承办单位承担部分职能的，仍由该单位承办，县热线受理中心通知相关单位协助办理";
    let mut s = scripted("turpan", RequestKind::Help, "in_handling");
    let t = monday() + hours(10);
    let empty = add_co_units(&[]);
    refusals(
        &mut s,
        t,
        vec![
            (staff(UNIT_A), add_co_units(&[UNIT_C]), "wrong_role", rule),
            (dispatcher(), empty, "missing_field", rule),
            (
                dispatcher(),
                add_co_units(&[UNIT_A]),
                "lead_also_co_unit",
                rule,
            ),
        ],
    );
    s.ok(dispatcher(), add_co_units(&[UNIT_C, UNIT_B]), t);
    let st = s.state();
    assert_eq!(
        st.co_units.iter().map(|u| u.0.as_str()).collect::<Vec<_>>(),
        [UNIT_B, UNIT_C],
        "{rule}: each unit once"
    );
    // The added unit shares the legwork at once.
    s.ok(staff(UNIT_C), contact(), t + minutes(1));

    let mut early = scripted("turpan", RequestKind::Help, "registered");
    early.expect_refused(
        dispatcher(),
        add_co_units(&[UNIT_C]),
        monday() + hours(1),
        "wrong_state",
    );
}

#[test]
fn a_return_only_partly_justified_keeps_the_unit_and_adds_assisting_ones() {
    let rule = "linshu-2020 二(三): 县热线受理中心认为理由不充分，或承办单位承担部分职能的，仍由该单位承办";
    let mut s = scripted("linshu", RequestKind::Help, "dispatched");
    let t = monday() + hours(2);
    let mut ask = request_return(true);
    if let Action::RequestReturn(r) = &mut ask {
        r.called_center = true;
    }
    s.ok(staff(UNIT_A), ask, t);
    let mut approve_and_add = partly_justified(&[UNIT_C]);
    if let Action::DecideReturn { approve, .. } = &mut approve_and_add {
        *approve = true;
    }
    refusals(
        &mut s,
        t + hours(1),
        vec![
            (dispatcher(), approve_and_add, "co_units_need_denial", rule),
            (
                dispatcher(),
                partly_justified(&[UNIT_A]),
                "lead_also_co_unit",
                rule,
            ),
        ],
    );
    s.ok(dispatcher(), partly_justified(&[UNIT_C]), t + hours(1));
    let st = s.state();
    assert_eq!(st.status, Status::Dispatched, "{rule}");
    assert_eq!(st.lead_unit.as_ref().map(|u| u.0.as_str()), Some(UNIT_A));
    assert!(st.co_units.iter().any(|u| u.0 == UNIT_C), "{rule}");
}

#[test]
fn a_late_lead_unit_records_interim_progress() {
    let rule = "lishui-2021 重大问题解决机制: 不能按期办结的，应当说明理由并报告阶段性工作情况";
    let mut s = scripted("turpan", RequestKind::Help, "in_handling");
    let t = monday() + hours(10);
    let mut blank = interim_progress();
    if let Action::InterimProgress { note } = &mut blank {
        note.clear();
    }
    refusals(
        &mut s,
        t,
        vec![
            (staff(UNIT_B), interim_progress(), "wrong_unit", rule),
            (staff(UNIT_A), blank, "missing_field", rule),
            (supervisor(), interim_progress(), "wrong_role", rule),
        ],
    );
    s.ok(staff(UNIT_A), interim_progress(), t);
    s.ok(staff(UNIT_A), interim_progress(), t + hours(24));
    assert_eq!(s.state().interim_progress.len(), 2, "{rule}");
    s.ok(staff(UNIT_A), reply_naming(None), t + hours(25));
    s.expect_refused(
        staff(UNIT_A),
        interim_progress(),
        t + hours(26),
        "wrong_state",
    );
}

// ---- ratings and callbacks (Turpan art. 21, Linshu 考核 2(1)) ----

fn callback_with(service: Option<Satisfaction>, contacted: Option<bool>) -> Action {
    Action::Callback {
        rating: Satisfaction::Satisfied,
        note: "回访".into(),
        service_rating: service,
        unit_contacted: contacted,
    }
}

#[test]
fn each_callback_records_what_its_policy_asks() {
    let s_ok = Some(Satisfaction::VerySatisfied);
    // (preset, service rating, unit contacted, missing field or None, rule)
    type Row = (
        &'static str,
        Option<Satisfaction>,
        Option<bool>,
        Option<&'static str>,
        &'static str,
    );
    let rows: [Row; 6] = [
        (
            "turpan",
            None,
            Some(true),
            Some("service_rating"),
            "turpan-2021 art. 21: 由诉求人对话务服务和办理情况进行满意度评价",
        ),
        ("turpan", s_ok, None, None, "turpan-2021 art. 21"),
        (
            "linshu",
            s_ok,
            None,
            Some("unit_contacted"),
            "linshu-2020 考核 2(1): 回访时，出现来电人表示未联系的 … 即视为未响应工单",
        ),
        ("linshu", None, Some(false), None, "linshu-2020 考核 2(1)"),
        ("puyang", None, None, None, "puyang-2020: one rating"),
        (
            "puyang",
            s_ok,
            Some(true),
            None,
            "puyang-2020: more is kept",
        ),
    ];
    for (preset_name, service, contacted, missing, rule) in rows {
        let mut s = scripted(preset_name, RequestKind::Help, "awaiting_callback");
        let t = monday() + hours(52);
        let cb = callback_with(service, contacted);
        match missing {
            Some(field) => match s.refusal(&callback_agent(), &cb, t) {
                WorkflowError::MissingField { field: f, .. } => assert_eq!(f, field, "{rule}"),
                other => panic!("{rule}: {other}"),
            },
            None => {
                s.ok(callback_agent(), cb, t);
                let st = s.state();
                assert_eq!(st.ratings[0].service_rating, service, "{rule}");
                assert_eq!(st.ratings[0].unit_contacted, contacted, "{rule}");
            }
        }
    }
}

#[test]
fn an_unreached_callback_keeps_the_order_open_and_is_retried() {
    let rule = "DOMAIN corrections: an unreached callback does not close the order";
    let mut s = scripted("turpan", RequestKind::Help, "under_review");
    let t = monday() + hours(50);
    s.expect_refused(callback_agent(), callback_unreached(), t, "wrong_state");
    s.ok(dispatcher(), review(true), t);
    s.expect_refused(dispatcher(), callback_unreached(), t, "wrong_role");
    s.ok(callback_agent(), callback_unreached(), t + hours(1));
    s.ok(callback_agent(), callback_unreached(), t + hours(5));
    let st = s.state();
    assert_eq!(st.status, Status::AwaitingCallback, "{rule}");
    assert_eq!(st.unreached_callbacks.len(), 2);
    s.ok(
        callback_agent(),
        callback(Satisfaction::Satisfied),
        t + hours(24),
    );
    assert_eq!(s.state().status, Status::Closed);

    // Confidential callers are never called, reached or not (Puyang).
    let mut c = Script::new("turpan");
    c.ok(kiosk(), submit_confidential(RequestKind::Help), monday());
    c.expect_refused(
        callback_agent(),
        callback_unreached(),
        monday() + hours(1),
        "confidential_no_callback",
    );
}

// ---- the unit's on-site form (Linshu 年终 4) ----

#[test]
fn linshu_the_handling_unit_fills_the_on_site_form_for_its_reopened_key_and_supervised_orders() {
    let rule = "linshu-2020 年终 4: 各承办单位对本单位市级重办工单、上级交办的重点工单和“热线督查”问题进行现场处理，填写现场督办情况表";
    let t = monday() + hours(70);
    // A plain order: not the unit's to file.
    let mut plain = scripted("linshu", RequestKind::Help, "in_handling");
    plain.expect_refused(staff(UNIT_A), site_supervision(), t, "site_form_not_due");
    // A field supervisor inspects any order.
    plain.ok(supervisor(), site_supervision(), t);

    // Reopened: the lead unit and its co-unit may; another unit may not.
    let mut s = linshu_reopened();
    s.expect_refused(staff(UNIT_C), site_supervision(), t, "wrong_unit");
    s.ok(staff(UNIT_A), site_supervision(), t);
    s.ok(head(UNIT_B), site_supervision(), t + minutes(1));
    assert_eq!(s.state().site_supervisions.len(), 2, "{rule}");

    // Supervised.
    let mut sup = scripted("linshu", RequestKind::Help, "in_handling");
    sup.ok(
        dispatcher(),
        supervise(hotline_core::model::SupervisionTrigger::HotIssue),
        t,
    );
    sup.ok(staff(UNIT_A), site_supervision(), t + minutes(1));

    // Elsewhere it stays the field supervisor's form.
    let mut turpan = scripted("turpan", RequestKind::Help, "in_handling");
    turpan.ok(
        dispatcher(),
        supervise(hotline_core::model::SupervisionTrigger::HotIssue),
        t,
    );
    turpan.expect_refused(staff(UNIT_A), site_supervision(), t, "wrong_role");
}

// ---- sub-units (Turpan, DOMAIN.md corrections) ----

#[test]
fn turpan_a_unit_passes_an_order_on_to_its_sub_unit_and_stays_responsible() {
    let rule = "DOMAIN corrections (Turpan): a unit may, with the center's approval, register sub-units and pass an order on to them; it stays responsible";
    let sub = format!("{UNIT_A}/village-1");
    let pass_on = |to: &str| Action::PassOn {
        sub_unit: hotline_core::model::UnitId::new(to),
        note: "请一村核实".into(),
    };
    let mut early = scripted("turpan", RequestKind::Help, "dispatched");
    early.expect_refused(
        staff(UNIT_A),
        pass_on(&sub),
        monday() + hours(2),
        "wrong_state",
    );

    let mut s = scripted("turpan", RequestKind::Help, "in_handling");
    let t = monday() + hours(10);
    refusals(
        &mut s,
        t,
        vec![
            (dispatcher(), pass_on(&sub), "wrong_role", rule),
            (staff(UNIT_B), pass_on(&sub), "wrong_unit", rule),
            (staff(UNIT_A), pass_on(UNIT_C), "not_a_sub_unit", rule),
            (
                staff(UNIT_A),
                pass_on(&format!("{UNIT_B}/village-1")),
                "not_a_sub_unit",
                rule,
            ),
            (staff(UNIT_A), pass_on(" "), "missing_field", rule),
            // The sub-unit has nothing to do with the order before it is passed on.
            (staff(&sub), contact(), "wrong_unit", rule),
        ],
    );
    s.ok(staff(UNIT_A), pass_on(&sub), t);
    s.expect_refused(
        staff(UNIT_A),
        pass_on(&sub),
        t + minutes(1),
        "already_recorded",
    );
    // Its staff do the legwork; the unit, which stays responsible, replies.
    s.ok(staff(&sub), contact(), t + minutes(2));
    s.ok(staff(&sub), site_evidence(), t + minutes(3));
    s.expect_refused(
        staff(&sub),
        reply(&sub, RequestKind::Help),
        t + minutes(4),
        "wrong_unit",
    );
    s.expect_refused(staff(&sub), pass_on(&sub), t + minutes(4), "wrong_unit");
    s.ok(staff(UNIT_A), reply_naming(None), t + minutes(5));
    assert!(
        s.state()
            .is_handling_unit(&hotline_core::model::UnitId::new(sub.as_str()))
    );

    // Linshu and Puyang have no sub-units.
    for preset_name in ["linshu", "puyang"] {
        let mut s = scripted(preset_name, RequestKind::Help, "in_handling");
        s.expect_refused(staff(UNIT_A), pass_on(&sub), t, "not_in_policy");
    }
}

#[test]
fn a_sub_unit_is_named_under_its_unit() {
    use hotline_core::model::UnitId;
    // (id, parent)
    let rows = [
        ("town-a/village-1", Some("town-a")),
        ("town-a/village-1/team-2", Some("town-a/village-1")),
        ("town-a", None),
        ("/village-1", None),
        ("town-a/", None),
    ];
    for (id, parent) in rows {
        assert_eq!(UnitId::new(id).parent(), parent.map(UnitId::new), "{id}");
    }
    assert!(UnitId::new("town-a/v").is_sub_unit_of(&UnitId::new("town-a")));
    assert!(!UnitId::new("town-ab/v").is_sub_unit_of(&UnitId::new("town-a")));
}

// ---- separate dispatch (Turpan art. 12: 分别转派至承办单位办理) ----

#[test]
fn units_dispatched_separately_each_sign_for_and_reply_and_the_order_waits_for_all() {
    let rule = "turpan-2021 art. 12: 按照职责规定分别转派至承办单位办理";
    let mut s = scripted("turpan", RequestKind::Help, "registered");
    let t = monday() + hours(1);
    refusals(
        &mut s,
        t,
        vec![
            (
                dispatcher(),
                dispatch_separately(UNIT_A, &[UNIT_A]),
                "unit_listed_twice",
                rule,
            ),
            (
                dispatcher(),
                dispatch_separately(UNIT_A, &[UNIT_B, UNIT_B]),
                "unit_listed_twice",
                rule,
            ),
        ],
    );
    s.ok(dispatcher(), dispatch_separately(UNIT_A, &[UNIT_B]), t);
    // B signs for its own track; the order still waits for the lead unit's sign-for.
    s.expect_refused(
        staff(UNIT_B),
        reply_naming_unit(UNIT_B),
        t + hours(1),
        "wrong_state",
    );
    s.ok(staff(UNIT_B), sign_for(), t + hours(1));
    assert_eq!(s.state().status, Status::Dispatched, "{rule}");
    refusals(
        &mut s,
        t + hours(2),
        vec![
            (staff(UNIT_B), sign_for(), "already_recorded", rule),
            (staff(UNIT_C), sign_for(), "wrong_unit", rule),
            (staff(UNIT_B), request_return(true), "wrong_unit", rule),
            // One unit may not reply in another's name.
            (staff(UNIT_B), reply_naming(None), "wrong_unit", rule),
        ],
    );
    s.ok(head(UNIT_A), sign_for(), t + hours(2));
    assert_eq!(s.state().status, Status::InHandling);
    // The lead unit replies first: the order waits for B, its handling clock still running.
    s.ok(staff(UNIT_A), reply_naming(None), t + hours(3));
    let st = s.state();
    assert_eq!(st.status, Status::InHandling, "{rule}: B has not replied");
    assert!(
        deadlines(&st, &s.policy, &s.cal)
            .unwrap()
            .handling_due
            .is_some()
    );
    s.expect_refused(
        staff(UNIT_A),
        reply_naming(None),
        t + hours(4),
        "already_recorded",
    );
    s.ok(staff(UNIT_B), contact(), t + hours(4));
    s.ok(staff(UNIT_B), reply_naming_unit(UNIT_B), t + hours(5));
    assert_eq!(s.state().status, Status::UnderReview, "{rule}: all replied");
    // A rejected reply sends every unit back to reply again.
    s.ok(dispatcher(), review(false), t + hours(6));
    let st = s.state();
    assert_eq!(st.status, Status::InHandling);
    assert!(st.separate.iter().all(|tr| tr.replied_at.is_none()));
    s.ok(staff(UNIT_B), reply_naming_unit(UNIT_B), t + hours(7));
    assert_eq!(
        s.state().status,
        Status::InHandling,
        "the lead unit still owes its reply"
    );
    s.ok(staff(UNIT_A), reply_naming(None), t + hours(8));
    assert_eq!(s.state().status, Status::UnderReview);
    s.ok(dispatcher(), review(true), t + hours(9));
    s.ok(
        callback_agent(),
        callback(Satisfaction::Satisfied),
        t + hours(10),
    );
    let st = s.state();
    assert_eq!(
        st.status,
        Status::Closed,
        "{rule}: closed when all are done"
    );
    assert_eq!(st.replies.len(), 4);
}

fn reply_naming_unit(unit: &str) -> Action {
    Action::Reply(reply_content(unit, RequestKind::Help))
}

#[test]
fn each_new_action_is_refused_where_it_has_no_place() {
    // (stage the order is brought to, actor, action, rule)
    type Row = (&'static str, Actor, Action, &'static str);
    let rows: [Row; 6] = [
        (
            "registered",
            head(UNIT_A),
            leader_sign_off(),
            "linshu-2020 二(二): 签批 is of an order the unit received",
        ),
        (
            "dispatched",
            deputy(UNIT_A),
            approve_result(),
            "linshu-2020 二(二): a result is approved while the order is handled",
        ),
        (
            "registered",
            staff(UNIT_B),
            co_unit_opinion(),
            "lishui-2021: a co-unit reports on an order dispatched to it",
        ),
        (
            "registered",
            staff(UNIT_A),
            apply_closure(ClosureGround::CannotBeSolved),
            "puyang-2020 考核 1: a statement about an order the unit was given",
        ),
        (
            "registered",
            dispatcher(),
            add_co_units(&[UNIT_C]),
            "linshu-2020 二(三): units are added to a dispatched order",
        ),
        (
            "under_review",
            callback_agent(),
            callback_unreached(),
            "turpan-2021 art. 21: callbacks follow the review",
        ),
    ];
    for (stage, actor, action, rule) in rows {
        let preset_name = match action {
            Action::LeaderSignOff { .. } | Action::ApproveResult { .. } => "linshu",
            Action::ApplyClosure(_) => "puyang",
            _ => "turpan",
        };
        let mut s = scripted(preset_name, RequestKind::Help, stage);
        if stage == "dispatched" && preset_name == "linshu" {
            s.ok(head(UNIT_A), leader_sign_off(), monday() + hours(2));
        }
        let at = monday() + hours(60);
        assert_eq!(s.refusal_code(&actor, &action, at), "wrong_state", "{rule}");
        s.expect_refused(actor, action, at, "wrong_state");
    }
}

// ---- the center releases a unit the order would otherwise wait for ----

fn release(unit: &str) -> Action {
    Action::ReleaseUnit {
        unit: hotline_core::model::UnitId::new(unit),
        reason: "经核实不属该单位职责".into(),
    }
}

#[test]
fn the_center_releases_a_unit_so_an_order_never_waits_for_it_forever() {
    let rule = "turpan-2021 art. 12, lishui-2021 首接负责制: the order waits for every unit — the center may release one that is not concerned";
    // A separate unit that never replies.
    let mut s = scripted("turpan", RequestKind::Help, "registered");
    let t = monday() + hours(1);
    s.ok(dispatcher(), dispatch_separately(UNIT_A, &[UNIT_B]), t);
    s.ok(head(UNIT_A), sign_for(), t + hours(1));
    s.ok(staff(UNIT_A), reply_naming(None), t + hours(2));
    assert_eq!(s.state().status, Status::InHandling);
    // While it waits, the lead unit has replied: no extension, no second approval.
    s.expect_refused(
        staff(UNIT_A),
        request_extension(3, "等待协办"),
        t + hours(3),
        "wrong_state",
    );
    let mut blank = release(UNIT_B);
    if let Action::ReleaseUnit { reason, .. } = &mut blank {
        reason.clear();
    }
    refusals(
        &mut s,
        t + hours(3),
        vec![
            (staff(UNIT_A), release(UNIT_B), "wrong_role", rule),
            (dispatcher(), release(UNIT_C), "wrong_unit", rule),
            (dispatcher(), blank, "missing_field", rule),
        ],
    );
    s.ok(dispatcher(), release(UNIT_B), t + hours(3));
    let st = s.state();
    assert_eq!(st.status, Status::UnderReview, "{rule}");
    assert!(st.separate.is_empty());
    s.expect_refused(dispatcher(), release(UNIT_B), t + hours(4), "wrong_unit");
    // After the reply there is nothing left to wait for.
    let mut reviewed = scripted("turpan", RequestKind::Help, "under_review");
    reviewed.expect_refused(dispatcher(), release(UNIT_B), t + hours(60), "wrong_state");

    // A co-unit that never reports its part, where the policy waits for it.
    let mut s = scripted("turpan", RequestKind::Help, "in_handling");
    s.policy.procedures.co_unit_opinions_required = true;
    let t = monday() + hours(10);
    s.expect_refused(
        staff(UNIT_A),
        reply_naming(None),
        t,
        "co_unit_opinions_missing",
    );
    s.ok(dispatcher(), release(UNIT_B), t);
    s.ok(staff(UNIT_A), reply_naming(None), t + minutes(1));
}

#[test]
fn a_closure_application_does_not_outlive_the_dispatch_it_was_made_under() {
    // puyang-2020 考核 1: the statement is the handling unit's; a unit that returned the order
    // does not keep another unit's order out of assessment.
    let mut s = scripted("puyang", RequestKind::Help, "dispatched");
    let t = monday() + hours(2);
    s.ok(
        staff(UNIT_A),
        apply_closure(ClosureGround::CannotBeSolved),
        t,
    );
    s.ok(staff(UNIT_A), request_return(false), t + minutes(5));
    s.ok(dispatcher(), decide_return(true), t + hours(1));
    assert_eq!(
        s.state().closure_applications[0].decision,
        ClosureDecision::Lapsed
    );
    s.expect_refused(
        dispatcher(),
        decide_closure(true),
        t + hours(2),
        "nothing_to_decide",
    );
    s.ok(dispatcher(), dispatch(UNIT_C, &[]), t + hours(2));
    s.ok(head(UNIT_C), sign_for(), t + hours(3));
    s.ok(
        staff(UNIT_C),
        apply_closure(ClosureGround::CannotBeSolved),
        t + hours(4),
    );
    assert!(!s.state().not_counted_in_assessment());
}
