//! Properties of the fold: any arrival order and any duplication of the same events give the
//! same state, and the history holds every distinct event exactly once.

use std::collections::{BTreeMap, BTreeSet};

use hotline_core::model::{
    Action, Actor, Event, EventId, RequestKind, Satisfaction, SupervisionTrigger,
};
use hotline_core::workflow::{OrderState, Status, fold};
use hotline_testkit::workflow::*;
use proptest::prelude::*;
use proptest::sample::Index;

fn assert_history_complete(state: &OrderState, events: &[Event]) {
    let distinct: BTreeSet<&EventId> = events.iter().map(|e| &e.id).collect();
    let mut seen: BTreeMap<&EventId, usize> = BTreeMap::new();
    for h in &state.history {
        *seen.entry(&h.event.id).or_default() += 1;
    }
    assert_eq!(
        seen.len(),
        distinct.len(),
        "every distinct event is in the history"
    );
    assert!(seen.values().all(|n| *n == 1), "no event is doubled");
    assert!(seen.keys().all(|id| distinct.contains(id)));
}

fn race_times() -> impl Strategy<Value = RaceTimes> {
    (
        (0i64..600, 0i64..600, 0i64..600, 0i64..600),
        (0i64..600, 0i64..600, 0i64..120, any::<bool>()),
    )
        .prop_map(
            |((a_sign, c_sign, c_return, c_reply), (b_contact, evidence, decide, approve))| {
                RaceTimes {
                    a_sign,
                    c_sign,
                    c_return,
                    c_reply,
                    b_contact,
                    evidence,
                    decide,
                    approve_c_return: approve,
                }
            },
        )
}

/// The race scenario, and the same events in a random order.
fn race_and_shuffled() -> impl Strategy<Value = (Vec<Event>, Vec<Event>)> {
    race_times().prop_flat_map(|r| {
        let events = race_events(r);
        (Just(events.clone()), Just(events).prop_shuffle())
    })
}

fn with_duplicates(events: &[Event], picks: &[Index]) -> Vec<Event> {
    let mut out = events.to_vec();
    for (n, p) in picks.iter().enumerate() {
        let dup = events[p.index(events.len())].clone();
        // Spread the duplicates through the delivery, not just at its end.
        let at = (n * 7) % (out.len() + 1);
        out.insert(at, dup);
    }
    out
}

/// Every (actor, action) the random histories draw from: the normal flow, conflicting units,
/// and people who may do nothing.
fn pool() -> Vec<(Actor, Action)> {
    vec![
        (kiosk(), submit(RequestKind::Complaint)),
        (intake(), submit(RequestKind::Inquiry)),
        (intake(), register()),
        (intake(), instant_answer()),
        (dispatcher(), dispatch(UNIT_A, &[UNIT_B])),
        (dispatcher(), dispatch(UNIT_C, &[])),
        // Turpan art. 26: an emergency's first response and force majeure.
        (
            staff(UNIT_A),
            Action::FirstResponse {
                note: "已到场处置".into(),
            },
        ),
        (
            dispatcher(),
            Action::ForceMajeure {
                basis: "特大沙尘暴".into(),
            },
        ),
        // Puyang §(六): the center closes a dissatisfied order whose reply is lawful.
        (
            dispatcher(),
            Action::CloseAsLawful {
                basis: "答复合法合规".into(),
            },
        ),
        // Turpan art. 16: a unit fixed by coordination, which may then not return it.
        (dispatcher(), dispatch_coordinated(UNIT_C, "协调会纪要")),
        // Turpan: "other" grounds, stated.
        (
            intake(),
            Action::NotAccept {
                reason: hotline_core::model::NotAcceptedReason::Other,
                basis: "第二章".into(),
                earlier_order: None,
                stated_reason: Some("诉求人要求查询他人信息".into()),
            },
        ),
        // Puyang: an emergency's dispatch with its report to the duty office.
        (
            dispatcher(),
            dispatch_reported(UNIT_A, monday(), "电话报告市政府值班室"),
        ),
        (head(UNIT_A), sign_for()),
        (head(UNIT_C), sign_for()),
        (staff(UNIT_A), request_return(false)),
        (staff(UNIT_C), request_return(false)),
        (dispatcher(), decide_return(true)),
        (dispatcher(), decide_return(false)),
        (staff(UNIT_B), contact()),
        (supervisor(), site_evidence()),
        (staff(UNIT_A), request_extension(10, "需要协调")),
        (dispatcher(), decide_extension(true)),
        (staff(UNIT_A), reply(UNIT_A, RequestKind::Complaint)),
        (staff(UNIT_C), reply(UNIT_C, RequestKind::Complaint)),
        (dispatcher(), review(true)),
        (dispatcher(), review(false)),
        (callback_agent(), callback(Satisfaction::Dissatisfied)),
        (callback_agent(), callback(Satisfaction::Satisfied)),
        (dispatcher(), reopen()),
        (staff(UNIT_B), duty_statement()),
        (dispatcher(), supervise(SupervisionTrigger::HotIssue)),
        (supervisor(), site_supervision()),
        (auditor(), register()),
        // Linshu 二(二): sign-off, approval of the result; the duty statement by a leader.
        (head(UNIT_A), leader_sign_off()),
        (deputy(UNIT_A), approve_result()),
        (head(UNIT_B), duty_statement()),
        // Several units: a co-unit's part, units added, a partly justified return, progress.
        (staff(UNIT_B), co_unit_opinion()),
        (dispatcher(), add_co_units(&[UNIT_C])),
        (dispatcher(), partly_justified(&[UNIT_B])),
        (staff(UNIT_A), interim_progress()),
        (staff(UNIT_A), delay_notice()),
        // Closures the center decides on the unit's application.
        (
            staff(UNIT_A),
            apply_closure(hotline_core::model::ClosureGround::NonCompliant),
        ),
        (
            staff(UNIT_A),
            apply_closure(hotline_core::model::ClosureGround::CannotBeSolved),
        ),
        (dispatcher(), decide_closure(true)),
        (dispatcher(), decide_closure(false)),
        (callback_agent(), callback_unreached()),
        // Turpan art. 17: a statutory limit at dispatch.
        (dispatcher(), dispatch_statutory(UNIT_A, 20, "条例")),
        // Linshu 年终 4: the unit's on-site form.
        (staff(UNIT_A), site_supervision()),
        // Turpan: passed on to a sub-unit, whose staff then log their legwork.
        (
            staff(UNIT_A),
            Action::PassOn {
                sub_unit: hotline_core::model::UnitId::new(format!("{UNIT_A}/village-1")),
                note: "请一村核实".into(),
            },
        ),
        (staff(&format!("{UNIT_A}/village-1")), contact()),
        // Turpan art. 12: dispatched separately to B beside A; B's own sign-for and reply.
        (dispatcher(), dispatch_separately(UNIT_A, &[UNIT_B])),
        (head(UNIT_B), sign_for()),
        (staff(UNIT_B), reply(UNIT_B, RequestKind::Complaint)),
        // The center releases a unit the order would wait for.
        (
            dispatcher(),
            Action::ReleaseUnit {
                unit: hotline_core::model::UnitId::new(UNIT_B),
                reason: "不属该单位职责".into(),
            },
        ),
        // 并单 and 拆单: this order merged into another, or another merged into this one and
        // its citizen called back; split into parts.
        (dispatcher(), merge_into("wo-earlier")),
        (dispatcher(), absorb("wo-repeat", "R-REPEAT")),
        (dispatcher(), absorb("wo-repeat-2", "R-REPEAT-2")),
        (
            callback_agent(),
            merged_callback("R-REPEAT", Some(Satisfaction::Dissatisfied)),
        ),
        (callback_agent(), merged_callback("R-REPEAT-2", None)),
        (dispatcher(), split(&["wo-part-1", "wo-part-2"])),
    ]
}

/// A random causally consistent history after a submission and registration: each event names
/// some earlier ones (or, rarely, one that never arrives) as predecessors.
fn random_history() -> impl Strategy<Value = Vec<Event>> {
    let step = (
        any::<Index>(),
        0i64..4000,
        proptest::collection::vec(any::<Index>(), 0..3),
        proptest::option::weighted(0.05, Just(())),
    );
    // Half the orders are emergencies, so the rules that hang on urgency (the duty-office
    // report, no extension in Turpan, the dispatch limit) are folded too.
    (any::<bool>(), proptest::collection::vec(step, 0..30)).prop_map(|(emergency, steps)| {
        let pool = pool();
        // Most random events would otherwise land on an order that does not exist yet.
        let mut events: Vec<Event> = vec![
            Event {
                id: EventId::new("p-0"),
                actor: kiosk(),
                at: monday(),
                after: vec![],
                action: if emergency {
                    submit_emergency(RequestKind::Complaint)
                } else {
                    submit(RequestKind::Complaint)
                },
            },
            Event {
                id: EventId::new("p-1"),
                actor: intake(),
                at: monday() + minutes(5),
                after: vec![EventId::new("p-0")],
                action: register(),
            },
        ];
        for (n, (which, minute, preds, ghost)) in steps.into_iter().enumerate() {
            let (actor, action) = pool[which.index(pool.len())].clone();
            let mut after: Vec<EventId> = preds
                .iter()
                .map(|p| events[p.index(events.len())].id.clone())
                .collect();
            if ghost.is_some() {
                after.push(EventId::new(format!("ghost-{n}")));
            }
            events.push(Event {
                id: EventId::new(format!("r-{n:02}")),
                actor,
                at: monday() + minutes(minute),
                after,
                action,
            });
        }
        events
    })
}

fn random_and_shuffled() -> impl Strategy<Value = (Vec<Event>, Vec<Event>)> {
    random_history().prop_flat_map(|events| (Just(events.clone()), Just(events).prop_shuffle()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn racing_offline_events_fold_identically_in_any_order(
        (events, shuffled) in race_and_shuffled(),
        dups in proptest::collection::vec(any::<Index>(), 0..10),
    ) {
        let s = Script::new("turpan");
        let reference = fold(&events, &s.policy, &s.cal);
        let permuted = fold(&shuffled, &s.policy, &s.cal);
        prop_assert_eq!(&permuted, &reference);
        let delivered = with_duplicates(&shuffled, &dups);
        let duplicated = fold(&delivered, &s.policy, &s.cal);
        prop_assert_eq!(&duplicated, &reference);
        assert_history_complete(&reference, &events);
        assert_history_complete(&duplicated, &delivered);
    }

    #[test]
    fn only_one_unit_ever_holds_the_signature(
        (events, shuffled) in race_and_shuffled(),
    ) {
        let s = Script::new("turpan");
        let st = fold(&shuffled, &s.policy, &s.cal);
        let applied_signs = st
            .history
            .iter()
            .filter(|h| h.outcome.is_applied() && matches!(h.event.action, Action::SignFor { .. }))
            .count();
        prop_assert!(applied_signs <= 1, "two sign-fors applied");
        if let Some(signer) = &st.signed_by {
            prop_assert_eq!(Some(&signer.unit), st.lead_unit.as_ref());
        }
        // The event that never gets its predecessor always waits.
        let waiting = st
            .history
            .iter()
            .filter(|h| matches!(h.outcome, hotline_core::workflow::Outcome::Waiting { .. }))
            .count();
        prop_assert_eq!(waiting, 1);
        prop_assert_eq!(st.history.len(), events.len());
    }

    #[test]
    fn random_histories_fold_identically_in_any_order(
        (events, shuffled) in random_and_shuffled(),
        dups in proptest::collection::vec(any::<Index>(), 0..10),
        preset_pick in 0usize..3,
    ) {
        let s = Script::new(["turpan", "linshu", "puyang"][preset_pick]);
        let reference = fold(&events, &s.policy, &s.cal);
        prop_assert_eq!(&fold(&shuffled, &s.policy, &s.cal), &reference);
        let delivered = with_duplicates(&shuffled, &dups);
        prop_assert_eq!(&fold(&delivered, &s.policy, &s.cal), &reference);
        assert_history_complete(&reference, &events);
        // Folding is idempotent over its own history.
        let replayed: Vec<Event> = reference.history.iter().map(|h| h.event.clone()).collect();
        prop_assert_eq!(&fold(&replayed, &s.policy, &s.cal), &reference);
    }

    /// 并单 and 拆单 lose nothing in any arrival order: every applied absorb is in the state
    /// once with its callback, a merged or split order ends at its merge or split and nothing
    /// applies after it, and a merge and a split never both apply.
    #[test]
    fn merges_and_splits_lose_nothing_in_any_order(
        (events, shuffled) in random_and_shuffled(),
    ) {
        let s = Script::new("turpan");
        let st = fold(&shuffled, &s.policy, &s.cal);
        let applied: Vec<&Event> = st
            .history
            .iter()
            .filter(|h| h.outcome.is_applied())
            .map(|h| &h.event)
            .collect();
        let absorbed: Vec<&hotline_core::model::OrderId> = applied
            .iter()
            .filter_map(|e| match &e.action {
                Action::Absorb { order, .. } => Some(order),
                _ => None,
            })
            .collect();
        prop_assert_eq!(st.absorbed.len(), absorbed.len());
        for order in absorbed {
            prop_assert_eq!(st.absorbed.iter().filter(|a| &a.order == order).count(), 1);
        }
        for e in &applied {
            if let Action::MergedCallback { receipt, rating: Some(r), .. } = &e.action {
                let a = st.absorbed.iter().find(|a| &a.receipt == receipt);
                prop_assert_eq!(a.and_then(|a| a.rating), Some(*r));
            }
        }
        let ends: Vec<usize> = applied
            .iter()
            .enumerate()
            .filter(|(_, e)| matches!(e.action, Action::MergeInto { .. } | Action::Split { .. }))
            .map(|(i, _)| i)
            .collect();
        prop_assert!(ends.len() <= 1, "merged and split, or twice");
        match ends.first() {
            Some(&i) => {
                prop_assert_eq!(i, applied.len() - 1, "an event applied after the order ended");
                match &applied[i].action {
                    Action::MergeInto { into, .. } => {
                        prop_assert_eq!(st.status, Status::Merged);
                        prop_assert_eq!(st.merged_into.as_ref(), Some(into));
                    }
                    Action::Split { parts, .. } => {
                        prop_assert_eq!(st.status, Status::Split);
                        prop_assert_eq!(&st.split_into, parts);
                    }
                    _ => unreachable!(),
                }
            }
            None => {
                prop_assert!(st.merged_into.is_none() && st.split_into.is_empty());
                prop_assert!(!matches!(st.status, Status::Merged | Status::Split));
            }
        }
        prop_assert_eq!(st.history.len(), events.len());
    }
}
