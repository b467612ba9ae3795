//! The center desks' work queues (dispatcher/reviewer, callback, supervision): what waits for
//! whom, oldest first, with the warnings of the moment.

use serde::{Deserialize, Serialize};

use super::warnings::{Warning, WarningConfig, WarningScan};
use super::{CenterError, OrderLog, walk_orders};
use crate::identity::TrustStore;
use crate::model::{RequestKind, Role, Timestamp, Urgency};
use crate::policy::{HolidayCalendar, Policy};
use crate::workflow::{OrderState, Status, deadlines};

/// Which queue an entry is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Queue {
    /// Registered or submitted, waiting for dispatch (转办).
    ToDispatch,
    /// A unit asked to return it (退回).
    Returns,
    /// A unit asked for more time (延期).
    Extensions,
    /// A unit applied to close it (不合规诉求 / 无法办理说明).
    Closures,
    /// A reply waits for review (审核).
    Reviews,
    /// Rated dissatisfied: reopen, or close as lawful.
    Reopen,
    /// Approved replies waiting for the callback (回访).
    Callbacks,
    /// Under supervision (督办) and not finished.
    Supervision,
    /// Taken as the same matter as an earlier order (the citizen chose to add to it, or it
    /// repeats a closed one): merge it into that order, or not accept it (ground 7).
    IntakeMatches,
}

impl Queue {
    pub const ALL: [Queue; 9] = [
        Queue::ToDispatch,
        Queue::Returns,
        Queue::Extensions,
        Queue::Closures,
        Queue::Reviews,
        Queue::Reopen,
        Queue::Callbacks,
        Queue::Supervision,
        Queue::IntakeMatches,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Queue::ToDispatch => "to_dispatch",
            Queue::Returns => "returns",
            Queue::Extensions => "extensions",
            Queue::Closures => "closures",
            Queue::Reviews => "reviews",
            Queue::Reopen => "reopen",
            Queue::Callbacks => "callbacks",
            Queue::Supervision => "supervision",
            Queue::IntakeMatches => "intake_matches",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Queue::ToDispatch => "待转办",
            Queue::Returns => "退回待审核",
            Queue::Extensions => "延期待审核",
            Queue::Closures => "办结申请待审核",
            Queue::Reviews => "答复待审核",
            Queue::Reopen => "不满意待重办",
            Queue::Callbacks => "待回访",
            Queue::Supervision => "督办中",
            Queue::IntakeMatches => "重复诉求待并单",
        }
    }
    pub fn parse(s: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.as_str() == s)
    }
    /// The queues a role works on.
    pub fn for_role(role: Role) -> &'static [Queue] {
        match role {
            Role::Dispatcher => &[
                Queue::ToDispatch,
                Queue::Returns,
                Queue::Extensions,
                Queue::Closures,
                Queue::Reviews,
                Queue::Reopen,
                Queue::Supervision,
                Queue::IntakeMatches,
            ],
            Role::Intake => &[Queue::ToDispatch, Queue::IntakeMatches],
            Role::Callback => &[Queue::Callbacks],
            Role::Supervisor | Role::CenterService | Role::Auditor => &[Queue::Supervision],
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueEntry {
    pub queue: Queue,
    pub order: String,
    pub receipt: String,
    pub kind: RequestKind,
    pub urgency: Urgency,
    pub status: Status,
    pub lead_unit: Option<String>,
    /// Since when it waits (the event that put it in the queue).
    pub since: Option<Timestamp>,
    /// The deadline that matters for it, if any.
    pub due: Option<Timestamp>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DeskQueues {
    pub entries: Vec<QueueEntry>,
    pub warnings: Vec<Warning>,
}

impl DeskQueues {
    pub fn of(&self, queue: Queue) -> impl Iterator<Item = &QueueEntry> {
        self.entries.iter().filter(move |e| e.queue == queue)
    }

    /// Only the queues `role` works on (warnings stay: every desk sees them).
    pub fn for_role(mut self, role: Role) -> DeskQueues {
        let mine = Queue::for_role(role);
        self.entries.retain(|e| mine.contains(&e.queue));
        self
    }
}

/// The queues an order is in.
pub fn entries_of(state: &OrderState, policy: &Policy, cal: &HolidayCalendar) -> Vec<QueueEntry> {
    let Some(d) = &state.details else {
        return Vec::new();
    };
    let due = deadlines(state, policy, cal).unwrap_or_default();
    let last_at = state
        .history
        .iter()
        .rev()
        .find(|h| h.outcome.is_applied())
        .map(|h| h.event.at);
    let mut queues = Vec::new();
    match state.status {
        // The same matter as an earlier order: merged into it or not accepted, not dispatched.
        Status::Submitted | Status::Registered if d.intake_match.is_some() => {
            queues.push((Queue::IntakeMatches, due.dispatch_due))
        }
        Status::Submitted | Status::Registered => {
            queues.push((Queue::ToDispatch, due.dispatch_due))
        }
        Status::ReturnRequested => queues.push((Queue::Returns, None)),
        Status::ExtensionRequested => queues.push((Queue::Extensions, due.handling_due)),
        Status::UnderReview => queues.push((Queue::Reviews, None)),
        Status::Dissatisfied => queues.push((Queue::Reopen, None)),
        Status::AwaitingCallback => queues.push((Queue::Callbacks, None)),
        _ => {}
    }
    if state.pending_closure().is_some() {
        queues.push((Queue::Closures, None));
    }
    let supervised =
        !state.supervisions.is_empty() && (!state.status.is_final() || state.closed_dissatisfied);
    if supervised {
        queues.push((Queue::Supervision, due.handling_due));
    }
    queues
        .into_iter()
        .map(|(queue, due)| QueueEntry {
            queue,
            order: d.id.0.clone(),
            receipt: d.receipt.0.clone(),
            kind: d.kind,
            urgency: d.urgency,
            status: state.status,
            lead_unit: state.lead_unit.as_ref().map(|u| u.0.clone()),
            since: if queue == Queue::Supervision {
                state.supervisions.last().map(|s| s.at)
            } else {
                last_at
            },
            due,
        })
        .collect()
}

/// Every queue and warning over the orders `log` holds, oldest first within a queue
/// (emergencies first).
pub fn desk_queues(
    log: &mut dyn OrderLog,
    trust: &TrustStore,
    policy: &Policy,
    cal: &HolidayCalendar,
    now: Timestamp,
    config: &WarningConfig,
) -> Result<DeskQueues, CenterError> {
    let mut out = DeskQueues::default();
    let mut found = WarningScan::default();
    walk_orders(log, trust, &mut |_, events| {
        let state = crate::workflow::fold(events, policy, cal);
        out.entries.extend(entries_of(&state, policy, cal));
        found.add(&state, now, policy, cal, config);
        Ok(())
    })?;
    out.warnings = found.finish(config);
    out.entries.sort_by(|a, b| {
        a.queue
            .cmp(&b.queue)
            .then_with(|| (a.urgency != Urgency::Emergency).cmp(&(b.urgency != Urgency::Emergency)))
            .then(a.since.cmp(&b.since))
            .then_with(|| a.order.cmp(&b.order))
    });
    Ok(out)
}
