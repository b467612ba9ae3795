//! The data of the 12345 hotline: work orders, people, events. No I/O lives here.

mod actor;
mod event;
mod order;

pub use actor::{Actor, PersonId, Role, UnitId};
pub use event::{
    Action, CaseInfo, ClosureApplication, ClosureGround, ContactMethod, Coordination,
    CoordinationMethod, DutyOfficeReport, Event, EventId, ExtensionRequest, NotAcceptedReason,
    ReplyContent, ReturnRequest, Satisfaction, SiteEvidence, SiteSupervisionForm, StatutoryLimit,
    SupervisionForm, SupervisionTrigger,
};
pub use order::{
    AttachmentRef, Channel, EmergencyCategory, GpsFix, GpsSource, IntakeMatch, Location,
    MatchRelation, OrderDetails, OrderId, Origin, ReceiptCode, RequestKind, Urgency,
};

/// Every instant in the model is UTC; local (+08:00) time is a presentation concern.
pub type Timestamp = chrono::DateTime<chrono::Utc>;
