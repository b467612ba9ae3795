//! Supervision the rules start by themselves (Turpan art. 28). Only two triggers can be read off
//! the order; the others (leader-assigned, hot issue...) are judgements people record.

use super::deadlines::deadlines;
use super::state::OrderState;
use crate::model::{Role, SupervisionTrigger, Timestamp};
use crate::policy::{HolidayCalendar, Policy, PolicyError};

/// The automatic supervision triggers that apply to the order at `now`, in a fixed order.
///
/// * `Overdue`: the handling deadline has passed and the unit has not replied (a reply stops
///   the unit's clock: the time the center takes to review or call back is not the unit's).
/// * `ReopenedStillDissatisfied`: the final rating after a reopen was dissatisfied. The fold
///   already records this one when the rating comes in; it is reported here too so that a
///   caller can check every trigger in one place.
///
/// Pure: `now` is passed in, so the answer is the same on every device for the same instant.
pub fn automatic_triggers(
    state: &OrderState,
    now: Timestamp,
    policy: &Policy,
    cal: &HolidayCalendar,
) -> Result<Vec<SupervisionTrigger>, PolicyError> {
    let mut triggers = Vec::new();
    // Only consult the calendar when the answer depends on it, so a closed order from a year
    // the calendar no longer holds does not turn into an error.
    if state.status.is_handling_clock_running()
        && let Some(due) = deadlines(state, policy, cal)?.handling_due
        && now > due
    {
        triggers.push(SupervisionTrigger::Overdue);
    }
    if state.closed_dissatisfied && state.reopen_count > 0 {
        triggers.push(SupervisionTrigger::ReopenedStillDissatisfied);
    }
    Ok(triggers)
}

/// Whether the center service already recorded `trigger` on the order: overdue once per handling
/// round (a reopen or a re-dispatch starts a new one), the other trigger once. The one rule both
/// `decide` (which refuses a second) and the service (which does not try) follow.
pub fn recorded_by_service(state: &OrderState, trigger: SupervisionTrigger) -> bool {
    let round_start = state.reopened_at.max(state.dispatched_at);
    state.supervisions.iter().any(|r| {
        r.trigger == trigger
            && r.by.as_ref().is_some_and(|b| b.role == Role::CenterService)
            && (trigger != SupervisionTrigger::Overdue || round_start.is_none_or(|s| r.at >= s))
    })
}
