//! One knowledge-base item (知识库条目) as the Puyang seed lists its fields, and the signed
//! records that publish, update or flag it. Pure: checked the same on the publishing device, at
//! the hub and on every device that receives it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::errors::{KbError, Problem};
use crate::limits::{MAX_ID_CHARS, MAX_NOTE_CHARS, MAX_SHORT_CHARS, MAX_TEXT_CHARS};
use crate::model::{Actor, Role, Timestamp, UnitId};

/// Characters of an item's title.
pub const MAX_TITLE_CHARS: usize = 200;
/// The highest version an item may reach: what every store's integer column holds
/// (PostgreSQL's INTEGER is 32-bit).
pub const MAX_KB_VERSION: u32 = i32::MAX as u32;

/// The fields a unit keeps for one item (Puyang: 法律依据、办理条件、所需材料、办理流程、收费标准、
/// 办理地点、办理时限、注意事项). Empty ones are left out of the signed bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbFields {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub legal_basis: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub conditions: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub materials: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub process: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fees: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub place: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub time_limit: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

impl KbFields {
    /// (machine name, 中文, English, value) of each field, in the seed's order.
    pub fn labelled(&self) -> [(&'static str, &'static str, &'static str, &str); 8] {
        [
            ("legal_basis", "法律依据", "Legal basis", &self.legal_basis),
            ("conditions", "办理条件", "Conditions", &self.conditions),
            ("materials", "所需材料", "Materials", &self.materials),
            ("process", "办理流程", "Process", &self.process),
            ("fees", "收费标准", "Fees", &self.fees),
            ("place", "办理地点", "Place", &self.place),
            ("time_limit", "办理时限", "Time limit", &self.time_limit),
            ("notes", "注意事项", "Notes", &self.notes),
        ]
    }
}

/// One version of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbItem {
    /// Stable across versions; what an instant answer names. Letters, digits, `-`, `_`, `.`.
    pub id: String,
    /// 1 for the first publication, then one more for each update.
    pub version: u32,
    /// The unit that owns and keeps the item current.
    pub unit: UnitId,
    pub title: String,
    /// The answer a citizen reads first (and the instant answer records).
    pub answer: String,
    #[serde(default)]
    pub fields: KbFields,
    /// First and last day (+08:00) the item applies; outside them search leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
    /// The day the policy this version carries took effect or was issued: Puyang's one-week
    /// update duty counts from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_date: Option<NaiveDate>,
}

/// What one signed record does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum KbChange {
    /// A new item (version 1) or a new version of one.
    Publish { item: Box<KbItem> },
    /// The policy behind an item changed on `on`: the owning unit must publish a version
    /// carrying it within a week (Puyang). The center or the unit records it.
    PolicyChanged {
        item: String,
        unit: UnitId,
        on: NaiveDate,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        note: String,
    },
}

/// The signed payload: who, when, what. The signer's certificate must certify `by`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KbRecord {
    pub at: Timestamp,
    pub by: Actor,
    pub change: KbChange,
}

/// Units' own people keep their items; the center keeps any unit's.
const UNIT_ROLES: [Role; 3] = [Role::Staff, Role::UnitHead, Role::DeputyHead];
const CENTER_ROLES: [Role; 2] = [Role::Dispatcher, Role::Intake];

impl KbRecord {
    pub fn item_id(&self) -> &str {
        match &self.change {
            KbChange::Publish { item } => &item.id,
            KbChange::PolicyChanged { item, .. } => item,
        }
    }

    /// The unit the record is about (the item's owner).
    pub fn unit(&self) -> &UnitId {
        match &self.change {
            KbChange::Publish { item } => &item.unit,
            KbChange::PolicyChanged { unit, .. } => unit,
        }
    }

    pub fn version(&self) -> Option<u32> {
        match &self.change {
            KbChange::Publish { item } => Some(item.version),
            KbChange::PolicyChanged { .. } => None,
        }
    }

    /// Everything a record must say, and no field over its limit: the device checks it when
    /// the person publishes, the hub and every receiver again.
    pub fn check(&self) -> Result<(), KbError> {
        check_id(self.item_id())?;
        fits("unit", &self.unit().0, MAX_ID_CHARS)?;
        required("unit", &self.unit().0)?;
        match &self.change {
            KbChange::Publish { item } => {
                if item.version == 0 {
                    return Err(KbError::invalid("version", Problem::VersionZero));
                }
                if item.version > MAX_KB_VERSION {
                    return Err(KbError::invalid("version", Problem::TooLarge));
                }
                // A version cannot carry a policy from a day after it was made: the update
                // duty counts a policy as met by the first version carrying it.
                if item
                    .policy_date
                    .is_some_and(|d| d > crate::policy::to_local(self.at).date_naive())
                {
                    return Err(KbError::invalid("policy_date", Problem::AfterTheRecord));
                }
                required("title", &item.title)?;
                fits("title", &item.title, MAX_TITLE_CHARS)?;
                required("answer", &item.answer)?;
                fits("answer", &item.answer, MAX_TEXT_CHARS)?;
                for (name, _, _, value) in item.fields.labelled() {
                    fits(name, value, MAX_NOTE_CHARS)?;
                }
                if let (Some(from), Some(until)) = (item.valid_from, item.valid_until)
                    && until < from
                {
                    return Err(KbError::invalid("valid_until", Problem::EndsBeforeStart));
                }
                Ok(())
            }
            KbChange::PolicyChanged { note, .. } => fits("note", note, MAX_SHORT_CHARS),
        }
    }

    /// Whether `by` may make this record: the owning unit's own people, or the center.
    pub fn check_author(&self) -> Result<(), KbError> {
        let by = &self.by;
        let allowed = CENTER_ROLES.contains(&by.role)
            || (UNIT_ROLES.contains(&by.role) && &by.unit == self.unit());
        if allowed {
            Ok(())
        } else {
            Err(KbError::NotPermitted {
                role: by.role,
                unit: self.unit().clone(),
            })
        }
    }
}

impl KbItem {
    /// Whether the item applies on `day` (+08:00).
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= day) && self.valid_until.is_none_or(|u| day <= u)
    }
}

fn check_id(id: &str) -> Result<(), KbError> {
    let ok = !id.is_empty()
        && id.len() <= MAX_ID_CHARS
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(KbError::invalid("id", Problem::BadId))
    }
}

fn required(field: &'static str, value: &str) -> Result<(), KbError> {
    if value.trim().is_empty() {
        Err(KbError::invalid(field, Problem::Empty))
    } else {
        Ok(())
    }
}

fn fits(field: &'static str, value: &str, max: usize) -> Result<(), KbError> {
    if value.chars().count() > max {
        Err(KbError::invalid(field, Problem::TooLong))
    } else {
        Ok(())
    }
}
