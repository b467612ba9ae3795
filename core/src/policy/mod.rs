//! City rules as data: time limits per jurisdiction (presets from the seeds, or a TOML file),
//! the national holiday calendar with make-up working days, and deadline arithmetic.
//! Pure: every function takes the instant it works from.

mod calendar;
mod custom;
mod deadline;
mod error;
mod presets;

pub use calendar::{HolidayCalendar, YearSchedule};
pub use custom::{LoadedPolicy, parse_policy_toml};
pub use deadline::{Deadlines, deadline_after, local_offset, to_local};
pub use error::PolicyError;
pub use presets::{PRESET_NAMES, preset};

use serde::{Deserialize, Serialize};
use std::fmt;

/// A time limit: natural hours from the event (the hotline is 7×24), or working days counted by
/// the rule in DOMAIN.md (the day of the event does not count; the limit ends at 23:59:59
/// +08:00 of the N-th working day after it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    Hours(u32),
    WorkingDays(u32),
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Hours(h) => write!(f, "{h} h"),
            Limit::WorkingDays(d) => write!(f, "{d} WD"),
        }
    }
}

/// Every row of the time-limit table in DOMAIN.md; `None` where the jurisdiction sets no limit.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Limits {
    /// Dispatch after registration (转办).
    pub dispatch: Option<Limit>,
    /// Dispatch of an emergency after registration, where it differs (Puyang: 立即, at once).
    #[serde(default)]
    pub emergency_dispatch: Option<Limit>,
    /// Sign-for after dispatch (签收).
    pub sign_for: Option<Limit>,
    /// A return request (退回) must be made within this time of the dispatch.
    pub return_request: Option<Limit>,
    /// Handling of inquiries, help requests and suggestions.
    pub inquiry_help_suggestion: Option<Limit>,
    /// Handling of complaints and reports.
    pub complaint_report: Option<Limit>,
    /// Handling of difficult matters needing leader approval (重点难点).
    pub leader_approval: Option<Limit>,
    /// First response to an emergency (突发事项 处理).
    pub emergency_response: Option<Limit>,
    /// Closing an emergency.
    pub emergency_close: Option<Limit>,
    /// The longest extension that may be granted (where no statutory limit applies).
    pub extension_max: Option<Limit>,
    /// Handling time of a reopened order (重办).
    pub reopen: Option<Limit>,
}

/// One jurisdiction's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Machine name, e.g. `turpan`.
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// Where the rules come from.
    pub source: String,
    pub limits: Limits,
    /// How many times an order may be reopened; `None` sets no limit.
    pub max_reopens: Option<u32>,
    /// Linshu: the unit must phone the center before a return request.
    pub return_requires_call: bool,
    /// Puyang: an extension request needs a written explanation.
    pub extension_requires_explanation: bool,
    /// Turpan art. 17 (除突发类事项外): whether an emergency may be extended at all.
    #[serde(default = "yes")]
    pub emergencies_extendable: bool,
    /// Puyang §(四): an emergency's dispatch carries its report to the city government duty
    /// office (市政府值班室).
    #[serde(default)]
    pub emergency_duty_report: bool,
    /// Turpan art. 26: an emergency names its kind (utility outage, disaster, dangerous
    /// facility, threat to public safety).
    #[serde(default)]
    pub emergency_category_required: bool,
    /// Puyang §(六): after a dissatisfied rating the center may close an order whose reply
    /// complies with law and policy.
    #[serde(default)]
    pub lawful_reply_closure: bool,
    /// The grounds for not accepting a request this jurisdiction uses; `None`: any of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_accepted_reasons: Option<Vec<crate::model::NotAcceptedReason>>,
    /// Procedures a jurisdiction adds to the common workflow. A policy stored before them has
    /// none, so its orders fold as they always did.
    #[serde(default)]
    pub procedures: Procedures,
}

/// Procedures only some seeds have; each is off unless the policy turns it on (the TOML table
/// `[procedures]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Procedures {
    /// Linshu 二(二): the lead unit's main leader signs off (签批) an order before its staff
    /// handle it, and the deputy leader in charge approves the result before the reply, which
    /// names that leader.
    pub leader_sign_off: bool,
    /// Turpan art. 23, 39: the duty-fulfilled statement (履责意见) is the unit's main or deputy
    /// leader's to make.
    pub duty_statement_by_leaders: bool,
    /// Lishui: every co-unit reports its part (会办意见) before the lead unit replies.
    pub co_unit_opinions_required: bool,
    /// Linshu: after the first reopen a unit may apply to close a non-compliant request
    /// (不合规诉求); the center decides.
    pub non_compliant_closure: bool,
    /// Puyang: an accepted written statement that an order cannot be solved for objective
    /// reasons keeps it out of assessment.
    pub assessment_exclusion: bool,
    /// Puyang: an extension only on the legal basis of a longer statutory handling time.
    pub extension_needs_legal_basis: bool,
    /// Turpan art. 21: the citizen rates the call service and the handling separately.
    pub separate_service_rating: bool,
    /// Linshu: every callback asks whether the unit contacted the citizen.
    pub callback_asks_unit_contact: bool,
    /// Linshu 年终 4: the handling unit fills the on-site supervision form for its reopened,
    /// key and supervised orders.
    pub unit_site_form: bool,
    /// Turpan: a unit passes an order on to its sub-units (registered with the center's
    /// approval) and stays responsible for it.
    pub sub_units: bool,
}

/// Serde's default for rules that policies stored before them followed.
fn yes() -> bool {
    true
}

impl Policy {
    /// How long the center has to dispatch an order of this urgency after registering it.
    pub fn dispatch_limit(&self, urgency: crate::model::Urgency) -> Option<Limit> {
        match urgency {
            crate::model::Urgency::Emergency => {
                self.limits.emergency_dispatch.or(self.limits.dispatch)
            }
            crate::model::Urgency::Normal => self.limits.dispatch,
        }
    }
}
