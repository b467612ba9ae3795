//! Deadline arithmetic: hour limits are natural hours, working-day limits follow the counting
//! rule of DOMAIN.md in +08:00 local time.

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, Offset, TimeZone, Utc};
use serde::Serialize;

use super::{HolidayCalendar, Limit, Policy, PolicyError};
use crate::model::{RequestKind, Timestamp, Urgency};

const CHINA_OFFSET_SECS: i32 = 8 * 3600;

/// China Standard Time, the only local time the hotline uses.
pub fn local_offset() -> FixedOffset {
    // 8 h is always inside FixedOffset's ±24 h range; the fallback is unreachable.
    FixedOffset::east_opt(CHINA_OFFSET_SECS).unwrap_or(Utc.fix())
}

pub fn to_local(t: Timestamp) -> DateTime<FixedOffset> {
    t.with_timezone(&local_offset())
}

/// When a limit that starts at `from` runs out.
pub fn deadline_after(
    limit: Limit,
    from: Timestamp,
    cal: &HolidayCalendar,
) -> Result<Timestamp, PolicyError> {
    match limit {
        Limit::Hours(h) => from
            .checked_add_signed(Duration::hours(i64::from(h)))
            .ok_or(PolicyError::OutOfRange),
        Limit::WorkingDays(n) => {
            let start = to_local(from).date_naive();
            let day = cal.add_working_days(start, n)?;
            let end = NaiveTime::from_hms_opt(23, 59, 59).ok_or(PolicyError::OutOfRange)?;
            let local = local_offset()
                .from_local_datetime(&day.and_time(end))
                .single()
                .ok_or(PolicyError::OutOfRange)?;
            Ok(local.with_timezone(&Utc))
        }
    }
}

/// The deadlines that apply to an order whose clock starts at one instant; `None` where the
/// policy sets no such limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Deadlines {
    pub dispatch_due: Option<Timestamp>,
    pub handling_due: Option<Timestamp>,
    pub sign_for_due: Option<Timestamp>,
    pub return_due: Option<Timestamp>,
    /// As if the order were reopened at the same instant.
    pub reopen_due: Option<Timestamp>,
    /// First response to an emergency.
    pub response_due: Option<Timestamp>,
}

impl Policy {
    /// The handling limit for an order: emergencies first, then difficult matters needing leader
    /// approval, then the limit of the request kind. A more specific limit the policy lacks
    /// falls back to the next one.
    pub fn handling_limit(
        &self,
        kind: RequestKind,
        urgency: Urgency,
        leader_approval: bool,
    ) -> Option<Limit> {
        let by_kind = if kind.is_complaint_or_report() {
            self.limits.complaint_report
        } else {
            self.limits.inquiry_help_suggestion
        };
        let normal = if leader_approval {
            self.limits.leader_approval.or(by_kind)
        } else {
            by_kind
        };
        match urgency {
            Urgency::Emergency => self.limits.emergency_close.or(normal),
            Urgency::Normal => normal,
        }
    }

    /// Every deadline counted from one instant, as `hotline policy due` shows them.
    pub fn deadlines_from(
        &self,
        cal: &HolidayCalendar,
        kind: RequestKind,
        urgency: Urgency,
        leader_approval: bool,
        from: Timestamp,
    ) -> Result<Deadlines, PolicyError> {
        let due = |l: Option<Limit>| l.map(|l| deadline_after(l, from, cal)).transpose();
        let emergency = urgency == Urgency::Emergency;
        Ok(Deadlines {
            dispatch_due: due(self.dispatch_limit(urgency))?,
            handling_due: due(self.handling_limit(kind, urgency, leader_approval))?,
            sign_for_due: due(self.limits.sign_for)?,
            return_due: due(self.limits.return_request)?,
            reopen_due: due(self.limits.reopen)?,
            response_due: due(self.limits.emergency_response.filter(|_| emergency))?,
        })
    }
}
