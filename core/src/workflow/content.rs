//! What each action must carry. The seeds punish empty paperwork (a reply without its legal
//! basis, a return without its reason), so blanks are refused on the device, where the person
//! can still fill them in, rather than discovered at review.

use super::errors::WorkflowError;
use super::state::OrderState;
use crate::model::{Action, CaseInfo, GpsFix, NotAcceptedReason, OrderDetails};
use crate::policy::{Limit, Policy};

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn require(action: &Action, field: &'static str, value: &str) -> Result<(), WorkflowError> {
    if blank(value) {
        Err(WorkflowError::MissingField {
            action: action.name(),
            field,
        })
    } else {
        Ok(())
    }
}

fn missing(action: &Action, field: &'static str) -> WorkflowError {
    WorkflowError::MissingField {
        action: action.name(),
        field,
    }
}

fn valid_gps(action: &Action, gps: Option<&GpsFix>) -> Result<(), WorkflowError> {
    match gps {
        Some(fix) if !fix.is_valid() => Err(WorkflowError::InvalidGps {
            action: action.name(),
        }),
        _ => Ok(()),
    }
}

/// Checks the content of an action against the order it is for; `details` is the order's
/// (for a submission: the one being submitted).
pub(crate) fn check(
    state: &OrderState,
    details: &OrderDetails,
    action: &Action,
    policy: &Policy,
) -> Result<(), WorkflowError> {
    match action {
        Action::Submit { details } => {
            require(action, "id", &details.id.0)?;
            require(action, "text", &details.text)?;
            valid_gps(action, details.location.gps.as_ref())
        }
        Action::Register { .. } | Action::SignFor { .. } | Action::Contact { .. } => Ok(()),
        Action::NotAccept {
            reason,
            basis,
            earlier_order,
        } => {
            require(action, "basis", basis)?;
            // Rule 7 is answered by pointing at the earlier order, so the link is the answer.
            if *reason == NotAcceptedReason::RepeatWithoutNewFacts
                && earlier_order.as_ref().is_none_or(|o| blank(&o.0))
            {
                return Err(missing(action, "earlier_order"));
            }
            Ok(())
        }
        Action::InstantAnswer { kb_item, answer } => {
            if details.kind != crate::model::RequestKind::Inquiry {
                return Err(WorkflowError::InstantAnswerKind { kind: details.kind });
            }
            require(action, "kb_item", kb_item)?;
            require(action, "answer", answer)
        }
        Action::Dispatch { lead, co_units, .. } => {
            require(action, "lead", &lead.0)?;
            if co_units.iter().any(|u| blank(&u.0)) {
                return Err(missing(action, "co_units"));
            }
            if co_units.contains(lead) {
                return Err(WorkflowError::LeadAlsoCoUnit { unit: lead.clone() });
            }
            Ok(())
        }
        Action::RequestReturn(r) => {
            require(action, "reason", &r.reason)?;
            require(action, "basis", &r.basis)?;
            require(action, "leader_opinion", &r.leader_opinion)?;
            require(action, "suggestion", &r.suggestion)?;
            require(action, "phone", &r.phone)?;
            if policy.return_requires_call && !r.called_center {
                return Err(WorkflowError::ReturnNeedsCall);
            }
            Ok(())
        }
        // The center must say why when it says no (Turpan art. 15, 18); a yes needs no words.
        Action::DecideReturn { approve, note }
        | Action::DecideExtension { approve, note }
        | Action::Review { approve, note } => {
            if *approve {
                Ok(())
            } else {
                require(action, "note", note)
            }
        }
        Action::SiteEvidence(e) => {
            if e.photos.is_empty() {
                return Err(missing(action, "photos"));
            }
            valid_gps(action, e.gps.as_ref())
        }
        Action::RequestExtension(req) => {
            if req.working_days == 0 {
                return Err(missing(action, "working_days"));
            }
            if policy.extension_requires_explanation {
                require(action, "explanation", &req.explanation)?;
            }
            // The cap is on the whole handling round: two requests of 20 WD must not slip
            // under a 30 WD maximum that one request of 40 WD could not.
            if let Some(Limit::WorkingDays(max)) = policy.limits.extension_max {
                let already = state.extension_days;
                if already.saturating_add(req.working_days) > max {
                    return Err(WorkflowError::ExtensionTooLong {
                        requested: req.working_days,
                        already,
                        max,
                    });
                }
            }
            Ok(())
        }
        Action::Reply(reply) => {
            // The reply speaks for the lead unit; a reply signed in another unit's name would
            // let the wrong unit be credited or blamed at assessment.
            if state.lead_unit.as_ref() != Some(&reply.unit) {
                return Err(WorkflowError::WrongUnit {
                    unit: reply.unit.clone(),
                    action: action.name(),
                    lead_only: true,
                });
            }
            require(action, "handler", &reply.handler)?;
            require(action, "result", &reply.result)?;
            require(action, "legal_basis", &reply.legal_basis)?;
            require(action, "citizen_informed_how", &reply.citizen_informed_how)?;
            if details.kind.is_complaint_or_report() {
                match &reply.case {
                    None => return Err(missing(action, "case")),
                    Some(CaseInfo::Filed { case_number }) => {
                        require(action, "case.case_number", case_number)?
                    }
                    Some(CaseInfo::NotFiled { reason }) => require(action, "case.reason", reason)?,
                }
            }
            Ok(())
        }
        Action::Callback { .. } | Action::Supervise { .. } => Ok(()),
        Action::Reopen { reason } => require(action, "reason", reason),
        Action::DutyStatement { text, .. } => require(action, "text", text),
        Action::SiteSupervision(form) => {
            require(action, "place", &form.place)?;
            require(action, "findings", &form.findings)?;
            valid_gps(action, form.gps.as_ref())
        }
    }
}
