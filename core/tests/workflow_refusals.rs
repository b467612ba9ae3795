//! Every refused action, with the exact code the apps rely on.

use hotline_core::Coded;
use hotline_core::model::{
    Action, CaseInfo, GpsFix, NotAcceptedReason, RequestKind, Role, Satisfaction,
    SupervisionTrigger, UnitId,
};
use hotline_core::workflow::{Status, WorkflowError, allowed_roles};
use hotline_testkit::workflow::*;

fn missing_field(e: WorkflowError) -> &'static str {
    match e {
        WorkflowError::MissingField { field, .. } => field,
        other => panic!("expected missing_field, got {} ({other})", other.code()),
    }
}

// ---- roles ----

#[test]
fn wrong_role_for_center_and_unit_actions() {
    let mut s = scripted("turpan", RequestKind::Help, "submitted");
    let t = monday() + hours(1);
    s.expect_refused(staff(UNIT_A), register(), t, "wrong_role");
    s.expect_refused(callback_agent(), register(), t, "wrong_role");
    s.ok(intake(), register(), t);
    s.expect_refused(intake(), dispatch(UNIT_A, &[]), t, "wrong_role");
    s.expect_refused(supervisor(), dispatch(UNIT_A, &[]), t, "wrong_role");
    s.ok(dispatcher(), dispatch(UNIT_A, &[]), t);
    s.expect_refused(dispatcher(), sign_for(), t, "wrong_role");
    s.expect_refused(intake(), reply(UNIT_A, RequestKind::Help), t, "wrong_role");
    s.expect_refused(staff(UNIT_A), decide_return(true), t, "wrong_role");
    s.expect_refused(head(UNIT_A), site_supervision(), t, "wrong_role");
    s.expect_refused(
        staff(UNIT_A),
        supervise(SupervisionTrigger::HotIssue),
        t,
        "wrong_role",
    );
    s.expect_refused(
        dispatcher(),
        callback(Satisfaction::Satisfied),
        t,
        "wrong_role",
    );
}

#[test]
fn kiosk_trying_to_dispatch() {
    let mut s = scripted("turpan", RequestKind::Help, "registered");
    let t = monday() + hours(2);
    s.expect_refused(kiosk(), dispatch(UNIT_A, &[]), t, "wrong_role");
}

#[test]
fn kiosk_may_only_submit() {
    for stage in [
        "submitted",
        "registered",
        "dispatched",
        "in_handling",
        "awaiting_callback",
    ] {
        let s = scripted("turpan", RequestKind::Help, stage);
        for action in every_action() {
            if matches!(action, Action::Submit { .. }) {
                continue;
            }
            // A kiosk answers from the knowledge base the request it took itself, naming the
            // item's version (this one names none); once dispatched, nobody answers instantly.
            let expected = if matches!(action, Action::InstantAnswer { .. }) {
                if stage == "submitted" || stage == "registered" {
                    "missing_field"
                } else {
                    "wrong_state"
                }
            } else {
                "wrong_role"
            };
            assert_eq!(
                s.refusal_code(&kiosk(), &action, monday() + hours(60)),
                expected,
                "{stage}: {}",
                action.name()
            );
        }
    }
    assert!(allowed_roles(&submit(RequestKind::Help)).contains(&Role::Kiosk));
}

#[test]
fn auditor_can_do_nothing() {
    let empty = Script::new("turpan");
    for action in every_action() {
        assert_eq!(
            empty.refusal_code(&auditor(), &action, monday()),
            "wrong_role",
            "{}",
            action.name()
        );
        assert!(!allowed_roles(&action).contains(&Role::Auditor));
    }
    for stage in [
        "submitted",
        "registered",
        "dispatched",
        "in_handling",
        "under_review",
        "awaiting_callback",
    ] {
        let mut s = scripted("turpan", RequestKind::Complaint, stage);
        for action in every_action() {
            s.expect_refused(auditor(), action, monday() + hours(60), "wrong_role");
        }
    }
}

#[test]
fn auditor_refusal_explains_itself_in_both_languages() {
    let s = scripted("turpan", RequestKind::Help, "dispatched");
    let e = s.refusal(&auditor(), &sign_for(), monday() + hours(2));
    assert_eq!(e.code().as_str(), "wrong_role");
    assert!(e.message_zh().contains("审计人员"));
    assert!(e.message_zh().contains("签收"));
    assert!(e.message_en().contains("auditor"));
    assert!(e.message_en().contains("sign_for"));
}

// ---- units ----

#[test]
fn wrong_unit_for_lead_only_actions() {
    let mut s = scripted("turpan", RequestKind::Help, "dispatched");
    let t = monday() + hours(2);
    // An unrelated unit, and the co-unit: only the lead signs for, returns, extends, replies.
    s.expect_refused(head(UNIT_C), sign_for(), t, "wrong_unit");
    s.expect_refused(head(UNIT_B), sign_for(), t, "wrong_unit");
    s.expect_refused(staff(UNIT_B), request_return(false), t, "wrong_unit");
    let e = s.refusal(&staff(UNIT_B), &sign_for(), t);
    assert!(matches!(
        e,
        WorkflowError::WrongUnit {
            lead_only: true,
            ..
        }
    ));
    s.ok(head(UNIT_A), sign_for(), t);
    s.expect_refused(staff(UNIT_B), request_extension(3, "x"), t, "wrong_unit");
    s.expect_refused(
        staff(UNIT_B),
        reply(UNIT_B, RequestKind::Help),
        t,
        "wrong_unit",
    );
    s.expect_refused(
        staff(UNIT_C),
        reply(UNIT_A, RequestKind::Help),
        t,
        "wrong_unit",
    );
}

#[test]
fn wrong_unit_for_co_unit_actions() {
    let mut s = scripted("turpan", RequestKind::Help, "in_handling");
    let t = monday() + hours(5);
    s.expect_refused(staff(UNIT_C), contact(), t, "wrong_unit");
    s.expect_refused(head(UNIT_C), site_evidence(), t, "wrong_unit");
    s.expect_refused(head(UNIT_C), duty_statement(), t, "wrong_unit");
    let e = s.refusal(&staff(UNIT_C), &contact(), t);
    assert!(matches!(
        e,
        WorkflowError::WrongUnit {
            lead_only: false,
            ..
        }
    ));
}

#[test]
fn reply_in_another_units_name_is_wrong_unit() {
    let mut s = scripted("turpan", RequestKind::Help, "in_handling");
    s.expect_refused(
        staff(UNIT_A),
        reply(UNIT_B, RequestKind::Help),
        monday() + hours(6),
        "wrong_unit",
    );
}

// ---- states ----

#[test]
fn wrong_state_at_each_stage() {
    let t = monday() + hours(10);
    let mut s = scripted("turpan", RequestKind::Help, "registered");
    s.expect_refused(head(UNIT_A), sign_for(), t, "wrong_state");
    s.expect_refused(intake(), register(), t, "wrong_state");
    s.expect_refused(dispatcher(), review(true), t, "wrong_state");
    s.expect_refused(dispatcher(), decide_return(true), t, "wrong_state");
    s.expect_refused(staff(UNIT_A), contact(), t, "wrong_state");
    s.expect_refused(supervisor(), site_supervision(), t, "wrong_state");

    let mut s = scripted("turpan", RequestKind::Help, "dispatched");
    s.expect_refused(dispatcher(), dispatch(UNIT_C, &[]), t, "wrong_state");
    s.expect_refused(
        staff(UNIT_A),
        reply(UNIT_A, RequestKind::Help),
        t,
        "wrong_state",
    );
    s.expect_refused(staff(UNIT_A), request_extension(2, "x"), t, "wrong_state");
    s.expect_refused(intake(), instant_answer(), t, "wrong_state");

    let mut s = scripted("turpan", RequestKind::Help, "in_handling");
    // A return is only possible before sign-for.
    s.expect_refused(
        staff(UNIT_A),
        request_return(false),
        monday() + hours(4),
        "wrong_state",
    );
    s.expect_refused(head(UNIT_A), sign_for(), t, "wrong_state");
    s.expect_refused(dispatcher(), decide_extension(true), t, "wrong_state");
    s.expect_refused(
        callback_agent(),
        callback(Satisfaction::Satisfied),
        t,
        "wrong_state",
    );
    s.expect_refused(dispatcher(), reopen(), t, "wrong_state");

    let mut s = scripted("turpan", RequestKind::Help, "awaiting_callback");
    s.ok(
        callback_agent(),
        callback(Satisfaction::Satisfied),
        t + hours(50),
    );
    s.expect_refused(
        dispatcher(),
        supervise(SupervisionTrigger::HotIssue),
        t + hours(51),
        "wrong_state",
    );
    s.expect_refused(dispatcher(), reopen(), t + hours(51), "wrong_state");
    s.expect_refused(staff(UNIT_A), contact(), t + hours(51), "wrong_state");
}

#[test]
fn nothing_happens_after_not_accepted() {
    let mut s = scripted("turpan", RequestKind::Help, "submitted");
    s.ok(
        intake(),
        not_accept(NotAcceptedReason::NotGovernmentDuty),
        monday(),
    );
    let t = monday() + hours(1);
    s.expect_refused(intake(), register(), t, "wrong_state");
    s.expect_refused(dispatcher(), dispatch(UNIT_A, &[]), t, "wrong_state");
    s.expect_refused(
        dispatcher(),
        supervise(SupervisionTrigger::HotIssue),
        t,
        "wrong_state",
    );
}

#[test]
fn unknown_order_and_duplicate_submit() {
    let mut s = Script::new("turpan");
    s.expect_refused(intake(), register(), monday(), "unknown_order");
    s.ok(kiosk(), submit(RequestKind::Help), monday());
    s.expect_refused(
        kiosk(),
        submit(RequestKind::Help),
        monday(),
        "duplicate_submit",
    );
    s.expect_refused(
        intake(),
        submit(RequestKind::Inquiry),
        monday(),
        "duplicate_submit",
    );
}

// ---- content ----

#[test]
fn reply_missing_each_required_field() {
    let s = scripted("turpan", RequestKind::Help, "in_handling");
    let t = monday() + hours(10);
    type Blank = fn(&mut hotline_core::model::ReplyContent);
    let cases: [(&str, Blank); 4] = [
        ("handler", |r| r.handler.clear()),
        ("result", |r| r.result = "   ".into()),
        ("legal_basis", |r| r.legal_basis.clear()),
        ("citizen_informed_how", |r| r.citizen_informed_how.clear()),
    ];
    for (field, blank) in cases {
        let mut content = reply_content(UNIT_A, RequestKind::Help);
        blank(&mut content);
        let e = s.refusal(&staff(UNIT_A), &Action::Reply(content), t);
        assert_eq!(e.code().as_str(), "missing_field");
        assert_eq!(missing_field(e), field);
    }
    // An inquiry needs no case information.
    s.decide(&staff(UNIT_A), &reply(UNIT_A, RequestKind::Help), t)
        .unwrap();
}

#[test]
fn complaint_reply_without_case_information() {
    for kind in [RequestKind::Complaint, RequestKind::Report] {
        let mut s = scripted("turpan", kind, "in_handling");
        let t = monday() + hours(10);
        let mut content = reply_content(UNIT_A, kind);
        content.case = None;
        s.expect_refused(
            staff(UNIT_A),
            Action::Reply(content.clone()),
            t,
            "missing_field",
        );
        assert_eq!(
            missing_field(s.refusal(&staff(UNIT_A), &Action::Reply(content.clone()), t)),
            "case"
        );
        content.case = Some(CaseInfo::Filed {
            case_number: " ".into(),
        });
        assert_eq!(
            missing_field(s.refusal(&staff(UNIT_A), &Action::Reply(content.clone()), t)),
            "case.case_number"
        );
        content.case = Some(CaseInfo::NotFiled { reason: "".into() });
        assert_eq!(
            missing_field(s.refusal(&staff(UNIT_A), &Action::Reply(content.clone()), t)),
            "case.reason"
        );
        content.case = Some(CaseInfo::Filed {
            case_number: "吐公(高)立字〔2026〕101号".into(),
        });
        s.ok(staff(UNIT_A), Action::Reply(content), t);
    }
}

#[test]
fn return_request_missing_each_required_field() {
    let s = scripted("turpan", RequestKind::Help, "dispatched");
    let t = monday() + hours(2);
    type Blank = fn(&mut hotline_core::model::ReturnRequest);
    let cases: [(&str, Blank); 5] = [
        ("reason", |r| r.reason.clear()),
        ("basis", |r| r.basis.clear()),
        ("leader_opinion", |r| r.leader_opinion.clear()),
        ("suggestion", |r| r.suggestion.clear()),
        ("phone", |r| r.phone.clear()),
    ];
    for (field, blank) in cases {
        let mut req = return_request(true);
        blank(&mut req);
        let e = s.refusal(&staff(UNIT_A), &Action::RequestReturn(req), t);
        assert_eq!(missing_field(e), field);
    }
}

#[test]
fn not_accept_needs_basis_and_earlier_order_for_repeats() {
    let s = scripted("turpan", RequestKind::Complaint, "registered");
    let t = monday() + hours(1);
    let e = s.refusal(
        &intake(),
        &Action::NotAccept {
            reason: NotAcceptedReason::SecretsOrPrivacy,
            basis: "".into(),
            earlier_order: None,
            stated_reason: None,
        },
        t,
    );
    assert_eq!(missing_field(e), "basis");
    let e = s.refusal(
        &intake(),
        &Action::NotAccept {
            reason: NotAcceptedReason::RepeatWithoutNewFacts,
            basis: "第十三条第七项".into(),
            earlier_order: None,
            stated_reason: None,
        },
        t,
    );
    assert_eq!(missing_field(e), "earlier_order");
    // Other reasons need no earlier order.
    s.decide(
        &intake(),
        &Action::NotAccept {
            reason: NotAcceptedReason::EmergencyServices,
            basis: "第十三条第二项".into(),
            earlier_order: None,
            stated_reason: None,
        },
        t,
    )
    .unwrap();
}

#[test]
fn denials_need_a_reason() {
    let s = scripted("turpan", RequestKind::Help, "under_review");
    let e = s.refusal(
        &dispatcher(),
        &Action::Review {
            approve: false,
            note: "".into(),
        },
        monday() + hours(49),
    );
    assert_eq!(missing_field(e), "note");
}

#[test]
fn other_required_content() {
    let s = scripted("turpan", RequestKind::Help, "in_handling");
    let t = monday() + hours(10);
    let e = s.refusal(&staff(UNIT_A), &request_extension(0, "x"), t);
    assert_eq!(missing_field(e), "working_days");
    let e = s.refusal(
        &head(UNIT_A),
        &Action::DutyStatement {
            text: " ".into(),
            non_compliant: true,
        },
        t,
    );
    assert_eq!(missing_field(e), "text");
    let mut evidence = site_evidence();
    if let Action::SiteEvidence(e) = &mut evidence {
        e.photos.clear();
    }
    assert_eq!(
        missing_field(s.refusal(&staff(UNIT_A), &evidence, t)),
        "photos"
    );
    let mut evidence = site_evidence();
    if let Action::SiteEvidence(e) = &mut evidence {
        e.gps = Some(GpsFix::manual(123.0, 89.0));
    }
    assert_eq!(s.refusal_code(&staff(UNIT_A), &evidence, t), "invalid_gps");
    let mut form = site_supervision();
    if let Action::SiteSupervision(f) = &mut form {
        f.findings.clear();
    }
    assert_eq!(
        missing_field(s.refusal(&supervisor(), &form, t)),
        "findings"
    );

    let mut s = scripted("turpan", RequestKind::Help, "submitted");
    let mut bad = submit(RequestKind::Help);
    if let Action::Submit { details } = &mut bad {
        details.text.clear();
    }
    s.events.clear();
    assert_eq!(missing_field(s.refusal(&kiosk(), &bad, monday())), "text");
}

#[test]
fn dispatch_lead_may_not_also_be_co_unit() {
    let mut s = scripted("turpan", RequestKind::Help, "registered");
    s.expect_refused(
        dispatcher(),
        dispatch(UNIT_A, &[UNIT_B, UNIT_A]),
        monday() + hours(1),
        "lead_also_co_unit",
    );
    let e = s.refusal(&dispatcher(), &dispatch("", &[]), monday() + hours(1));
    assert_eq!(missing_field(e), "lead");
    let e = s.refusal(
        &dispatcher(),
        &Action::Dispatch {
            separate_units: Vec::new(),
            statutory_limit: None,
            lead: UnitId::new(UNIT_A),
            co_units: vec![UnitId::new("")],
            leader_approval: false,
            note: String::new(),
            duty_report: None,
            coordination: None,
            override_reason: None,
        },
        monday() + hours(1),
    );
    assert_eq!(missing_field(e), "co_units");
}

#[test]
fn instant_answer_only_for_inquiries() {
    for kind in [
        RequestKind::Help,
        RequestKind::Complaint,
        RequestKind::Report,
        RequestKind::Suggestion,
    ] {
        let mut s = scripted("turpan", kind, "submitted");
        s.expect_refused(intake(), instant_answer(), monday(), "instant_answer_kind");
    }
}

// ---- policy limits ----

#[test]
fn turpan_reopen_beyond_the_limit() {
    let mut s = scripted("turpan", RequestKind::Complaint, "awaiting_callback");
    let t = monday() + hours(52);
    s.ok(callback_agent(), callback(Satisfaction::Dissatisfied), t);
    s.ok(dispatcher(), reopen(), t + hours(1));
    s.reply_approved(UNIT_A, RequestKind::Complaint, t + hours(2));
    s.ok(dispatcher(), review(true), t + hours(3));
    s.ok(
        callback_agent(),
        callback(Satisfaction::Dissatisfied),
        t + hours(4),
    );
    assert_eq!(s.state().status, Status::Closed);
    s.expect_refused(dispatcher(), reopen(), t + hours(5), "reopen_limit");
    let e = s.refusal(&dispatcher(), &reopen(), t + hours(5));
    assert_eq!(e, WorkflowError::ReopenLimit { max: 1 });
    assert!(e.message_zh().contains('1'));
}

#[test]
fn turpan_extension_beyond_the_maximum() {
    let mut s = scripted("turpan", RequestKind::Complaint, "in_handling");
    let t = monday() + hours(10);
    s.expect_refused(
        staff(UNIT_A),
        request_extension(31, "需鉴定"),
        t,
        "extension_too_long",
    );
    s.decide(&staff(UNIT_A), &request_extension(30, "需鉴定"), t)
        .unwrap();
    // The maximum is for the whole round, not per request.
    s.ok(staff(UNIT_A), request_extension(20, "需鉴定"), t);
    s.ok(dispatcher(), decide_extension(true), t + hours(1));
    s.expect_refused(
        staff(UNIT_A),
        request_extension(11, "仍需鉴定"),
        t + hours(2),
        "extension_too_long",
    );
    let e = s.refusal(
        &staff(UNIT_A),
        &request_extension(11, "仍需鉴定"),
        t + hours(2),
    );
    assert_eq!(
        e,
        WorkflowError::ExtensionTooLong {
            requested: 11,
            already: 20,
            max: 30
        }
    );
    s.ok(
        staff(UNIT_A),
        request_extension(10, "仍需鉴定"),
        t + hours(2),
    );
}

#[test]
fn puyang_extension_needs_a_written_explanation() {
    let s = scripted("puyang", RequestKind::Help, "in_handling");
    let t = monday() + hours(10);
    let e = s.refusal(&staff(UNIT_A), &request_extension_by_law(3, "  ", 20), t);
    assert_eq!(missing_field(e), "explanation");
    // Puyang sets no cap but the law's.
    s.decide(
        &staff(UNIT_A),
        &request_extension_by_law(60, "需要协调多部门", 90),
        t,
    )
    .unwrap();
}

#[test]
fn turpan_return_after_the_twenty_hour_window() {
    let mut s = scripted("turpan", RequestKind::Help, "dispatched");
    // Dispatched Monday 10:00: the window closes Tuesday 06:00.
    let dispatched = monday() + hours(1);
    s.decide(
        &staff(UNIT_A),
        &request_return(false),
        dispatched + hours(20),
    )
    .unwrap();
    s.expect_refused(
        staff(UNIT_A),
        request_return(false),
        dispatched + hours(20) + minutes(1),
        "return_window_closed",
    );
    let e = s.refusal(
        &staff(UNIT_A),
        &request_return(false),
        dispatched + hours(21),
    );
    assert_eq!(
        e,
        WorkflowError::ReturnWindowClosed {
            due: as_utc("2026-03-03T06:00:00+08:00")
        }
    );
    assert!(e.message_en().contains("2026-03-03 06:00:00 +08:00"));
}

#[test]
fn linshu_return_after_one_working_day() {
    let mut s = scripted("linshu", RequestKind::Help, "dispatched");
    s.expect_refused(
        staff(UNIT_A),
        request_return(true),
        local(2026, 3, 4, 0, 1),
        "return_window_closed",
    );
}

#[test]
fn linshu_return_without_calling_the_center() {
    let mut s = scripted("linshu", RequestKind::Help, "dispatched");
    s.expect_refused(
        staff(UNIT_A),
        request_return(false),
        monday() + hours(2),
        "return_needs_call",
    );
    // Turpan has no such rule.
    let t = scripted("turpan", RequestKind::Help, "dispatched");
    t.decide(&staff(UNIT_A), &request_return(false), monday() + hours(2))
        .unwrap();
}

#[test]
fn callback_on_a_confidential_order() {
    let mut s = Script::new("turpan");
    let t = monday();
    s.ok(kiosk(), submit_confidential(RequestKind::Complaint), t);
    s.ok(intake(), register(), t + minutes(5));
    s.ok(dispatcher(), dispatch(UNIT_A, &[]), t + minutes(10));
    s.ok(head(UNIT_A), sign_for(), t + hours(1));
    s.expect_refused(
        callback_agent(),
        callback(Satisfaction::Satisfied),
        t + hours(2),
        "confidential_no_callback",
    );
    s.reply_approved(UNIT_A, RequestKind::Complaint, t + hours(3));
    s.ok(dispatcher(), review(true), t + hours(4));
    s.expect_refused(
        callback_agent(),
        callback(Satisfaction::VeryDissatisfied),
        t + hours(5),
        "confidential_no_callback",
    );
}

// ---- the error type ----

#[test]
fn every_code_is_stable_snake_case_with_messages() {
    use hotline_core::model::UnitId;
    use hotline_core::policy::PolicyError;
    let errors = vec![
        WorkflowError::WrongRole {
            role: Role::Auditor,
            action: "reply",
        },
        WorkflowError::WrongUnit {
            unit: UnitId::new(UNIT_C),
            action: "sign_for",
            lead_only: true,
        },
        WorkflowError::WrongState {
            action: "reply",
            status: Status::Closed,
        },
        WorkflowError::MissingField {
            action: "reply",
            field: "legal_basis",
        },
        WorkflowError::ReopenLimit { max: 1 },
        WorkflowError::ExtensionTooLong {
            requested: 31,
            already: 0,
            max: 30,
        },
        WorkflowError::ReturnWindowClosed { due: monday() },
        WorkflowError::ReturnNeedsCall,
        WorkflowError::ConfidentialNoCallback,
        WorkflowError::InstantAnswerKind {
            kind: RequestKind::Complaint,
        },
        WorkflowError::UnknownOrder { action: "register" },
        WorkflowError::DuplicateSubmit,
        WorkflowError::LeadAlsoCoUnit {
            unit: UnitId::new(UNIT_A),
        },
        WorkflowError::InvalidGps {
            action: "site_evidence",
        },
        WorkflowError::CausalCycle,
        WorkflowError::Calendar(PolicyError::OutOfRange),
    ];
    let expected = [
        "wrong_role",
        "wrong_unit",
        "wrong_state",
        "missing_field",
        "reopen_limit",
        "extension_too_long",
        "return_window_closed",
        "return_needs_call",
        "confidential_no_callback",
        "instant_answer_kind",
        "unknown_order",
        "duplicate_submit",
        "lead_also_co_unit",
        "invalid_gps",
        "causal_cycle",
        "calendar",
    ];
    assert_eq!(errors.len(), expected.len());
    for (e, code) in errors.iter().zip(expected) {
        assert_eq!(e.code().as_str(), code);
        assert!(
            code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{code}"
        );
        assert!(!e.message_en().is_empty());
        assert!(
            e.message_zh()
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{code}: {}",
            e.message_zh()
        );
        assert_eq!(e.message_en(), e.to_string());
    }
}
