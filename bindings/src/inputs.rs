//! What apps hand the device: a citizen's request, photos, the supervision form, an inbox
//! filter. Each converts one-to-one into the core's input; the core checks it.

use std::path::PathBuf;

use hotline_core::device::{
    PhotoInput as CorePhotoInput, PhotoSource as CorePhotoSource,
    SiteSupervisionInput as CoreSiteSupervisionInput, SubmitRequest as CoreSubmitRequest,
};
use hotline_core::identity::ContactDetails;
use hotline_core::model::{Channel, GpsFix, Location, RequestKind, Urgency};
use hotline_core::store::InboxQuery;

use crate::Timestamp;

/// Where a photo's bytes are: a file (streamed, never read whole) or bytes in memory.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum PhotoSource {
    Path { path: String },
    Bytes { bytes: Vec<u8> },
}

/// A photo as the camera took it; hash, size, time, GPS and device go into the signed change.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PhotoInput {
    pub source: PhotoSource,
    #[uniffi(default = "image/jpeg")]
    pub media_type: String,
    #[uniffi(default)]
    pub captured_at: Option<Timestamp>,
    #[uniffi(default)]
    pub gps: Option<GpsFix>,
}

impl From<PhotoInput> for CorePhotoInput {
    fn from(p: PhotoInput) -> Self {
        CorePhotoInput {
            source: match p.source {
                PhotoSource::Path { path } => CorePhotoSource::Path(PathBuf::from(path)),
                PhotoSource::Bytes { bytes } => CorePhotoSource::Bytes(bytes),
            },
            media_type: p.media_type,
            captured_at: p.captured_at,
            gps: p.gps,
        }
    }
}

/// A citizen's request as entered at a kiosk (or by an intake agent).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SubmitRequest {
    pub kind: RequestKind,
    pub text: String,
    pub location: Location,
    /// Sealed to the platform before it is stored; `None` for an anonymous request.
    #[uniffi(default)]
    pub contact: Option<ContactDetails>,
    /// 保密: the caller is never identified to handling units.
    #[uniffi(default)]
    pub confidential: bool,
    #[uniffi(default)]
    pub photos: Vec<PhotoInput>,
    #[uniffi(default)]
    pub emergency: bool,
    #[uniffi(default)]
    pub channel: Option<Channel>,
    /// Where the order came from; `null`/`None`: taken locally.
    #[uniffi(default)]
    pub origin: Option<hotline_core::model::Origin>,
    /// For an emergency: which kind (Turpan art. 26; the presets require it).
    #[uniffi(default)]
    pub emergency_category: Option<hotline_core::model::EmergencyCategory>,
    /// What the request is about, with the answers to the category's form.
    #[uniffi(default)]
    pub category: Option<crate::catalogue::CategoryInput>,
}

impl From<SubmitRequest> for CoreSubmitRequest {
    fn from(r: SubmitRequest) -> Self {
        CoreSubmitRequest {
            kind: r.kind,
            urgency: if r.emergency {
                Urgency::Emergency
            } else {
                Urgency::Normal
            },
            // A kiosk app is the usual caller; an intake app says which channel it took.
            channel: r.channel.unwrap_or(Channel::Kiosk),
            text: r.text,
            location: r.location,
            contact: r.contact,
            confidential: r.confidential,
            origin: r.origin.unwrap_or_default(),
            emergency_category: r.emergency_category,
            photos: r.photos.into_iter().map(Into::into).collect(),
            category: r.category.map(Into::into),
        }
    }
}

/// The on-site supervision form (现场督办情况表) as the supervisor fills it in.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SiteSupervisionInput {
    pub place: String,
    pub held_at: Timestamp,
    pub people_present: Vec<String>,
    pub findings: String,
    pub action_taken: String,
    #[uniffi(default)]
    pub photos: Vec<PhotoInput>,
    #[uniffi(default)]
    pub gps: Option<GpsFix>,
}

impl From<SiteSupervisionInput> for CoreSiteSupervisionInput {
    fn from(f: SiteSupervisionInput) -> Self {
        CoreSiteSupervisionInput {
            place: f.place,
            held_at: f.held_at,
            people_present: f.people_present,
            findings: f.findings,
            action_taken: f.action_taken,
            photos: f.photos.into_iter().map(Into::into).collect(),
            gps: f.gps,
        }
    }
}

/// An inbox query; every filter that is set must hold. The default lists every open order.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct InboxFilter {
    /// Orders where this unit is the lead or a co-handling unit.
    #[uniffi(default)]
    pub unit: Option<String>,
    /// Orders in one of these statuses; empty = any.
    #[uniffi(default)]
    pub statuses: Vec<hotline_core::workflow::Status>,
    /// Orders whose next deadline (of any kind) falls before this instant.
    #[uniffi(default)]
    pub due_before: Option<Timestamp>,
    /// Also closed, not accepted and instantly answered orders.
    #[uniffi(default)]
    pub include_terminal: bool,
    /// At most this many rows; 0 = no limit.
    #[uniffi(default)]
    pub limit: u32,
    /// Orders from this origin only (provincial hotline, 110 diversion…).
    #[uniffi(default)]
    pub origin: Option<hotline_core::model::Origin>,
}

impl InboxFilter {
    pub(crate) fn query(self, overdue_at: Option<Timestamp>) -> InboxQuery {
        InboxQuery {
            unit: self.unit,
            statuses: self.statuses,
            overdue_at: overdue_at.map(|t| t.timestamp_millis()),
            due_before: self.due_before.map(|t| t.timestamp_millis()),
            include_terminal: self.include_terminal,
            limit: self.limit,
            origin: self.origin,
        }
    }
}
