//! Why an action is refused. The codes are part of the contract with the apps and the hub: the
//! same code is stored in the history of every order where the fold refused an event, so a code
//! must never change meaning once shipped.

use thiserror::Error;

use super::state::Status;
use crate::error::{Coded, ErrorCode};
use crate::model::{PersonId, RequestKind, Role, Timestamp, UnitId};
use crate::policy::{PolicyError, to_local};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WorkflowError {
    #[error("a {role} may not {action}")]
    WrongRole { role: Role, action: &'static str },

    #[error("unit {unit} is not {} of this order and may not {action}", if *.lead_only { "the lead unit" } else { "the lead unit or a co-unit" })]
    WrongUnit {
        unit: UnitId,
        action: &'static str,
        /// Only the lead unit may do this (otherwise co-units may too).
        lead_only: bool,
    },

    #[error("cannot {action} while the order is {status}")]
    WrongState {
        action: &'static str,
        status: Status,
    },

    #[error("`{field}` is required to {action}")]
    MissingField {
        action: &'static str,
        field: &'static str,
    },

    #[error("the order has already been reopened {max} time(s), the most the policy allows")]
    ReopenLimit { max: u32 },

    #[error(
        "an extension of {requested} working day(s) on top of {already} already granted exceeds the maximum of {max}"
    )]
    ExtensionTooLong {
        requested: u32,
        already: u32,
        max: u32,
    },

    #[error("the return window closed at {}", to_local(*.due))]
    ReturnWindowClosed { due: Timestamp },

    #[error("the unit must phone the hotline center before requesting a return")]
    ReturnNeedsCall,

    #[error("an emergency may not be extended under this policy")]
    ExtensionNotForEmergency,

    #[error("the unit was fixed by the center's coordination and may not return the order")]
    ReturnAfterCoordination,

    #[error("{action} applies to emergencies only")]
    NotAnEmergency { action: &'static str },

    #[error("{action} has already been recorded for this order")]
    AlreadyRecorded { action: &'static str },

    #[error("this policy has no {action}")]
    NotInPolicy { action: &'static str },

    #[error("this policy does not use the ground `{}` for not accepting a request", .reason.as_str())]
    ReasonNotInPolicy {
        reason: crate::model::NotAcceptedReason,
    },

    #[error("unit {unit} is not a co-unit of this order and may not {action}")]
    NotACoUnit { unit: UnitId, action: &'static str },

    #[error("the unit's main leader must sign off the order before its staff {action}")]
    SignOffFirst { action: &'static str },

    #[error("the result must be approved by the unit's leader before the reply")]
    ResultNotApproved,

    #[error("the reply names {named} as responsible leader, but {approved_by} approved the result")]
    ResponsibleLeaderMismatch {
        named: PersonId,
        approved_by: PersonId,
    },

    #[error("co-unit(s) {} have not reported their part yet", .units.iter().map(|u| u.0.as_str()).collect::<Vec<_>>().join(", "))]
    CoUnitOpinionsMissing { units: Vec<UnitId> },

    #[error("a non-compliant request may be applied for only after the order's first reopen")]
    ClosureBeforeReopen,

    /// The center service records only the automatic supervision triggers, and only while the
    /// order shows them (Turpan art. 28: 超期; 重办后仍不满意).
    #[error("automatic supervision for `{}` does not apply to this order now", .trigger.as_str())]
    TriggerAbsent {
        trigger: crate::model::SupervisionTrigger,
    },

    #[error("a closure application is already waiting for the center's decision")]
    ClosurePending,

    #[error("there is nothing for {action} to decide")]
    NothingToDecide { action: &'static str },

    #[error("assisting units are added only when the return is denied")]
    CoUnitsNeedDenial,
    #[error("only an approved return can amend the dispatch catalogue")]
    AmendmentNeedsApproval,
    #[error("{action}: an order cannot be merged into, absorb or be split into itself")]
    SameOrder { action: &'static str },
    #[error("no order with receipt {receipt} was merged into this one")]
    NotMergedHere { receipt: String },

    #[error(
        "the unit fills the on-site supervision form only for its reopened, key or supervised orders"
    )]
    SiteFormNotDue,

    #[error("{unit} is not a sub-unit of the order's lead unit")]
    NotASubUnit { unit: UnitId },

    #[error("unit {unit} is named twice in the dispatch")]
    UnitListedTwice { unit: UnitId },

    #[error(
        "a statutory limit of {statutory} working day(s) is not longer than the ordinary {ordinary}, so it grounds no extension"
    )]
    StatutoryNotLonger { statutory: u32, ordinary: u32 },

    #[error("confidential callers are not called back")]
    ConfidentialNoCallback,

    #[error("only inquiries can be answered from the knowledge base; this is a {kind}")]
    InstantAnswerKind { kind: RequestKind },

    #[error("a kiosk answers only the inquiry it took itself")]
    NotOwnSubmission,

    #[error("the order has not been submitted yet, so it cannot {action}")]
    UnknownOrder { action: &'static str },

    #[error("the order has already been submitted")]
    DuplicateSubmit,

    #[error("unit {unit} is both the lead unit and a co-unit")]
    LeadAlsoCoUnit { unit: UnitId },

    #[error("the GPS fix of the {action} is not a valid position")]
    InvalidGps { action: &'static str },

    #[error("the event's causal predecessors form a cycle, so it has no place in the history")]
    CausalCycle,

    #[error("`{field}` of the {action} is longer than {max} characters")]
    FieldTooLong {
        action: &'static str,
        field: &'static str,
        max: usize,
    },

    #[error("a photo of type `{media_type}` is not accepted (photos and short clips only)")]
    MediaType { media_type: String },

    #[error("the file's bytes are not a photo or a short clip (it was given as `{declared}`)")]
    NotAPhoto { declared: String },

    #[error("a photo of {size} bytes is larger than the {max} accepted")]
    AttachmentTooLarge { size: u64, max: u64 },

    #[error("`{field}` of the {action} has more than {max} entries")]
    TooManyItems {
        action: &'static str,
        field: &'static str,
        max: usize,
    },

    #[error("deadline: {0}")]
    Calendar(#[from] PolicyError),
}

impl Coded for WorkflowError {
    fn code(&self) -> ErrorCode {
        match self {
            WorkflowError::WrongRole { .. } => ErrorCode::WrongRole,
            WorkflowError::WrongUnit { .. } => ErrorCode::WrongUnit,
            WorkflowError::WrongState { .. } => ErrorCode::WrongState,
            WorkflowError::MissingField { .. } => ErrorCode::MissingField,
            WorkflowError::ReopenLimit { .. } => ErrorCode::ReopenLimit,
            WorkflowError::ExtensionTooLong { .. } => ErrorCode::ExtensionTooLong,
            WorkflowError::ReturnWindowClosed { .. } => ErrorCode::ReturnWindowClosed,
            WorkflowError::ReturnNeedsCall => ErrorCode::ReturnNeedsCall,
            WorkflowError::ExtensionNotForEmergency => ErrorCode::ExtensionNotForEmergency,
            WorkflowError::ReturnAfterCoordination => ErrorCode::ReturnAfterCoordination,
            WorkflowError::NotAnEmergency { .. } => ErrorCode::NotAnEmergency,
            WorkflowError::AlreadyRecorded { .. } => ErrorCode::AlreadyRecorded,
            WorkflowError::NotInPolicy { .. } => ErrorCode::NotInPolicy,
            WorkflowError::ReasonNotInPolicy { .. } => ErrorCode::ReasonNotInPolicy,
            WorkflowError::NotACoUnit { .. } => ErrorCode::WrongUnit,
            WorkflowError::SignOffFirst { .. } => ErrorCode::SignOffFirst,
            WorkflowError::ResultNotApproved => ErrorCode::ResultNotApproved,
            WorkflowError::ResponsibleLeaderMismatch { .. } => ErrorCode::ResponsibleLeaderMismatch,
            WorkflowError::CoUnitOpinionsMissing { .. } => ErrorCode::CoUnitOpinionsMissing,
            WorkflowError::ClosureBeforeReopen => ErrorCode::ClosureBeforeReopen,
            WorkflowError::TriggerAbsent { .. } => ErrorCode::TriggerAbsent,
            WorkflowError::ClosurePending => ErrorCode::ClosurePending,
            WorkflowError::NothingToDecide { .. } => ErrorCode::NothingToDecide,
            WorkflowError::CoUnitsNeedDenial => ErrorCode::CoUnitsNeedDenial,
            WorkflowError::AmendmentNeedsApproval => ErrorCode::AmendmentNeedsApproval,
            WorkflowError::SameOrder { .. } => ErrorCode::SameOrder,
            WorkflowError::NotMergedHere { .. } => ErrorCode::NotMergedHere,
            WorkflowError::SiteFormNotDue => ErrorCode::SiteFormNotDue,
            WorkflowError::NotASubUnit { .. } => ErrorCode::NotASubUnit,
            WorkflowError::UnitListedTwice { .. } => ErrorCode::UnitListedTwice,
            WorkflowError::StatutoryNotLonger { .. } => ErrorCode::StatutoryNotLonger,
            WorkflowError::ConfidentialNoCallback => ErrorCode::ConfidentialNoCallback,
            WorkflowError::InstantAnswerKind { .. } => ErrorCode::InstantAnswerKind,
            WorkflowError::UnknownOrder { .. } => ErrorCode::UnknownOrder,
            WorkflowError::NotOwnSubmission => ErrorCode::NotOwnSubmission,
            WorkflowError::DuplicateSubmit => ErrorCode::DuplicateSubmit,
            WorkflowError::LeadAlsoCoUnit { .. } => ErrorCode::LeadAlsoCoUnit,
            WorkflowError::InvalidGps { .. } => ErrorCode::InvalidGps,
            WorkflowError::CausalCycle => ErrorCode::CausalCycle,
            WorkflowError::FieldTooLong { .. } => ErrorCode::FieldTooLong,
            WorkflowError::TooManyItems { .. } => ErrorCode::TooManyItems,
            WorkflowError::MediaType { .. } | WorkflowError::NotAPhoto { .. } => {
                ErrorCode::BlobMediaType
            }
            WorkflowError::AttachmentTooLarge { .. } => ErrorCode::BlobTooLarge,
            WorkflowError::Calendar(_) => ErrorCode::Calendar,
        }
    }

    fn message_zh(&self) -> String {
        match self {
            WorkflowError::WrongRole { role, action } => {
                format!("{}无权执行“{}”", role.zh(), action_zh(action))
            }
            WorkflowError::WrongUnit {
                unit, lead_only, ..
            } => {
                if *lead_only {
                    format!("单位 {unit} 不是本工单的主办单位")
                } else {
                    format!("单位 {unit} 不是本工单的主办或会办单位")
                }
            }
            WorkflowError::WrongState { action, status } => {
                format!("工单当前状态为“{}”，不能{}", status.zh(), action_zh(action))
            }
            WorkflowError::MissingField { action, field } => {
                format!("{}缺少必填项：{}", action_zh(action), field_zh(field))
            }
            WorkflowError::ReopenLimit { max } => {
                format!("该工单已重办 {max} 次，已达政策规定的上限")
            }
            WorkflowError::ExtensionTooLong {
                requested,
                already,
                max,
            } => format!(
                "申请延期 {requested} 个工作日（已批准 {already} 个工作日），超过最长 {max} 个工作日"
            ),
            WorkflowError::ReturnWindowClosed { due } => format!(
                "退回时限已于 {} 届满，不能再申请退回",
                to_local(*due).format("%Y-%m-%d %H:%M:%S")
            ),
            WorkflowError::ReturnNeedsCall => "申请退回前须先电话联系热线受理中心".to_string(),
            WorkflowError::ExtensionNotForEmergency => {
                "按本地政策，突发类事项不得申请延期".to_string()
            }
            WorkflowError::ReturnAfterCoordination => {
                "承办单位经中心协调确定，应当遵照办理，不得退回".to_string()
            }
            WorkflowError::NotAnEmergency { action } => {
                format!("{}只适用于突发类事项", action_zh(action))
            }
            WorkflowError::AlreadyRecorded { action } => {
                format!("本工单已{}，不能重复记录", action_zh(action))
            }
            WorkflowError::NotInPolicy { action } => {
                format!("本地政策未规定{}", action_zh(action))
            }
            WorkflowError::ReasonNotInPolicy { reason } => {
                format!("本地政策未规定“{}”这一不予受理情形", reason.zh())
            }
            WorkflowError::NotACoUnit { unit, .. } => {
                format!("单位 {unit} 不是本工单的会办单位")
            }
            WorkflowError::SignOffFirst { action } => {
                format!("须经单位主要负责人签批后才能{}", action_zh(action))
            }
            WorkflowError::ResultNotApproved => {
                "办理结果须经单位分管负责人审核把关后才能答复".to_string()
            }
            WorkflowError::ResponsibleLeaderMismatch { named, approved_by } => {
                format!("答复注明的责任领导为 {named}，但审核把关的领导为 {approved_by}")
            }
            WorkflowError::CoUnitOpinionsMissing { units } => format!(
                "会办单位 {} 尚未反馈会办意见",
                units
                    .iter()
                    .map(|u| u.0.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            WorkflowError::ClosureBeforeReopen => {
                "首次重办之后才能申请按不合规诉求办结".to_string()
            }
            WorkflowError::TriggerAbsent { trigger } => {
                format!("本工单当前不具备“{}”自动督办情形", trigger.zh())
            }
            WorkflowError::ClosurePending => "已有办结申请等待中心审核".to_string(),
            WorkflowError::NothingToDecide { action } => {
                format!("没有待{}的申请", action_zh(action))
            }
            WorkflowError::CoUnitsNeedDenial => "只有不同意退回时才能增加协办单位".to_string(),
            WorkflowError::AmendmentNeedsApproval => "只有同意退回时才能修订派单目录".to_string(),
            WorkflowError::SameOrder { action } => {
                format!("{}：工单不能并入、吸收或拆分为自身", action_zh(action))
            }
            WorkflowError::NotMergedHere { receipt } => {
                format!("没有查询码为 {receipt} 的工单并入本工单")
            }
            WorkflowError::SiteFormNotDue => {
                "承办单位只对本单位的重办件、重点件和督办件填写现场督办情况表".to_string()
            }
            WorkflowError::StatutoryNotLonger {
                statutory,
                ordinary,
            } => format!(
                "法定办理时限 {statutory} 个工作日不超过常规时限 {ordinary} 个工作日，不能据此延期"
            ),
            WorkflowError::UnitListedTwice { unit } => {
                format!("单位 {unit} 在转办中被重复指定")
            }
            WorkflowError::NotASubUnit { unit } => {
                format!("{unit} 不是本工单主办单位的下设单位")
            }
            WorkflowError::ConfidentialNoCallback => "保密工单不进行回访".to_string(),
            WorkflowError::InstantAnswerKind { kind } => {
                format!("只有咨询类诉求可以即时答复，本工单为{}", kind.zh())
            }
            WorkflowError::UnknownOrder { action } => {
                format!("工单尚未提交，不能{}", action_zh(action))
            }
            WorkflowError::NotOwnSubmission => "自助终端只能答复本机受理的咨询".to_string(),
            WorkflowError::DuplicateSubmit => "该工单已提交，不能重复提交".to_string(),
            WorkflowError::LeadAlsoCoUnit { unit } => {
                format!("单位 {unit} 不能同时作为主办单位和会办单位")
            }
            WorkflowError::InvalidGps { action } => {
                format!("{}的定位数据无效", action_zh(action))
            }
            WorkflowError::CausalCycle => "该记录的前序记录构成循环，无法排入工单历史".to_string(),
            WorkflowError::FieldTooLong { action, field, max } => format!(
                "{}的{}超过 {max} 个字符",
                action_zh(action),
                field_zh(field)
            ),
            WorkflowError::MediaType { media_type } => {
                format!("不接受类型为“{media_type}”的附件（只接受照片和短视频）")
            }
            WorkflowError::NotAPhoto { declared } => {
                format!("文件内容不是照片或短视频（提交时声明为“{declared}”）")
            }
            WorkflowError::AttachmentTooLarge { size, max } => {
                format!("附件有 {size} 字节，超过 {max} 字节的上限")
            }
            WorkflowError::TooManyItems { action, field, max } => {
                format!("{}的{}超过 {max} 项", action_zh(action), field_zh(field))
            }
            WorkflowError::Calendar(e) => format!("期限计算失败：{}", e.message_zh()),
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}

/// The Chinese name of an action, by its stable machine name (`Action::name`).
pub fn action_zh(name: &str) -> &'static str {
    match name {
        "submit" => "提交诉求",
        "register" => "受理",
        "not_accept" => "不予受理",
        "instant_answer" => "即时答复",
        "dispatch" => "转办",
        "request_return" => "申请退回",
        "decide_return" => "审核退回",
        "sign_for" => "签收",
        "contact" => "联系诉求人",
        "site_evidence" => "现场核实",
        "request_extension" => "申请延期",
        "decide_extension" => "审核延期",
        "reply" => "答复",
        "review" => "审核答复",
        "callback" => "回访",
        "reopen" => "重办",
        "duty_statement" => "提交履责意见",
        "supervise" => "督办",
        "site_supervision" => "填写现场督办情况表",
        "merge_into" => "并单",
        "absorb" => "并入工单",
        "split" => "拆单",
        "merged_callback" => "回访并单诉求人",
        "first_response" => "首次处置突发事项",
        "force_majeure" => "认定不可抗力",
        "close_as_lawful" => "以答复合法合规办结",
        "leader_sign_off" => "签批",
        "approve_result" => "审核把关办理结果",
        "co_unit_opinion" => "反馈会办意见",
        "add_co_units" => "增加会办单位",
        "interim_progress" => "反馈阶段性办理情况",
        "delay_notice" => "告知诉求人延期原因",
        "apply_closure" => "申请办结",
        "decide_closure" => "审核办结申请",
        "callback_unreached" => "记录回访未接通",
        "pass_on" => "转交下设单位办理",
        "release_unit" => "撤回承办单位",
        _ => "该操作",
    }
}

fn field_zh(field: &str) -> &'static str {
    match field {
        "id" => "工单编号",
        "text" => "诉求内容",
        "basis" => "依据",
        "earlier_order" => "关联的原工单",
        "kb_item" => "知识库条目",
        "answer" => "答复内容",
        "lead" => "主办单位",
        "co_units" => "会办单位",
        "duty_report" => "向市政府值班室的报告",
        "coordination" => "协调确定承办单位的记录",
        "stated_reason" => "不予受理的具体理由",
        "emergency_category" => "突发事项类别",
        "reason" => "理由",
        "leader_opinion" => "领导意见",
        "suggestion" => "建议承办单位",
        "phone" => "联系电话",
        "note" => "说明",
        "photos" => "现场照片",
        "working_days" => "延期工作日数",
        "explanation" => "书面说明",
        "handler" => "办理人",
        "result" => "办理结果",
        "legal_basis" => "法律政策依据",
        "citizen_informed_how" => "告知诉求人的方式",
        "case" => "立案情况",
        "case.case_number" => "立案编号",
        "case.reason" => "未立案理由",
        "unit" => "答复单位",
        "place" => "督办地点",
        "findings" => "现场情况",
        "address" => "地址",
        "division_code" => "行政区划代码",
        "attachments" => "附件",
        "attachment.sha256" => "附件哈希",
        "attachment.media_type" => "附件类型",
        "attachment.size" => "附件大小",
        "attachment.device" => "拍摄设备",
        "receipt" => "查询码",
        "action_taken" => "处置措施",
        "people_present" => "在场人员",
        "after" => "前序记录",
        "statutory_limit.working_days" => "法定办理时限",
        "statutory_limit.basis" => "法定时限的依据",
        "units" => "会办单位",
        "statement" => "书面说明",
        "evidence" => "证据材料",
        "service_rating" => "话务服务满意度",
        "unit_contacted" => "承办单位是否联系",
        "responsible_leader" => "责任领导",
        "sub_unit" => "下设单位",
        "separate_units" => "分别承办单位",
        "statutory_limit" => "法定办理时限及依据",
        "event_id" => "记录编号",
        _ => "必填项",
    }
}
