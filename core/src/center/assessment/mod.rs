//! Monthly assessment of handling units (考核), computed only from signed events (through
//! [`OrderFacts`]) and the center's labelled inputs file: anyone holding the same events and
//! the same file gets the same figures. Three methods, each in its own module:
//! [`puyang`] (100 points), [`linshu`] (the daily part, normalised) and [`rates`] (Lishui and
//! Hubei's headline rates).
//!
//! Where a figure needs data hotline does not hold and the inputs file does not give, it is
//! `None` and the unit's `missing` list says what is missing: nothing is invented. A unit with
//! no orders in the month has no rates, so it is listed but not ranked.

pub mod inputs;
pub mod linshu;
pub mod puyang;
pub mod rates;

use serde::{Deserialize, Serialize};

pub use inputs::{AssessmentInputs, UnitClass};

use super::Period;
use super::facts::OrderFacts;
use crate::model::{Timestamp, UnitId};

/// Which method a report uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Puyang,
    Linshu,
    Rates,
}

impl Method {
    pub fn parse(s: &str) -> Option<Method> {
        match s {
            "puyang" => Some(Method::Puyang),
            "linshu" => Some(Method::Linshu),
            "rates" => Some(Method::Rates),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Puyang => "puyang",
            Method::Linshu => "linshu",
            Method::Rates => "rates",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Method::Puyang => "濮阳百分制考核",
            Method::Linshu => "临沭日常考核（归一化）",
            Method::Rates => "丽水、湖北核心指标",
        }
    }
}

/// One indicator of one unit: its raw value, its points and the arithmetic behind them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// The most points it can give (for a rate: 1.0).
    pub max: f64,
    /// The measured value (a count or a rate), `None` when it cannot be measured.
    pub value: Option<f64>,
    /// Points (for the rates method: the rate itself), `None` when unknown.
    pub points: Option<f64>,
    /// How the figure came about, e.g. "20 − 2 × 1 (2 overdue)".
    pub working: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitAssessment {
    pub unit: String,
    /// The unit's name from the inputs file, when given.
    pub name: Option<String>,
    pub class: Option<UnitClass>,
    /// Orders dispatched to the unit in the period (承办量).
    pub volume: u32,
    pub indicators: Vec<Indicator>,
    /// Puyang's bonus for closures against the all-unit average.
    pub bonus: f64,
    /// `None` when an indicator is unknown: the unit is then not ranked.
    pub total: Option<f64>,
    /// 1 = best; units with equal totals share a rank.
    pub rank: Option<u32>,
    /// What is missing, in words (zh / en).
    pub missing: Vec<String>,
}

impl UnitAssessment {
    pub fn indicator(&self, key: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.key == key)
    }
    pub fn points(&self, key: &str) -> Option<f64> {
        self.indicator(key).and_then(|i| i.points)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub method: Method,
    pub period: Period,
    /// Facts count up to here: the period's end, or the moment of the report if earlier.
    pub as_of: Timestamp,
    /// Best first; unranked units last, by id.
    pub units: Vec<UnitAssessment>,
    /// Notes on the whole report (zh / en).
    pub notes: Vec<String>,
}

impl Assessment {
    pub fn unit(&self, unit: &str) -> Option<&UnitAssessment> {
        self.units.iter().find(|u| u.unit == unit)
    }
}

/// Computes one method for one period.
pub fn assess(
    method: Method,
    facts: &[OrderFacts],
    inputs: &AssessmentInputs,
    period: &Period,
    now: Timestamp,
) -> Assessment {
    let units = units_in(facts, inputs);
    let mut a = match method {
        Method::Puyang => puyang::assess(facts, inputs, &units, period, now),
        Method::Linshu => linshu::assess(facts, inputs, &units, period, now),
        Method::Rates => rates::assess(facts, &units, period, now),
    };
    // The rates are not a ranking: units in id order, the city last.
    if method != Method::Rates {
        rank(&mut a.units);
    }
    a
}

/// The `months` months up to and including `period`'s, oldest first (a report's trend; its
/// last three decide Puyang's interviews). Never empty.
pub fn months_ending(
    method: Method,
    facts: &[OrderFacts],
    inputs: &AssessmentInputs,
    period: &Period,
    now: Timestamp,
    months: u32,
) -> Result<Vec<Assessment>, super::CenterError> {
    (0..months.max(1))
        .rev()
        .map(|back| {
            Ok(assess(
                method,
                facts,
                inputs,
                &period.months_before(back)?,
                now,
            ))
        })
        .collect()
}

/// Every unit that had an order or is named in the inputs file, sorted: a unit the center
/// assesses is listed even in a month it had nothing to do.
fn units_in(facts: &[OrderFacts], inputs: &AssessmentInputs) -> Vec<UnitId> {
    let mut units: std::collections::BTreeSet<UnitId> =
        facts.iter().filter_map(|f| f.lead_unit.clone()).collect();
    units.extend(inputs.units.keys().map(|u| UnitId::new(u.as_str())));
    units.extend(
        inputs
            .months
            .values()
            .flat_map(|m| m.keys())
            .map(|u| UnitId::new(u.as_str())),
    );
    units.into_iter().collect()
}

/// Rounds to 4 decimals so that sums of 0.2-point steps compare equal when they are.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Linshu's normalisation: `W × [(x−min)/(max−min) + k × (max−x)/(max−min)]` — the highest
/// value gets W, the lowest k·W. When all values are equal (or there is one unit) every unit
/// gets W: nobody is behind anybody.
pub fn normalised(x: f64, min: f64, max: f64, w: f64, k: f64) -> f64 {
    if max - min <= f64::EPSILON {
        return w;
    }
    round4(w * ((x - min) / (max - min) + k * (max - x) / (max - min)))
}

/// Min and max of the known values.
pub fn bounds(values: impl IntoIterator<Item = Option<f64>>) -> Option<(f64, f64)> {
    values.into_iter().flatten().fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// Competition ranking ("1, 1, 3") by total, best first; unranked units last by id.
fn rank(units: &mut [UnitAssessment]) {
    units.sort_by(|a, b| match (a.total, b.total) {
        (Some(x), Some(y)) => y.total_cmp(&x).then_with(|| a.unit.cmp(&b.unit)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.unit.cmp(&b.unit),
    });
    let totals: Vec<Option<f64>> = units.iter().map(|u| u.total).collect();
    for u in units.iter_mut() {
        u.rank = u.total.map(|t| {
            let better = totals.iter().flatten().filter(|o| **o > t).count();
            // At most the number of units: fits u32 for any real city.
            u32::try_from(better).unwrap_or(u32::MAX - 1) + 1
        });
    }
}

/// Orders dispatched to `unit` in the period.
fn volume_of<'a>(
    facts: &'a [OrderFacts],
    unit: &'a UnitId,
    period: &'a Period,
) -> impl Iterator<Item = &'a OrderFacts> + 'a {
    facts
        .iter()
        .filter(move |f| f.dispatched_to_in(unit, period))
}

fn count(n: usize) -> f64 {
    n as f64
}

fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}
