//! The folded state of one work order, and the history that explains it.

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use std::fmt;

use crate::model::{
    Actor, ClosureApplication, ClosureGround, ContactMethod, Event, EventId, ExtensionRequest,
    NotAcceptedReason, OrderDetails, OrderId, ReplyContent, ReturnRequest, Satisfaction,
    SiteEvidence, SiteSupervisionForm, StatutoryLimit, SupervisionForm, SupervisionTrigger,
    Timestamp, UnitId,
};

/// Where a work order stands in its life (DOMAIN.md, "Life of a work order").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// No valid submission has been folded yet: events that arrived ahead of it wait or are
    /// refused, so a state exists even before the order does.
    #[default]
    NotSubmitted,
    Submitted,
    Registered,
    NotAccepted,
    AnsweredInstantly,
    Dispatched,
    ReturnRequested,
    InHandling,
    ExtensionRequested,
    UnderReview,
    AwaitingCallback,
    /// Rated dissatisfied with a reopen still allowed: waiting for the center to reopen it.
    Dissatisfied,
    Closed,
    /// 并单: merged into another order, which its citizen follows.
    Merged,
    /// 拆单: split into orders per matter.
    Split,
}

impl Status {
    pub const ALL: [Status; 15] = [
        Status::NotSubmitted,
        Status::Submitted,
        Status::Registered,
        Status::NotAccepted,
        Status::AnsweredInstantly,
        Status::Dispatched,
        Status::ReturnRequested,
        Status::InHandling,
        Status::ExtensionRequested,
        Status::UnderReview,
        Status::AwaitingCallback,
        Status::Dissatisfied,
        Status::Closed,
        Status::Merged,
        Status::Split,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotSubmitted => "not_submitted",
            Status::Submitted => "submitted",
            Status::Registered => "registered",
            Status::NotAccepted => "not_accepted",
            Status::AnsweredInstantly => "answered_instantly",
            Status::Dispatched => "dispatched",
            Status::ReturnRequested => "return_requested",
            Status::InHandling => "in_handling",
            Status::ExtensionRequested => "extension_requested",
            Status::UnderReview => "under_review",
            Status::AwaitingCallback => "awaiting_callback",
            Status::Dissatisfied => "dissatisfied",
            Status::Closed => "closed",
            Status::Merged => "merged",
            Status::Split => "split",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Status::NotSubmitted => "未提交",
            Status::Submitted => "已提交",
            Status::Registered => "已受理",
            Status::NotAccepted => "不予受理",
            Status::AnsweredInstantly => "即时答复",
            Status::Dispatched => "已转办",
            Status::ReturnRequested => "退回申请中",
            Status::InHandling => "办理中",
            Status::ExtensionRequested => "延期申请中",
            Status::UnderReview => "答复审核中",
            Status::AwaitingCallback => "待回访",
            Status::Dissatisfied => "不满意待重办",
            Status::Closed => "已办结",
            Status::Merged => "已并单",
            Status::Split => "已拆单",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// No further handling can happen: only records (duty statements, site forms) may follow.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::NotAccepted
                | Status::AnsweredInstantly
                | Status::Closed
                | Status::Merged
                | Status::Split
        )
    }

    /// The order has been dispatched and not sent back for re-dispatch, so it has a lead unit.
    pub fn is_after_dispatch(self) -> bool {
        matches!(
            self,
            Status::Dispatched
                | Status::ReturnRequested
                | Status::InHandling
                | Status::ExtensionRequested
                | Status::UnderReview
                | Status::AwaitingCallback
                | Status::Dissatisfied
                | Status::Closed
        )
    }

    /// The handling clock is running: the unit has the order and has not replied yet.
    pub fn is_handling_clock_running(self) -> bool {
        matches!(
            self,
            Status::Dispatched
                | Status::ReturnRequested
                | Status::InHandling
                | Status::ExtensionRequested
        )
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the fold did with one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Applied,
    /// Invalid at its place in the linear order; kept so that nobody's work silently vanishes.
    Refused {
        code: ErrorCode,
        message_zh: String,
        message_en: String,
    },
    /// A causal predecessor has not arrived (or is itself waiting); `missing` lists the direct
    /// predecessors that hold it back.
    Waiting {
        missing: Vec<EventId>,
    },
}

impl Outcome {
    pub fn is_applied(&self) -> bool {
        matches!(self, Outcome::Applied)
    }
    /// The refusal code, if the event was refused.
    pub fn refusal_code(&self) -> Option<ErrorCode> {
        match self {
            Outcome::Refused { code, .. } => Some(*code),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub event: Event,
    pub outcome: Outcome,
}

/// A record an actor added to the order, with who and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Logged<T> {
    pub event: EventId,
    pub by: Actor,
    pub at: Timestamp,
    pub content: T,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactLog {
    pub method: ContactMethod,
    pub reached: bool,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyStatementRecord {
    pub text: String,
    pub non_compliant: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotAcceptedRecord {
    pub reason: NotAcceptedReason,
    pub basis: String,
    pub earlier_order: Option<OrderId>,
    /// The reason in words, for "other".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstantAnswerRecord {
    pub kb_item: String,
    pub answer: String,
    /// The item's version the answer came from (absent from older answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kb_version: Option<u32>,
}

/// What became of an extension request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtensionDecision {
    Pending,
    Approved,
    Denied,
    /// The unit replied before the center decided, so the request no longer matters.
    Lapsed,
}

/// One extension request and what the center decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionRecord {
    pub event: EventId,
    pub at: Timestamp,
    pub request: ExtensionRequest,
    pub decision: ExtensionDecision,
    /// Which handling round (0 = first handling, n = after the n-th reopen) it belongs to.
    pub round: u32,
    /// When the center decided it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<Timestamp>,
}

/// One callback rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingRecord {
    pub event: EventId,
    pub at: Timestamp,
    pub rating: Satisfaction,
    /// How many reopens preceded it (0 = first rating).
    pub round: u32,
    /// Turpan art. 21: the rating of the call service, where rated apart from the handling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_rating: Option<Satisfaction>,
    /// Whether the citizen said the unit contacted them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_contacted: Option<bool>,
}

/// 分别转办: one unit's own track beside the lead unit's, with its sign-for and its reply in
/// the current handling round. Its deadline is the order's handling deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeparateTrack {
    pub unit: UnitId,
    pub signed_at: Option<Timestamp>,
    /// When it replied in the current round (cleared when a reply is rejected or reopened).
    pub replied_at: Option<Timestamp>,
}

/// What the center decided about a unit's closure application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosureDecision {
    Pending,
    Approved,
    Denied,
    /// The order was dispatched again (or returned) before the center decided: the
    /// application was the previous unit's and no longer stands.
    Lapsed,
}

/// A unit's closure application and the center's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosureRecord {
    pub application: Logged<ClosureApplication>,
    pub decision: ClosureDecision,
    /// The center's note with its decision.
    pub note: String,
}

/// A supervision (督办) on the order, by a person or by the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupervisionRecord {
    /// The event that recorded it (for automatic ones: the rating that triggered it).
    pub event: EventId,
    pub at: Timestamp,
    pub trigger: SupervisionTrigger,
    /// `None` for automatic supervision: the form is chosen by whoever follows it up.
    pub form: Option<SupervisionForm>,
    pub note: String,
    /// `None` when the rules triggered it.
    pub by: Option<Actor>,
}

impl SupervisionRecord {
    pub fn is_automatic(&self) -> bool {
        self.by.is_none()
    }
}

/// Everything known about a work order after folding its events.
/// An order merged into this one: its citizen's receipt, and their callback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsorbedOrder {
    pub order: OrderId,
    pub receipt: crate::model::ReceiptCode,
    pub absorbed_at: Timestamp,
    /// The citizen's rating once called back.
    pub rating: Option<Satisfaction>,
    /// Calls that did not reach them.
    pub unreached: u32,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OrderState {
    /// What the citizen asked; `None` until a valid submission is folded.
    pub details: Option<OrderDetails>,
    pub status: Status,

    pub submitted_at: Option<Timestamp>,
    pub registered_at: Option<Timestamp>,
    /// The current dispatch; cleared when a return is approved.
    pub dispatched_at: Option<Timestamp>,
    pub signed_at: Option<Timestamp>,
    pub replied_at: Option<Timestamp>,
    /// The last reopen; the reopen limit counts from it.
    pub reopened_at: Option<Timestamp>,
    /// The last approved return; the order waits for re-dispatch from then.
    pub returned_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,

    pub lead_unit: Option<UnitId>,
    pub co_units: Vec<UnitId>,
    /// 重点难点, as set by the current dispatch.
    pub leader_approval: bool,
    /// Turpan art. 26: the lead unit's first response to an emergency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response: Option<Logged<String>>,
    /// Puyang §(六): closed by the center despite dissatisfaction, the reply being lawful.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lawful_closure: Option<Logged<String>>,
    /// Turpan art. 26: force majeure recorded by the center, with its basis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force_majeure: Option<Logged<String>>,
    /// Turpan art. 16: the current dispatch fixed the unit by the center's coordination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coordination: Option<crate::model::Coordination>,
    /// Turpan art. 17: the handling limit set by law, given with the current dispatch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statutory_limit: Option<StatutoryLimit>,
    /// Linshu 二(二): the main leader's sign-off (签批) of the current dispatch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_off: Option<Logged<String>>,
    /// Linshu 二(二): the leader's approval of the result, waiting for the reply it covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_approval: Option<Logged<String>>,
    /// 会办意见 of the co-units, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub co_unit_opinions: Vec<Logged<String>>,
    /// The lead unit's interim progress reports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interim_progress: Vec<Logged<String>>,
    /// 延期告知: what the citizen was told about a delay.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delay_notices: Vec<Logged<String>>,
    /// The unit's closure applications and the center's decisions, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closure_applications: Vec<ClosureRecord>,
    /// Callbacks that did not reach the citizen (retried).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreached_callbacks: Vec<Logged<String>>,
    /// Sub-units the lead unit passed the current dispatch on to (Turpan).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_units: Vec<UnitId>,
    /// 分别转办: the units handling their own part beside the lead unit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub separate: Vec<SeparateTrack>,
    /// The lead unit replied in the current round while separate units still work on theirs.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lead_replied: bool,
    pub signed_by: Option<Actor>,
    /// Lead units that had the order before an approved return, oldest first.
    pub returned_by: Vec<UnitId>,
    /// Dispatch-catalogue amendments the center made when it approved a return (the center's
    /// devices apply them to the next orders of the category).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub catalogue_amendments: Vec<crate::catalogue::RecordedAmendment>,
    /// 并单: the order this one was merged into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<OrderId>,
    /// Orders merged into this one, with their citizens' callbacks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absorbed: Vec<AbsorbedOrder>,
    /// 拆单: the orders this one was split into.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub split_into: Vec<OrderId>,
    pub dispatch_count: u32,

    pub not_accepted: Option<NotAcceptedRecord>,
    pub instant_answer: Option<InstantAnswerRecord>,
    /// The return request awaiting the center's decision.
    pub pending_return: Option<ReturnRequest>,
    pub returns_denied: u32,

    pub extensions: Vec<ExtensionRecord>,
    /// Working days granted in the current handling round (reset by a reopen).
    pub extension_days: u32,

    pub replies: Vec<Logged<ReplyContent>>,
    pub replies_rejected: u32,
    pub ratings: Vec<RatingRecord>,
    pub reopen_count: u32,
    /// The order was closed on a final dissatisfied rating.
    pub closed_dissatisfied: bool,

    pub contacts: Vec<Logged<ContactLog>>,
    pub site_evidence: Vec<Logged<SiteEvidence>>,
    pub duty_statements: Vec<Logged<DutyStatementRecord>>,
    pub site_supervisions: Vec<Logged<SiteSupervisionForm>>,
    pub supervisions: Vec<SupervisionRecord>,

    /// The lead unit signed for it after the sign-for limit (still accepted, but counted).
    /// False when the calendar could not tell; [`super::deadlines`] reports that error.
    pub late_sign_for: bool,

    /// Every distinct event once, in the order the fold considered them.
    pub history: Vec<HistoryEntry>,
}

impl OrderState {
    /// The state of an order no event has been folded into.
    pub fn new() -> Self {
        Self::default()
    }

    pub fn order_id(&self) -> Option<&OrderId> {
        self.details.as_ref().map(|d| &d.id)
    }

    pub fn is_confidential(&self) -> bool {
        self.details.as_ref().is_some_and(|d| d.confidential)
    }

    /// The most recent reply, if any.
    pub fn last_reply(&self) -> Option<&ReplyContent> {
        self.replies.last().map(|r| &r.content)
    }

    /// The most recent rating, if any.
    pub fn last_rating(&self) -> Option<Satisfaction> {
        self.ratings.last().map(|r| r.rating)
    }

    /// The extension request awaiting the center's decision.
    pub fn pending_extension(&self) -> Option<&ExtensionRequest> {
        self.extensions
            .last()
            .filter(|e| e.decision == ExtensionDecision::Pending)
            .map(|e| &e.request)
    }

    /// How this event was treated, if it is in the history.
    pub fn outcome_of(&self, id: &EventId) -> Option<&Outcome> {
        self.history
            .iter()
            .find(|h| &h.event.id == id)
            .map(|h| &h.outcome)
    }

    /// The closure application waiting for the center's decision.
    pub fn pending_closure(&self) -> Option<&ClosureRecord> {
        self.closure_applications
            .last()
            .filter(|c| c.decision == ClosureDecision::Pending)
    }

    /// Whether the center accepted a written statement that the order cannot be solved for
    /// objective reasons: it is then not counted in assessment (Puyang).
    pub fn not_counted_in_assessment(&self) -> bool {
        self.closure_applications.iter().any(|c| {
            c.decision == ClosureDecision::Approved
                && c.application.content.ground == ClosureGround::CannotBeSolved
        })
    }

    /// Closed on the center's approval of a non-compliant request (Linshu).
    pub fn closed_as_non_compliant(&self) -> bool {
        self.status == Status::Closed
            && self.closure_applications.iter().any(|c| {
                c.decision == ClosureDecision::Approved
                    && c.application.content.ground == ClosureGround::NonCompliant
            })
    }

    /// The co-units that have not reported their part (会办意见) on the current dispatch yet.
    pub fn co_units_without_opinion(&self) -> Vec<UnitId> {
        self.co_units
            .iter()
            .filter(|u| {
                !self
                    .co_unit_opinions
                    .iter()
                    .any(|o| &o.by.unit == *u && self.dispatched_at.is_none_or(|d| o.at >= d))
            })
            .cloned()
            .collect()
    }

    /// Whether the unit is the lead, one of the co-units, a separate unit, or a sub-unit the
    /// order was passed on to, for the current dispatch.
    pub fn is_handling_unit(&self, unit: &UnitId) -> bool {
        self.lead_unit.as_ref() == Some(unit)
            || self.co_units.contains(unit)
            || self.sub_units.contains(unit)
            || self.separate_track(unit).is_some()
    }

    /// The unit's own track, where the order was dispatched to it separately (分别转办).
    pub fn separate_track(&self, unit: &UnitId) -> Option<&SeparateTrack> {
        self.separate.iter().find(|t| &t.unit == unit)
    }
}
