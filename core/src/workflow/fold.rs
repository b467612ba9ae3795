//! The deterministic fold of a work order's events into its state.

use std::collections::{BTreeMap, BTreeSet};

use super::errors::WorkflowError;
use super::state::{HistoryEntry, OrderState, Outcome};
use super::transitions::{apply, decide};
use crate::error::Coded;
use crate::model::{Event, EventId, Timestamp};
use crate::policy::{HolidayCalendar, Policy};

/// Folds the events of one order, given in any order and possibly more than once, into its state.
///
/// The result depends only on the set of distinct events: see the module documentation for the
/// rule that settles conflicts. The history lists the placed events in their linear order, then
/// the waiting ones, then those caught in a cycle, each group by (time, id), so that a reader
/// sees what counted before what is still pending.
pub fn fold(events: &[Event], policy: &Policy, cal: &HolidayCalendar) -> OrderState {
    fold_observed(events, policy, cal, &mut |_, _| {})
}

/// [`fold`], showing `observe` the state just before each event it applies: what assessment
/// needs to judge an action against the deadlines in force when it was taken (a late return,
/// a late reply) without folding the order again for every step.
pub fn fold_observed(
    events: &[Event],
    policy: &Policy,
    cal: &HolidayCalendar,
    observe: &mut dyn FnMut(&OrderState, &Event),
) -> OrderState {
    let distinct = distinct_events(events);
    let plan = linearise(&distinct);

    let mut state = OrderState::new();
    for event in plan.ordered {
        let outcome = match decide(&state, &event.actor, &event.action, event.at, policy, cal) {
            Ok(()) => {
                observe(&state, event);
                apply(&mut state, event, policy, cal);
                Outcome::Applied
            }
            Err(e) => refused(&e),
        };
        state.history.push(HistoryEntry {
            event: event.clone(),
            outcome,
        });
    }
    for (event, missing) in plan.waiting {
        state.history.push(HistoryEntry {
            event: event.clone(),
            outcome: Outcome::Waiting { missing },
        });
    }
    let cycle = refused(&WorkflowError::CausalCycle);
    for event in plan.cyclic {
        state.history.push(HistoryEntry {
            event: event.clone(),
            outcome: cycle.clone(),
        });
    }
    state
}

fn refused(e: &WorkflowError) -> Outcome {
    Outcome::Refused {
        code: e.code(),
        message_zh: e.message_zh(),
        message_en: e.message_en(),
    }
}

/// One event per id. Ids come from signed changes, so two bodies under one id mean a broken or
/// hostile device; the copy kept must still not depend on arrival order, so the smaller
/// serialisation wins.
fn distinct_events(events: &[Event]) -> BTreeMap<&EventId, &Event> {
    let mut by_id: BTreeMap<&EventId, &Event> = BTreeMap::new();
    for e in events {
        match by_id.get(&e.id) {
            None => {
                by_id.insert(&e.id, e);
            }
            Some(kept) if *kept != e && canonical_key(e) < canonical_key(kept) => {
                by_id.insert(&e.id, e);
            }
            Some(_) => {}
        }
    }
    by_id
}

fn canonical_key(e: &Event) -> String {
    serde_json::to_string(e).unwrap_or_default()
}

struct Plan<'a> {
    ordered: Vec<&'a Event>,
    waiting: Vec<(&'a Event, Vec<EventId>)>,
    cyclic: Vec<&'a Event>,
}

type SortKey<'a> = (Timestamp, &'a EventId);

fn key(e: &Event) -> SortKey<'_> {
    (e.at, &e.id)
}

/// Kahn's topological sort over `after`, always taking the ready event with the smallest
/// (time, id), so every replica linearises the same set identically.
fn linearise<'a>(events: &BTreeMap<&'a EventId, &'a Event>) -> Plan<'a> {
    let preds = |e: &'a Event| -> BTreeSet<&'a EventId> { e.after.iter().collect() };

    // Events that cannot be placed because an ancestor is missing, found by spreading from the
    // events whose direct predecessor is absent.
    let mut children: BTreeMap<&EventId, Vec<&Event>> = BTreeMap::new();
    let mut blocked: BTreeSet<&EventId> = BTreeSet::new();
    let mut frontier: Vec<&EventId> = Vec::new();
    for (id, e) in events {
        for p in preds(e) {
            children.entry(p).or_default().push(e);
            if !events.contains_key(p) && blocked.insert(id) {
                frontier.push(id);
            }
        }
    }
    while let Some(id) = frontier.pop() {
        for child in children.get(id).into_iter().flatten() {
            if blocked.insert(&child.id) {
                frontier.push(&child.id);
            }
        }
    }

    let mut indegree: BTreeMap<&EventId, usize> = BTreeMap::new();
    let mut ready: BTreeSet<SortKey<'a>> = BTreeSet::new();
    for (id, e) in events {
        if blocked.contains(id) {
            continue;
        }
        let n = preds(e).len();
        indegree.insert(id, n);
        if n == 0 {
            ready.insert(key(e));
        }
    }

    let mut ordered = Vec::with_capacity(indegree.len());
    while let Some(next) = ready.pop_first() {
        let Some(e) = events.get(next.1) else {
            continue;
        };
        ordered.push(*e);
        for child in children.get(next.1).into_iter().flatten() {
            if let Some(d) = indegree.get_mut(&child.id) {
                *d = d.saturating_sub(1);
                if *d == 0 {
                    ready.insert(key(child));
                }
            }
        }
    }

    let placed: BTreeSet<&EventId> = ordered.iter().map(|e| &e.id).collect();
    let mut waiting: Vec<(&Event, Vec<EventId>)> = blocked
        .iter()
        .filter_map(|id| events.get(*id))
        .map(|e| {
            let missing = preds(e)
                .into_iter()
                .filter(|p| !events.contains_key(*p) || blocked.contains(*p))
                .cloned()
                .collect();
            (*e, missing)
        })
        .collect();
    waiting.sort_by(|a, b| key(a.0).cmp(&key(b.0)));

    let mut cyclic: Vec<&Event> = events
        .iter()
        .filter(|(id, _)| !blocked.contains(*id) && !placed.contains(*id))
        .map(|(_, e)| *e)
        .collect();
    cyclic.sort_by(|a, b| key(a).cmp(&key(b)));

    Plan {
        ordered,
        waiting,
        cyclic,
    }
}
