//! What assessment and the rates need from one order, read off its fold once: small enough to
//! keep for every order of a city while the states themselves are dropped.
//!
//! Every fact comes from a signed event as the fold applied it (refused and waiting events
//! count for nothing), so anyone holding the same events derives the same facts.

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;

use crate::model::{
    Action, ClosureGround, Event, Origin, RequestKind, Role, Satisfaction, SupervisionForm,
    SupervisionTrigger, Timestamp, UnitId, Urgency,
};
use crate::policy::{HolidayCalendar, Policy};
use crate::workflow::{OrderState, Status, deadlines, fold_observed};

/// One callback rating of the handling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingFact {
    pub at: Timestamp,
    /// Reopens before it (0 = the first rating).
    pub round: u32,
    pub rating: Satisfaction,
    /// The citizen said the unit did not contact them (Linshu "未联系"; Puyang "未及时将办理结果
    /// 反馈给来电人").
    pub not_contacted: bool,
    /// The call service (话务服务) was rated dissatisfied.
    pub service_dissatisfied: bool,
    /// The unit that had the order when it was rated.
    pub unit: Option<UnitId>,
}

/// A return (退回) a unit asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnFact {
    pub unit: UnitId,
    pub at: Timestamp,
    /// After the return window closed (Linshu 1 WD, Turpan 20 h, Puyang 2 WD).
    pub late: bool,
    /// Without phoning the center first (Linshu).
    pub without_call: bool,
    /// Asked again after the center had denied a return of the same dispatch (执意回退).
    pub insisted: bool,
    /// What the center decided: `Some(false)` = denied, i.e. the center held it the unit's duty.
    pub approved: Option<bool>,
}

/// A handling deadline and whether the unit met it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueFact {
    pub unit: UnitId,
    pub due: Timestamp,
    /// When the unit replied; `None` while it has not.
    pub replied_at: Option<Timestamp>,
}

impl DueFact {
    /// Missed by `as_of`: replied after the deadline, or not replied and the deadline passed.
    pub fn missed(&self, as_of: Timestamp) -> bool {
        match self.replied_at {
            Some(r) => r > self.due,
            None => self.due < as_of,
        }
    }
}

/// A supervision recorded on the order (people's and the center service's, all signed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupervisionFact {
    pub unit: Option<UnitId>,
    pub at: Timestamp,
    pub trigger: SupervisionTrigger,
    pub form: SupervisionForm,
    pub by_service: bool,
}

/// A unit's application to close a non-compliant request (Linshu 疑难诉求).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonCompliantFact {
    pub unit: UnitId,
    pub at: Timestamp,
    /// `Some(false)`: the center found it badly founded.
    pub approved: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderFacts {
    pub order: String,
    pub kind: RequestKind,
    pub urgency: Urgency,
    pub origin: Origin,
    pub status: Status,
    pub registered_at: Option<Timestamp>,
    pub instant_answer_at: Option<Timestamp>,
    pub not_accepted_at: Option<Timestamp>,
    /// The unit that answers for the order now, and when it was dispatched to it.
    pub lead_unit: Option<UnitId>,
    pub dispatched_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    /// Closed on a rating that was not dissatisfied (or lawfully, Puyang §(六)).
    pub closed_satisfied: bool,
    /// Puyang: a written statement accepted (cannot be solved), or closed as lawful: kept out of
    /// the satisfaction and on-time deductions.
    pub excluded: bool,
    pub ratings: Vec<RatingFact>,
    pub reopens: Vec<Timestamp>,
    pub returns: Vec<ReturnFact>,
    /// Every handling round's deadline and reply (the lead unit's).
    pub dues: Vec<DueFact>,
    pub supervisions: Vec<SupervisionFact>,
    pub non_compliant: Vec<NonCompliantFact>,
    /// The order was reached by phone or visit (a logged contact that reached the citizen).
    pub contacted: bool,
}

impl OrderFacts {
    /// Folds the events and reads the facts off the fold. `None` before a valid submission.
    pub fn of(
        events: &[Event],
        policy: &Policy,
        cal: &HolidayCalendar,
    ) -> Option<(OrderFacts, OrderState)> {
        let mut returns: Vec<ReturnFact> = Vec::new();
        let mut dues: Vec<DueFact> = Vec::new();
        let mut ratings_unit: Vec<Option<UnitId>> = Vec::new();
        let mut non_compliant: Vec<NonCompliantFact> = Vec::new();
        let mut supervision_units: Vec<Option<UnitId>> = Vec::new();
        let mut denied_since: Option<Timestamp> = None;
        let state = fold_observed(events, policy, cal, &mut |before, event| {
            let lead = before.lead_unit.clone();
            let due = || deadlines(before, policy, cal).ok();
            match &event.action {
                Action::Dispatch { .. } => denied_since = None,
                Action::RequestReturn(r) => {
                    if let Some(unit) = lead.clone() {
                        let late = due()
                            .and_then(|d| d.return_due)
                            .is_some_and(|d| event.at > d);
                        returns.push(ReturnFact {
                            unit,
                            at: event.at,
                            late,
                            without_call: !r.called_center,
                            insisted: denied_since.is_some(),
                            approved: None,
                        });
                    }
                }
                Action::DecideReturn { approve, .. } => {
                    if let Some(last) = returns.last_mut() {
                        last.approved = Some(*approve);
                    }
                    if !approve {
                        denied_since = Some(event.at);
                    }
                }
                Action::Reply(_) if before.separate_track(&event.actor.unit).is_none() => {
                    if let (Some(unit), Some(due)) = (lead, due().and_then(|d| d.handling_due)) {
                        dues.push(DueFact {
                            unit,
                            due,
                            replied_at: Some(event.at),
                        });
                    }
                }
                Action::Callback { .. } => ratings_unit.push(lead),
                Action::ApplyClosure(a) if a.ground == ClosureGround::NonCompliant => {
                    if let Some(unit) = lead {
                        non_compliant.push(NonCompliantFact {
                            unit,
                            at: event.at,
                            approved: None,
                        });
                    }
                }
                Action::DecideClosure { approve, .. } => {
                    let pending_nc = before.pending_closure().is_some_and(|c| {
                        c.application.content.ground == ClosureGround::NonCompliant
                    });
                    if pending_nc && let Some(last) = non_compliant.last_mut() {
                        last.approved = Some(*approve);
                    }
                }
                Action::Supervise { .. } => supervision_units.push(lead),
                _ => {}
            }
        });
        let details = state.details.as_ref()?;
        // A return asked for too late, or without phoning the center first, is refused by the
        // rules — and is exactly the fault Linshu deducts for (二(三), 三(一)2(2)①).
        for h in &state.history {
            if let (Action::RequestReturn(r), Some(code)) =
                (&h.event.action, h.outcome.refusal_code())
                && matches!(
                    code,
                    ErrorCode::ReturnWindowClosed | ErrorCode::ReturnNeedsCall
                )
            {
                returns.push(ReturnFact {
                    unit: h.event.actor.unit.clone(),
                    at: h.event.at,
                    late: code == ErrorCode::ReturnWindowClosed,
                    without_call: !r.called_center,
                    insisted: false,
                    approved: None,
                });
            }
        }
        returns.sort_by_key(|r| r.at);
        // The round still open: its deadline stands against the lead unit until it replies.
        if state.status.is_handling_clock_running()
            && let (Some(unit), Some(due)) = (
                state.lead_unit.clone(),
                deadlines(&state, policy, cal)
                    .ok()
                    .and_then(|d| d.handling_due),
            )
        {
            dues.push(DueFact {
                unit,
                due,
                replied_at: None,
            });
        }
        let ratings = state
            .ratings
            .iter()
            .zip(ratings_unit.into_iter().chain(std::iter::repeat(None)))
            .map(|(r, unit)| RatingFact {
                at: r.at,
                round: r.round,
                rating: r.rating,
                not_contacted: r.unit_contacted == Some(false),
                service_dissatisfied: r.service_rating.is_some_and(|s| s.is_dissatisfied()),
                unit,
            })
            .collect();
        let signed: Vec<_> = state
            .supervisions
            .iter()
            .filter(|s| s.by.is_some())
            .collect();
        let supervisions = signed
            .iter()
            .zip(supervision_units.into_iter().chain(std::iter::repeat(None)))
            .map(|(s, unit)| SupervisionFact {
                unit,
                at: s.at,
                trigger: s.trigger,
                form: s.form.unwrap_or(SupervisionForm::Daily),
                by_service: s.by.as_ref().is_some_and(|b| b.role == Role::CenterService),
            })
            .collect();
        let reopens = state
            .history
            .iter()
            .filter(|h| h.outcome.is_applied() && matches!(h.event.action, Action::Reopen { .. }))
            .map(|h| h.event.at)
            .collect();
        let closed_satisfied = state.status == Status::Closed
            && (state.lawful_closure.is_some()
                || state.last_rating().is_some_and(|r| !r.is_dissatisfied()));
        let facts = OrderFacts {
            order: details.id.0.clone(),
            kind: details.kind,
            urgency: details.urgency,
            origin: details.origin,
            status: state.status,
            registered_at: state.registered_at,
            instant_answer_at: state
                .instant_answer
                .as_ref()
                .and(state.closed_at.or(state.registered_at)),
            not_accepted_at: applied_at(&state, |a| matches!(a, Action::NotAccept { .. })),
            lead_unit: state.lead_unit.clone(),
            dispatched_at: state.dispatched_at,
            closed_at: state.closed_at,
            closed_satisfied,
            excluded: state.not_counted_in_assessment() || state.lawful_closure.is_some(),
            ratings,
            reopens,
            returns,
            dues,
            supervisions,
            non_compliant,
            contacted: state.contacts.iter().any(|c| c.content.reached),
        };
        Some((facts, state))
    }

    /// The order counts in `unit`'s volume (承办量/转办量) for the period: dispatched to it
    /// (as it stands: a return and re-dispatch moves the order to the new unit) within it.
    pub fn dispatched_to_in(&self, unit: &UnitId, period: &super::Period) -> bool {
        self.lead_unit.as_ref() == Some(unit)
            && self.dispatched_at.is_some_and(|t| period.contains(t))
    }

    /// Closed by `as_of`.
    pub fn closed_by(&self, as_of: Timestamp) -> bool {
        self.closed_at.is_some_and(|t| t <= as_of)
    }

    /// Linshu 一次办好: closed satisfied on the first rating, by `as_of`.
    pub fn first_time_satisfied(&self, as_of: Timestamp) -> bool {
        self.closed_by(as_of)
            && self.closed_satisfied
            && self.reopens.is_empty()
            && self
                .ratings
                .first()
                .is_some_and(|r| r.round == 0 && !r.rating.is_dissatisfied())
    }

    /// Linshu 重办满意: reopened at least once, then closed satisfied, by `as_of`.
    pub fn satisfied_after_reopen(&self, as_of: Timestamp) -> bool {
        self.closed_by(as_of) && self.closed_satisfied && self.reopens.iter().any(|t| *t <= as_of)
    }

    /// Reopens up to `as_of`.
    pub fn reopens_by(&self, as_of: Timestamp) -> usize {
        self.reopens.iter().filter(|t| **t <= as_of).count()
    }
}

fn applied_at(state: &OrderState, pick: impl Fn(&Action) -> bool) -> Option<Timestamp> {
    state
        .history
        .iter()
        .find(|h| h.outcome.is_applied() && pick(&h.event.action))
        .map(|h| h.event.at)
}

impl RatingFact {
    /// Linshu: an order is unresponded when the citizen says nobody contacted them or rates the
    /// service dissatisfied.
    pub fn unresponded(&self) -> bool {
        self.not_contacted || self.service_dissatisfied
    }
}
