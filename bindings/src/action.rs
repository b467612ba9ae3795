//! Every workflow action an app can take on an order, one variant each, converted one-to-one
//! into the core's `Action`. Submitting, site evidence and the site supervision form carry
//! photos and have their own device methods instead.

use hotline_core::model::{
    Action, ContactMethod, Coordination, DutyOfficeReport, ExtensionRequest, NotAcceptedReason,
    OrderId, ReplyContent, ReturnRequest, Satisfaction, SupervisionForm, SupervisionTrigger,
    UnitId,
};

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum WorkflowAction {
    /// 受理 (center).
    Register { note: String },
    /// 不予受理 with one of the eight reasons and its basis (center).
    NotAccept {
        reason: NotAcceptedReason,
        basis: String,
        earlier_order: Option<OrderId>,
        /// For `Other`: the reason in words, told to the citizen.
        #[uniffi(default = None)]
        stated_reason: Option<String>,
    },
    /// 即时答复 from a knowledge-base item; closes an inquiry (center).
    InstantAnswer { kb_item: String, answer: String },
    /// 转办 to a lead unit and co-units (dispatcher).
    Dispatch {
        lead: UnitId,
        co_units: Vec<UnitId>,
        leader_approval: bool,
        note: String,
        /// Puyang: an emergency's report to the city government duty office (required there).
        #[uniffi(default = None)]
        duty_report: Option<DutyOfficeReport>,
        /// Turpan art. 16: the unit was fixed by the center's coordination; it may not return.
        #[uniffi(default = None)]
        coordination: Option<Coordination>,
    },
    /// 退回 request by the lead unit.
    RequestReturn { request: ReturnRequest },
    /// 突发事项首次处置 by the lead unit: what was done first (Turpan art. 26, within 2 h).
    FirstResponse { note: String },
    /// 不可抗力 recorded by the center on an emergency, with its basis (Turpan art. 26).
    ForceMajeure { basis: String },
    /// Puyang §(六): the center closes a dissatisfied order whose reply is lawful, with basis.
    CloseAsLawful { basis: String },
    /// The center approves or denies a return.
    DecideReturn { approve: bool, note: String },
    /// 签收 by the lead unit.
    SignFor { note: String },
    /// A call or visit to the citizen: one call-log entry (unit staff).
    Contact {
        method: ContactMethod,
        reached: bool,
        note: String,
    },
    /// 延期申请 by the lead unit.
    RequestExtension { request: ExtensionRequest },
    /// The center approves or denies an extension.
    DecideExtension { approve: bool, note: String },
    /// 答复 by the lead unit.
    Reply { reply: ReplyContent },
    /// The center reviews a reply.
    Review { approve: bool, note: String },
    /// 回访 with the 5-level rating (callback agent).
    Callback { rating: Satisfaction, note: String },
    /// 重办 after a dissatisfied rating (dispatcher).
    Reopen { reason: String },
    /// 履责意见, or an application to close a non-compliant request (unit).
    DutyStatement { text: String, non_compliant: bool },
    /// 督办 (dispatcher, supervisor).
    Supervise {
        trigger: SupervisionTrigger,
        form: SupervisionForm,
        note: String,
    },
}

impl From<WorkflowAction> for Action {
    fn from(a: WorkflowAction) -> Self {
        match a {
            WorkflowAction::Register { note } => Action::Register { note },
            WorkflowAction::NotAccept {
                reason,
                basis,
                earlier_order,
                stated_reason,
            } => Action::NotAccept {
                reason,
                basis,
                earlier_order,
                stated_reason,
            },
            WorkflowAction::InstantAnswer { kb_item, answer } => {
                Action::InstantAnswer { kb_item, answer }
            }
            WorkflowAction::Dispatch {
                lead,
                co_units,
                leader_approval,
                note,
                duty_report,
                coordination,
            } => Action::Dispatch {
                lead,
                co_units,
                leader_approval,
                note,
                duty_report,
                coordination,
            },
            WorkflowAction::RequestReturn { request } => Action::RequestReturn(request),
            WorkflowAction::FirstResponse { note } => Action::FirstResponse { note },
            WorkflowAction::ForceMajeure { basis } => Action::ForceMajeure { basis },
            WorkflowAction::CloseAsLawful { basis } => Action::CloseAsLawful { basis },
            WorkflowAction::DecideReturn { approve, note } => {
                Action::DecideReturn { approve, note }
            }
            WorkflowAction::SignFor { note } => Action::SignFor { note },
            WorkflowAction::Contact {
                method,
                reached,
                note,
            } => Action::Contact {
                method,
                reached,
                note,
            },
            WorkflowAction::RequestExtension { request } => Action::RequestExtension(request),
            WorkflowAction::DecideExtension { approve, note } => {
                Action::DecideExtension { approve, note }
            }
            WorkflowAction::Reply { reply } => Action::Reply(reply),
            WorkflowAction::Review { approve, note } => Action::Review { approve, note },
            WorkflowAction::Callback { rating, note } => Action::Callback { rating, note },
            WorkflowAction::Reopen { reason } => Action::Reopen { reason },
            WorkflowAction::DutyStatement {
                text,
                non_compliant,
            } => Action::DutyStatement {
                text,
                non_compliant,
            },
            WorkflowAction::Supervise {
                trigger,
                form,
                note,
            } => Action::Supervise {
                trigger,
                form,
                note,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hotline_core::model::{CaseInfo, Timestamp};

    #[test]
    fn each_variant_becomes_the_core_action_of_the_same_name() {
        let unit = UnitId::new("unit-a");
        let cases = [
            (WorkflowAction::Register { note: "n".into() }, "register"),
            (
                WorkflowAction::NotAccept {
                    reason: NotAcceptedReason::SecretsOrPrivacy,
                    basis: "b".into(),
                    earlier_order: Some(OrderId::new("wo-1")),
                    stated_reason: None,
                },
                "not_accept",
            ),
            (
                WorkflowAction::InstantAnswer {
                    kb_item: "kb".into(),
                    answer: "a".into(),
                },
                "instant_answer",
            ),
            (
                WorkflowAction::Dispatch {
                    lead: unit.clone(),
                    co_units: vec![UnitId::new("unit-b")],
                    leader_approval: true,
                    note: "n".into(),
                    duty_report: None,
                    coordination: None,
                },
                "dispatch",
            ),
            (
                WorkflowAction::RequestReturn {
                    request: ReturnRequest {
                        reason: "r".into(),
                        basis: "b".into(),
                        leader_opinion: "l".into(),
                        suggestion: "s".into(),
                        phone: "p".into(),
                        called_center: true,
                    },
                },
                "request_return",
            ),
            (
                WorkflowAction::DecideReturn {
                    approve: true,
                    note: "n".into(),
                },
                "decide_return",
            ),
            (WorkflowAction::SignFor { note: "n".into() }, "sign_for"),
            (
                WorkflowAction::Contact {
                    method: ContactMethod::Visit,
                    reached: false,
                    note: "n".into(),
                },
                "contact",
            ),
            (
                WorkflowAction::RequestExtension {
                    request: ExtensionRequest {
                        working_days: 3,
                        explanation: "e".into(),
                    },
                },
                "request_extension",
            ),
            (
                WorkflowAction::DecideExtension {
                    approve: false,
                    note: "n".into(),
                },
                "decide_extension",
            ),
            (
                WorkflowAction::Reply {
                    reply: ReplyContent {
                        handled_at: Timestamp::default(),
                        unit: unit.clone(),
                        handler: "h".into(),
                        result: "r".into(),
                        legal_basis: "l".into(),
                        citizen_informed_how: "c".into(),
                        case: Some(CaseInfo::Filed {
                            case_number: "1".into(),
                        }),
                    },
                },
                "reply",
            ),
            (
                WorkflowAction::Review {
                    approve: true,
                    note: "n".into(),
                },
                "review",
            ),
            (
                WorkflowAction::Callback {
                    rating: Satisfaction::VeryDissatisfied,
                    note: "n".into(),
                },
                "callback",
            ),
            (WorkflowAction::Reopen { reason: "r".into() }, "reopen"),
            (
                WorkflowAction::DutyStatement {
                    text: "t".into(),
                    non_compliant: true,
                },
                "duty_statement",
            ),
            (
                WorkflowAction::Supervise {
                    trigger: SupervisionTrigger::Overdue,
                    form: SupervisionForm::Meeting,
                    note: "n".into(),
                },
                "supervise",
            ),
        ];
        for (ffi, name) in cases {
            let given = format!("{ffi:?}");
            assert_eq!(Action::from(ffi).name(), name, "{given}");
        }
    }
}
