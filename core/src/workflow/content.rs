//! What each action must carry. The seeds punish empty paperwork (a reply without its legal
//! basis, a return without its reason), so blanks are refused on the device, where the person
//! can still fill them in, rather than discovered at review.

use super::errors::WorkflowError;
use super::state::OrderState;
use crate::catalogue::AttributeValue;
use crate::limits::{
    MAX_ATTACHMENTS, MAX_BLOB_BYTES, MAX_ID_CHARS, MAX_LIST_ITEMS, MAX_NOTE_CHARS, MAX_SHORT_CHARS,
    MAX_TEXT_CHARS, MEDIA_TYPES,
};
use crate::model::{
    Action, AttachmentRef, CaseInfo, Event, GpsFix, NotAcceptedReason, OrderDetails, Urgency,
};
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

/// A text field within its limit (characters, not bytes: Chinese text is three bytes a
/// character in UTF-8).
fn fits(
    action: &Action,
    field: &'static str,
    value: &str,
    max: usize,
) -> Result<(), WorkflowError> {
    // Counting stops one past the limit, so a 12 MB text costs no more than a short one.
    if value.chars().nth(max).is_some() {
        return Err(WorkflowError::FieldTooLong {
            action: action.name(),
            field,
            max,
        });
    }
    Ok(())
}

/// The answers to a category's form, bounded whatever catalogue they are checked against
/// (a hub may hold no copy of the version an old order names).
fn category_answers(
    action: &Action,
    answers: &std::collections::BTreeMap<String, AttributeValue>,
) -> Result<(), WorkflowError> {
    if answers.len() > crate::catalogue::MAX_ATTRIBUTES {
        return Err(WorkflowError::TooManyItems {
            action: action.name(),
            field: "attributes",
            max: crate::catalogue::MAX_ATTRIBUTES,
        });
    }
    for (code, value) in answers {
        fits(action, "attributes", code, MAX_ID_CHARS)?;
        match value {
            AttributeValue::Text(t) => fits(action, "attributes", t, MAX_TEXT_CHARS)?,
            AttributeValue::Choice(k) => fits(action, "attributes", k, MAX_ID_CHARS)?,
            AttributeValue::Choices(keys) => {
                few(action, "attributes", keys, MAX_LIST_ITEMS)?;
                for k in keys {
                    fits(action, "attributes", k, MAX_ID_CHARS)?;
                }
            }
            AttributeValue::Number(_) | AttributeValue::Datetime(_) => {}
        }
    }
    Ok(())
}

fn few<T>(
    action: &Action,
    field: &'static str,
    items: &[T],
    max: usize,
) -> Result<(), WorkflowError> {
    if items.len() > max {
        return Err(WorkflowError::TooManyItems {
            action: action.name(),
            field,
            max,
        });
    }
    Ok(())
}

fn attachments(action: &Action, refs: &[AttachmentRef]) -> Result<(), WorkflowError> {
    few(action, "attachments", refs, MAX_ATTACHMENTS)?;
    for a in refs {
        if crate::identity::ContentName::parse(&a.sha256).is_none() {
            return Err(missing(action, "attachment.sha256"));
        }
        if !MEDIA_TYPES.contains(&a.media_type.as_str()) {
            return Err(WorkflowError::MediaType {
                media_type: a.media_type.chars().take(MAX_SHORT_CHARS).collect(),
            });
        }
        if a.size > MAX_BLOB_BYTES {
            return Err(WorkflowError::AttachmentTooLarge {
                size: a.size,
                max: MAX_BLOB_BYTES,
            });
        }
        if let Some(d) = &a.device {
            fits(action, "attachment.device", d, MAX_SHORT_CHARS)?;
        }
        valid_gps(action, a.gps.as_ref())?;
    }
    Ok(())
}

fn unit_list(
    action: &Action,
    field: &'static str,
    units: &[crate::model::UnitId],
) -> Result<(), WorkflowError> {
    few(action, field, units, MAX_LIST_ITEMS)?;
    for u in units {
        fits(action, field, &u.0, MAX_ID_CHARS)?;
    }
    Ok(())
}

/// Every field of an event within its limit ([`crate::limits`]): the same check on the device
/// that writes the event and at the hub that receives it.
pub fn check_sizes(event: &Event) -> Result<(), WorkflowError> {
    let action = &event.action;
    fits(action, "event_id", &event.id.0, MAX_ID_CHARS)?;
    few(action, "after", &event.after, MAX_LIST_ITEMS)?;
    for id in &event.after {
        fits(action, "after", &id.0, MAX_ID_CHARS)?;
    }
    let note = |field, value: &str| fits(action, field, value, MAX_NOTE_CHARS);
    match action {
        Action::Submit { details } => {
            fits(action, "id", &details.id.0, MAX_ID_CHARS)?;
            fits(action, "receipt", &details.receipt.0, MAX_ID_CHARS)?;
            fits(action, "text", &details.text, MAX_TEXT_CHARS)?;
            fits(
                action,
                "address",
                &details.location.address,
                MAX_SHORT_CHARS,
            )?;
            if let Some(code) = &details.location.division_code {
                fits(action, "division_code", code, MAX_ID_CHARS)?;
            }
            if let Some(c) = &details.category {
                fits(action, "category", &c.code, MAX_ID_CHARS)?;
            }
            category_answers(action, &details.attributes)?;
            attachments(action, &details.attachments)
        }
        Action::Register { note: n }
        | Action::SignFor { note: n }
        | Action::LeaderSignOff { note: n }
        | Action::ApproveResult { note: n }
        | Action::InterimProgress { note: n }
        | Action::DecideClosure { note: n, .. }
        | Action::CallbackUnreached { note: n }
        | Action::DecideExtension { note: n, .. }
        | Action::Review { note: n, .. }
        | Action::Callback { note: n, .. }
        | Action::Supervise { note: n, .. }
        | Action::Contact { note: n, .. }
        | Action::FirstResponse { note: n } => note("note", n),
        Action::ForceMajeure { basis } | Action::CloseAsLawful { basis } => note("basis", basis),
        Action::DelayNotice { reason } => note("reason", reason),
        Action::ReleaseUnit { unit, reason } => {
            fits(action, "unit", &unit.0, MAX_ID_CHARS)?;
            note("reason", reason)
        }
        Action::PassOn { sub_unit, note: n } => {
            fits(action, "sub_unit", &sub_unit.0, MAX_ID_CHARS)?;
            note("note", n)
        }
        Action::CoUnitOpinion { text } => fits(action, "text", text, MAX_TEXT_CHARS),
        Action::AddCoUnits { units, note: n } => {
            unit_list(action, "units", units)?;
            note("note", n)
        }
        Action::ApplyClosure(app) => {
            fits(action, "statement", &app.statement, MAX_TEXT_CHARS)?;
            fits(action, "evidence", &app.evidence, MAX_TEXT_CHARS)
        }
        Action::NotAccept {
            basis,
            earlier_order,
            stated_reason,
            ..
        } => {
            note("basis", basis)?;
            if let Some(r) = stated_reason {
                note("stated_reason", r)?;
            }
            match earlier_order {
                Some(o) => fits(action, "earlier_order", &o.0, MAX_ID_CHARS),
                None => Ok(()),
            }
        }
        Action::InstantAnswer {
            kb_item, answer, ..
        } => {
            fits(action, "kb_item", kb_item, MAX_SHORT_CHARS)?;
            fits(action, "answer", answer, MAX_TEXT_CHARS)
        }
        Action::Dispatch {
            lead,
            co_units,
            note: n,
            duty_report,
            coordination,
            statutory_limit,
            separate_units,
            override_reason,
            ..
        } => {
            fits(action, "lead", &lead.0, MAX_ID_CHARS)?;
            if let Some(r) = override_reason {
                note("override_reason", r)?;
            }
            unit_list(action, "co_units", co_units)?;
            unit_list(action, "separate_units", separate_units)?;
            if let Some(l) = statutory_limit {
                note("statutory_limit.basis", &l.basis)?;
            }
            if let Some(r) = duty_report {
                note("duty_report", &r.how)?;
            }
            if let Some(c) = coordination {
                note("coordination", &c.record)?;
            }
            note("note", n)
        }
        Action::RequestReturn(r) => {
            note("reason", &r.reason)?;
            note("basis", &r.basis)?;
            note("leader_opinion", &r.leader_opinion)?;
            note("suggestion", &r.suggestion)?;
            fits(action, "phone", &r.phone, MAX_SHORT_CHARS)
        }
        Action::SiteEvidence(e) => {
            note("note", &e.note)?;
            attachments(action, &e.photos)
        }
        Action::DecideReturn {
            note: n,
            add_co_units,
            amend_catalogue,
            ..
        } => {
            unit_list(action, "add_co_units", add_co_units)?;
            if let Some(a) = amend_catalogue {
                fits(action, "amend_catalogue", &a.category, MAX_ID_CHARS)?;
                fits(action, "amend_catalogue", &a.division, MAX_ID_CHARS)?;
                fits(action, "amend_catalogue", &a.lead.0, MAX_ID_CHARS)?;
                unit_list(action, "amend_catalogue", &a.assisting)?;
            }
            note("note", n)
        }
        Action::RequestExtension(r) => {
            if let Some(l) = &r.statutory_limit {
                note("statutory_limit.basis", &l.basis)?;
            }
            fits(action, "explanation", &r.explanation, MAX_TEXT_CHARS)
        }
        Action::Reply(r) => {
            fits(action, "unit", &r.unit.0, MAX_ID_CHARS)?;
            fits(action, "handler", &r.handler, MAX_SHORT_CHARS)?;
            fits(action, "result", &r.result, MAX_TEXT_CHARS)?;
            note("legal_basis", &r.legal_basis)?;
            fits(
                action,
                "citizen_informed_how",
                &r.citizen_informed_how,
                MAX_SHORT_CHARS,
            )?;
            if let Some(p) = &r.responsible_leader {
                fits(action, "responsible_leader", &p.0, MAX_ID_CHARS)?;
            }
            match &r.case {
                Some(CaseInfo::Filed { case_number }) => {
                    fits(action, "case.case_number", case_number, MAX_SHORT_CHARS)
                }
                Some(CaseInfo::NotFiled { reason }) => note("case.reason", reason),
                None => Ok(()),
            }
        }
        Action::Reopen { reason } => note("reason", reason),
        Action::DutyStatement { text, .. } => fits(action, "text", text, MAX_TEXT_CHARS),
        Action::SiteSupervision(f) => {
            fits(action, "place", &f.place, MAX_SHORT_CHARS)?;
            few(action, "people_present", &f.people_present, MAX_LIST_ITEMS)?;
            for p in &f.people_present {
                fits(action, "people_present", p, MAX_SHORT_CHARS)?;
            }
            fits(action, "findings", &f.findings, MAX_TEXT_CHARS)?;
            fits(action, "action_taken", &f.action_taken, MAX_TEXT_CHARS)?;
            attachments(action, &f.photos)
        }
        Action::MergeInto { into, note: n } => {
            fits(action, "into", &into.0, MAX_ID_CHARS)?;
            note("note", n)
        }
        Action::Absorb {
            order,
            receipt,
            note: n,
        } => {
            fits(action, "order", &order.0, MAX_ID_CHARS)?;
            fits(action, "receipt", &receipt.0, MAX_ID_CHARS)?;
            note("note", n)
        }
        Action::Split { parts, note: n } => {
            few(action, "parts", parts, MAX_LIST_ITEMS)?;
            for p in parts {
                fits(action, "parts", &p.0, MAX_ID_CHARS)?;
            }
            note("note", n)
        }
        Action::MergedCallback {
            receipt, note: n, ..
        } => {
            fits(action, "receipt", &receipt.0, MAX_ID_CHARS)?;
            note("note", n)
        }
    }
}

/// Units added after dispatch: named, and not the lead unit.
fn new_co_units(
    state: &OrderState,
    action: &Action,
    units: &[crate::model::UnitId],
) -> Result<(), WorkflowError> {
    if units.iter().any(|u| blank(&u.0)) {
        return Err(missing(action, "units"));
    }
    if let Some(lead) = units.iter().find(|u| state.lead_unit.as_ref() == Some(*u)) {
        return Err(WorkflowError::LeadAlsoCoUnit { unit: lead.clone() });
    }
    match units.iter().find(|u| state.separate_track(u).is_some()) {
        Some(u) => Err(WorkflowError::UnitListedTwice { unit: u.clone() }),
        None => Ok(()),
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
            if details.split_from.as_ref() == Some(&details.id) {
                return Err(WorkflowError::SameOrder {
                    action: action.name(),
                });
            }
            // Turpan art. 26: an emergency is one of the kinds the article names.
            if policy.emergency_category_required
                && details.urgency == Urgency::Emergency
                && details.emergency_category.is_none()
            {
                return Err(missing(action, "emergency_category"));
            }
            valid_gps(action, details.location.gps.as_ref())
        }
        Action::Register { .. }
        | Action::SignFor { .. }
        | Action::Contact { .. }
        | Action::LeaderSignOff { .. }
        | Action::ApproveResult { .. }
        | Action::CallbackUnreached { .. } => Ok(()),
        Action::FirstResponse { note: n } | Action::InterimProgress { note: n } => {
            require(action, "note", n)
        }
        Action::DelayNotice { reason } | Action::ReleaseUnit { reason, .. } => {
            require(action, "reason", reason)
        }
        Action::PassOn { sub_unit, .. } => {
            require(action, "sub_unit", &sub_unit.0)?;
            // Only to the lead unit's own sub-units: anyone else would gain the order.
            if !state
                .lead_unit
                .as_ref()
                .is_some_and(|l| sub_unit.is_sub_unit_of(l))
            {
                return Err(WorkflowError::NotASubUnit {
                    unit: sub_unit.clone(),
                });
            }
            if state.sub_units.contains(sub_unit) {
                return Err(WorkflowError::AlreadyRecorded {
                    action: action.name(),
                });
            }
            Ok(())
        }
        Action::CoUnitOpinion { text } => require(action, "text", text),
        Action::AddCoUnits { units, note } => {
            if units.is_empty() {
                return Err(missing(action, "units"));
            }
            new_co_units(state, action, units)?;
            require(action, "note", note)
        }
        Action::ApplyClosure(app) => {
            require(action, "statement", &app.statement)?;
            require(action, "evidence", &app.evidence)
        }
        Action::ForceMajeure { basis } | Action::CloseAsLawful { basis } => {
            require(action, "basis", basis)
        }
        Action::NotAccept {
            reason,
            basis,
            earlier_order,
            stated_reason,
        } => {
            // The policy's own list of grounds (Turpan 第二章, Puyang §(二)…), where it has one.
            if let Some(list) = &policy.not_accepted_reasons
                && !list.contains(reason)
            {
                return Err(WorkflowError::ReasonNotInPolicy { reason: *reason });
            }
            require(action, "basis", basis)?;
            // "Other" is told to the citizen in words.
            if *reason == NotAcceptedReason::Other {
                require(
                    action,
                    "stated_reason",
                    stated_reason.as_deref().unwrap_or(""),
                )?;
            }
            // Rule 7 is answered by pointing at the earlier order, so the link is the answer.
            if *reason == NotAcceptedReason::RepeatWithoutNewFacts
                && earlier_order.as_ref().is_none_or(|o| blank(&o.0))
            {
                return Err(missing(action, "earlier_order"));
            }
            Ok(())
        }
        Action::InstantAnswer {
            kb_item, answer, ..
        } => {
            if details.kind != crate::model::RequestKind::Inquiry {
                return Err(WorkflowError::InstantAnswerKind { kind: details.kind });
            }

            require(action, "kb_item", kb_item)?;
            require(action, "answer", answer)
        }
        Action::Dispatch {
            lead,
            co_units,
            duty_report,
            coordination,
            statutory_limit,
            separate_units,
            ..
        } => {
            require(action, "lead", &lead.0)?;
            if separate_units.iter().any(|u| blank(&u.0)) {
                return Err(missing(action, "separate_units"));
            }
            // 分别转办: each unit has one place in the dispatch.
            for (i, u) in separate_units.iter().enumerate() {
                if u == lead || co_units.contains(u) || separate_units[..i].contains(u) {
                    return Err(WorkflowError::UnitListedTwice { unit: u.clone() });
                }
            }
            if let Some(l) = statutory_limit {
                if l.working_days == 0 {
                    return Err(missing(action, "statutory_limit.working_days"));
                }
                require(action, "statutory_limit.basis", &l.basis)?;
            }
            if let Some(c) = coordination {
                require(action, "coordination", &c.record)?;
            }
            if co_units.iter().any(|u| blank(&u.0)) {
                return Err(missing(action, "co_units"));
            }
            if co_units.contains(lead) {
                return Err(WorkflowError::LeadAlsoCoUnit { unit: lead.clone() });
            }
            // Puyang §(四): an emergency goes out with its report to the duty office.
            if policy.emergency_duty_report && details.urgency == Urgency::Emergency {
                match duty_report {
                    Some(r) => require(action, "duty_report", &r.how)?,
                    None => return Err(missing(action, "duty_report")),
                }
            }
            Ok(())
        }
        Action::MergeInto { into: other, .. } | Action::Absorb { order: other, .. } => {
            if other == &details.id {
                return Err(WorkflowError::SameOrder {
                    action: action.name(),
                });
            }
            require(action, "order", &other.0)
        }
        Action::Split { parts, .. } => {
            if parts.is_empty() {
                return Err(missing(action, "parts"));
            }
            for (i, p) in parts.iter().enumerate() {
                if p == &details.id || parts[..i].contains(p) {
                    return Err(WorkflowError::SameOrder {
                        action: action.name(),
                    });
                }
            }
            Ok(())
        }
        Action::MergedCallback { receipt, .. } => require(action, "receipt", &receipt.0),
        Action::RequestReturn(r) => {
            // Turpan art. 16: 通过上述方式确定的承办单位，应当遵照办理，不得退回。
            if state.coordination.is_some() {
                return Err(WorkflowError::ReturnAfterCoordination);
            }
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
        Action::DecideReturn {
            approve,
            note,
            add_co_units,
            amend_catalogue,
        } => {
            // The catalogue is amended by the decision that found it wrong: an approved return.
            if amend_catalogue.is_some() && !*approve {
                return Err(WorkflowError::AmendmentNeedsApproval);
            }
            if !add_co_units.is_empty() {
                // Linshu 二(三): assisting units are the outcome of a partly justified return,
                // which the unit keeps.
                if *approve {
                    return Err(WorkflowError::CoUnitsNeedDenial);
                }
                new_co_units(state, action, add_co_units)?;
            }
            if *approve {
                Ok(())
            } else {
                require(action, "note", note)
            }
        }
        // The center must say why when it says no (Turpan art. 15, 18); a yes needs no words.
        Action::DecideExtension { approve, note }
        | Action::DecideClosure { approve, note }
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
            // Turpan art. 17: 除突发类事项外 — an emergency is never extended.
            if !policy.emergencies_extendable && details.urgency == Urgency::Emergency {
                return Err(WorkflowError::ExtensionNotForEmergency);
            }
            if req.working_days == 0 {
                return Err(missing(action, "working_days"));
            }
            if policy.extension_requires_explanation {
                require(action, "explanation", &req.explanation)?;
            }
            if let Some(l) = &req.statutory_limit {
                if l.working_days == 0 {
                    return Err(missing(action, "statutory_limit.working_days"));
                }
                require(action, "statutory_limit.basis", &l.basis)?;
            }
            // Puyang 考核 1: 因法律、法规、规章对办理时限规定超过五个工作日的 — only on a law
            // that sets more time than the ordinary limit.
            if policy.procedures.extension_needs_legal_basis {
                let Some(l) = &req.statutory_limit else {
                    return Err(missing(action, "statutory_limit"));
                };
                let ordinary = state
                    .statutory_limit
                    .as_ref()
                    .map(|s| Limit::WorkingDays(s.working_days))
                    .or(policy.handling_limit(
                        details.kind,
                        details.urgency,
                        state.leader_approval,
                    ));
                if let Some(Limit::WorkingDays(ordinary)) = ordinary
                    && l.working_days <= ordinary
                {
                    return Err(WorkflowError::StatutoryNotLonger {
                        statutory: l.working_days,
                        ordinary,
                    });
                }
            }
            // Turpan art. 17: 延长时限不得超过法定时限，无相关法定时限的，延长期限不得超过30个
            // 工作日 — a statutory limit given with the request caps it instead of the policy.
            // The cap is on the whole handling round: two requests of 20 WD must not slip
            // under a 30 WD maximum that one request of 40 WD could not.
            let cap = match (&req.statutory_limit, policy.limits.extension_max) {
                (Some(l), _) => Some(l.working_days),
                (None, Some(Limit::WorkingDays(max))) => Some(max),
                _ => None,
            };
            if let Some(max) = cap {
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
            // The reply speaks for the lead unit or a separate unit (分别转办); a reply in any
            // other unit's name would let the wrong unit be credited or blamed at assessment.
            let is_lead = state.lead_unit.as_ref() == Some(&reply.unit);
            if !is_lead && state.separate_track(&reply.unit).is_none() {
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
            // Linshu 二(二): the result approved by a leader, and the reply names that leader.
            if policy.procedures.leader_sign_off && is_lead {
                let approval = state
                    .result_approval
                    .as_ref()
                    .ok_or(WorkflowError::ResultNotApproved)?;
                match &reply.responsible_leader {
                    None => return Err(missing(action, "responsible_leader")),
                    Some(named) if *named != approval.by.person => {
                        return Err(WorkflowError::ResponsibleLeaderMismatch {
                            named: named.clone(),
                            approved_by: approval.by.person.clone(),
                        });
                    }
                    Some(_) => {}
                }
            }
            // Lishui: the co-units report their part to the lead unit before it replies.
            if policy.procedures.co_unit_opinions_required && is_lead {
                let units = state.co_units_without_opinion();
                if !units.is_empty() {
                    return Err(WorkflowError::CoUnitOpinionsMissing { units });
                }
            }
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
        Action::Callback {
            service_rating,
            unit_contacted,
            ..
        } => {
            // Turpan art. 21: 话务服务 and 办理情况 are rated apart.
            if policy.procedures.separate_service_rating && service_rating.is_none() {
                return Err(missing(action, "service_rating"));
            }
            // Linshu: the callback asks whether the unit contacted the citizen.
            if policy.procedures.callback_asks_unit_contact && unit_contacted.is_none() {
                return Err(missing(action, "unit_contacted"));
            }
            Ok(())
        }
        Action::Supervise { .. } => Ok(()),
        Action::Reopen { reason } => require(action, "reason", reason),
        Action::DutyStatement { text, .. } => require(action, "text", text),
        Action::SiteSupervision(form) => {
            require(action, "place", &form.place)?;
            require(action, "findings", &form.findings)?;
            valid_gps(action, form.gps.as_ref())
        }
    }
}
