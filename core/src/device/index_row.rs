//! The query-index row of an order: what inbox, overdue and receipt lookups read without
//! loading the document.

use super::DeviceError;
use crate::Coded;
use crate::model::{OrderId, Timestamp};
use crate::policy::{HolidayCalendar, Policy};
use crate::store::IndexRow;
use crate::workflow::{OrderState, Status, deadlines};

pub(super) fn build(
    order: &OrderId,
    state: &OrderState,
    policy: &Policy,
    cal: &HolidayCalendar,
    now: Timestamp,
) -> Result<IndexRow, DeviceError> {
    let details = state
        .details
        .as_ref()
        .ok_or_else(|| DeviceError::UnknownOrder(order.0.clone()))?;
    let terminal = state.status.is_final();
    let (handling_due, next) = match deadlines(state, policy, cal) {
        Ok(d) => {
            // The deadline the holder of the order must meet next, given where it stands.
            let candidates: Vec<(&str, Option<Timestamp>)> = match state.status {
                Status::Submitted | Status::Registered => vec![("dispatch", d.dispatch_due)],
                Status::Dispatched => vec![
                    ("response", d.response_due),
                    ("sign_for", d.sign_for_due),
                    ("handling", d.handling_due),
                ],
                s if s.is_handling_clock_running() => {
                    vec![("response", d.response_due), ("handling", d.handling_due)]
                }
                _ => Vec::new(),
            };
            let next = candidates
                .into_iter()
                .filter_map(|(k, t)| t.map(|t| (k.to_string(), t)))
                .min_by_key(|(_, t)| *t);
            (d.handling_due, next)
        }
        // Indexed without a deadline but marked, so the gap is visible rather than guessed.
        Err(e) => (None, Some((e.code().to_string(), now))),
    };
    let (next_due, next_due_kind) = match next {
        Some((kind, t)) if !kind.starts_with("calendar") => {
            (Some(t.timestamp_millis()), Some(kind))
        }
        Some((kind, _)) => (None, Some(kind)),
        None => (None, None),
    };
    Ok(IndexRow {
        order: order.clone(),
        receipt: details.receipt.0.clone(),
        kind: details.kind.as_str().to_string(),
        urgency: match details.urgency {
            crate::model::Urgency::Normal => "normal".into(),
            crate::model::Urgency::Emergency => "emergency".into(),
        },
        status: state.status.as_str().to_string(),
        confidential: details.confidential,
        lead_unit: state.lead_unit.as_ref().map(|u| u.0.clone()),
        co_units: state.co_units.iter().map(|u| u.0.clone()).collect(),
        // Overdue is measured against the handling deadline only while the unit's clock runs:
        // an order answered on time and waiting for review is not overdue.
        handling_due: if state.status.is_handling_clock_running() {
            handling_due.map(|t| t.timestamp_millis())
        } else {
            None
        },
        next_due: if terminal { None } else { next_due },
        next_due_kind: if terminal { None } else { next_due_kind },
        terminal,
        updated_at: now.timestamp_millis(),
        division_code: details.location.division_code.clone(),
    })
}
