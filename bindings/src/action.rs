//! Every workflow action an app can take on an order, one variant each, converted one-to-one
//! into the core's `Action`. Submitting, site evidence and the site supervision form carry
//! photos and have their own device methods instead.

use hotline_core::catalogue::DispatchRoute;
use hotline_core::model::{
    Action, ClosureApplication, ContactMethod, Coordination, DutyOfficeReport, ExtensionRequest,
    NotAcceptedReason, OrderId, ReplyContent, ReturnRequest, Satisfaction, StatutoryLimit,
    SupervisionForm, SupervisionTrigger, UnitId,
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
    /// 即时答复 from a knowledge-base item; closes an inquiry (center, or a kiosk for the
    /// inquiry it took). `kb_version`: the item's version the citizen read.
    InstantAnswer {
        kb_item: String,
        answer: String,
        #[uniffi(default = None)]
        kb_version: Option<u32>,
    },
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
        /// Turpan art. 17: a handling limit set by law for the matter; prevails over the
        /// policy's.
        #[uniffi(default = None)]
        statutory_limit: Option<StatutoryLimit>,
        /// 分别转办 (Turpan art. 12): units handling their own part, each with its own sign-for
        /// and reply.
        #[uniffi(default = [])]
        separate_units: Vec<UnitId>,
        /// Why another lead unit than the dispatch catalogue proposes (required then).
        #[uniffi(default = None)]
        override_reason: Option<String>,
    },
    /// 退回 request by the lead unit.
    RequestReturn { request: ReturnRequest },
    /// 突发事项首次处置 by the lead unit: what was done first (Turpan art. 26, within 2 h).
    FirstResponse { note: String },
    /// 不可抗力 recorded by the center on an emergency, with its basis (Turpan art. 26).
    ForceMajeure { basis: String },
    /// Puyang §(六): the center closes a dissatisfied order whose reply is lawful, with basis.
    CloseAsLawful { basis: String },
    /// The center approves or denies a return; denying, it may add assisting units (Linshu
    /// 二(三): a return only partly justified).
    DecideReturn {
        approve: bool,
        note: String,
        #[uniffi(default = [])]
        add_co_units: Vec<UnitId>,
        /// Approving, the center may correct the dispatch catalogue for this category and
        /// division, so the next order goes right the first time.
        #[uniffi(default = None)]
        amend_catalogue: Option<DispatchRoute>,
    },
    /// 签批 by the lead unit's main leader before staff handle the order (Linshu 二(二)).
    LeaderSignOff { note: String },
    /// 审核把关: the deputy leader in charge approves the result before the reply.
    ApproveResult { note: String },
    /// 会办意见: a co-unit reports its part to the lead unit.
    CoUnitOpinion { text: String },
    /// The center adds assisting units after dispatch.
    AddCoUnits { units: Vec<UnitId>, note: String },
    /// The lead unit's interim progress (Lishui).
    InterimProgress { note: String },
    /// 延期告知: the unit tells the citizen why the order is late (Puyang).
    DelayNotice { reason: String },
    /// The lead unit applies to close a non-compliant request (Linshu) or to keep an order
    /// that cannot be solved out of assessment (Puyang).
    ApplyClosure { application: ClosureApplication },
    /// The center decides the unit's closure application.
    DecideClosure { approve: bool, note: String },
    /// 回访未接通: the citizen was not reached; the callback is retried.
    CallbackUnreached { note: String },
    /// 回访 of a citizen whose order was merged into this one: their rating, or `None` when
    /// they could not be reached (callback agent).
    MergedCallback {
        receipt: String,
        rating: Option<Satisfaction>,
        #[uniffi(default = "")]
        note: String,
    },
    /// Turpan: the lead unit passes the order on to its sub-unit (`unit/sub-unit`).
    PassOn { sub_unit: UnitId, note: String },
    /// The center releases a co-unit or a separately dispatched unit, with the reason.
    ReleaseUnit { unit: UnitId, reason: String },
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
    /// 回访 with the 5-level rating of the handling (callback agent).
    Callback {
        rating: Satisfaction,
        note: String,
        /// Turpan art. 21: the call service rated apart (required there).
        #[uniffi(default = None)]
        service_rating: Option<Satisfaction>,
        /// Whether the citizen says the unit contacted them (required by Linshu).
        #[uniffi(default = None)]
        unit_contacted: Option<bool>,
    },
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
            WorkflowAction::InstantAnswer {
                kb_item,
                answer,
                kb_version,
            } => Action::InstantAnswer {
                kb_item,
                answer,
                kb_version,
            },
            WorkflowAction::Dispatch {
                lead,
                co_units,
                leader_approval,
                note,
                duty_report,
                coordination,
                statutory_limit,
                separate_units,
                override_reason,
            } => Action::Dispatch {
                separate_units,
                lead,
                co_units,
                leader_approval,
                note,
                duty_report,
                coordination,
                statutory_limit,
                override_reason,
            },
            WorkflowAction::RequestReturn { request } => Action::RequestReturn(request),
            WorkflowAction::FirstResponse { note } => Action::FirstResponse { note },
            WorkflowAction::ForceMajeure { basis } => Action::ForceMajeure { basis },
            WorkflowAction::CloseAsLawful { basis } => Action::CloseAsLawful { basis },
            WorkflowAction::DecideReturn {
                approve,
                note,
                add_co_units,
                amend_catalogue,
            } => Action::DecideReturn {
                approve,
                note,
                add_co_units,
                amend_catalogue,
            },
            WorkflowAction::LeaderSignOff { note } => Action::LeaderSignOff { note },
            WorkflowAction::ApproveResult { note } => Action::ApproveResult { note },
            WorkflowAction::CoUnitOpinion { text } => Action::CoUnitOpinion { text },
            WorkflowAction::AddCoUnits { units, note } => Action::AddCoUnits { units, note },
            WorkflowAction::InterimProgress { note } => Action::InterimProgress { note },
            WorkflowAction::DelayNotice { reason } => Action::DelayNotice { reason },
            WorkflowAction::ApplyClosure { application } => Action::ApplyClosure(application),
            WorkflowAction::DecideClosure { approve, note } => {
                Action::DecideClosure { approve, note }
            }
            WorkflowAction::CallbackUnreached { note } => Action::CallbackUnreached { note },
            WorkflowAction::MergedCallback {
                receipt,
                rating,
                note,
            } => Action::MergedCallback {
                receipt: hotline_core::model::ReceiptCode(receipt),
                rating,
                note,
            },
            WorkflowAction::PassOn { sub_unit, note } => Action::PassOn { sub_unit, note },
            WorkflowAction::ReleaseUnit { unit, reason } => Action::ReleaseUnit { unit, reason },
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
            WorkflowAction::Callback {
                rating,
                note,
                service_rating,
                unit_contacted,
            } => Action::Callback {
                rating,
                note,
                service_rating,
                unit_contacted,
            },
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
                    kb_version: Some(1),
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
                    statutory_limit: Some(StatutoryLimit {
                        working_days: 20,
                        basis: "b".into(),
                    }),
                    separate_units: vec![UnitId::new("unit-c")],
                    override_reason: None,
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
                    approve: false,
                    note: "n".into(),
                    add_co_units: vec![UnitId::new("unit-c")],
                    amend_catalogue: None,
                },
                "decide_return",
            ),
            (
                WorkflowAction::LeaderSignOff { note: "n".into() },
                "leader_sign_off",
            ),
            (
                WorkflowAction::ApproveResult { note: "n".into() },
                "approve_result",
            ),
            (
                WorkflowAction::CoUnitOpinion { text: "t".into() },
                "co_unit_opinion",
            ),
            (
                WorkflowAction::AddCoUnits {
                    units: vec![UnitId::new("unit-c")],
                    note: "n".into(),
                },
                "add_co_units",
            ),
            (
                WorkflowAction::InterimProgress { note: "n".into() },
                "interim_progress",
            ),
            (
                WorkflowAction::DelayNotice { reason: "r".into() },
                "delay_notice",
            ),
            (
                WorkflowAction::ApplyClosure {
                    application: ClosureApplication {
                        ground: hotline_core::model::ClosureGround::NonCompliant,
                        statement: "s".into(),
                        evidence: "e".into(),
                    },
                },
                "apply_closure",
            ),
            (
                WorkflowAction::DecideClosure {
                    approve: true,
                    note: "n".into(),
                },
                "decide_closure",
            ),
            (
                WorkflowAction::CallbackUnreached { note: "n".into() },
                "callback_unreached",
            ),
            (
                WorkflowAction::MergedCallback {
                    receipt: "R".into(),
                    rating: None,
                    note: "n".into(),
                },
                "merged_callback",
            ),
            (
                WorkflowAction::PassOn {
                    sub_unit: UnitId::new("unit-a/village-1"),
                    note: "n".into(),
                },
                "pass_on",
            ),
            (
                WorkflowAction::ReleaseUnit {
                    unit: UnitId::new("unit-c"),
                    reason: "r".into(),
                },
                "release_unit",
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
                        statutory_limit: Some(StatutoryLimit {
                            working_days: 20,
                            basis: "l".into(),
                        }),
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
                        responsible_leader: None,
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
                    service_rating: Some(Satisfaction::Satisfied),
                    unit_contacted: Some(false),
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
