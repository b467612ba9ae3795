//! Who may take which action. Kept as a table apart from the state machine so that the apps can
//! hide buttons a role can never use, without asking about a particular order.

use super::errors::WorkflowError;
use super::state::OrderState;
use crate::model::{Action, Actor, Role};
use crate::policy::Procedures;

/// Which handling unit a unit role must belong to for an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitBinding {
    /// A center role: its unit is the hotline center and is not compared with the order.
    None,
    /// Only the lead unit (主办) answers for the order as a whole.
    Lead,
    /// Co-units (会办) share the legwork, so they may log it too.
    LeadOrCo,
    /// Only a co-unit: what it reports to the lead unit.
    Co,
    /// The lead unit, or a unit the order was dispatched to separately (分别转办), each for its
    /// own track.
    LeadOrSeparate,
}

const CENTER_INTAKE: &[Role] = &[Role::Intake, Role::Dispatcher];
const DISPATCHER: &[Role] = &[Role::Dispatcher];
const UNIT: &[Role] = &[Role::Staff, Role::UnitHead, Role::DeputyHead];
const UNIT_OR_SUPERVISOR: &[Role] = &[
    Role::Staff,
    Role::UnitHead,
    Role::DeputyHead,
    Role::Supervisor,
];

/// The roles that may ever take this action. The auditor is in none of them.
pub fn allowed_roles(action: &Action) -> &'static [Role] {
    match action {
        // 拆单: the center desk makes the parts of an order it splits.
        Action::Submit { details } if details.split_from.is_some() => DISPATCHER,
        Action::Submit { .. } => &[Role::Kiosk, Role::Intake],
        Action::Register { .. } | Action::NotAccept { .. } => CENTER_INTAKE,
        // A kiosk answers the inquiry it just took from its knowledge base (checked with the
        // state: only its own submission).
        Action::InstantAnswer { .. } => &[Role::Intake, Role::Dispatcher, Role::Kiosk],
        Action::Dispatch { .. }
        | Action::DecideReturn { .. }
        | Action::DecideExtension { .. }
        | Action::Review { .. }
        | Action::Reopen { .. }
        | Action::ForceMajeure { .. }
        | Action::CloseAsLawful { .. }
        | Action::AddCoUnits { .. }
        | Action::ReleaseUnit { .. }
        | Action::DecideClosure { .. }
        | Action::MergeInto { .. }
        | Action::Absorb { .. }
        | Action::Split { .. } => DISPATCHER,
        // Linshu 二(二): 主要领导签批; 分管领导审核把关 (the main leader may do it too).
        Action::LeaderSignOff { .. } => &[Role::UnitHead],
        Action::ApproveResult { .. } => &[Role::DeputyHead, Role::UnitHead],
        Action::RequestReturn(_)
        | Action::SignFor { .. }
        | Action::RequestExtension(_)
        | Action::Reply(_)
        | Action::Contact { .. }
        | Action::FirstResponse { .. }
        | Action::CoUnitOpinion { .. }
        | Action::InterimProgress { .. }
        | Action::DelayNotice { .. }
        | Action::ApplyClosure(_)
        | Action::PassOn { .. }
        | Action::DutyStatement { .. } => UNIT,
        // Linshu 年终 4: the handling unit fills the form too, where its policy says so.
        Action::SiteEvidence(_) | Action::SiteSupervision(_) => UNIT_OR_SUPERVISOR,
        Action::Callback { .. }
        | Action::CallbackUnreached { .. }
        | Action::MergedCallback { .. } => &[Role::Callback],
        // The center service only for the automatic triggers (checked with the state).
        Action::Supervise { .. } => &[Role::Dispatcher, Role::Supervisor, Role::CenterService],
    }
}

/// The unit a handling-unit role must belong to for this action.
pub fn unit_binding(action: &Action) -> UnitBinding {
    match action {
        Action::SignFor { .. } | Action::Reply(_) => UnitBinding::LeadOrSeparate,
        Action::RequestReturn(_)
        | Action::RequestExtension(_)
        | Action::FirstResponse { .. }
        | Action::LeaderSignOff { .. }
        | Action::ApproveResult { .. }
        | Action::InterimProgress { .. }
        | Action::DelayNotice { .. }
        | Action::ApplyClosure(_)
        | Action::PassOn { .. } => UnitBinding::Lead,
        Action::Contact { .. }
        | Action::SiteEvidence(_)
        | Action::SiteSupervision(_)
        | Action::DutyStatement { .. } => UnitBinding::LeadOrCo,
        Action::CoUnitOpinion { .. } => UnitBinding::Co,
        _ => UnitBinding::None,
    }
}

pub(crate) fn check_role(
    actor: &Actor,
    action: &Action,
    procedures: &Procedures,
) -> Result<(), WorkflowError> {
    let by_policy = match action {
        // Turpan art. 23, 39: 履责意见 is the leaders' to make.
        Action::DutyStatement { .. } if procedures.duty_statement_by_leaders => {
            actor.role.is_unit_leader()
        }
        Action::SiteSupervision(_) if actor.role.is_unit_role() => procedures.unit_site_form,
        _ => true,
    };
    if by_policy && allowed_roles(action).contains(&actor.role) {
        Ok(())
    } else {
        Err(WorkflowError::WrongRole {
            role: actor.role,
            action: action.name(),
        })
    }
}

/// Called after the state check, so an order that needs a unit already has a lead unit.
pub(crate) fn check_unit(
    state: &OrderState,
    actor: &Actor,
    action: &Action,
) -> Result<(), WorkflowError> {
    if !actor.role.is_unit_role() {
        return Ok(());
    }
    // A reply speaks for the unit that writes it: one unit may not reply in another's name.
    if let Action::Reply(r) = action
        && r.unit != actor.unit
    {
        return Err(WorkflowError::WrongUnit {
            unit: r.unit.clone(),
            action: action.name(),
            lead_only: true,
        });
    }
    let ok = match unit_binding(action) {
        UnitBinding::None => true,
        UnitBinding::Lead => state.lead_unit.as_ref() == Some(&actor.unit),
        UnitBinding::LeadOrCo => state.is_handling_unit(&actor.unit),
        UnitBinding::LeadOrSeparate => {
            state.lead_unit.as_ref() == Some(&actor.unit)
                || state.separate_track(&actor.unit).is_some()
        }
        UnitBinding::Co => {
            if state.co_units.contains(&actor.unit) {
                return Ok(());
            }
            return Err(WorkflowError::NotACoUnit {
                unit: actor.unit.clone(),
                action: action.name(),
            });
        }
    };
    if ok {
        Ok(())
    } else {
        Err(WorkflowError::WrongUnit {
            unit: actor.unit.clone(),
            action: action.name(),
            lead_only: matches!(
                unit_binding(action),
                UnitBinding::Lead | UnitBinding::LeadOrSeparate
            ),
        })
    }
}
