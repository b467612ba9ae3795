//! The deadlines of an order as it stands: each limit counted from the event that starts it.

use serde::{Deserialize, Serialize};

use super::state::OrderState;
use crate::model::{Timestamp, Urgency};
use crate::policy::{HolidayCalendar, Limit, Policy, PolicyError, deadline_after};

/// `None` where the order has not reached the event that starts the clock, or the policy sets
/// no such limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OrderDeadlines {
    /// Dispatch after registration, or after an approved return (re-dispatch).
    pub dispatch_due: Option<Timestamp>,
    /// Sign-for after the current dispatch.
    pub sign_for_due: Option<Timestamp>,
    /// The last moment a return may be requested, counted from the current dispatch.
    pub return_due: Option<Timestamp>,
    /// First response to an emergency, counted from the current dispatch.
    pub response_due: Option<Timestamp>,
    /// Handling: from the current dispatch with the limit for the kind, or from the last reopen
    /// with the reopen limit; plus the working days granted by extensions in that round.
    pub handling_due: Option<Timestamp>,
}

/// The order's current deadlines. Fails when a date falls outside the holiday calendar, since
/// guessing working days there could shift a deadline silently.
pub fn deadlines(
    state: &OrderState,
    policy: &Policy,
    cal: &HolidayCalendar,
) -> Result<OrderDeadlines, PolicyError> {
    let due = |limit: Option<Limit>, from: Option<Timestamp>| -> Result<_, PolicyError> {
        match (limit, from) {
            (Some(l), Some(f)) => deadline_after(l, f, cal).map(Some),
            _ => Ok(None),
        }
    };
    let Some(details) = &state.details else {
        return Ok(OrderDeadlines::default());
    };
    let limits = &policy.limits;
    let handling = policy.handling_limit(details.kind, details.urgency, state.leader_approval);

    let redispatch_anchor = state.returned_at.or(state.registered_at);
    let emergency = details.urgency == Urgency::Emergency;

    let base_handling = match state.reopened_at {
        // A policy without a reopen limit gives the reopened order its ordinary time again.
        Some(reopened) => due(limits.reopen.or(handling), Some(reopened))?,
        None => due(handling, state.dispatched_at)?,
    };
    let handling_due = match base_handling {
        Some(d) if state.extension_days > 0 => Some(deadline_after(
            Limit::WorkingDays(state.extension_days),
            d,
            cal,
        )?),
        other => other,
    };

    Ok(OrderDeadlines {
        dispatch_due: due(limits.dispatch, redispatch_anchor)?,
        sign_for_due: due(limits.sign_for, state.dispatched_at)?,
        return_due: due(limits.return_request, state.dispatched_at)?,
        response_due: due(
            limits.emergency_response.filter(|_| emergency),
            state.dispatched_at,
        )?,
        handling_due,
    })
}
