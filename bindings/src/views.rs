//! What the device returns, shaped for app screens: the order with its deadlines and logs, inbox
//! rows, enrolled people, the verify report. Only reshaping here (generic `Logged<T>` records
//! become one record per kind, milliseconds become instants); every value comes from the core.

use crate::catalogue::OrderDetails;
use hotline_core::device::{Identity, OrderView as CoreOrderView, Problem, VerifyReport};
use hotline_core::model::{
    Actor, ClosureApplication, ContactMethod, ExtensionRequest, ReplyContent, Satisfaction,
    SiteEvidence, SiteSupervisionForm, StatutoryLimit, SupervisionForm, SupervisionTrigger, UnitId,
};
use hotline_core::model::{RequestKind, Urgency};
use hotline_core::store::IndexRow;
use hotline_core::workflow::{
    ClosureDecision, DeadlineKind, ExtensionDecision, HistoryEntry, Logged, OrderDeadlines,
    Outcome, Status,
};

use crate::Timestamp;

#[uniffi::remote(Record)]
pub struct OrderDeadlines {
    pub dispatch_due: Option<Timestamp>,
    pub sign_for_due: Option<Timestamp>,
    pub return_due: Option<Timestamp>,
    pub response_due: Option<Timestamp>,
    pub handling_due: Option<Timestamp>,
}

/// One call or visit of the call log.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CallLogEntry {
    pub event_id: String,
    pub by: Actor,
    pub at: Timestamp,
    pub method: ContactMethod,
    pub reached: bool,
    pub note: String,
}

/// On-site verification photos (hash, size, capture time, GPS fix and device of each).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct EvidenceEntry {
    pub event_id: String,
    pub by: Actor,
    pub at: Timestamp,
    pub evidence: SiteEvidence,
}

/// A filled-in on-site supervision form (现场督办情况表).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SiteSupervisionEntry {
    pub event_id: String,
    pub by: Actor,
    pub at: Timestamp,
    pub form: SiteSupervisionForm,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ReplyEntry {
    pub event_id: String,
    pub by: Actor,
    pub at: Timestamp,
    pub reply: ReplyContent,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DutyStatementEntry {
    pub event_id: String,
    pub by: Actor,
    pub at: Timestamp,
    pub text: String,
    pub non_compliant: bool,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ExtensionEntry {
    pub event_id: String,
    pub at: Timestamp,
    pub request: ExtensionRequest,
    /// `pending`, `approved`, `denied` or `lapsed`.
    pub decision: ExtensionDecision,
    pub round: u32,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct RatingEntry {
    pub event_id: String,
    pub at: Timestamp,
    /// The handling (办理情况).
    pub rating: Satisfaction,
    pub round: u32,
    /// Turpan art. 21: the call service (话务服务), where rated apart.
    pub service_rating: Option<Satisfaction>,
    /// Whether the citizen said the unit contacted them.
    pub unit_contacted: Option<bool>,
}

/// A record in words: a sign-off, an approval, a co-unit's part, interim progress, a delay
/// notice, an unreached callback.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NoteEntry {
    pub event_id: String,
    pub by: Actor,
    pub at: Timestamp,
    pub text: String,
}

/// A unit's closure application and the center's decision.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ClosureEntry {
    pub event_id: String,
    pub by: Actor,
    pub at: Timestamp,
    pub application: ClosureApplication,
    pub decision: ClosureDecision,
    pub note: String,
}

/// A supervision (督办); `by` is empty when the rules triggered it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SupervisionEntry {
    pub event_id: String,
    pub at: Timestamp,
    pub trigger: SupervisionTrigger,
    pub form: Option<SupervisionForm>,
    pub note: String,
    pub by: Option<Actor>,
}

/// One event of the audit trail and what the fold did with it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct HistoryItem {
    pub event_id: String,
    /// The action's stable name (`dispatch`, `sign_for`, …).
    pub action: String,
    pub actor: Actor,
    pub at: Timestamp,
    /// `applied`, `refused` or `waiting`.
    pub outcome: String,
    /// Why it was refused (a stable code), for `refused`.
    pub refusal_code: Option<String>,
}

/// An order as staff see it: what was asked, where it stands, its deadlines and its logs.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct OrderView {
    /// `None` only while the submission has not reached this device.
    pub details: Option<OrderDetails>,
    pub status: Status,
    pub status_zh: String,
    pub lead_unit: Option<UnitId>,
    pub co_units: Vec<UnitId>,
    /// Sub-units the lead unit passed the order on to (Turpan).
    pub sub_units: Vec<UnitId>,
    /// 分别转办: the units handling their own part, each signed for and replied or not yet.
    pub separate: Vec<hotline_core::workflow::SeparateTrack>,
    pub submitted_at: Option<Timestamp>,
    pub registered_at: Option<Timestamp>,
    pub dispatched_at: Option<Timestamp>,
    pub signed_at: Option<Timestamp>,
    pub replied_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub deadlines: Option<OrderDeadlines>,
    /// The error code when a deadline falls outside the known holiday calendar.
    pub deadlines_error: Option<String>,
    pub late_sign_for: bool,
    pub reopen_count: u32,
    /// Why it was not accepted, as the citizen is told.
    pub not_accepted: Option<hotline_core::store::NotAcceptedNotice>,
    /// Turpan art. 16: the current dispatch fixed the unit by the center's coordination.
    pub coordination: Option<hotline_core::model::Coordination>,
    /// Turpan art. 26: when the lead unit first responded to the emergency, and what it did.
    pub first_response_at: Option<Timestamp>,
    pub first_response: Option<String>,
    /// Turpan art. 26: the basis of force majeure, when the center recorded it.
    pub force_majeure: Option<String>,
    /// Puyang §(六): the basis on which the center closed it, the reply being lawful.
    pub lawful_closure: Option<String>,
    /// Turpan art. 17: the handling limit set by law, given with the dispatch.
    pub statutory_limit: Option<StatutoryLimit>,
    /// Linshu 二(二): the main leader's sign-off of the current dispatch.
    pub sign_off: Option<NoteEntry>,
    /// Linshu 二(二): the leader's approval of the result, waiting for its reply.
    pub result_approval: Option<NoteEntry>,
    pub co_unit_opinions: Vec<NoteEntry>,
    pub interim_progress: Vec<NoteEntry>,
    /// 延期告知: what the citizen was told about a delay.
    pub delay_notices: Vec<NoteEntry>,
    pub closure_applications: Vec<ClosureEntry>,
    /// Puyang: an accepted statement that it cannot be solved keeps it out of assessment.
    pub not_counted_in_assessment: bool,
    pub unreached_callbacks: Vec<NoteEntry>,
    pub call_log: Vec<CallLogEntry>,
    pub site_evidence: Vec<EvidenceEntry>,
    pub site_supervisions: Vec<SiteSupervisionEntry>,
    pub replies: Vec<ReplyEntry>,
    pub duty_statements: Vec<DutyStatementEntry>,
    pub extensions: Vec<ExtensionEntry>,
    pub ratings: Vec<RatingEntry>,
    pub supervisions: Vec<SupervisionEntry>,
    pub history: Vec<HistoryItem>,
    /// 并单: the order this one was merged into.
    pub merged_into: Option<hotline_core::model::OrderId>,
    /// Orders merged into this one, with their citizens' callbacks.
    pub absorbed: Vec<hotline_core::workflow::AbsorbedOrder>,
    /// 拆单: the orders this one was split into.
    pub split_into: Vec<hotline_core::model::OrderId>,
    /// The whole folded state as the core serialises it, for what the fields above leave out.
    pub state_json: String,
}

fn note_entry(l: Logged<String>) -> NoteEntry {
    logged(l, |event_id, by, at, text| NoteEntry {
        event_id,
        by,
        at,
        text,
    })
}

fn note_entries(v: Vec<Logged<String>>) -> Vec<NoteEntry> {
    v.into_iter().map(note_entry).collect()
}

fn logged<T, U>(l: Logged<T>, f: impl FnOnce(String, Actor, Timestamp, T) -> U) -> U {
    f(l.event.0, l.by, l.at, l.content)
}

fn history_item(h: HistoryEntry) -> HistoryItem {
    let (outcome, refusal_code) = match h.outcome {
        Outcome::Applied => ("applied", None),
        Outcome::Refused { code, .. } => ("refused", Some(code.as_str().to_string())),
        Outcome::Waiting { .. } => ("waiting", None),
    };
    HistoryItem {
        event_id: h.event.id.0,
        action: h.event.action.name().to_string(),
        actor: h.event.actor,
        at: h.event.at,
        outcome: outcome.to_string(),
        refusal_code,
    }
}

fn as_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

impl From<CoreOrderView> for OrderView {
    fn from(v: CoreOrderView) -> Self {
        let state_json = as_json(&v.state);
        let not_counted_in_assessment = v.state.not_counted_in_assessment();
        let s = v.state;
        let (deadlines, deadlines_error) = (
            v.deadlines,
            v.deadline_error.map(|c| c.as_str().to_string()),
        );
        OrderView {
            details: s.details.map(Into::into),
            status: s.status,
            status_zh: s.status.zh().to_string(),
            lead_unit: s.lead_unit,
            co_units: s.co_units,
            sub_units: s.sub_units,
            separate: s.separate,
            submitted_at: s.submitted_at,
            registered_at: s.registered_at,
            dispatched_at: s.dispatched_at,
            signed_at: s.signed_at,
            replied_at: s.replied_at,
            closed_at: s.closed_at,
            deadlines,
            deadlines_error,
            late_sign_for: s.late_sign_for,
            reopen_count: s.reopen_count,
            not_accepted: s
                .not_accepted
                .as_ref()
                .map(hotline_core::store::NotAcceptedNotice::from),
            coordination: s.coordination,
            first_response_at: s.first_response.as_ref().map(|l| l.at),
            first_response: s.first_response.map(|l| l.content),
            force_majeure: s.force_majeure.map(|l| l.content),
            lawful_closure: s.lawful_closure.map(|l| l.content),
            not_counted_in_assessment,
            merged_into: s.merged_into.clone(),
            absorbed: s.absorbed.clone(),
            split_into: s.split_into.clone(),
            statutory_limit: s.statutory_limit,
            sign_off: s.sign_off.map(note_entry),
            result_approval: s.result_approval.map(note_entry),
            co_unit_opinions: note_entries(s.co_unit_opinions),
            interim_progress: note_entries(s.interim_progress),
            delay_notices: note_entries(s.delay_notices),
            unreached_callbacks: note_entries(s.unreached_callbacks),
            closure_applications: s
                .closure_applications
                .into_iter()
                .map(|c| ClosureEntry {
                    event_id: c.application.event.0,
                    by: c.application.by,
                    at: c.application.at,
                    application: c.application.content,
                    decision: c.decision,
                    note: c.note,
                })
                .collect(),
            call_log: s
                .contacts
                .into_iter()
                .map(|l| {
                    logged(l, |event_id, by, at, c| CallLogEntry {
                        event_id,
                        by,
                        at,
                        method: c.method,
                        reached: c.reached,
                        note: c.note,
                    })
                })
                .collect(),
            site_evidence: s
                .site_evidence
                .into_iter()
                .map(|l| {
                    logged(l, |event_id, by, at, evidence| EvidenceEntry {
                        event_id,
                        by,
                        at,
                        evidence,
                    })
                })
                .collect(),
            site_supervisions: s
                .site_supervisions
                .into_iter()
                .map(|l| {
                    logged(l, |event_id, by, at, form| SiteSupervisionEntry {
                        event_id,
                        by,
                        at,
                        form,
                    })
                })
                .collect(),
            replies: s
                .replies
                .into_iter()
                .map(|l| {
                    logged(l, |event_id, by, at, reply| ReplyEntry {
                        event_id,
                        by,
                        at,
                        reply,
                    })
                })
                .collect(),
            duty_statements: s
                .duty_statements
                .into_iter()
                .map(|l| {
                    logged(l, |event_id, by, at, d| DutyStatementEntry {
                        event_id,
                        by,
                        at,
                        text: d.text,
                        non_compliant: d.non_compliant,
                    })
                })
                .collect(),
            extensions: s
                .extensions
                .into_iter()
                .map(|e| ExtensionEntry {
                    event_id: e.event.0,
                    at: e.at,
                    decision: e.decision,
                    request: e.request,
                    round: e.round,
                })
                .collect(),
            ratings: s
                .ratings
                .into_iter()
                .map(|r| RatingEntry {
                    event_id: r.event.0,
                    at: r.at,
                    rating: r.rating,
                    round: r.round,
                    service_rating: r.service_rating,
                    unit_contacted: r.unit_contacted,
                })
                .collect(),
            supervisions: s
                .supervisions
                .into_iter()
                .map(|r| SupervisionEntry {
                    event_id: r.event.0,
                    at: r.at,
                    trigger: r.trigger,
                    form: r.form,
                    note: r.note,
                    by: r.by,
                })
                .collect(),
            history: s.history.into_iter().map(history_item).collect(),
            state_json,
        }
    }
}

/// One row of an inbox, overdue or due-soon list.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct InboxRow {
    pub order: hotline_core::model::OrderId,
    pub receipt: String,
    pub kind: RequestKind,
    pub urgency: Urgency,
    pub status: Status,
    pub status_zh: String,
    pub confidential: bool,
    pub lead_unit: Option<String>,
    pub co_units: Vec<String>,
    /// What "overdue" is measured against.
    pub handling_due: Option<Timestamp>,
    /// An emergency's first-response deadline while none is recorded (also makes it overdue).
    pub response_due: Option<Timestamp>,
    /// Where the order came from.
    pub origin: hotline_core::model::Origin,
    /// The nearest deadline of any kind, and which one (`sign_for`, `handling`, …).
    pub next_due: Option<Timestamp>,
    pub next_due_kind: Option<DeadlineKind>,
    /// The error code when a deadline falls outside the known holiday calendar.
    pub deadline_error: Option<String>,
    pub terminal: bool,
    pub updated_at: Option<Timestamp>,
}

fn from_millis(ms: i64) -> Option<Timestamp> {
    Timestamp::from_timestamp_millis(ms)
}

impl From<IndexRow> for InboxRow {
    fn from(r: IndexRow) -> Self {
        InboxRow {
            status_zh: r.status.zh().to_string(),
            order: r.order,
            receipt: r.receipt,
            kind: r.kind,
            urgency: r.urgency,
            status: r.status,
            confidential: r.confidential,
            lead_unit: r.lead_unit,
            co_units: r.co_units,
            handling_due: r.handling_due.and_then(from_millis),
            response_due: r.response_due.and_then(from_millis),
            origin: r.origin,
            next_due: r.next_due.and_then(from_millis),
            next_due_kind: r.next_due_kind,
            deadline_error: r.deadline_error.map(|c| c.as_str().to_string()),
            terminal: r.terminal,
            updated_at: from_millis(r.updated_at),
        }
    }
}

/// A person enrolled on this device.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct EnrolledPerson {
    pub certificate_id: String,
    pub person: hotline_core::model::PersonId,
    pub display_name: String,
    pub role: hotline_core::model::Role,
    pub unit: UnitId,
    pub area: String,
    pub not_before: Timestamp,
    pub not_after: Timestamp,
    /// Short fingerprint of the device key, for comparing on two screens at enrolment.
    pub key_fingerprint: String,
}

impl From<&Identity> for EnrolledPerson {
    fn from(i: &Identity) -> Self {
        let b = &i.certificate.body;
        EnrolledPerson {
            certificate_id: b.id.0.clone(),
            person: b.person.clone(),
            display_name: b.display_name.clone(),
            role: b.role,
            unit: b.unit.clone(),
            area: b.area.clone(),
            not_before: b.not_before,
            not_after: b.not_after,
            key_fingerprint: b.device_key.fingerprint(),
        }
    }
}

/// One thing `verify` found wrong.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VerifyProblem {
    /// `change`, `certificate` or `blob`.
    pub kind: String,
    pub subject: String,
    pub order: Option<String>,
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
}

/// Everything stored, re-checked.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VerifyResult {
    pub ok: bool,
    pub changes_checked: u64,
    pub certificates_checked: u64,
    pub blobs_checked: u64,
    pub blobs_pending: u64,
    pub problems: Vec<VerifyProblem>,
}

impl From<VerifyReport> for VerifyResult {
    fn from(r: VerifyReport) -> Self {
        VerifyResult {
            ok: r.ok(),
            changes_checked: r.changes_checked,
            certificates_checked: r.certificates_checked,
            blobs_checked: r.blobs_checked,
            blobs_pending: r.blobs_pending,
            problems: r.problems.into_iter().map(problem).collect(),
        }
    }
}

fn problem(p: Problem) -> VerifyProblem {
    VerifyProblem {
        kind: p.kind.to_string(),
        subject: p.subject,
        order: p.order,
        code: p.code,
        message_zh: p.message_zh,
        message_en: p.message_en,
    }
}
