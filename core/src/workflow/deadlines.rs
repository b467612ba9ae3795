//! The deadlines of an order as it stands: each limit counted from the event that starts it.

use serde::{Deserialize, Serialize};

use super::state::{OrderState, Status};
use crate::model::{Timestamp, Urgency};
use crate::policy::{HolidayCalendar, Limit, Policy, PolicyError, deadline_after};

/// Which deadline an order's holder must meet next (the index's `next_due_kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// The center dispatches a registered (or returned) order.
    Dispatch,
    /// An emergency's first response.
    Response,
    /// The unit signs for a dispatched order.
    SignFor,
    /// The unit replies.
    Handling,
}

impl DeadlineKind {
    pub const ALL: [DeadlineKind; 4] = [
        DeadlineKind::Dispatch,
        DeadlineKind::Response,
        DeadlineKind::SignFor,
        DeadlineKind::Handling,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineKind::Dispatch => "dispatch",
            DeadlineKind::Response => "response",
            DeadlineKind::SignFor => "sign_for",
            DeadlineKind::Handling => "handling",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            DeadlineKind::Dispatch => "转办期限",
            DeadlineKind::Response => "先行处置期限",
            DeadlineKind::SignFor => "签收期限",
            DeadlineKind::Handling => "办理期限",
        }
    }

    pub fn parse(s: &str) -> Option<DeadlineKind> {
        DeadlineKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

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
    // Turpan art. 26: 发生自然灾害等不可抗力的情形除外 — once the center records force majeure
    // the emergency limits stop applying and the order has the ordinary time for its kind.
    let urgency = if state.force_majeure.is_some() {
        Urgency::Normal
    } else {
        details.urgency
    };
    // Turpan art. 17: 法律法规对办理时限另有规定的，从其规定.
    let handling = match &state.statutory_limit {
        Some(l) => Some(Limit::WorkingDays(l.working_days)),
        None => policy.handling_limit(details.kind, urgency, state.leader_approval),
    };

    let redispatch_anchor = state.returned_at.or(state.registered_at);
    // The first response is due until it is recorded.
    let awaiting_response = urgency == Urgency::Emergency && state.first_response.is_none();

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
        dispatch_due: due(policy.dispatch_limit(details.urgency), redispatch_anchor)?,
        sign_for_due: due(limits.sign_for, state.dispatched_at)?,
        return_due: due(limits.return_request, state.dispatched_at)?,
        response_due: due(
            limits.emergency_response.filter(|_| awaiting_response),
            state.dispatched_at,
        )?,
        handling_due,
    })
}

impl OrderDeadlines {
    /// The deadline the holder of an order in `status` must meet next, and its kind.
    pub fn next(&self, status: Status) -> Option<(DeadlineKind, Timestamp)> {
        let candidates: &[(DeadlineKind, Option<Timestamp>)] = match status {
            Status::Submitted | Status::Registered => {
                &[(DeadlineKind::Dispatch, self.dispatch_due)]
            }
            Status::Dispatched => &[
                (DeadlineKind::Response, self.response_due),
                (DeadlineKind::SignFor, self.sign_for_due),
                (DeadlineKind::Handling, self.handling_due),
            ],
            s if s.is_handling_clock_running() => &[
                (DeadlineKind::Response, self.response_due),
                (DeadlineKind::Handling, self.handling_due),
            ],
            _ => &[],
        };
        candidates
            .iter()
            .filter_map(|(k, t)| t.map(|t| (*k, t)))
            .min_by_key(|(_, t)| *t)
    }
}
