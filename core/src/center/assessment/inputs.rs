//! The center's assessment inputs: figures hotline does not capture by itself, entered by the
//! center in a clearly labelled TOML file. Each one is named after the rule it feeds; a figure
//! not given is reported as missing, never assumed.
//!
//! ```toml
//! # 考核录入数据 — entered by the hotline center, not captured by hotline
//! [units."town-gucheng"]
//! name = "古城镇"
//! class = "town"                      # town | department (Linshu's k and volume bands)
//!
//! [months."2026-11"."town-gucheng"]
//! unanswered_phone_checks = 2         # Puyang 电话接通率: unanswered 3-ring checks
//! kb_days_late = 0                    # Puyang 知识库: days late with the knowledge base
//! callback_findings = 0               # Puyang 回访核实: falsified / not handled, found by the center
//! county_government_supervisions = 0  # Linshu 督查督办: by the county government's inspection office
//! discipline_referrals = 0            # Linshu 督查督办: referred to discipline inspection
//! falsified_applications = 0          # Linshu 疑难诉求: non-compliant applications found falsified
//!
//! [department_bands]                  # Linshu 承办量: county departments' volume bands (10/8/6/4, else 2)
//! "2026-11" = [40, 30, 20, 10]
//!
//! [year_end."2026"]                   # Linshu 年终考核 (out of 100): 20 % of the annual score
//! "town-gucheng" = 88.5
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::center::CenterError;

/// Linshu scores towns and county departments apart, with their own k.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitClass {
    /// 镇街: towns and streets.
    Town,
    /// 县直单位: county departments.
    Department,
}

impl UnitClass {
    pub fn zh(self) -> &'static str {
        match self {
            UnitClass::Town => "镇街",
            UnitClass::Department => "县直单位",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitInfo {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub class: Option<UnitClass>,
}

/// One unit's entered figures for one month.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthFigures {
    pub unanswered_phone_checks: Option<u32>,
    pub kb_days_late: Option<u32>,
    pub callback_findings: Option<u32>,
    pub county_government_supervisions: Option<u32>,
    pub discipline_referrals: Option<u32>,
    pub falsified_applications: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentInputs {
    #[serde(default)]
    pub units: BTreeMap<String, UnitInfo>,
    /// month → unit → figures.
    #[serde(default)]
    pub months: BTreeMap<String, BTreeMap<String, MonthFigures>>,
    /// month → the four volume thresholds for 10, 8, 6 and 4 points (else 2).
    #[serde(default)]
    pub department_bands: BTreeMap<String, [u32; 4]>,
    /// year → unit → year-end score out of 100.
    #[serde(default)]
    pub year_end: BTreeMap<String, BTreeMap<String, f64>>,
}

impl AssessmentInputs {
    pub fn from_toml_str(text: &str) -> Result<AssessmentInputs, CenterError> {
        let inputs: AssessmentInputs =
            toml::from_str(text).map_err(|e| CenterError::Inputs(e.message().to_string()))?;
        for (month, bands) in &inputs.department_bands {
            if bands.windows(2).any(|w| w[0] < w[1]) {
                return Err(CenterError::Inputs(format!(
                    "department_bands for {month} must go from the highest threshold down"
                )));
            }
        }
        for scores in inputs.year_end.values() {
            if let Some((unit, s)) = scores.iter().find(|(_, s)| !(0.0..=100.0).contains(*s)) {
                return Err(CenterError::Inputs(format!(
                    "year-end score of {unit} is {s}: it must be between 0 and 100"
                )));
            }
        }
        Ok(inputs)
    }

    pub fn figures(&self, month: &str, unit: &str) -> Option<&MonthFigures> {
        self.months.get(month).and_then(|m| m.get(unit))
    }

    pub fn info(&self, unit: &str) -> Option<&UnitInfo> {
        self.units.get(unit)
    }

    pub fn class(&self, unit: &str) -> Option<UnitClass> {
        self.info(unit).and_then(|i| i.class)
    }

    pub fn name(&self, unit: &str) -> Option<String> {
        self.info(unit).and_then(|i| i.name.clone())
    }
}
