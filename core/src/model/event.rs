use serde::{Deserialize, Serialize};
use std::fmt;

use super::{Actor, AttachmentRef, GpsFix, OrderDetails, OrderId, Timestamp, UnitId};

/// Globally unique id of one event, chosen by the device that made it (`ev-` and 24 random hex
/// digits); it travels inside the signed change that carries the event.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventId(pub String);

impl EventId {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
}
impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One entry of a work order's history. The order's state is a fold of these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    pub actor: Actor,
    /// When the actor's device says it happened (the hub stamps its own receipt time separately).
    pub at: Timestamp,
    /// The events the actor had seen when acting: the causal predecessors.
    /// Empty only for the submission that creates the order.
    pub after: Vec<EventId>,
    pub action: Action,
}

/// Every step of the life of a work order (DOMAIN.md, "Life of a work order").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// A kiosk or intake agent records what the citizen asked (提交).
    Submit {
        details: OrderDetails,
    },
    /// The center accepts the request for handling (受理).
    Register {
        note: String,
    },
    /// 不予受理: one of the eight reasons and its basis, told to the citizen.
    NotAccept {
        reason: NotAcceptedReason,
        basis: String,
        /// For "same matter again with no new facts": the earlier order it is linked to.
        earlier_order: Option<OrderId>,
        /// For [`NotAcceptedReason::Other`]: the reason, stated (told to the citizen).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stated_reason: Option<String>,
    },
    /// 即时答复 from the knowledge base; closes the order.
    InstantAnswer {
        kb_item: String,
        answer: String,
        /// The version of the knowledge-base item the answer came from (the signed item the
        /// citizen read). Absent from answers recorded before the knowledge base was signed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        kb_version: Option<u32>,
    },
    /// 转办 to a lead unit (主办) and co-units (会办).
    Dispatch {
        lead: UnitId,
        co_units: Vec<UnitId>,
        /// 重点难点: needs leader approval and gets the longer limit where the policy has one.
        leader_approval: bool,
        note: String,
        /// Puyang §(四): an emergency's report to the city government duty office, made with
        /// the dispatch. Absent from every dispatch written before the rule (they read as none).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duty_report: Option<DutyOfficeReport>,
        /// Turpan art. 16: the unit was fixed by the center's coordination, and how; it may not
        /// return the order.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        coordination: Option<Coordination>,
        /// Turpan art. 17: a handling limit set by law for the matter; it prevails over the
        /// policy's limit for the kind.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        statutory_limit: Option<StatutoryLimit>,
        /// 分别转办 (Turpan art. 12): units that each handle their own part beside the lead
        /// unit, with their own sign-for and reply; the order goes to review when all replied.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        separate_units: Vec<UnitId>,
        /// Why the center chose another lead unit than the dispatch catalogue proposes
        /// (国办函〔2025〕66号: dispatch by the catalogue; an override is stated).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        override_reason: Option<String>,
    },
    /// 退回: the lead unit says the order is not its duty.
    RequestReturn(ReturnRequest),
    /// 突发事项首次处置 (Turpan art. 26: 2 小时内处理): the lead unit's first response to an
    /// emergency, what was done.
    FirstResponse {
        note: String,
    },
    /// 不可抗力 (Turpan art. 26): the center records force majeure on an emergency, with its
    /// basis; the emergency limits no longer apply.
    ForceMajeure {
        basis: String,
    },
    /// Puyang §(六): after a dissatisfied rating the center closes an order whose reply
    /// complies with laws, regulations and policy (答复内容符合法律法规、政策规定), with its basis.
    CloseAsLawful {
        basis: String,
    },
    /// The center approves (order goes back for re-dispatch) or denies (unit continues).
    DecideReturn {
        approve: bool,
        note: String,
        /// Linshu 二(三): a return only partly justified is denied and the center adds the
        /// assisting units the order also needs.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        add_co_units: Vec<UnitId>,
        /// An approved return shows the catalogue sent the matter to the wrong unit: from now
        /// on this category in this division goes where the center says.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amend_catalogue: Option<crate::catalogue::DispatchRoute>,
    },
    /// 签批 (Linshu 二(二)): the lead unit's main leader signs off the order before its staff
    /// handle it.
    LeaderSignOff {
        note: String,
    },
    /// 审核把关 (Linshu 二(二)): the deputy leader in charge approves the result before the
    /// reply goes out.
    ApproveResult {
        note: String,
    },
    /// 会办意见: a co-unit's part, reported to the lead unit (Lishui: first-receiver duty).
    CoUnitOpinion {
        text: String,
    },
    /// The center adds assisting units (会办单位) after dispatch.
    AddCoUnits {
        units: Vec<UnitId>,
        note: String,
    },
    /// 阶段性办理情况: the lead unit's interim progress while the order is open (Lishui).
    InterimProgress {
        note: String,
    },
    /// 延期告知 (Puyang): the unit tells the citizen why the order cannot be finished in time.
    DelayNotice {
        reason: String,
    },
    /// The lead unit applies to the center to close the order (a non-compliant request,
    /// Linshu) or to keep it out of assessment (cannot be solved, Puyang).
    ApplyClosure(ClosureApplication),
    /// The center decides the pending closure application.
    DecideClosure {
        approve: bool,
        note: String,
    },
    /// 回访未接通: the callback agent could not reach the citizen; the callback is retried.
    CallbackUnreached {
        note: String,
    },
    /// The center releases a co-unit or a unit it dispatched to separately, with the reason
    /// (it was not that unit's matter after all): the order no longer waits for it.
    ReleaseUnit {
        unit: UnitId,
        reason: String,
    },
    /// Turpan: the lead unit passes the order on to one of its registered sub-units, whose
    /// staff then handle it with the unit, which stays responsible (it replies).
    PassOn {
        sub_unit: UnitId,
        note: String,
    },
    /// 签收 by the lead unit.
    SignFor {
        note: String,
    },
    /// A call or visit to the citizen (call log).
    Contact {
        method: ContactMethod,
        reached: bool,
        note: String,
    },
    /// On-site verification photos and notes by the handling unit (现场核实).
    SiteEvidence(SiteEvidence),
    /// 延期申请.
    RequestExtension(ExtensionRequest),
    DecideExtension {
        approve: bool,
        note: String,
    },
    /// 答复 by the lead unit.
    Reply(ReplyContent),
    /// The center reviews a reply: approve moves on to callback, reject sends it back.
    Review {
        approve: bool,
        note: String,
    },
    /// 回访 with the 5-level rating of the handling (办理情况).
    Callback {
        rating: Satisfaction,
        note: String,
        /// Turpan art. 21: the citizen also rates the call service (话务服务).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        service_rating: Option<Satisfaction>,
        /// Whether the citizen says the unit contacted them (Linshu: "未联系" makes the order
        /// unresponded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unit_contacted: Option<bool>,
    },
    /// 重办 after a dissatisfied rating.
    Reopen {
        reason: String,
    },
    /// 履责意见, or an application to close a non-compliant request (不合规诉求).
    DutyStatement {
        text: String,
        non_compliant: bool,
    },
    /// 督办.
    Supervise {
        trigger: SupervisionTrigger,
        form: SupervisionForm,
        note: String,
    },
    /// 现场督办情况表, filled by a field supervisor.
    SiteSupervision(SiteSupervisionForm),
    /// 并单 (国办函〔2025〕66号): the center merges this order into another about the same
    /// matter; it ends here, and its citizen follows the other order by the same receipt.
    MergeInto {
        into: OrderId,
        note: String,
    },
    /// The other side of a merge: this order now answers for `order`'s citizen too, who is
    /// called back on it.
    Absorb {
        order: OrderId,
        receipt: super::ReceiptCode,
        note: String,
    },
    /// 拆单: an order covering several matters ends, split into orders per matter (each made
    /// before this event, each naming this order as the one it came from).
    Split {
        parts: Vec<OrderId>,
        note: String,
    },
    /// 回访 of a citizen whose order was merged into this one: their rating, or `None` when
    /// they could not be reached.
    MergedCallback {
        receipt: super::ReceiptCode,
        rating: Option<Satisfaction>,
        note: String,
    },
}

impl Action {
    /// The photos and files the action carries (what must travel and be verified as blobs).
    pub fn attachments(&self) -> &[AttachmentRef] {
        match self {
            Action::Submit { details } => &details.attachments,
            Action::SiteEvidence(e) => &e.photos,
            Action::SiteSupervision(f) => &f.photos,
            _ => &[],
        }
    }

    /// Stable machine name of the action, as used in errors, the CLI and the FFI.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Submit { .. } => "submit",
            Action::Register { .. } => "register",
            Action::NotAccept { .. } => "not_accept",
            Action::InstantAnswer { .. } => "instant_answer",
            Action::Dispatch { .. } => "dispatch",
            Action::RequestReturn(_) => "request_return",
            Action::FirstResponse { .. } => "first_response",
            Action::ForceMajeure { .. } => "force_majeure",
            Action::CloseAsLawful { .. } => "close_as_lawful",
            Action::LeaderSignOff { .. } => "leader_sign_off",
            Action::ApproveResult { .. } => "approve_result",
            Action::CoUnitOpinion { .. } => "co_unit_opinion",
            Action::AddCoUnits { .. } => "add_co_units",
            Action::InterimProgress { .. } => "interim_progress",
            Action::DelayNotice { .. } => "delay_notice",
            Action::ApplyClosure(_) => "apply_closure",
            Action::DecideClosure { .. } => "decide_closure",
            Action::CallbackUnreached { .. } => "callback_unreached",
            Action::PassOn { .. } => "pass_on",
            Action::ReleaseUnit { .. } => "release_unit",
            Action::DecideReturn { .. } => "decide_return",
            Action::SignFor { .. } => "sign_for",
            Action::Contact { .. } => "contact",
            Action::SiteEvidence(_) => "site_evidence",
            Action::RequestExtension(_) => "request_extension",
            Action::DecideExtension { .. } => "decide_extension",
            Action::Reply(_) => "reply",
            Action::Review { .. } => "review",
            Action::Callback { .. } => "callback",
            Action::Reopen { .. } => "reopen",
            Action::DutyStatement { .. } => "duty_statement",
            Action::Supervise { .. } => "supervise",
            Action::SiteSupervision(_) => "site_supervision",
            Action::MergeInto { .. } => "merge_into",
            Action::Absorb { .. } => "absorb",
            Action::Split { .. } => "split",
            Action::MergedCallback { .. } => "merged_callback",
        }
    }
}

/// The grounds for 不予受理: the eight of Turpan's list (第二章), the ones other seeds add
/// (Lishui, Puyang), and "other" with the reason stated. A policy says which it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotAcceptedReason {
    NotGovernmentDuty,
    EmergencyServices,
    PartyCongressCourtsMilitary,
    LitigationArbitrationReconsideration,
    AlreadyInOtherProcedure,
    SecretsOrPrivacy,
    RepeatWithoutNewFacts,
    IllegalMaliciousOrEmpty,
    /// 纪检监察 (Lishui 1; Puyang §(二) 纪检).
    DisciplineInspection,
    /// 不属本地管理 (Puyang §(二)).
    NotLocalAdministration,
    /// 违反社会公序良俗 (Lishui 1).
    PublicMorals,
    /// 其他不予受理的事项 (Turpan), with the reason stated.
    Other,
}

impl NotAcceptedReason {
    pub const ALL: [NotAcceptedReason; 12] = [
        NotAcceptedReason::NotGovernmentDuty,
        NotAcceptedReason::EmergencyServices,
        NotAcceptedReason::PartyCongressCourtsMilitary,
        NotAcceptedReason::LitigationArbitrationReconsideration,
        NotAcceptedReason::AlreadyInOtherProcedure,
        NotAcceptedReason::SecretsOrPrivacy,
        NotAcceptedReason::RepeatWithoutNewFacts,
        NotAcceptedReason::IllegalMaliciousOrEmpty,
        NotAcceptedReason::DisciplineInspection,
        NotAcceptedReason::NotLocalAdministration,
        NotAcceptedReason::PublicMorals,
        NotAcceptedReason::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            NotAcceptedReason::NotGovernmentDuty => "not_government_duty",
            NotAcceptedReason::EmergencyServices => "emergency_services",
            NotAcceptedReason::PartyCongressCourtsMilitary => "party_congress_courts_military",
            NotAcceptedReason::LitigationArbitrationReconsideration => {
                "litigation_arbitration_reconsideration"
            }
            NotAcceptedReason::AlreadyInOtherProcedure => "already_in_other_procedure",
            NotAcceptedReason::SecretsOrPrivacy => "secrets_or_privacy",
            NotAcceptedReason::RepeatWithoutNewFacts => "repeat_without_new_facts",
            NotAcceptedReason::IllegalMaliciousOrEmpty => "illegal_malicious_or_empty",
            NotAcceptedReason::DisciplineInspection => "discipline_inspection",
            NotAcceptedReason::NotLocalAdministration => "not_local_administration",
            NotAcceptedReason::PublicMorals => "public_morals",
            NotAcceptedReason::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
    /// The text told to the citizen.
    pub fn zh(self) -> &'static str {
        match self {
            NotAcceptedReason::NotGovernmentDuty => "不属于政府及其部门职责范围",
            // Turpan's wording: 110, 119 and 120 — 122 is not in its list.
            NotAcceptedReason::EmergencyServices => "依法应当通过110、119、120等紧急服务专线处理",
            NotAcceptedReason::PartyCongressCourtsMilitary => {
                "属于党委、人大、政协、法院、检察院、军队等事项"
            }
            NotAcceptedReason::LitigationArbitrationReconsideration => {
                "应当通过诉讼、仲裁、行政复议等途径解决"
            }
            NotAcceptedReason::AlreadyInOtherProcedure => {
                "已进入诉讼、仲裁、行政复议、信访或信息公开程序"
            }
            NotAcceptedReason::SecretsOrPrivacy => "涉及国家秘密、商业秘密或个人隐私",
            NotAcceptedReason::RepeatWithoutNewFacts => "同一事项重复反映且无新情况、新理由",
            NotAcceptedReason::IllegalMaliciousOrEmpty => "违法、恶意、骚扰或无实质内容",
            NotAcceptedReason::DisciplineInspection => "应当通过纪检监察程序解决",
            NotAcceptedReason::NotLocalAdministration => "不属本地管理",
            NotAcceptedReason::PublicMorals => "违反社会公序良俗",
            NotAcceptedReason::Other => "其他不予受理的事项",
        }
    }
}

/// Puyang §(四): 对应急类事项事件，市热线平台应立即转办至相关单位，同时上报市政府值班室 — the
/// report of an emergency to the city government duty office (市政府值班室).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyOfficeReport {
    /// When the duty office was told.
    pub reported_at: Timestamp,
    /// How and to whom (e.g. 电话报告值班员李某).
    pub how: String,
}

/// Turpan art. 16: how the center fixed the handling unit of a matter whose duty was disputed.
/// A unit fixed so must handle the order and may not return it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoordinationMethod {
    /// 会议协调.
    Meeting,
    /// 组织现场踏勘.
    SiteSurvey,
    /// 征求业务指导部门意见.
    GuidingDepartment,
    /// 提交市委编办或市司法局审定.
    OrganisationOrJusticeRuling,
    /// 提请市政府协调审定.
    CityGovernment,
}

impl CoordinationMethod {
    pub const ALL: [CoordinationMethod; 5] = [
        CoordinationMethod::Meeting,
        CoordinationMethod::SiteSurvey,
        CoordinationMethod::GuidingDepartment,
        CoordinationMethod::OrganisationOrJusticeRuling,
        CoordinationMethod::CityGovernment,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            CoordinationMethod::Meeting => "meeting",
            CoordinationMethod::SiteSurvey => "site_survey",
            CoordinationMethod::GuidingDepartment => "guiding_department",
            CoordinationMethod::OrganisationOrJusticeRuling => "organisation_or_justice_ruling",
            CoordinationMethod::CityGovernment => "city_government",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
    pub fn zh(self) -> &'static str {
        match self {
            CoordinationMethod::Meeting => "会议协调",
            CoordinationMethod::SiteSurvey => "现场踏勘",
            CoordinationMethod::GuidingDepartment => "征求业务指导部门意见",
            CoordinationMethod::OrganisationOrJusticeRuling => "市委编办或市司法局审定",
            CoordinationMethod::CityGovernment => "市政府协调审定",
        }
    }
}

/// The record of the coordination that fixed the handling unit (Turpan art. 16).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coordination {
    pub method: CoordinationMethod,
    /// What was decided, where it is recorded (会议纪要、审定意见…).
    pub record: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnRequest {
    pub reason: String,
    /// The rule that says it is not this unit's duty.
    pub basis: String,
    pub leader_opinion: String,
    /// Which unit the center should send it to instead.
    pub suggestion: String,
    pub phone: String,
    /// Linshu: the unit must phone the center before returning.
    pub called_center: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionRequest {
    /// Extra working days asked for.
    pub working_days: u32,
    /// 书面说明.
    pub explanation: String,
    /// The handling time a law sets for the matter, and the law (Turpan art. 17: the extension
    /// may not exceed it, instead of the 30 WD cap; Puyang: an extension only where it exceeds
    /// the ordinary 5 WD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statutory_limit: Option<StatutoryLimit>,
}

/// Turpan art. 17: 法律法规对办理时限有规定的，从其规定 — a handling limit set by law.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatutoryLimit {
    pub working_days: u32,
    /// The law, regulation or rule, and its article.
    pub basis: String,
}

/// What a unit asks the center to decide about an order it cannot handle as usual.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosureGround {
    /// 不合规诉求 (Linshu): after the first reopen, close a request that is not compliant.
    NonCompliant,
    /// Puyang: cannot be solved for objective reasons or cannot lawfully be handled; accepted,
    /// the order is not counted in assessment.
    CannotBeSolved,
}

impl ClosureGround {
    pub const ALL: [ClosureGround; 2] =
        [ClosureGround::NonCompliant, ClosureGround::CannotBeSolved];
    pub fn as_str(self) -> &'static str {
        match self {
            ClosureGround::NonCompliant => "non_compliant",
            ClosureGround::CannotBeSolved => "cannot_be_solved",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }
    pub fn zh(self) -> &'static str {
        match self {
            ClosureGround::NonCompliant => "不合规诉求办结申请",
            ClosureGround::CannotBeSolved => "因客观原因无法解决或依法不能办理的书面说明",
        }
    }
}

/// A unit's application to the center, with its written statement and evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosureApplication {
    pub ground: ClosureGround,
    /// The written statement (书面说明).
    pub statement: String,
    /// What supports it (证据材料): documents, records, where they are kept.
    pub evidence: String,
}

/// How a complaint or report was dealt with: a case opened, or why none was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CaseInfo {
    Filed { case_number: String },
    NotFiled { reason: String },
}

/// The content a reply (答复) must carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyContent {
    pub handled_at: Timestamp,
    pub unit: UnitId,
    pub handler: String,
    pub result: String,
    pub legal_basis: String,
    /// How the citizen was told (phone, visit, SMS...).
    pub citizen_informed_how: String,
    /// Required for complaints and reports.
    pub case: Option<CaseInfo>,
    /// Linshu 二(二): the leader who approved the result (责任领导), by staff number; must be
    /// the one who recorded the approval where the policy asks for sign-off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible_leader: Option<super::PersonId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactMethod {
    Phone,
    Sms,
    Visit,
}

/// The 5-level satisfaction scale of callbacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    VerySatisfied,
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
    VeryDissatisfied,
}

impl Satisfaction {
    pub const ALL: [Satisfaction; 5] = [
        Satisfaction::VerySatisfied,
        Satisfaction::Satisfied,
        Satisfaction::BasicallySatisfied,
        Satisfaction::Dissatisfied,
        Satisfaction::VeryDissatisfied,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Satisfaction::VerySatisfied => "very_satisfied",
            Satisfaction::Satisfied => "satisfied",
            Satisfaction::BasicallySatisfied => "basically_satisfied",
            Satisfaction::Dissatisfied => "dissatisfied",
            Satisfaction::VeryDissatisfied => "very_dissatisfied",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Satisfaction::VerySatisfied => "非常满意",
            Satisfaction::Satisfied => "满意",
            Satisfaction::BasicallySatisfied => "基本满意",
            Satisfaction::Dissatisfied => "不满意",
            Satisfaction::VeryDissatisfied => "非常不满意",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s || r.zh() == s)
    }
    pub fn is_dissatisfied(self) -> bool {
        matches!(
            self,
            Satisfaction::Dissatisfied | Satisfaction::VeryDissatisfied
        )
    }
}

/// Why an order is supervised (Turpan art. 28).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupervisionTrigger {
    LeaderAssigned,
    LeadersHotlineDay,
    HotIssue,
    DecidedButUnresolved,
    Overdue,
    ReopenedStillDissatisfied,
}

impl SupervisionTrigger {
    pub const ALL: [SupervisionTrigger; 6] = [
        SupervisionTrigger::LeaderAssigned,
        SupervisionTrigger::LeadersHotlineDay,
        SupervisionTrigger::HotIssue,
        SupervisionTrigger::DecidedButUnresolved,
        SupervisionTrigger::Overdue,
        SupervisionTrigger::ReopenedStillDissatisfied,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            SupervisionTrigger::LeaderAssigned => "leader_assigned",
            SupervisionTrigger::LeadersHotlineDay => "leaders_hotline_day",
            SupervisionTrigger::HotIssue => "hot_issue",
            SupervisionTrigger::DecidedButUnresolved => "decided_but_unresolved",
            SupervisionTrigger::Overdue => "overdue",
            SupervisionTrigger::ReopenedStillDissatisfied => "reopened_still_dissatisfied",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
    /// Turpan art. 28's wording.
    pub fn zh(self) -> &'static str {
        match self {
            SupervisionTrigger::LeaderAssigned => "领导交办",
            SupervisionTrigger::LeadersHotlineDay => "领导接听日受理",
            SupervisionTrigger::HotIssue => "集中反映的热点问题",
            SupervisionTrigger::DecidedButUnresolved => "已有处理意见但未解决",
            SupervisionTrigger::Overdue => "超期未办结",
            SupervisionTrigger::ReopenedStillDissatisfied => "重办后仍不满意",
        }
    }
    /// The triggers the rules start by themselves: the only ones the center service records.
    pub fn is_automatic(self) -> bool {
        matches!(
            self,
            SupervisionTrigger::Overdue | SupervisionTrigger::ReopenedStillDissatisfied
        )
    }
}

/// Forms of supervision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupervisionForm {
    Daily,
    OnSite,
    Media,
    Meeting,
}

impl SupervisionForm {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "daily" => Some(Self::Daily),
            "on_site" => Some(Self::OnSite),
            "media" => Some(Self::Media),
            "meeting" => Some(Self::Meeting),
            _ => None,
        }
    }
}

/// On-site verification by the handling unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteEvidence {
    pub photos: Vec<AttachmentRef>,
    pub gps: Option<GpsFix>,
    pub note: String,
}

/// 现场督办情况表.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteSupervisionForm {
    pub place: String,
    pub held_at: Timestamp,
    pub people_present: Vec<String>,
    pub findings: String,
    pub action_taken: String,
    pub photos: Vec<AttachmentRef>,
    pub gps: Option<GpsFix>,
}
