//! A jurisdiction's own policy, loaded from TOML. Mistakes are refused with the field that is
//! wrong: a policy that silently ignored a misspelt limit would hand out wrong deadlines.

use serde::Deserialize;

use super::calendar::RawYear;
use super::{HolidayCalendar, Limit, Limits, Policy, PolicyError};

/// A loaded policy file: its rules, and the national calendar extended by any years it adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedPolicy {
    pub policy: Policy,
    pub calendar: HolidayCalendar,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    id: String,
    name_zh: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    limits: RawLimits,
    max_reopens: Option<i64>,
    #[serde(default)]
    return_requires_call: bool,
    #[serde(default)]
    extension_requires_explanation: bool,
    #[serde(default = "super::yes")]
    emergencies_extendable: bool,
    #[serde(default)]
    emergency_duty_report: bool,
    #[serde(default)]
    emergency_category_required: bool,
    #[serde(default)]
    lawful_reply_closure: bool,
    /// Snake-case names of the grounds for not accepting a request (all when absent).
    not_accepted_reasons: Option<Vec<String>>,
    #[serde(default)]
    procedures: super::Procedures,
    /// Further years of the holiday calendar, in the same form as the calendar file.
    #[serde(default)]
    calendar: Vec<RawYear>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    dispatch: Option<RawLimit>,
    emergency_dispatch: Option<RawLimit>,
    sign_for: Option<RawLimit>,
    return_request: Option<RawLimit>,
    inquiry_help_suggestion: Option<RawLimit>,
    complaint_report: Option<RawLimit>,
    leader_approval: Option<RawLimit>,
    emergency_response: Option<RawLimit>,
    emergency_close: Option<RawLimit>,
    extension_max: Option<RawLimit>,
    reopen: Option<RawLimit>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimit {
    hours: Option<i64>,
    working_days: Option<i64>,
}

fn count(field: &str, v: i64) -> Result<u32, PolicyError> {
    if v < 0 {
        return Err(PolicyError::NegativeLimit {
            field: field.to_string(),
            value: v,
        });
    }
    u32::try_from(v).map_err(|_| PolicyError::Syntax {
        message: format!("`{field}` = {v} is too large"),
    })
}

fn limit(field: &str, raw: Option<RawLimit>) -> Result<Option<Limit>, PolicyError> {
    let Some(raw) = raw else { return Ok(None) };
    match (raw.hours, raw.working_days) {
        (Some(h), None) => Ok(Some(Limit::Hours(count(field, h)?))),
        (None, Some(d)) => Ok(Some(Limit::WorkingDays(count(field, d)?))),
        _ => Err(PolicyError::AmbiguousLimit {
            field: field.to_string(),
        }),
    }
}

/// Parses and validates a policy file's text.
pub fn parse_policy_toml(text: &str) -> Result<LoadedPolicy, PolicyError> {
    let raw: RawPolicy = toml::from_str(text).map_err(|e| PolicyError::Syntax {
        message: e.to_string(),
    })?;
    let l = raw.limits;
    let limits = Limits {
        dispatch: limit("limits.dispatch", l.dispatch)?,
        emergency_dispatch: limit("limits.emergency_dispatch", l.emergency_dispatch)?,
        sign_for: limit("limits.sign_for", l.sign_for)?,
        return_request: limit("limits.return_request", l.return_request)?,
        inquiry_help_suggestion: limit(
            "limits.inquiry_help_suggestion",
            l.inquiry_help_suggestion,
        )?,
        complaint_report: limit("limits.complaint_report", l.complaint_report)?,
        leader_approval: limit("limits.leader_approval", l.leader_approval)?,
        emergency_response: limit("limits.emergency_response", l.emergency_response)?,
        emergency_close: limit("limits.emergency_close", l.emergency_close)?,
        extension_max: limit("limits.extension_max", l.extension_max)?,
        reopen: limit("limits.reopen", l.reopen)?,
    };
    let max_reopens = raw
        .max_reopens
        .map(|v| count("max_reopens", v))
        .transpose()?;
    let not_accepted_reasons = raw
        .not_accepted_reasons
        .map(|names| {
            names
                .iter()
                .map(|n| {
                    crate::model::NotAcceptedReason::parse(n).ok_or_else(|| PolicyError::Syntax {
                        message: format!("`not_accepted_reasons`: unknown ground `{n}`"),
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let mut calendar = HolidayCalendar::national()?;
    calendar.merge(HolidayCalendar::from_raw(raw.calendar)?)?;
    Ok(LoadedPolicy {
        policy: Policy {
            id: raw.id,
            name_zh: raw.name_zh,
            name_en: raw.name_en,
            source: raw.source,
            limits,
            max_reopens,
            return_requires_call: raw.return_requires_call,
            extension_requires_explanation: raw.extension_requires_explanation,
            emergencies_extendable: raw.emergencies_extendable,
            emergency_duty_report: raw.emergency_duty_report,
            emergency_category_required: raw.emergency_category_required,
            lawful_reply_closure: raw.lawful_reply_closure,
            not_accepted_reasons,
            procedures: raw.procedures,
        },
        calendar,
    })
}
