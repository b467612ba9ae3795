//! Puyang's update duty (知识库): a unit puts a changed policy into the knowledge base within
//! one week, one point off for each day late. A policy change is known from a record that says
//! so (the center or the unit flags it) or from a version that names its policy's date; it is
//! met by the first version published that carries a policy of that date or later.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::item::{KbChange, KbRecord};
use crate::model::{Timestamp, UnitId};
use crate::policy::to_local;

/// Calendar days a unit has to publish a changed policy (Puyang: 一周内).
pub const UPDATE_DAYS: u64 = 7;

/// One policy change of one item and how its update went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdateDuty {
    pub item: String,
    pub unit: UnitId,
    /// The day the policy changed.
    pub policy_date: NaiveDate,
    /// The last day the update was on time.
    pub due: NaiveDate,
    /// When the version carrying it was published (none yet: still owed).
    pub updated_at: Option<Timestamp>,
    /// Days past `due` when published, or up to `now` while still owed.
    pub days_late: u32,
}

impl UpdateDuty {
    pub fn is_late(&self) -> bool {
        self.days_late > 0
    }
}

/// One item's owner, the policy dates it must carry, and its publications (when, carrying the
/// policy of which date).
type ItemDuties = (UnitId, Vec<NaiveDate>, Vec<(Timestamp, NaiveDate)>);

/// Every policy change the records show, each with its update, as of `now`; by item, then date.
pub fn update_duties<'a>(
    records: impl IntoIterator<Item = &'a KbRecord>,
    now: Timestamp,
) -> Vec<UpdateDuty> {
    // Per item: its owner, the policy dates it must carry, and its publications.
    let mut items: BTreeMap<&str, ItemDuties> = BTreeMap::new();
    for r in records {
        let entry = items
            .entry(r.item_id())
            .or_insert_with(|| (r.unit().clone(), Vec::new(), Vec::new()));
        match &r.change {
            KbChange::PolicyChanged { on, .. } => entry.1.push(*on),
            KbChange::Publish { item } => {
                if let Some(d) = item.policy_date {
                    entry.1.push(d);
                    entry.2.push((r.at, d));
                }
            }
        }
    }
    let today = to_local(now).date_naive();
    let mut out = Vec::new();
    for (item, (unit, mut dates, published)) in items {
        dates.sort_unstable();
        dates.dedup();
        for policy_date in dates {
            let due = policy_date
                .checked_add_days(Days::new(UPDATE_DAYS))
                .unwrap_or(policy_date);
            let updated_at = published
                .iter()
                .filter(|(_, carried)| *carried >= policy_date)
                .map(|(at, _)| *at)
                .min();
            let until = updated_at.map_or(today, |t| to_local(t).date_naive());
            let late = until.signed_duration_since(due).num_days().max(0);
            out.push(UpdateDuty {
                item: item.to_string(),
                unit: unit.clone(),
                policy_date,
                due,
                updated_at,
                days_late: u32::try_from(late).unwrap_or(u32::MAX),
            });
        }
    }
    out
}

/// Days late per unit of `duties` (Puyang: −1 a day), for the center's assessment inputs;
/// the caller picks the duties of its period.
pub fn days_late_by_unit(duties: &[UpdateDuty]) -> BTreeMap<UnitId, u32> {
    let mut out: BTreeMap<UnitId, u32> = BTreeMap::new();
    for d in duties.iter().filter(|d| d.is_late()) {
        *out.entry(d.unit.clone()).or_default() += d.days_late;
    }
    out
}
