//! The fold settles offline conflicts deterministically and keeps every event.

use hotline_core::model::{Event, EventId, RequestKind};
use hotline_core::workflow::{Outcome, Status, fold};
use hotline_testkit::workflow::*;

fn fold_both_ways(s: &Script) -> hotline_core::workflow::OrderState {
    let forward = fold(&s.events, &s.policy, &s.cal);
    let mut reversed = s.events.clone();
    reversed.reverse();
    assert_eq!(fold(&reversed, &s.policy, &s.cal), forward);
    forward
}

fn code_of(st: &hotline_core::workflow::OrderState, id: &EventId) -> Option<String> {
    st.outcome_of(id)
        .and_then(|o| o.refusal_code())
        .map(|c| c.as_str().to_string())
}

/// Submit, register, dispatch to A, A returns it, approved, re-dispatch to C.
fn redispatched() -> (Script, EventId, EventId, EventId) {
    let mut s = Script::new("turpan");
    let t = monday();
    s.ok(kiosk(), submit(RequestKind::Help), t);
    s.ok(intake(), register(), t + minutes(30));
    let d1 = s.ok(dispatcher(), dispatch(UNIT_A, &[]), t + hours(1));
    let ret = s.ok(staff(UNIT_A), request_return(false), t + hours(2));
    s.ok(dispatcher(), decide_return(true), t + hours(3));
    let d2 = s.ok(dispatcher(), dispatch(UNIT_C, &[]), t + hours(4));
    (s, d1, ret, d2)
}

#[test]
fn two_units_sign_for_after_redispatch_the_current_lead_wins() {
    let (mut s, d1, _ret, d2) = redispatched();
    let t = monday();
    // A's second phone only ever saw the first dispatch and signs for at 09:00+5h.
    let a_sign = s.push_after(head(UNIT_A), sign_for(), t + hours(5), vec![d1]);
    let c_sign = s.push_after(head(UNIT_C), sign_for(), t + hours(6), vec![d2]);
    let st = fold_both_ways(&s);
    assert_eq!(st.status, Status::InHandling);
    assert_eq!(st.lead_unit.as_ref().unwrap().0, UNIT_C);
    assert_eq!(st.signed_by.as_ref().unwrap().unit.0, UNIT_C);
    assert_eq!(code_of(&st, &a_sign).as_deref(), Some("wrong_unit"));
    assert_eq!(st.outcome_of(&c_sign), Some(&Outcome::Applied));
    assert_eq!(st.history.len(), s.events.len());
}

#[test]
fn a_sign_for_that_precedes_the_return_keeps_the_order_with_the_first_unit() {
    let (mut s, d1, ret, d2) = redispatched();
    let t = monday();
    // A's other phone signed for before A's return request: the unit accepted the duty first.
    let a_sign = s.push_after(
        head(UNIT_A),
        sign_for(),
        t + hours(1) + minutes(30),
        vec![d1],
    );
    let c_sign = s.push_after(head(UNIT_C), sign_for(), t + hours(6), vec![d2.clone()]);
    let st = fold_both_ways(&s);
    assert_eq!(st.outcome_of(&a_sign), Some(&Outcome::Applied));
    assert_eq!(code_of(&st, &ret).as_deref(), Some("wrong_state"));
    assert_eq!(code_of(&st, &d2).as_deref(), Some("wrong_state"));
    assert_eq!(code_of(&st, &c_sign).as_deref(), Some("wrong_state"));
    assert_eq!(st.lead_unit.as_ref().unwrap().0, UNIT_A);
    assert_eq!(st.status, Status::InHandling);
    assert_eq!(st.history.len(), s.events.len());
}

#[test]
fn return_request_and_reply_race_first_to_act_wins() {
    // The sign-for comes first: the return request is too late, the reply stands.
    let mut s = scripted("turpan", RequestKind::Help, "dispatched");
    let dispatched = s.events.last().unwrap().id.clone();
    let t = monday();
    let sign = s.push_after(
        head(UNIT_A),
        sign_for(),
        t + hours(2),
        vec![dispatched.clone()],
    );
    let ret = s.push_after(
        staff2(UNIT_A),
        request_return(false),
        t + hours(3),
        vec![dispatched.clone()],
    );
    let rep = s.push_after(
        staff(UNIT_A),
        reply(UNIT_A, RequestKind::Help),
        t + hours(4),
        vec![sign.clone()],
    );
    let st = fold_both_ways(&s);
    assert_eq!(st.status, Status::UnderReview);
    assert_eq!(code_of(&st, &ret).as_deref(), Some("wrong_state"));
    assert_eq!(st.outcome_of(&rep), Some(&Outcome::Applied));

    // The return request comes first: sign-for and reply wait for the center, refused here.
    let mut s = scripted("turpan", RequestKind::Help, "dispatched");
    let ret = s.push_after(
        staff2(UNIT_A),
        request_return(false),
        t + hours(2),
        vec![dispatched.clone()],
    );
    let sign = s.push_after(head(UNIT_A), sign_for(), t + hours(3), vec![dispatched]);
    let rep = s.push_after(
        staff(UNIT_A),
        reply(UNIT_A, RequestKind::Help),
        t + hours(4),
        vec![sign.clone()],
    );
    let st = fold_both_ways(&s);
    assert_eq!(st.status, Status::ReturnRequested);
    assert_eq!(st.outcome_of(&ret), Some(&Outcome::Applied));
    assert_eq!(code_of(&st, &sign).as_deref(), Some("wrong_state"));
    assert_eq!(code_of(&st, &rep).as_deref(), Some("wrong_state"));
    // The center denies the return; the unit can now sign for again.
    s.ok(dispatcher(), decide_return(false), t + hours(5));
    s.ok(head(UNIT_A), sign_for(), t + hours(6));
    assert_eq!(s.state().status, Status::InHandling);
}

#[test]
fn same_instant_is_settled_by_event_id() {
    let (mut s, d1, _ret, d2) = redispatched();
    // Both sign for at the same second: the later dispatch is known to C only; A's is stale.
    let at = monday() + hours(6);
    let a_sign = s.push_after(head(UNIT_A), sign_for(), at, vec![d1]);
    let c_sign = s.push_after(head(UNIT_C), sign_for(), at, vec![d2]);
    let st = fold_both_ways(&s);
    assert!(a_sign < c_sign);
    assert_eq!(code_of(&st, &a_sign).as_deref(), Some("wrong_unit"));
    assert_eq!(st.outcome_of(&c_sign), Some(&Outcome::Applied));
}

#[test]
fn event_with_missing_predecessor_waits_then_applies() {
    let mut s = scripted("turpan", RequestKind::Help, "in_handling");
    let full = s.events.clone();
    let signed = full.last().unwrap().id.clone();
    let rep = s.push(
        staff(UNIT_A),
        reply(UNIT_A, RequestKind::Help),
        monday() + hours(5),
    );
    let review_ev = s.push(dispatcher(), review(true), monday() + hours(6));

    // The sign-for has not arrived yet.
    let partial: Vec<Event> = s
        .events
        .iter()
        .filter(|e| e.id != signed)
        .cloned()
        .collect();
    let st = fold(&partial, &s.policy, &s.cal);
    assert_eq!(st.status, Status::Dispatched);
    assert_eq!(
        st.outcome_of(&rep),
        Some(&Outcome::Waiting {
            missing: vec![signed.clone()]
        })
    );
    // Waiting spreads: the review waits for the reply.
    assert_eq!(
        st.outcome_of(&review_ev),
        Some(&Outcome::Waiting {
            missing: vec![rep.clone()]
        })
    );
    assert_eq!(st.history.len(), partial.len());

    let st = fold(&s.events, &s.policy, &s.cal);
    assert_eq!(st.status, Status::AwaitingCallback);
    assert!(st.history.iter().all(|h| h.outcome.is_applied()));
}

#[test]
fn duplicated_deliveries_count_once() {
    let s = scripted("turpan", RequestKind::Complaint, "awaiting_callback");
    let once = s.state();
    let mut twice = s.events.clone();
    twice.extend(s.events.iter().cloned());
    twice.push(s.events[2].clone());
    let st = fold(&twice, &s.policy, &s.cal);
    assert_eq!(st, once);
    assert_eq!(st.history.len(), s.events.len());
}

#[test]
fn two_bodies_under_one_id_keep_the_same_one_whatever_the_order() {
    let mut s = scripted("turpan", RequestKind::Help, "in_handling");
    let rep = s.push(
        staff(UNIT_A),
        reply(UNIT_A, RequestKind::Help),
        monday() + hours(5),
    );
    let mut forged = s.events.last().unwrap().clone();
    forged.at = monday() + hours(7);
    let mut a = s.events.clone();
    a.push(forged.clone());
    let mut b = vec![forged];
    b.extend(s.events.iter().cloned());
    let sa = fold(&a, &s.policy, &s.cal);
    assert_eq!(sa, fold(&b, &s.policy, &s.cal));
    assert_eq!(sa.history.iter().filter(|h| h.event.id == rep).count(), 1);
}

#[test]
fn causal_cycle_is_refused_not_dropped() {
    let mut s = scripted("turpan", RequestKind::Help, "in_handling");
    let x = EventId::new("cycle-x");
    let y = EventId::new("cycle-y");
    s.events.push(Event {
        id: x.clone(),
        actor: staff(UNIT_A),
        at: monday() + hours(5),
        after: vec![y.clone()],
        action: contact(),
    });
    s.events.push(Event {
        id: y.clone(),
        actor: staff(UNIT_A),
        at: monday() + hours(6),
        after: vec![x.clone()],
        action: contact(),
    });
    let st = fold_both_ways(&s);
    assert_eq!(code_of(&st, &x).as_deref(), Some("causal_cycle"));
    assert_eq!(code_of(&st, &y).as_deref(), Some("causal_cycle"));
    assert!(st.contacts.is_empty());
    assert_eq!(st.history.len(), s.events.len());
}

#[test]
fn event_placed_before_the_submission_is_refused_as_unknown_order() {
    let mut s = Script::new("turpan");
    // A device that never linked its registration to the submission, with an earlier clock.
    let reg = s.push_after(intake(), register(), monday() - hours(1), vec![]);
    s.push_after(kiosk(), submit(RequestKind::Help), monday(), vec![]);
    let st = fold_both_ways(&s);
    assert_eq!(st.status, Status::Submitted);
    assert_eq!(code_of(&st, &reg).as_deref(), Some("unknown_order"));
}

#[test]
fn race_scenario_outcomes_are_explained_in_history() {
    let events = race_events(RaceTimes {
        a_sign: 300,
        c_sign: 60,
        c_return: 30,
        c_reply: 60,
        b_contact: 10,
        evidence: 20,
        decide: 30,
        approve_c_return: false,
    });
    let s = Script::new("turpan");
    let st = fold(&events, &s.policy, &s.cal);
    // C's return (04:30 after dispatch) beat its sign-for (05:00); the center denied it later,
    // but the sign-for and everything after it had already been refused.
    assert_eq!(st.status, Status::Dispatched);
    assert_eq!(st.returns_denied, 1);
    let waiting = st
        .history
        .iter()
        .filter(|h| matches!(h.outcome, Outcome::Waiting { .. }))
        .count();
    assert_eq!(waiting, 1);
    assert_eq!(st.history.len(), events.len());
}
