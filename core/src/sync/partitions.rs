//! Which pull partitions a person reads (see `store::partitions` for how they are kept): the
//! center's roles the whole log, a unit's people their unit's scope, a supervisor the scope of
//! their area, and everyone their own scope (orders they hold outside their role's); a kiosk
//! nothing.

use crate::identity::Certificate;
use crate::model::Role;
use crate::store::{AREA_LEVELS, area_scope, leading_chars, peer_scope, unit_scope};

/// What one person's pull reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullScope {
    /// The whole log: the center's roles and a supervisor of the whole city (`within: None`),
    /// or a supervisor whose area is shorter than any level (keeping the orders under it).
    Everything { within: Option<String> },
    /// Nothing (a kiosk: a public device keeps no records but what it submitted).
    Nothing,
    /// These scopes, merged by log position.
    Scopes {
        scopes: Vec<String>,
        /// A supervisor whose area is not a level of its own reads the enclosing level's scope
        /// and keeps only the orders under their area.
        within: Option<String>,
    },
}

impl PullScope {
    pub fn of(cert: &Certificate) -> PullScope {
        let b = &cert.body;
        let own = peer_scope(&b.id.0);
        match b.role {
            Role::Kiosk => PullScope::Nothing,
            Role::Dispatcher
            | Role::Intake
            | Role::Callback
            | Role::Auditor
            | Role::CenterService => PullScope::Everything { within: None },
            Role::Supervisor if b.area.is_empty() => PullScope::Everything { within: None },
            Role::Supervisor => {
                let len = b.area.chars().count();
                let level = AREA_LEVELS.iter().rev().find(|&&n| n <= len);
                match level.and_then(|&n| leading_chars(&b.area, n)) {
                    // Orders with no division code are every supervisor's.
                    Some(prefix) => PullScope::Scopes {
                        scopes: vec![area_scope(prefix), area_scope(""), own],
                        within: (prefix.len() < b.area.len()).then(|| b.area.clone()),
                    },
                    None => PullScope::Everything {
                        within: Some(b.area.clone()),
                    },
                }
            }
            r if r.is_unit_role() => PullScope::Scopes {
                scopes: vec![unit_scope(&b.unit.0), own],
                within: None,
            },
            _ => PullScope::Nothing,
        }
    }

    /// Whether a change found in this person's scopes must still be checked against the order.
    pub fn needs_check(&self) -> bool {
        match self {
            PullScope::Everything { within } | PullScope::Scopes { within, .. } => within.is_some(),
            PullScope::Nothing => false,
        }
    }
}

/// Merges positions read per scope (each oldest first) into one list, oldest first, without
/// repeats, at most `limit`: the next batch of a pull across several scopes.
pub fn merge_positions(per_scope: Vec<Vec<i64>>, limit: usize) -> Vec<i64> {
    let mut all: Vec<i64> = per_scope.into_iter().flatten().collect();
    all.sort_unstable();
    all.dedup();
    all.truncate(limit);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_from_several_scopes_merge_in_log_order_once() {
        let merged = merge_positions(vec![vec![3, 9, 12], vec![1, 3, 20], vec![]], 4);
        assert_eq!(merged, vec![1, 3, 9, 12]);
    }
}
