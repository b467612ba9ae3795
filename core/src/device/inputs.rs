//! What people type or capture on a device, checked before anything is written.

use std::path::PathBuf;

use super::DeviceError;
use crate::identity::ContactDetails;
use crate::model::{Channel, GpsFix, Location, RequestKind, Timestamp, Urgency};

/// Where a photo's bytes come from: a file is streamed, never read whole into memory.
#[derive(Debug, Clone)]
pub enum PhotoSource {
    Path(PathBuf),
    Bytes(Vec<u8>),
}

#[derive(Debug, Clone)]
pub struct PhotoInput {
    pub source: PhotoSource,
    pub media_type: String,
    pub captured_at: Option<Timestamp>,
    pub gps: Option<GpsFix>,
}

/// A citizen's request as entered at a kiosk or by an intake agent.
#[derive(Debug, Clone)]
pub struct SubmitRequest {
    pub kind: RequestKind,
    pub urgency: Urgency,
    pub channel: Channel,
    pub text: String,
    pub location: Location,
    /// Sealed to the platform before it is stored; `None` for anonymous requests.
    pub contact: Option<ContactDetails>,
    pub confidential: bool,
    pub photos: Vec<PhotoInput>,
    /// Where the order came from (a higher platform, the 110 desk); local for the city's own.
    pub origin: crate::model::Origin,
    /// For an emergency: which kind (Turpan art. 26; required where the policy says so).
    pub emergency_category: Option<crate::model::EmergencyCategory>,
    /// What the request is about, with the answers to the category's form, from the newest
    /// catalogue this device holds.
    pub category: Option<CategoryChoice>,
}

/// A category chosen at intake and its form's answers as typed (attribute code → text; each
/// read by its attribute's type: numbers, RFC 3339 instants, choice keys, comma-separated keys).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CategoryChoice {
    pub code: String,
    pub answers: std::collections::BTreeMap<String, String>,
}

impl SubmitRequest {
    /// What the form itself must say; the size of every field is the workflow's
    /// [`check_sizes`](crate::workflow::check_sizes), the same on the device and at the hub.
    pub(super) fn validate(&self) -> Result<(), DeviceError> {
        if self.text.trim().is_empty() {
            return Err(DeviceError::bad_input("text", "the request text is empty"));
        }
        if self.location.address.trim().is_empty() {
            return Err(DeviceError::bad_input("address", "the address is empty"));
        }
        if let Some(code) = &self.location.division_code
            && !(6..=12).contains(&code.len()) | !code.chars().all(|c| c.is_ascii_digit())
        {
            return Err(DeviceError::bad_input(
                "division_code",
                "an administrative division code has 6 to 12 digits",
            ));
        }
        if let Some(g) = &self.location.gps
            && !g.is_valid()
        {
            return Err(DeviceError::bad_input(
                "gps",
                "latitude/longitude out of range",
            ));
        }
        if let Some(phone) = self.contact.as_ref().and_then(|c| c.phone.as_deref())
            && !phone.is_empty()
            && !phone
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' '))
        {
            return Err(DeviceError::bad_input(
                "phone",
                "only digits, +, - and spaces",
            ));
        }
        Ok(())
    }
}

/// The on-site supervision form as the supervisor fills it in.
#[derive(Debug, Clone)]
pub struct SiteSupervisionInput {
    pub place: String,
    pub held_at: Timestamp,
    pub people_present: Vec<String>,
    pub findings: String,
    pub action_taken: String,
    pub photos: Vec<PhotoInput>,
    pub gps: Option<GpsFix>,
}

impl SiteSupervisionInput {
    pub(super) fn validate(&self) -> Result<(), DeviceError> {
        if let Some(g) = &self.gps
            && !g.is_valid()
        {
            return Err(DeviceError::bad_input(
                "gps",
                "latitude/longitude out of range",
            ));
        }
        Ok(())
    }
}
