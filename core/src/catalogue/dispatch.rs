//! The dispatch catalogue (派单目录): for a category and an administrative division, the lead
//! unit, the assisting units and the limit a law sets. The center's dispatch proposes from it;
//! a return the center approves may amend an entry, so the next order goes right the first time.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::CatalogueError;
use super::tree::{Catalogue, MAX_DISPATCH_ENTRIES};
use crate::model::{EventId, StatutoryLimit, Timestamp, UnitId};

/// Where the matters of a category in a division go: the lead unit and the assisting units.
/// An entry of the catalogue, and what a return decision's amendment sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispatchRoute {
    pub category: String,
    /// A division code prefix (2 to 12 digits); empty for the whole jurisdiction.
    #[serde(default)]
    pub division: String,
    pub lead: UnitId,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assisting: Vec<UnitId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispatchEntry {
    #[serde(flatten)]
    pub route: DispatchRoute,
    /// Turpan art. 17: the handling limit a law sets for the matter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statutory_limit: Option<StatutoryLimit>,
}

/// An amendment as recorded: which signed decision made it, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedAmendment {
    pub event: EventId,
    pub at: Timestamp,
    pub amendment: DispatchRoute,
}

/// The catalogue's answer for one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub lead: UnitId,
    pub assisting: Vec<UnitId>,
    pub statutory_limit: Option<StatutoryLimit>,
    /// The entry it came from: its category (the order's or an ancestor's) and division.
    pub category: String,
    pub division: String,
    /// The return decision that set it, when an amendment did.
    pub amended_by: Option<EventId>,
}

fn valid_division(d: &str) -> bool {
    d.is_empty() || ((2..=12).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

impl DispatchRoute {
    /// What an amendment must be before a decision may carry it (the category is checked
    /// against the catalogue where one is held).
    pub fn check(&self) -> Result<(), CatalogueError> {
        if !super::tree::valid_code(&self.category) {
            return Err(CatalogueError::BadCode {
                code: self.category.clone(),
            });
        }
        entry_shape(0, &self.division, &self.lead, &self.assisting)
    }
}

fn entry_shape(
    index: usize,
    division: &str,
    lead: &UnitId,
    assisting: &[UnitId],
) -> Result<(), CatalogueError> {
    let bad = |problem: String| CatalogueError::BadDispatchEntry { index, problem };
    if !valid_division(division) {
        return Err(bad(format!(
            "division `{division}` is not a division code prefix (2 to 12 digits, or empty)"
        )));
    }
    if lead.0.trim().is_empty() || lead.0.len() > 128 {
        return Err(bad("the lead unit is missing".into()));
    }
    if assisting.len() > 20 {
        return Err(bad("more than 20 assisting units".into()));
    }
    if assisting.contains(lead) {
        return Err(bad(format!("{lead} is both lead and assisting")));
    }
    Ok(())
}

impl Catalogue {
    pub(super) fn check_dispatch(&self) -> Result<(), CatalogueError> {
        if self.dispatch.len() > MAX_DISPATCH_ENTRIES {
            return Err(CatalogueError::Syntax {
                message: format!("more than {MAX_DISPATCH_ENTRIES} dispatch entries"),
            });
        }
        let mut keys = BTreeSet::new();
        for (i, e) in self.dispatch.iter().enumerate() {
            let index = i + 1;
            let r = &e.route;
            if self.category(&r.category).is_none() {
                return Err(CatalogueError::DispatchUnknownCategory {
                    index,
                    category: r.category.clone(),
                });
            }
            entry_shape(index, &r.division, &r.lead, &r.assisting)?;
            if !keys.insert((r.category.as_str(), r.division.as_str())) {
                return Err(CatalogueError::DuplicateDispatchEntry {
                    category: r.category.clone(),
                    division: r.division.clone(),
                });
            }
            self.check_lead(&r.category, &r.lead)?;
        }
        Ok(())
    }

    /// The entries in force: the issued ones, changed by the amendments made after the
    /// catalogue was issued (older ones are taken to be in it), oldest first — a later
    /// decision on the same category and division wins.
    pub fn entries_with(
        &self,
        issued_at: Timestamp,
        amendments: &[RecordedAmendment],
    ) -> Vec<(DispatchEntry, Option<EventId>)> {
        let mut entries: Vec<(DispatchEntry, Option<EventId>)> =
            self.dispatch.iter().cloned().map(|e| (e, None)).collect();
        let mut newer: Vec<&RecordedAmendment> =
            amendments.iter().filter(|a| a.at > issued_at).collect();
        newer.sort_by(|a, b| (a.at, &a.event).cmp(&(b.at, &b.event)));
        for a in newer {
            let m = &a.amendment;
            match entries
                .iter_mut()
                .find(|(e, _)| e.route.category == m.category && e.route.division == m.division)
            {
                Some((e, by)) => {
                    e.route = m.clone();
                    *by = Some(a.event.clone());
                }
                None => entries.push((
                    DispatchEntry {
                        route: m.clone(),
                        statutory_limit: None,
                    },
                    Some(a.event.clone()),
                )),
            }
        }
        entries
    }

    /// Whom to dispatch an order of `category` at `division` to: the entry of the most specific
    /// category (the order's, then each ancestor's) that has one for the place, and among those
    /// the longest division prefix of the order's code (the whole jurisdiction last).
    pub fn propose(
        &self,
        issued_at: Timestamp,
        amendments: &[RecordedAmendment],
        category: &str,
        division: Option<&str>,
    ) -> Option<Proposal> {
        let entries = self.entries_with(issued_at, amendments);
        let code = division.unwrap_or("");
        for c in self.lineage(category) {
            let best = entries
                .iter()
                .filter(|(e, _)| {
                    e.route.category == c.code && code.starts_with(e.route.division.as_str())
                })
                .max_by_key(|(e, _)| e.route.division.len());
            if let Some((e, by)) = best {
                return Some(Proposal {
                    lead: e.route.lead.clone(),
                    assisting: e.route.assisting.clone(),
                    statutory_limit: e.statutory_limit.clone(),
                    category: e.route.category.clone(),
                    division: e.route.division.clone(),
                    amended_by: by.clone(),
                });
            }
        }
        None
    }
}
