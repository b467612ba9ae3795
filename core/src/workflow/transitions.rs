//! The state machine: [`decide`] says whether an action may happen now, [`apply`] makes it
//! happen. The fold uses exactly the same `decide`, so a device that refuses an action before
//! writing it and the hub that folds everyone's events can never disagree about the rules.

use super::content;
use super::errors::WorkflowError;
use super::permissions::{check_role, check_unit};
use super::state::{
    AbsorbedOrder, ClosureDecision, ClosureRecord, ContactLog, DutyStatementRecord,
    ExtensionDecision, ExtensionRecord, InstantAnswerRecord, Logged, NotAcceptedRecord, OrderState,
    RatingRecord, Status, SupervisionRecord,
};
use crate::catalogue::RecordedAmendment;
use crate::model::{Action, Actor, ClosureGround, Event, Role, SupervisionTrigger, Timestamp};
use crate::policy::{HolidayCalendar, Policy, deadline_after};

/// Whether `actor` may take `action` on the order in `state` at instant `at`.
///
/// Checks run from the most general to the most specific — role, order existence, state, unit,
/// content, time limits — so the code returned names the first thing the person has to change.
pub fn decide(
    state: &OrderState,
    actor: &Actor,
    action: &Action,
    at: Timestamp,
    policy: &Policy,
    cal: &HolidayCalendar,
) -> Result<(), WorkflowError> {
    check_role(actor, action, &policy.procedures)?;

    let details = match (action, &state.details) {
        (Action::Submit { .. }, Some(_)) => return Err(WorkflowError::DuplicateSubmit),
        (Action::Submit { details }, None) => details,
        (_, Some(details)) => details,
        (_, None) => {
            return Err(WorkflowError::UnknownOrder {
                action: action.name(),
            });
        }
    };

    // Confidential orders never reach the callback queue, so without this the person would
    // only learn "wrong state" and not the reason that will never change.
    if matches!(
        action,
        Action::Callback { .. } | Action::CallbackUnreached { .. }
    ) && details.confidential
    {
        return Err(WorkflowError::ConfidentialNoCallback);
    }

    check_state(state, actor, action, policy)?;
    check_unit(state, actor, action)?;
    check_kiosk_answer(state, actor, action)?;
    check_sign_off(state, actor, action, policy)?;
    content::check(state, details, action, policy)?;
    check_time(state, action, at, policy, cal)?;
    check_automatic(state, actor, action, at, policy, cal)
}

/// A kiosk answers only the citizen in front of it — the inquiry it submitted itself — and
/// names the signed item's version the citizen read.
fn check_kiosk_answer(
    state: &OrderState,
    actor: &Actor,
    action: &Action,
) -> Result<(), WorkflowError> {
    let Action::InstantAnswer { kb_version, .. } = action else {
        return Ok(());
    };
    if actor.role != Role::Kiosk {
        return Ok(());
    }
    let submitter = state.history.first().map(|h| &h.event.actor);
    if submitter != Some(actor) {
        return Err(WorkflowError::NotOwnSubmission);
    }
    if kb_version.is_none() {
        return Err(WorkflowError::MissingField {
            action: action.name(),
            field: "kb_version",
        });
    }
    Ok(())
}

/// The center service's supervision stands only where the rules start it themselves: the
/// trigger must hold at the event's time (pure, so every replica agrees), and once a round.
fn check_automatic(
    state: &OrderState,
    actor: &Actor,
    action: &Action,
    at: Timestamp,
    policy: &Policy,
    cal: &HolidayCalendar,
) -> Result<(), WorkflowError> {
    let Action::Supervise { trigger, .. } = action else {
        return Ok(());
    };
    if actor.role != Role::CenterService {
        return Ok(());
    }
    // A calendar gap means the trigger cannot be shown to hold: refused, not guessed.
    let holds = trigger.is_automatic()
        && super::supervision::automatic_triggers(state, at, policy, cal)
            .is_ok_and(|t| t.contains(trigger));
    if !holds {
        return Err(WorkflowError::TriggerAbsent { trigger: *trigger });
    }
    if super::supervision::recorded_by_service(state, *trigger) {
        return Err(WorkflowError::AlreadyRecorded {
            action: action.name(),
        });
    }
    Ok(())
}

fn check_state(
    state: &OrderState,
    actor: &Actor,
    action: &Action,
    policy: &Policy,
) -> Result<(), WorkflowError> {
    use Status::*;
    let s = state.status;
    let open_after_dispatch = s.is_after_dispatch() && !s.is_final();
    let ok = match action {
        Action::Submit { .. } => s == NotSubmitted,
        Action::Register { .. } => s == Submitted,
        Action::NotAccept { .. } | Action::InstantAnswer { .. } => {
            matches!(s, Submitted | Registered)
        }
        Action::Dispatch { .. } => s == Registered,
        // Once signed for, the unit has accepted the duty (Turpan art. 14).
        // 分别转办: a separate unit signs for and replies on its own track, once a round.
        Action::SignFor { .. } | Action::Reply(_)
            if state.separate_track(&actor.unit).is_some() =>
        {
            let track = state.separate_track(&actor.unit);
            let done = match action {
                Action::SignFor { .. } => track.is_some_and(|t| t.signed_at.is_some()),
                _ => track.is_some_and(|t| t.replied_at.is_some()),
            };
            if done {
                return Err(WorkflowError::AlreadyRecorded {
                    action: action.name(),
                });
            }
            let signed = track.is_some_and(|t| t.signed_at.is_some());
            s.is_handling_clock_running() && (signed || matches!(action, Action::SignFor { .. }))
        }
        Action::RequestReturn(_) | Action::SignFor { .. } => s == Dispatched,
        Action::DecideReturn { .. } => s == ReturnRequested,
        Action::Contact { .. } => open_after_dispatch,
        // Turpan art. 26: an emergency's first response comes once, while it is being handled;
        // force majeure may be recorded while it is open.
        Action::FirstResponse { .. } | Action::ForceMajeure { .. } => {
            if state.details.as_ref().map(|d| d.urgency) != Some(crate::model::Urgency::Emergency) {
                return Err(WorkflowError::NotAnEmergency {
                    action: action.name(),
                });
            }
            let recorded = match action {
                Action::FirstResponse { .. } => state.first_response.is_some(),
                _ => state.force_majeure.is_some(),
            };
            if recorded {
                return Err(WorkflowError::AlreadyRecorded {
                    action: action.name(),
                });
            }
            open_after_dispatch
        }
        // A supervisor may verify a closed order too: that is how falsified closures are found.
        Action::SiteEvidence(_) if actor.role == Role::Supervisor => s.is_after_dispatch(),
        Action::SiteEvidence(_) => open_after_dispatch,
        // Not once the lead unit has replied and waits for the separate units.
        Action::RequestExtension(_) => s == InHandling && !state.lead_replied,
        Action::DecideExtension { .. } => s == ExtensionRequested,
        // An offline unit that asked for more time may finish before the center answers; the
        // request then lapses instead of blocking the reply.
        Action::Reply(_) => {
            // The lead unit has replied for this round and waits for the separate units.
            if state.lead_replied {
                return Err(WorkflowError::AlreadyRecorded {
                    action: action.name(),
                });
            }
            matches!(s, InHandling | ExtensionRequested)
        }
        Action::Review { .. } => s == UnderReview,
        Action::Callback { .. } => s == AwaitingCallback,
        // Puyang §(六): the center's closure of a lawful reply comes after a dissatisfied rating.
        Action::CloseAsLawful { .. } => {
            if !policy.lawful_reply_closure {
                return Err(WorkflowError::NotInPolicy {
                    action: action.name(),
                });
            }
            s == Dissatisfied
        }
        Action::Reopen { .. } => {
            let after_rating = s == Dissatisfied || (s == Closed && state.closed_dissatisfied);
            if let Some(max) = policy.max_reopens
                && after_rating
                && state.reopen_count >= max
            {
                return Err(WorkflowError::ReopenLimit { max });
            }
            s == Dissatisfied
        }
        Action::LeaderSignOff { .. } => {
            procedure(policy.procedures.leader_sign_off, action)?;
            if state.sign_off.is_some() {
                return Err(WorkflowError::AlreadyRecorded {
                    action: action.name(),
                });
            }
            s.is_handling_clock_running()
        }
        Action::ApproveResult { .. } => {
            procedure(policy.procedures.leader_sign_off, action)?;
            if state.result_approval.is_some() {
                return Err(WorkflowError::AlreadyRecorded {
                    action: action.name(),
                });
            }
            matches!(s, InHandling | ExtensionRequested) && !state.lead_replied
        }
        Action::CoUnitOpinion { .. } | Action::AddCoUnits { .. } => open_after_dispatch,
        Action::InterimProgress { .. } | Action::DelayNotice { .. } => {
            s.is_handling_clock_running()
        }
        Action::ApplyClosure(app) => {
            if state.pending_closure().is_some() {
                return Err(WorkflowError::ClosurePending);
            }
            match app.ground {
                ClosureGround::NonCompliant => {
                    procedure(policy.procedures.non_compliant_closure, action)?;
                    // Linshu: 首次省级、市级重办之后 — only once a reopen has happened.
                    if s.is_after_dispatch() && !s.is_final() && state.reopen_count == 0 {
                        return Err(WorkflowError::ClosureBeforeReopen);
                    }
                    matches!(s, InHandling | ExtensionRequested)
                }
                ClosureGround::CannotBeSolved => {
                    procedure(policy.procedures.assessment_exclusion, action)?;
                    if state.not_counted_in_assessment() {
                        return Err(WorkflowError::AlreadyRecorded {
                            action: action.name(),
                        });
                    }
                    // Stated while the unit cannot solve it, not after a closure's rating.
                    open_after_dispatch
                }
            }
        }
        Action::DecideClosure { .. } => {
            if state.pending_closure().is_none() {
                return Err(WorkflowError::NothingToDecide {
                    action: action.name(),
                });
            }
            true
        }
        Action::CallbackUnreached { .. } => s == AwaitingCallback,
        // Only while the order is handled: afterwards there is nothing to wait for.
        Action::ReleaseUnit { unit, .. } => {
            if !state.co_units.contains(unit) && state.separate_track(unit).is_none() {
                return Err(WorkflowError::NotACoUnit {
                    unit: unit.clone(),
                    action: action.name(),
                });
            }
            s.is_handling_clock_running()
        }
        // Turpan: passed on once the unit has signed for it, while it handles it.
        Action::PassOn { .. } => {
            procedure(policy.procedures.sub_units, action)?;
            matches!(s, InHandling | ExtensionRequested)
        }
        // Linshu 年终 4: the handling unit's own form is for its reopened, key (重点难点) and
        // supervised orders; a field supervisor inspects any order.
        Action::SiteSupervision(_) if actor.role.is_unit_role() => {
            if s.is_after_dispatch()
                && state.reopen_count == 0
                && !state.leader_approval
                && state.supervisions.is_empty()
            {
                return Err(WorkflowError::SiteFormNotDue);
            }
            s.is_after_dispatch()
        }
        Action::DutyStatement { .. } | Action::SiteSupervision(_) => s.is_after_dispatch(),
        Action::Supervise { .. } => !s.is_final() || state.closed_dissatisfied,
        // 并单 and 拆单 come at intake, before a unit has the order.
        Action::MergeInto { .. } | Action::Split { .. } => matches!(s, Submitted | Registered),
        Action::Absorb { order, .. } => {
            if state.absorbed.iter().any(|a| &a.order == order) {
                return Err(WorkflowError::AlreadyRecorded {
                    action: action.name(),
                });
            }
            s != NotSubmitted && !s.is_final()
        }
        Action::MergedCallback { receipt, .. } => {
            match state.absorbed.iter().find(|a| &a.receipt == receipt) {
                None => {
                    return Err(WorkflowError::NotMergedHere {
                        receipt: receipt.0.clone(),
                    });
                }
                Some(a) if a.rating.is_some() => {
                    return Err(WorkflowError::AlreadyRecorded {
                        action: action.name(),
                    });
                }
                Some(_) => {}
            }
            matches!(s, AwaitingCallback | Dissatisfied | Closed)
        }
    };
    if ok {
        Ok(())
    } else {
        Err(WorkflowError::WrongState {
            action: action.name(),
            status: s,
        })
    }
}

/// Linshu 二(二): under leader sign-off, the lead unit's staff act on an order only once its
/// main leader has signed it off. Receiving it (sign-for, a return request) and an emergency's
/// first response do not wait: the first is how the leader gets it, the last cannot wait.
fn check_sign_off(
    state: &OrderState,
    actor: &Actor,
    action: &Action,
    policy: &Policy,
) -> Result<(), WorkflowError> {
    let handling = matches!(
        action,
        Action::Contact { .. }
            | Action::SiteEvidence(_)
            | Action::RequestExtension(_)
            | Action::Reply(_)
            | Action::ApproveResult { .. }
            | Action::InterimProgress { .. }
            | Action::DelayNotice { .. }
            | Action::ApplyClosure(_)
            | Action::PassOn { .. }
    );
    if policy.procedures.leader_sign_off
        && handling
        && actor.role.is_unit_role()
        && state.lead_unit.as_ref() == Some(&actor.unit)
        && state.sign_off.is_none()
    {
        return Err(WorkflowError::SignOffFirst {
            action: action.name(),
        });
    }
    Ok(())
}

/// An action that exists only where the policy has the procedure.
fn procedure(on: bool, action: &Action) -> Result<(), WorkflowError> {
    if on {
        Ok(())
    } else {
        Err(WorkflowError::NotInPolicy {
            action: action.name(),
        })
    }
}

fn check_time(
    state: &OrderState,
    action: &Action,
    at: Timestamp,
    policy: &Policy,
    cal: &HolidayCalendar,
) -> Result<(), WorkflowError> {
    if let Action::RequestReturn(_) = action
        && let (Some(limit), Some(from)) = (policy.limits.return_request, state.dispatched_at)
    {
        let due = deadline_after(limit, from, cal)?;
        if at > due {
            return Err(WorkflowError::ReturnWindowClosed { due });
        }
    }
    Ok(())
}

/// Applies an event that [`decide`] accepted. Never fails: everything that could go wrong was
/// checked by `decide`.
pub(crate) fn apply(state: &mut OrderState, event: &Event, policy: &Policy, cal: &HolidayCalendar) {
    let at = event.at;
    match &event.action {
        Action::Submit { details } => {
            state.details = Some(details.clone());
            state.submitted_at = Some(at);
            state.status = Status::Submitted;
        }
        Action::Register { .. } => {
            state.registered_at = Some(at);
            state.status = Status::Registered;
        }
        Action::MergeInto { into, .. } => {
            state.merged_into = Some(into.clone());
            state.status = Status::Merged;
        }
        Action::Split { parts, .. } => {
            state.split_into = parts.clone();
            state.status = Status::Split;
        }
        Action::Absorb { order, receipt, .. } => state.absorbed.push(AbsorbedOrder {
            order: order.clone(),
            receipt: receipt.clone(),
            absorbed_at: at,
            rating: None,
            unreached: 0,
        }),
        Action::MergedCallback {
            receipt, rating, ..
        } => {
            if let Some(a) = state.absorbed.iter_mut().find(|a| &a.receipt == receipt) {
                match rating {
                    Some(r) => a.rating = Some(*r),
                    None => a.unreached = a.unreached.saturating_add(1),
                }
            }
        }
        Action::NotAccept {
            reason,
            basis,
            earlier_order,
            stated_reason,
        } => {
            state.not_accepted = Some(NotAcceptedRecord {
                reason: *reason,
                basis: basis.clone(),
                earlier_order: earlier_order.clone(),
                stated_reason: stated_reason.clone(),
            });
            state.closed_at = Some(at);
            state.status = Status::NotAccepted;
        }
        Action::InstantAnswer {
            kb_item,
            answer,
            kb_version,
        } => {
            state.instant_answer = Some(InstantAnswerRecord {
                kb_item: kb_item.clone(),
                answer: answer.clone(),
                kb_version: *kb_version,
            });
            state.closed_at = Some(at);
            state.status = Status::AnsweredInstantly;
        }
        Action::Dispatch {
            lead,
            co_units,
            leader_approval,
            coordination,
            statutory_limit,
            separate_units,
            ..
        } => {
            state.separate = separate_units
                .iter()
                .map(|u| super::state::SeparateTrack {
                    unit: u.clone(),
                    signed_at: None,
                    replied_at: None,
                })
                .collect();
            state.lead_replied = false;
            let mut units = Vec::with_capacity(co_units.len());
            for u in co_units {
                if !units.contains(u) {
                    units.push(u.clone());
                }
            }
            state.lead_unit = Some(lead.clone());
            state.co_units = units;
            state.leader_approval = *leader_approval;
            state.coordination = coordination.clone();
            state.statutory_limit = statutory_limit.clone();
            state.sub_units.clear();
            lapse_pending_closure(state);
            state.sign_off = None;
            state.result_approval = None;
            state.dispatched_at = Some(at);
            state.signed_at = None;
            state.signed_by = None;
            state.late_sign_for = false;
            state.pending_return = None;
            state.dispatch_count = state.dispatch_count.saturating_add(1);
            state.status = Status::Dispatched;
        }
        Action::RequestReturn(req) => {
            state.pending_return = Some(req.clone());
            state.status = Status::ReturnRequested;
        }
        Action::FirstResponse { note } => {
            state.first_response = Some(logged(event, note.clone()));
        }
        Action::ForceMajeure { basis } => {
            state.force_majeure = Some(logged(event, basis.clone()));
        }
        Action::CloseAsLawful { basis } => {
            state.lawful_closure = Some(logged(event, basis.clone()));
            state.closed_at = Some(at);
            state.status = Status::Closed;
        }
        Action::DecideReturn {
            approve,
            add_co_units,
            amend_catalogue,
            ..
        } => {
            state.pending_return = None;
            add_units(state, add_co_units);
            if *approve {
                if let Some(amendment) = amend_catalogue {
                    state.catalogue_amendments.push(RecordedAmendment {
                        event: event.id.clone(),
                        at,
                        amendment: amendment.clone(),
                    });
                }
                if let Some(lead) = state.lead_unit.take() {
                    state.returned_by.push(lead);
                }
                state.co_units.clear();
                state.sub_units.clear();
                state.separate.clear();
                lapse_pending_closure(state);
                state.dispatched_at = None;
                state.returned_at = Some(at);
                state.status = Status::Registered;
            } else {
                state.returns_denied = state.returns_denied.saturating_add(1);
                state.status = Status::Dispatched;
            }
        }
        Action::SignFor { .. } if track_of(state, &event.actor.unit).is_some() => {
            if let Some(t) = track_of(state, &event.actor.unit) {
                t.signed_at = Some(at);
            }
        }
        Action::SignFor { .. } => {
            state.late_sign_for = match (policy.limits.sign_for, state.dispatched_at) {
                (Some(limit), Some(from)) => deadline_after(limit, from, cal)
                    .map(|due| at > due)
                    .unwrap_or(false),
                _ => false,
            };
            state.signed_at = Some(at);
            state.signed_by = Some(event.actor.clone());
            state.status = Status::InHandling;
        }
        Action::Contact {
            method,
            reached,
            note,
        } => state.contacts.push(logged(
            event,
            ContactLog {
                method: *method,
                reached: *reached,
                note: note.clone(),
            },
        )),
        Action::SiteEvidence(e) => state.site_evidence.push(logged(event, e.clone())),
        Action::RequestExtension(req) => {
            state.extensions.push(ExtensionRecord {
                event: event.id.clone(),
                at,
                request: req.clone(),
                decision: ExtensionDecision::Pending,
                round: state.reopen_count,
                decided_at: None,
            });
            state.status = Status::ExtensionRequested;
        }
        Action::DecideExtension { approve, .. } => {
            if let Some(ext) = state.extensions.last_mut() {
                ext.decided_at = Some(at);
                if *approve {
                    ext.decision = ExtensionDecision::Approved;
                    state.extension_days = state
                        .extension_days
                        .saturating_add(ext.request.working_days);
                } else {
                    ext.decision = ExtensionDecision::Denied;
                }
            }
            state.status = Status::InHandling;
        }
        Action::Reply(reply) if track_of(state, &reply.unit).is_some() => {
            if let Some(t) = track_of(state, &reply.unit) {
                t.replied_at = Some(at);
            }
            state.replies.push(logged(event, reply.clone()));
            to_review_when_all_replied(state, at);
        }
        Action::Reply(reply) => {
            if let Some(ext) = state.extensions.last_mut()
                && ext.decision == ExtensionDecision::Pending
            {
                ext.decision = ExtensionDecision::Lapsed;
                state.status = Status::InHandling;
            }
            // The approval covers this reply; the next round's result is approved anew.
            state.result_approval = None;
            state.replies.push(logged(event, reply.clone()));
            state.lead_replied = true;
            to_review_when_all_replied(state, at);
        }
        Action::LeaderSignOff { note } => state.sign_off = Some(logged(event, note.clone())),
        Action::ApproveResult { note } => state.result_approval = Some(logged(event, note.clone())),
        Action::CoUnitOpinion { text } => state.co_unit_opinions.push(logged(event, text.clone())),
        Action::AddCoUnits { units, .. } => add_units(state, units),
        Action::InterimProgress { note } => {
            state.interim_progress.push(logged(event, note.clone()))
        }
        Action::DelayNotice { reason } => state.delay_notices.push(logged(event, reason.clone())),
        Action::ApplyClosure(app) => state.closure_applications.push(ClosureRecord {
            application: logged(event, app.clone()),
            decision: ClosureDecision::Pending,
            note: String::new(),
        }),
        Action::DecideClosure { approve, note } => {
            let mut closes = false;
            if let Some(rec) = state.closure_applications.last_mut() {
                rec.decision = if *approve {
                    ClosureDecision::Approved
                } else {
                    ClosureDecision::Denied
                };
                rec.note = note.clone();
                closes = *approve
                    && rec.application.content.ground == ClosureGround::NonCompliant
                    && !state.status.is_final();
            }
            if closes {
                state.closed_at = Some(at);
                state.status = Status::Closed;
            }
        }
        Action::CallbackUnreached { note } => {
            state.unreached_callbacks.push(logged(event, note.clone()))
        }
        Action::PassOn { sub_unit, .. } => state.sub_units.push(sub_unit.clone()),
        Action::ReleaseUnit { unit, .. } => {
            state.co_units.retain(|u| u != unit);
            state.separate.retain(|t| &t.unit != unit);
            if state.lead_replied {
                to_review_when_all_replied(state, at);
            }
        }
        Action::Review { approve, .. } => {
            if !*approve {
                state.replies_rejected = state.replies_rejected.saturating_add(1);
                new_round(state);
                state.status = Status::InHandling;
            } else if state.is_confidential() {
                state.closed_at = Some(at);
                state.status = Status::Closed;
            } else {
                state.status = Status::AwaitingCallback;
            }
        }
        Action::Callback {
            rating,
            service_rating,
            unit_contacted,
            ..
        } => {
            apply_rating(state, event, *rating, policy);
            if let Some(r) = state.ratings.last_mut() {
                r.service_rating = *service_rating;
                r.unit_contacted = *unit_contacted;
            }
        }
        Action::Reopen { .. } => {
            new_round(state);
            state.reopen_count = state.reopen_count.saturating_add(1);
            state.reopened_at = Some(at);
            state.extension_days = 0;
            state.status = Status::InHandling;
        }
        Action::DutyStatement {
            text,
            non_compliant,
        } => state.duty_statements.push(logged(
            event,
            DutyStatementRecord {
                text: text.clone(),
                non_compliant: *non_compliant,
            },
        )),
        Action::Supervise {
            trigger,
            form,
            note,
        } => state.supervisions.push(SupervisionRecord {
            event: event.id.clone(),
            at,
            trigger: *trigger,
            form: Some(*form),
            note: note.clone(),
            by: Some(event.actor.clone()),
        }),
        Action::SiteSupervision(form) => state.site_supervisions.push(logged(event, form.clone())),
    }
}

fn track_of<'a>(
    state: &'a mut OrderState,
    unit: &crate::model::UnitId,
) -> Option<&'a mut super::state::SeparateTrack> {
    state.separate.iter_mut().find(|t| &t.unit == unit)
}

/// 分别转办: the order goes to review once the lead unit and every separate unit replied.
fn to_review_when_all_replied(state: &mut OrderState, at: Timestamp) {
    if state.lead_replied && state.separate.iter().all(|t| t.replied_at.is_some()) {
        // An extension the lead unit asked for meanwhile is no longer needed.
        if let Some(ext) = state.extensions.last_mut()
            && ext.decision == ExtensionDecision::Pending
        {
            ext.decision = ExtensionDecision::Lapsed;
        }
        state.lead_replied = false;
        state.replied_at = Some(at);
        state.status = Status::UnderReview;
    }
}

/// A closure application was the unit's that had the order; it does not carry over.
fn lapse_pending_closure(state: &mut OrderState) {
    if let Some(rec) = state.closure_applications.last_mut()
        && rec.decision == ClosureDecision::Pending
    {
        rec.decision = ClosureDecision::Lapsed;
    }
}

/// A rejected reply or a reopen: every unit replies again.
fn new_round(state: &mut OrderState) {
    state.lead_replied = false;
    for t in &mut state.separate {
        t.replied_at = None;
    }
}

/// Adds co-units after dispatch, each once and never the lead unit (the content check refused
/// those already).
fn add_units(state: &mut OrderState, units: &[crate::model::UnitId]) {
    for u in units {
        if !state.co_units.contains(u) && state.lead_unit.as_ref() != Some(u) {
            state.co_units.push(u.clone());
        }
    }
}

fn logged<T>(event: &Event, content: T) -> Logged<T> {
    Logged {
        event: event.id.clone(),
        by: event.actor.clone(),
        at: event.at,
        content,
    }
}

fn apply_rating(
    state: &mut OrderState,
    event: &Event,
    rating: crate::model::Satisfaction,
    policy: &Policy,
) {
    state.ratings.push(RatingRecord {
        event: event.id.clone(),
        at: event.at,
        rating,
        round: state.reopen_count,
        service_rating: None,
        unit_contacted: None,
    });
    let may_reopen = policy
        .max_reopens
        .is_none_or(|max| state.reopen_count < max);
    if !rating.is_dissatisfied() {
        state.closed_at = Some(event.at);
        state.status = Status::Closed;
    } else if may_reopen {
        state.status = Status::Dissatisfied;
    } else {
        // The rating after the last allowed reopen is final (Turpan art. 24): the order closes
        // so it stops counting as open, and supervision takes over from handling.
        state.closed_at = Some(event.at);
        state.closed_dissatisfied = true;
        state.status = Status::Closed;
        if state.reopen_count > 0 {
            state.supervisions.push(SupervisionRecord {
                event: event.id.clone(),
                at: event.at,
                trigger: SupervisionTrigger::ReopenedStillDissatisfied,
                form: None,
                note: "重办后仍不满意 / still dissatisfied after reopening".to_string(),
                by: None,
            });
        }
    }
}
