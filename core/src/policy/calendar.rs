//! The national holiday calendar with make-up working days (调休).
//!
//! Whether a date is a working day is not a property of the weekday alone: the State Council
//! moves weekends every year. So the calendar only answers for years it has been given, and a
//! date outside them is an error rather than a weekday guess that could silently shift a
//! deadline by days.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

use super::PolicyError;

const NATIONAL_TOML: &str = include_str!("../../data/holidays-cn.toml");

/// One year's schedule as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearSchedule {
    pub year: i32,
    /// The notice it comes from.
    pub source: String,
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days that are working days.
    pub workdays: BTreeSet<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HolidayCalendar {
    years: BTreeMap<i32, YearSchedule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    #[serde(default)]
    year: Vec<RawYear>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawYear {
    year: Option<i32>,
    #[serde(default)]
    source: String,
    #[serde(default)]
    holidays: Vec<String>,
    #[serde(default)]
    workdays: Vec<String>,
}

impl HolidayCalendar {
    /// The calendar shipped with hotline: 2025 and 2026.
    pub fn national() -> Result<Self, PolicyError> {
        Self::from_toml_str(NATIONAL_TOML)
    }

    /// A calendar file: one `[[year]]` table per year with `year`, `source`, `holidays`, `workdays`.
    pub fn from_toml_str(text: &str) -> Result<Self, PolicyError> {
        let file: CalendarFile = toml::from_str(text).map_err(|e| PolicyError::Syntax {
            message: e.to_string(),
        })?;
        Self::from_raw(file.year)
    }

    pub(super) fn from_raw(raw: Vec<RawYear>) -> Result<Self, PolicyError> {
        let mut cal = HolidayCalendar::default();
        for (i, r) in raw.into_iter().enumerate() {
            let schedule = r.into_schedule(i + 1)?;
            cal.insert(schedule)?;
        }
        Ok(cal)
    }

    /// Adds a year; a year already known is refused so that two sources never silently mix.
    pub fn insert(&mut self, schedule: YearSchedule) -> Result<(), PolicyError> {
        if self.years.contains_key(&schedule.year) {
            return Err(PolicyError::DuplicateYear {
                year: schedule.year,
            });
        }
        self.years.insert(schedule.year, schedule);
        Ok(())
    }

    /// Adds every year of `other`.
    pub fn merge(&mut self, other: HolidayCalendar) -> Result<(), PolicyError> {
        for (_, y) in other.years {
            self.insert(y)?;
        }
        Ok(())
    }

    pub fn years(&self) -> impl Iterator<Item = &YearSchedule> {
        self.years.values()
    }

    fn known_years(&self) -> String {
        let v: Vec<String> = self.years.keys().map(|y| y.to_string()).collect();
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    }

    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, PolicyError> {
        let y = self
            .years
            .get(&date.year())
            .ok_or_else(|| PolicyError::OutsideCalendar {
                date,
                known: self.known_years(),
            })?;
        if y.workdays.contains(&date) {
            return Ok(true);
        }
        if y.holidays.contains(&date) {
            return Ok(false);
        }
        Ok(!matches!(date.weekday(), Weekday::Sat | Weekday::Sun))
    }

    /// The `n`-th working day after `start` (`start` itself never counts). `n = 0` gives `start`.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Result<NaiveDate, PolicyError> {
        let mut date = start;
        let mut left = n;
        while left > 0 {
            date = date.succ_opt().ok_or(PolicyError::OutOfRange)?;
            if self.is_working_day(date)? {
                left -= 1;
            }
        }
        Ok(date)
    }

    /// Working days strictly after `from` up to and including `to` (0 when `to <= from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<u32, PolicyError> {
        let mut count = 0u32;
        let mut date = from;
        while date < to {
            date = date.succ_opt().ok_or(PolicyError::OutOfRange)?;
            if self.is_working_day(date)? {
                count += 1;
            }
        }
        Ok(count)
    }
}

impl RawYear {
    fn into_schedule(self, index: usize) -> Result<YearSchedule, PolicyError> {
        let year = self.year.ok_or(PolicyError::MissingYear { index })?;
        let parse = |s: &String| -> Result<NaiveDate, PolicyError> {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .filter(|d| d.year() == year)
                .ok_or_else(|| PolicyError::DateOutsideYear {
                    year,
                    date: s.clone(),
                })
        };
        let holidays = self
            .holidays
            .iter()
            .map(parse)
            .collect::<Result<BTreeSet<_>, _>>()?;
        let workdays = self
            .workdays
            .iter()
            .map(parse)
            .collect::<Result<BTreeSet<_>, _>>()?;
        if let Some(date) = holidays.intersection(&workdays).next() {
            return Err(PolicyError::HolidayAndWorkday { year, date: *date });
        }
        Ok(YearSchedule {
            year,
            source: self.source,
            holidays,
            workdays,
        })
    }
}
