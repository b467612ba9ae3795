//! Core types that cross the boundary exactly as the core defines them. Each `remote` item
//! mirrors the core definition field for field (the compiler checks the mirror), so apps see
//! the core's own names and there is no conversion code to get wrong.

use std::time::{SystemTime, UNIX_EPOCH};

use hotline_core::device::{ImportOutcome, ReceiptPart, ReceiptStatus, Submitted};
use hotline_core::identity::{ContactDetails, CryptoSuite};
use hotline_core::model::{
    Actor, AttachmentRef, CaseInfo, Channel, ClosureApplication, ClosureGround, ContactMethod,
    Coordination, CoordinationMethod, DutyOfficeReport, EmergencyCategory, ExtensionRequest,
    GpsFix, GpsSource, Location, NotAcceptedReason, OrderId, Origin, PersonId, ReceiptCode,
    ReplyContent, RequestKind, ReturnRequest, Role, Satisfaction, SiteEvidence,
    SiteSupervisionForm, StatutoryLimit, SupervisionForm, SupervisionTrigger, UnitId, Urgency,
};
use hotline_core::store::{DelayNoticeText, ExtensionNotice, NotAcceptedNotice};
use hotline_core::workflow::{
    AbsorbedOrder, ClosureDecision, DeadlineKind, ExtensionDecision, SeparateTrack, Status,
};

use crate::HotlineError;

/// An instant (UTC). Kotlin `java.time.Instant`, Swift `Date`, Python `datetime`.
pub type Timestamp = hotline_core::model::Timestamp;

fn timestamp_from(t: SystemTime) -> Result<Timestamp, HotlineError> {
    let out_of_range = || HotlineError::bad_input("timestamp", "outside the supported range");
    let ts = match t.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs())
            .ok()
            .and_then(|s| Timestamp::from_timestamp(s, after.subsec_nanos())),
        Err(before) => {
            let d = before.duration();
            i64::try_from(d.as_secs()).ok().and_then(|s| {
                // Whole seconds back, then the fraction forward from there.
                let nanos = d.subsec_nanos();
                if nanos == 0 {
                    Timestamp::from_timestamp(-s, 0)
                } else {
                    Timestamp::from_timestamp(-s - 1, 1_000_000_000 - nanos)
                }
            })
        }
    };
    ts.ok_or_else(out_of_range)
}

uniffi::custom_type!(Timestamp, SystemTime, {
    remote,
    lower: |t| SystemTime::from(t),
    try_lift: |t| Ok(timestamp_from(t)?),
});

// Ids travel as plain strings; the names keep the generated signatures readable.
uniffi::custom_type!(OrderId, String, {
    remote,
    lower: |id| id.0,
    try_lift: |s| Ok(OrderId(s)),
});
uniffi::custom_type!(UnitId, String, {
    remote,
    lower: |id| id.0,
    try_lift: |s| Ok(UnitId(s)),
});
uniffi::custom_type!(PersonId, String, {
    remote,
    lower: |id| id.0,
    try_lift: |s| Ok(PersonId(s)),
});
uniffi::custom_type!(ReceiptCode, String, {
    remote,
    lower: |code| code.0,
    try_lift: |s| Ok(ReceiptCode(s)),
});

/// The city's algorithms, chosen when its authority is created: `Ed25519` (ed25519, X25519,
/// SHA-256) or `Sm` (SM2, SM3, SM4 — 国密). An app generates its device key of this kind.
#[uniffi::remote(Enum)]
pub enum CryptoSuite {
    Ed25519,
    Sm,
}

#[uniffi::remote(Enum)]
pub enum Role {
    Kiosk,
    Intake,
    Dispatcher,
    Staff,
    UnitHead,
    DeputyHead,
    Callback,
    Supervisor,
    Auditor,
    CenterService,
}

#[uniffi::remote(Enum)]
pub enum RequestKind {
    Inquiry,
    Help,
    Complaint,
    Report,
    Suggestion,
}

#[uniffi::remote(Enum)]
pub enum Urgency {
    Normal,
    Emergency,
}

/// Where a work order stands (`Status.DISPATCHED`, …); `statusZh` fields give its Chinese name.
#[uniffi::remote(Enum)]
pub enum Status {
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
    Dissatisfied,
    Closed,
    Merged,
    Split,
}

/// What became of an extension request.
#[uniffi::remote(Enum)]
pub enum ClosureDecision {
    Pending,
    Approved,
    Denied,
    Lapsed,
}

#[uniffi::remote(Enum)]
pub enum ExtensionDecision {
    Pending,
    Approved,
    Denied,
    Lapsed,
}

/// Which deadline comes next for an order.
#[uniffi::remote(Enum)]
pub enum DeadlineKind {
    Dispatch,
    Response,
    SignFor,
    Handling,
}

#[uniffi::remote(Enum)]
pub enum Channel {
    Phone,
    Web,
    Email,
    Wechat,
    Weibo,
    App,
    MiniProgram,
    Sms,
    WalkIn,
    Kiosk,
}

#[uniffi::remote(Enum)]
pub enum GpsSource {
    Gnss,
    Network,
    Fused,
    Manual,
}

#[uniffi::remote(Enum)]
pub enum ContactMethod {
    Phone,
    Sms,
    Visit,
}

#[uniffi::remote(Enum)]
pub enum Satisfaction {
    VerySatisfied,
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
    VeryDissatisfied,
}

#[uniffi::remote(Enum)]
pub enum NotAcceptedReason {
    NotGovernmentDuty,
    EmergencyServices,
    PartyCongressCourtsMilitary,
    LitigationArbitrationReconsideration,
    AlreadyInOtherProcedure,
    SecretsOrPrivacy,
    RepeatWithoutNewFacts,
    IllegalMaliciousOrEmpty,
    DisciplineInspection,
    NotLocalAdministration,
    PublicMorals,
    Other,
}

#[uniffi::remote(Enum)]
pub enum EmergencyCategory {
    UtilityOutage,
    NaturalDisaster,
    DangerousFacility,
    PublicSafetyThreat,
}

#[uniffi::remote(Enum)]
pub enum Origin {
    Local,
    ProvincialHotline,
    CityHotline,
    CountyCenter,
    Diverted110,
}

#[uniffi::remote(Enum)]
pub enum CoordinationMethod {
    Meeting,
    SiteSurvey,
    GuidingDepartment,
    OrganisationOrJusticeRuling,
    CityGovernment,
}

#[uniffi::remote(Record)]
pub struct Coordination {
    pub method: CoordinationMethod,
    pub record: String,
}

#[uniffi::remote(Enum)]
pub enum SupervisionTrigger {
    LeaderAssigned,
    LeadersHotlineDay,
    HotIssue,
    DecidedButUnresolved,
    Overdue,
    ReopenedStillDissatisfied,
}

#[uniffi::remote(Enum)]
pub enum SupervisionForm {
    Daily,
    OnSite,
    Media,
    Meeting,
}

#[uniffi::remote(Enum)]
pub enum CaseInfo {
    Filed { case_number: String },
    NotFiled { reason: String },
}

#[uniffi::remote(Record)]
pub struct GpsFix {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: Option<f64>,
    pub source: GpsSource,
    pub mock: bool,
}

#[uniffi::remote(Record)]
pub struct Location {
    pub address: String,
    pub division_code: Option<String>,
    pub gps: Option<GpsFix>,
}

#[uniffi::remote(Record)]
pub struct ContactDetails {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
}

#[uniffi::remote(Record)]
pub struct Actor {
    pub person: PersonId,
    pub role: Role,
    pub unit: UnitId,
}

#[uniffi::remote(Record)]
pub struct AttachmentRef {
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    pub captured_at: Option<Timestamp>,
    pub gps: Option<GpsFix>,
    pub device: Option<String>,
}

#[uniffi::remote(Record)]
pub struct ReturnRequest {
    pub reason: String,
    pub basis: String,
    pub leader_opinion: String,
    pub suggestion: String,
    pub phone: String,
    pub called_center: bool,
}

#[uniffi::remote(Record)]
pub struct DutyOfficeReport {
    pub reported_at: Timestamp,
    pub how: String,
}

#[uniffi::remote(Record)]
pub struct ExtensionRequest {
    pub working_days: u32,
    pub explanation: String,
    /// The handling time a law sets for the matter, and the law: it caps the extension (Turpan
    /// art. 17) and is the only ground for one in Puyang.
    #[uniffi(default = None)]
    pub statutory_limit: Option<StatutoryLimit>,
}

#[uniffi::remote(Record)]
pub struct SeparateTrack {
    pub unit: UnitId,
    pub signed_at: Option<Timestamp>,
    pub replied_at: Option<Timestamp>,
}

#[uniffi::remote(Record)]
pub struct StatutoryLimit {
    pub working_days: u32,
    pub basis: String,
}

#[uniffi::remote(Enum)]
pub enum ClosureGround {
    NonCompliant,
    CannotBeSolved,
}

#[uniffi::remote(Record)]
pub struct ClosureApplication {
    pub ground: ClosureGround,
    pub statement: String,
    pub evidence: String,
}

#[uniffi::remote(Record)]
pub struct ReplyContent {
    pub handled_at: Timestamp,
    pub unit: UnitId,
    pub handler: String,
    pub result: String,
    pub legal_basis: String,
    pub citizen_informed_how: String,
    pub case: Option<CaseInfo>,
    /// Linshu: the leader who approved the result (required there).
    #[uniffi(default = None)]
    pub responsible_leader: Option<PersonId>,
}

#[uniffi::remote(Record)]
pub struct SiteEvidence {
    pub photos: Vec<AttachmentRef>,
    pub gps: Option<GpsFix>,
    pub note: String,
}

#[uniffi::remote(Record)]
pub struct SiteSupervisionForm {
    pub place: String,
    pub held_at: Timestamp,
    pub people_present: Vec<String>,
    pub findings: String,
    pub action_taken: String,
    pub photos: Vec<AttachmentRef>,
    pub gps: Option<GpsFix>,
}

#[uniffi::remote(Record)]
pub struct Submitted {
    pub order: OrderId,
    pub receipt: String,
}

#[uniffi::remote(Record)]
pub struct ReceiptStatus {
    pub receipt: String,
    pub kind: RequestKind,
    pub status: Status,
    pub status_zh: String,
    pub next_due: Option<Timestamp>,
    pub next_due_kind: Option<DeadlineKind>,
    pub updated_at: Option<Timestamp>,
    pub not_accepted: Option<NotAcceptedNotice>,
    pub handling_due: Option<Timestamp>,
    pub extension: Option<ExtensionNotice>,
    pub delay_notice: Option<DelayNoticeText>,
    pub merged: bool,
    pub parts: Vec<ReceiptPart>,
}

/// An order merged into this one (并单): its citizen's receipt and callback.
#[uniffi::remote(Record)]
pub struct AbsorbedOrder {
    pub order: OrderId,
    pub receipt: ReceiptCode,
    pub absorbed_at: Timestamp,
    pub rating: Option<Satisfaction>,
    pub unreached: u32,
}

/// One part of a split request (拆单), as its citizen sees it.
#[uniffi::remote(Record)]
pub struct ReceiptPart {
    pub kind: RequestKind,
    pub category: Option<String>,
    pub status: Status,
    pub status_zh: String,
    pub next_due: Option<Timestamp>,
}

#[uniffi::remote(Record)]
pub struct ExtensionNotice {
    pub approved_at: Timestamp,
    pub working_days: u32,
}

#[uniffi::remote(Record)]
pub struct DelayNoticeText {
    pub at: Timestamp,
    pub reason: String,
}

#[uniffi::remote(Record)]
pub struct NotAcceptedNotice {
    pub reason: NotAcceptedReason,
    pub reason_zh: String,
    pub basis: String,
    pub stated_reason: Option<String>,
}

#[uniffi::remote(Enum)]
pub enum ImportOutcome {
    Applied,
    AlreadyHad,
}

/// One signed change as stored and as it travels between devices and the hub.
pub type SignedChange = hotline_core::store::StoredChange;

#[uniffi::remote(Record)]
pub struct SignedChange {
    pub order: OrderId,
    pub hash: String,
    pub event_id: String,
    pub cert_id: String,
    pub signature: Vec<u8>,
    pub bytes: Vec<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn instants_convert_both_ways_including_before_1970() {
        for nanos in [
            0i128,
            1,
            999_999_999,
            1_000_000_000,
            -1,
            -999_999_999,
            -1_500_000_000,
        ] {
            let system = if nanos >= 0 {
                UNIX_EPOCH + Duration::from_nanos(nanos as u64)
            } else {
                UNIX_EPOCH - Duration::from_nanos((-nanos) as u64)
            };
            let ts = timestamp_from(system).unwrap();
            assert_eq!(ts.timestamp_nanos_opt().map(i128::from), Some(nanos));
            assert_eq!(SystemTime::from(ts), system);
        }
    }
}
