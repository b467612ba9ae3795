//! The periods the center reports on: a calendar month or an ISO week, in +08:00.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::CenterError;
use crate::model::Timestamp;
use crate::policy::local_offset;

/// A half-open interval `[start, end)` of instants with its label (`2026-11`, `2026-W48`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub label: String,
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Period {
    /// `YYYY-MM`: from the 1st 00:00 to the next month's 1st 00:00, China time.
    pub fn month(label: &str) -> Result<Period, CenterError> {
        let bad = || CenterError::BadPeriod(label.to_string());
        let (y, m) = label.split_once('-').ok_or_else(bad)?;
        let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if label.len() != 7 {
            return Err(bad());
        }
        let first = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)?;
        let next = if m == 12 {
            NaiveDate::from_ymd_opt(y + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(y, m + 1, 1)
        }
        .ok_or_else(bad)?;
        Ok(Period {
            label: format!("{y:04}-{m:02}"),
            start: local_midnight(first).ok_or_else(bad)?,
            end: local_midnight(next).ok_or_else(bad)?,
        })
    }

    /// `YYYY-Www` (ISO week, Monday to Monday): Linshu's weekly special report.
    pub fn week(label: &str) -> Result<Period, CenterError> {
        let bad = || CenterError::BadPeriod(label.to_string());
        let (y, w) = label.split_once("-W").ok_or_else(bad)?;
        let (y, w): (i32, u32) = (y.parse().map_err(|_| bad())?, w.parse().map_err(|_| bad())?);
        let monday = NaiveDate::from_isoywd_opt(y, w, chrono::Weekday::Mon).ok_or_else(bad)?;
        let next = monday
            .checked_add_signed(Duration::days(7))
            .ok_or_else(bad)?;
        Ok(Period {
            label: format!("{y:04}-W{w:02}"),
            start: local_midnight(monday).ok_or_else(bad)?,
            end: local_midnight(next).ok_or_else(bad)?,
        })
    }

    /// The month `n` months before this one (for trends and "three months running").
    pub fn months_before(&self, n: u32) -> Result<Period, CenterError> {
        let local = crate::policy::to_local(self.start).date_naive();
        let index = local.year() * 12 + local.month0() as i32 - n as i32;
        Period::month(&format!(
            "{:04}-{:02}",
            index.div_euclid(12),
            index.rem_euclid(12) + 1
        ))
    }

    pub fn contains(&self, t: Timestamp) -> bool {
        self.start <= t && t < self.end
    }

    /// The instant up to which facts count: the period's end, or `now` if that comes first
    /// (a report on the current month shows it as it stands).
    pub fn as_of(&self, now: Timestamp) -> Timestamp {
        now.min(self.end)
    }
}

fn local_midnight(day: NaiveDate) -> Option<Timestamp> {
    local_offset()
        .from_local_datetime(&day.and_time(NaiveTime::MIN))
        .single()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_runs_from_the_first_midnight_china_time() {
        let p = Period::month("2026-02").unwrap();
        assert_eq!(p.start.to_rfc3339(), "2026-01-31T16:00:00+00:00");
        assert_eq!(p.end.to_rfc3339(), "2026-02-28T16:00:00+00:00");
        assert_eq!(
            Period::month("2026-12").unwrap().end.to_rfc3339(),
            "2026-12-31T16:00:00+00:00"
        );
        assert_eq!(p.months_before(2).unwrap().label, "2025-12");
        for bad in ["2026-13", "2026-2", "26-02", "2026/02", ""] {
            assert!(Period::month(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_week_is_an_iso_week() {
        let p = Period::week("2026-W48").unwrap();
        assert_eq!(p.start.to_rfc3339(), "2026-11-22T16:00:00+00:00");
        assert!(Period::week("2026-W54").is_err());
    }
}
