//! Every step of the life of a work order, accepted, with the seeds' numbers.

use hotline_core::Coded;
use hotline_core::model::{NotAcceptedReason, RequestKind, Satisfaction, SupervisionTrigger};
use hotline_core::workflow::{ExtensionDecision, Outcome, Status, automatic_triggers, deadlines};
use hotline_testkit::workflow::*;

#[test]
fn happy_path_turpan_inquiry_closes_on_satisfied_callback() {
    let mut s = Script::new("turpan");
    let t = monday();
    s.ok(kiosk(), submit(RequestKind::Inquiry), t);
    assert_eq!(s.state().status, Status::Submitted);
    s.ok(intake(), register(), t + minutes(20));
    assert_eq!(s.state().status, Status::Registered);
    s.ok(dispatcher(), dispatch(UNIT_A, &[UNIT_B]), t + hours(1));
    let st = s.state();
    assert_eq!(st.status, Status::Dispatched);
    assert_eq!(st.lead_unit.as_ref().unwrap().0, UNIT_A);
    assert_eq!(st.co_units.len(), 1);

    // Turpan: sign-for 12 h, return 20 h after dispatch (10:00 Monday); handling 5 WD.
    let d = deadlines(&st, &s.policy, &s.cal).unwrap();
    assert_eq!(d.sign_for_due, Some(local(2026, 3, 2, 22, 0)));
    assert_eq!(d.return_due, Some(local(2026, 3, 3, 6, 0)));
    assert_eq!(d.handling_due, Some(end_of_day(2026, 3, 9)));
    assert_eq!(d.dispatch_due, None, "Turpan sets no dispatch limit");
    assert_eq!(d.response_due, None, "not an emergency");

    s.ok(head(UNIT_A), sign_for(), t + hours(4));
    let st = s.state();
    assert_eq!(st.status, Status::InHandling);
    assert!(!st.late_sign_for);
    assert_eq!(st.signed_at, Some(t + hours(4)));

    s.ok(staff(UNIT_A), contact(), t + hours(5));
    s.ok(staff(UNIT_B), contact(), t + hours(5) + minutes(10));
    s.ok(staff(UNIT_A), site_evidence(), t + hours(24));
    s.ok(supervisor(), site_evidence(), t + hours(25));
    s.reply_approved(UNIT_A, RequestKind::Inquiry, t + hours(48));
    assert_eq!(s.state().status, Status::UnderReview);
    s.ok(dispatcher(), review(true), t + hours(50));
    assert_eq!(s.state().status, Status::AwaitingCallback);
    s.ok(
        callback_agent(),
        callback(Satisfaction::BasicallySatisfied),
        t + hours(52),
    );

    let st = s.state();
    assert_eq!(st.status, Status::Closed);
    assert_eq!(st.closed_at, Some(t + hours(52)));
    assert!(!st.closed_dissatisfied);
    assert_eq!(st.contacts.len(), 2);
    assert_eq!(st.site_evidence.len(), 2);
    assert_eq!(st.replies.len(), 1);
    assert_eq!(st.last_rating(), Some(Satisfaction::BasicallySatisfied));
    assert!(st.supervisions.is_empty());
    assert_eq!(st.history.len(), s.events.len());
    assert!(st.history.iter().all(|h| h.outcome == Outcome::Applied));
    // A closed order is never overdue, even long after its deadline.
    let later = local(2026, 6, 1, 9, 0);
    assert!(
        automatic_triggers(&st, later, &s.policy, &s.cal)
            .unwrap()
            .is_empty()
    );
    // Records may follow closure.
    s.ok(head(UNIT_B), duty_statement(), t + hours(60));
    s.ok(supervisor(), site_supervision(), t + hours(61));
    assert_eq!(s.state().duty_statements.len(), 1);
    assert_eq!(s.state().site_supervisions.len(), 1);
}

#[test]
fn dissatisfied_reopen_final_rating_records_automatic_supervision() {
    let mut s = scripted("turpan", RequestKind::Complaint, "awaiting_callback");
    let t = monday();
    s.ok(
        callback_agent(),
        callback(Satisfaction::Dissatisfied),
        t + hours(52),
    );
    let st = s.state();
    assert_eq!(st.status, Status::Dissatisfied);
    assert_eq!(st.closed_at, None);
    assert!(st.supervisions.is_empty());

    // Reopened Wednesday 4 March 14:00: Turpan gives 3 WD -> Monday 9 March 23:59:59.
    let reopened = local(2026, 3, 4, 14, 0);
    s.ok(dispatcher(), reopen(), reopened);
    let st = s.state();
    assert_eq!(st.status, Status::InHandling);
    assert_eq!(st.reopen_count, 1);
    assert_eq!(st.reopened_at, Some(reopened));
    let d = deadlines(&st, &s.policy, &s.cal).unwrap();
    assert_eq!(d.handling_due, Some(end_of_day(2026, 3, 9)));

    s.reply_approved(UNIT_A, RequestKind::Complaint, reopened + hours(24));
    s.ok(dispatcher(), review(true), reopened + hours(25));
    let rating = s.ok(
        callback_agent(),
        callback(Satisfaction::VeryDissatisfied),
        reopened + hours(26),
    );

    let st = s.state();
    assert_eq!(st.status, Status::Closed, "the second rating is final");
    assert!(st.closed_dissatisfied);
    assert_eq!(st.ratings.len(), 2);
    assert_eq!(st.ratings[0].round, 0);
    assert_eq!(st.ratings[1].round, 1);
    assert_eq!(st.supervisions.len(), 1);
    let sup = &st.supervisions[0];
    assert!(sup.is_automatic());
    assert_eq!(sup.trigger, SupervisionTrigger::ReopenedStillDissatisfied);
    assert_eq!(sup.event, rating);
    assert_eq!(
        automatic_triggers(&st, reopened + hours(30), &s.policy, &s.cal).unwrap(),
        vec![SupervisionTrigger::ReopenedStillDissatisfied]
    );

    // Closed but dissatisfied: the center may still supervise by hand; no more reopening.
    s.ok(
        dispatcher(),
        supervise(SupervisionTrigger::DecidedButUnresolved),
        reopened + hours(31),
    );
    assert_eq!(s.state().supervisions.len(), 2);
    assert_eq!(
        s.refusal_code(&dispatcher(), &reopen(), reopened + hours(32)),
        "reopen_limit"
    );
}

#[test]
fn satisfied_after_reopen_closes_without_supervision() {
    let mut s = scripted("turpan", RequestKind::Help, "awaiting_callback");
    let t = monday();
    s.ok(
        callback_agent(),
        callback(Satisfaction::Dissatisfied),
        t + hours(52),
    );
    s.ok(dispatcher(), reopen(), t + hours(53));
    s.reply_approved(UNIT_A, RequestKind::Help, t + hours(60));
    s.ok(dispatcher(), review(true), t + hours(61));
    s.ok(
        callback_agent(),
        callback(Satisfaction::Satisfied),
        t + hours(62),
    );
    let st = s.state();
    assert_eq!(st.status, Status::Closed);
    assert!(!st.closed_dissatisfied);
    assert!(st.supervisions.is_empty());
}

#[test]
fn linshu_sets_no_reopen_cap() {
    let mut s = scripted("linshu", RequestKind::Help, "awaiting_callback");
    let mut t = monday() + hours(52);
    for round in 0..3u32 {
        s.ok(callback_agent(), callback(Satisfaction::Dissatisfied), t);
        assert_eq!(s.state().status, Status::Dissatisfied, "round {round}");
        s.ok(dispatcher(), reopen(), t + hours(1));
        s.reply_approved(UNIT_A, RequestKind::Help, t + hours(2));
        s.ok(dispatcher(), review(true), t + hours(3));
        t += hours(4);
    }
    assert_eq!(s.state().reopen_count, 3);
    // Linshu sets no handling limits, so a reopened order has no due date.
    assert_eq!(
        deadlines(&s.state(), &s.policy, &s.cal)
            .unwrap()
            .handling_due,
        None
    );
}

#[test]
fn puyang_reopen_counts_five_working_days() {
    let mut s = scripted("puyang", RequestKind::Help, "awaiting_callback");
    s.ok(
        callback_agent(),
        callback(Satisfaction::Dissatisfied),
        monday() + hours(52),
    );
    // Reopened Friday 6 March: 5 WD -> Friday 13 March.
    s.ok(dispatcher(), reopen(), local(2026, 3, 6, 9, 0));
    let d = deadlines(&s.state(), &s.policy, &s.cal).unwrap();
    assert_eq!(d.handling_due, Some(end_of_day(2026, 3, 13)));
}

#[test]
fn instant_answer_closes_an_inquiry() {
    let mut s = scripted("turpan", RequestKind::Inquiry, "submitted");
    s.ok(intake(), instant_answer(), monday() + minutes(5));
    let st = s.state();
    assert_eq!(st.status, Status::AnsweredInstantly);
    assert!(st.status.is_final());
    assert_eq!(st.instant_answer.as_ref().unwrap().kb_item, "kb-0042");
    assert_eq!(st.closed_at, Some(monday() + minutes(5)));
}

#[test]
fn instant_answer_after_registration() {
    let mut s = scripted("puyang", RequestKind::Inquiry, "registered");
    s.ok(dispatcher(), instant_answer(), monday() + hours(1));
    assert_eq!(s.state().status, Status::AnsweredInstantly);
}

#[test]
fn not_accepted_on_every_ground() {
    // Linshu lists no grounds of its own, so every one is open to it.
    for reason in NotAcceptedReason::ALL {
        let mut s = scripted("linshu", RequestKind::Complaint, "submitted");
        s.ok(intake(), not_accept(reason), monday() + minutes(10));
        let st = s.state();
        assert_eq!(st.status, Status::NotAccepted);
        let rec = st.not_accepted.as_ref().unwrap();
        assert_eq!(rec.reason, reason);
        assert!(!rec.basis.is_empty());
    }
}

#[test]
fn intake_agent_submits_from_a_phone_call() {
    let mut s = Script::new("puyang");
    s.ok(intake(), submit(RequestKind::Suggestion), monday());
    s.ok(intake(), register(), monday() + minutes(1));
    // Puyang: dispatch within 1 WD of registration -> Tuesday 3 March.
    let d = deadlines(&s.state(), &s.policy, &s.cal).unwrap();
    assert_eq!(d.dispatch_due, Some(end_of_day(2026, 3, 3)));
}

#[test]
fn approved_return_goes_back_for_redispatch() {
    let mut s = scripted("puyang", RequestKind::Help, "dispatched");
    let t = monday();
    s.ok(staff(UNIT_A), request_return(false), t + hours(5));
    let st = s.state();
    assert_eq!(st.status, Status::ReturnRequested);
    assert!(st.pending_return.is_some());
    let approved_at = local(2026, 3, 3, 9, 0);
    s.ok(dispatcher(), decide_return(true), approved_at);
    let st = s.state();
    assert_eq!(st.status, Status::Registered);
    assert_eq!(st.lead_unit, None);
    assert!(st.co_units.is_empty());
    assert_eq!(st.returned_by.len(), 1);
    assert_eq!(st.returned_at, Some(approved_at));
    // Re-dispatch is due 1 WD after the approval (Puyang), not after the registration.
    let d = deadlines(&st, &s.policy, &s.cal).unwrap();
    assert_eq!(d.dispatch_due, Some(end_of_day(2026, 3, 4)));
    assert_eq!(d.handling_due, None);

    s.ok(dispatcher(), dispatch(UNIT_C, &[]), approved_at + hours(2));
    let st = s.state();
    assert_eq!(st.status, Status::Dispatched);
    assert_eq!(st.lead_unit.as_ref().unwrap().0, UNIT_C);
    assert_eq!(st.dispatch_count, 2);
    // The old unit is no longer on the order.
    assert_eq!(
        s.refusal_code(&head(UNIT_A), &sign_for(), approved_at + hours(3)),
        "wrong_unit"
    );
    s.ok(head(UNIT_C), sign_for(), approved_at + hours(3));
}

#[test]
fn denied_return_leaves_the_unit_handling() {
    let mut s = scripted("turpan", RequestKind::Help, "dispatched");
    let t = monday();
    s.ok(head(UNIT_A), request_return(false), t + hours(5));
    s.ok(dispatcher(), decide_return(false), t + hours(6));
    let st = s.state();
    assert_eq!(st.status, Status::Dispatched);
    assert_eq!(st.returns_denied, 1);
    assert_eq!(st.lead_unit.as_ref().unwrap().0, UNIT_A);
    s.ok(staff(UNIT_A), sign_for(), t + hours(7));
    assert_eq!(s.state().status, Status::InHandling);
}

#[test]
fn linshu_return_after_calling_the_center() {
    let mut s = scripted("linshu", RequestKind::Help, "dispatched");
    // Dispatched Monday 10:00; 1 WD -> Tuesday 23:59:59.
    s.ok(
        staff(UNIT_A),
        request_return(true),
        local(2026, 3, 3, 23, 0),
    );
    assert_eq!(s.state().status, Status::ReturnRequested);
}

#[test]
fn late_sign_for_is_accepted_and_flagged() {
    let mut s = scripted("turpan", RequestKind::Help, "dispatched");
    // Dispatched at 10:00, 12 h limit: 23:00 is late.
    s.ok(head(UNIT_A), sign_for(), local(2026, 3, 2, 23, 0));
    let st = s.state();
    assert_eq!(st.status, Status::InHandling);
    assert!(st.late_sign_for);
}

#[test]
fn approved_extension_moves_the_handling_deadline_over_the_national_day() {
    let mut s = Script::new("turpan");
    // Monday 28 September 2026: 1-7 October are holidays, Saturday 10 October is a working day.
    let t = local(2026, 9, 28, 9, 0);
    s.ok(kiosk(), submit(RequestKind::Help), t);
    s.ok(intake(), register(), t + minutes(10));
    s.ok(dispatcher(), dispatch(UNIT_A, &[]), t + minutes(20));
    s.ok(head(UNIT_A), sign_for(), t + hours(2));
    let d = deadlines(&s.state(), &s.policy, &s.cal).unwrap();
    // 29, 30 Sep, 8, 9, 10 Oct.
    assert_eq!(d.handling_due, Some(end_of_day(2026, 10, 10)));

    s.ok(
        staff(UNIT_A),
        request_extension(3, "需协调供电公司"),
        t + hours(3),
    );
    let st = s.state();
    assert_eq!(st.status, Status::ExtensionRequested);
    assert_eq!(st.pending_extension().unwrap().working_days, 3);
    s.ok(dispatcher(), decide_extension(true), t + hours(4));
    let st = s.state();
    assert_eq!(st.status, Status::InHandling);
    assert_eq!(st.extension_days, 3);
    assert_eq!(st.extensions[0].decision, ExtensionDecision::Approved);
    let d = deadlines(&st, &s.policy, &s.cal).unwrap();
    // 12, 13, 14 Oct.
    assert_eq!(d.handling_due, Some(end_of_day(2026, 10, 14)));

    // A denied request leaves the deadline alone.
    s.ok(
        staff(UNIT_A),
        request_extension(2, "仍需时间"),
        t + hours(5),
    );
    s.ok(dispatcher(), decide_extension(false), t + hours(6));
    let st = s.state();
    assert_eq!(st.extension_days, 3);
    assert_eq!(st.extensions[1].decision, ExtensionDecision::Denied);
    assert_eq!(
        deadlines(&st, &s.policy, &s.cal).unwrap().handling_due,
        Some(end_of_day(2026, 10, 14))
    );
}

#[test]
fn reply_while_extension_pending_lets_the_request_lapse() {
    let mut s = scripted("turpan", RequestKind::Help, "in_handling");
    let t = monday();
    s.ok(staff(UNIT_A), request_extension(5, ""), t + hours(10));
    s.ok(
        head(UNIT_A),
        reply(UNIT_A, RequestKind::Help),
        t + hours(11),
    );
    let st = s.state();
    assert_eq!(st.status, Status::UnderReview);
    assert_eq!(st.extensions[0].decision, ExtensionDecision::Lapsed);
    assert_eq!(st.pending_extension(), None);
    assert_eq!(
        s.refusal_code(&dispatcher(), &decide_extension(true), t + hours(12)),
        "wrong_state"
    );
}

#[test]
fn rejected_reply_goes_back_to_handling() {
    let mut s = scripted("turpan", RequestKind::Complaint, "under_review");
    let t = monday();
    s.ok(dispatcher(), review(false), t + hours(49));
    let st = s.state();
    assert_eq!(st.status, Status::InHandling);
    assert_eq!(st.replies_rejected, 1);
    s.reply_approved(UNIT_A, RequestKind::Complaint, t + hours(50));
    assert_eq!(s.state().replies.len(), 2);
}

#[test]
fn confidential_order_closes_at_review_without_callback() {
    let mut s = Script::new("turpan");
    let t = monday();
    s.ok(kiosk(), submit_confidential(RequestKind::Report), t);
    s.ok(intake(), register(), t + minutes(5));
    s.ok(dispatcher(), dispatch(UNIT_A, &[]), t + minutes(10));
    s.ok(head(UNIT_A), sign_for(), t + hours(1));
    s.reply_approved(UNIT_A, RequestKind::Report, t + hours(5));
    s.ok(dispatcher(), review(true), t + hours(6));
    let st = s.state();
    assert_eq!(st.status, Status::Closed);
    assert!(st.ratings.is_empty());
}

#[test]
fn overdue_triggers_automatic_supervision_until_the_reply() {
    let mut s = scripted("turpan", RequestKind::Help, "in_handling");
    // Due Monday 9 March 23:59:59.
    let st = s.state();
    let before = local(2026, 3, 9, 23, 0);
    let after = local(2026, 3, 10, 0, 1);
    assert!(
        automatic_triggers(&st, before, &s.policy, &s.cal)
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        automatic_triggers(&st, after, &s.policy, &s.cal).unwrap(),
        vec![SupervisionTrigger::Overdue]
    );
    // Supervision by hand while open.
    s.ok(supervisor(), supervise(SupervisionTrigger::Overdue), after);
    s.reply_approved(UNIT_A, RequestKind::Help, after + hours(1));
    let st = s.state();
    assert!(
        automatic_triggers(&st, after + hours(2), &s.policy, &s.cal)
            .unwrap()
            .is_empty(),
        "a reply stops the unit's clock"
    );
    assert_eq!(st.supervisions.len(), 1);
    assert!(!st.supervisions[0].is_automatic());
}

#[test]
fn overdue_before_sign_for_too() {
    let s = scripted("turpan", RequestKind::Help, "dispatched");
    assert_eq!(
        automatic_triggers(&s.state(), local(2026, 3, 20, 9, 0), &s.policy, &s.cal).unwrap(),
        vec![SupervisionTrigger::Overdue]
    );
}

#[test]
fn deadlines_outside_the_calendar_are_an_error() {
    let mut s = Script::new("puyang");
    let t = local(2027, 3, 1, 9, 0);
    s.ok(kiosk(), submit(RequestKind::Help), t);
    s.ok(intake(), register(), t + minutes(5));
    let err = deadlines(&s.state(), &s.policy, &s.cal).unwrap_err();
    assert_eq!(err.code().as_str(), "calendar_unknown_date");
    // A return window counted in working days cannot be checked either: refused, not guessed.
    s.ok(dispatcher(), dispatch(UNIT_A, &[]), t + minutes(10));
    let e = s.refusal(&staff(UNIT_A), &request_return(false), t + hours(1));
    assert_eq!(e.code().as_str(), "calendar");
    assert!(!e.message_zh().is_empty());
}

#[test]
fn emergency_has_a_response_deadline() {
    let mut s = Script::new("turpan");
    let t = monday();
    s.ok(intake(), submit_emergency(RequestKind::Help), t);
    s.ok(intake(), register(), t + minutes(1));
    s.ok(dispatcher(), dispatch(UNIT_A, &[]), t + minutes(2));
    let d = deadlines(&s.state(), &s.policy, &s.cal).unwrap();
    assert_eq!(d.response_due, Some(t + minutes(2) + hours(2)));
    // Turpan closes emergencies within 2 WD -> Wednesday 4 March.
    assert_eq!(d.handling_due, Some(end_of_day(2026, 3, 4)));
}

#[test]
fn co_units_are_deduplicated_and_may_log_work() {
    let mut s = scripted("turpan", RequestKind::Help, "registered");
    let t = monday();
    s.ok(
        dispatcher(),
        dispatch(UNIT_A, &[UNIT_B, UNIT_C, UNIT_B]),
        t + hours(1),
    );
    assert_eq!(s.state().co_units.len(), 2);
    s.ok(staff(UNIT_C), contact(), t + hours(2));
    s.ok(head(UNIT_B), site_evidence(), t + hours(3));
    s.ok(head(UNIT_C), duty_statement(), t + hours(4));
    let st = s.state();
    assert_eq!(st.contacts.len(), 1);
    assert_eq!(st.site_evidence.len(), 1);
    assert_eq!(st.duty_statements.len(), 1);
}

#[test]
fn status_names_round_trip() {
    for st in Status::ALL {
        assert_eq!(Status::parse(st.as_str()), Some(st));
        assert!(!st.zh().is_empty());
    }
}

#[test]
fn state_serialises_to_json() {
    let s = scripted("turpan", RequestKind::Complaint, "awaiting_callback");
    let st = s.state();
    let json = serde_json::to_string(&st).unwrap();
    let back: hotline_core::workflow::OrderState = serde_json::from_str(&json).unwrap();
    assert_eq!(back, st);
}
