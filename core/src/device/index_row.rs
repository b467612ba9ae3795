//! The query-index row of an order: what inbox, overdue and receipt lookups read without
//! loading the document.

use super::DeviceError;
use crate::Coded;
use crate::center::similarity::Fingerprint;
use crate::model::{OrderId, Timestamp};
use crate::policy::{HolidayCalendar, Policy};
use crate::store::{HandlingNotices, IndexRow, IntakeRow, NotAcceptedNotice};
use crate::workflow::{OrderState, deadlines};

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
    let (handling_due, response_due, next, deadline_error) = match deadlines(state, policy, cal) {
        Ok(d) => (d.handling_due, d.response_due, d.next(state.status), None),
        // Indexed without a deadline but marked, so the gap is visible rather than guessed.
        Err(e) => (None, None, None, Some(e.code())),
    };
    Ok(IndexRow {
        order: order.clone(),
        receipt: details.receipt.0.clone(),
        kind: details.kind,
        urgency: details.urgency,
        status: state.status,
        confidential: details.confidential,
        lead_unit: state.lead_unit.as_ref().map(|u| u.0.clone()),
        co_units: state.co_units.iter().map(|u| u.0.clone()).collect(),
        sub_units: state.sub_units.iter().map(|u| u.0.clone()).collect(),
        separate_units: state.separate.iter().map(|t| t.unit.0.clone()).collect(),
        // Overdue is measured against the handling deadline only while the unit's clock runs:
        // an order answered on time and waiting for review is not overdue.
        handling_due: if state.status.is_handling_clock_running() {
            handling_due.map(|t| t.timestamp_millis())
        } else {
            None
        },
        response_due: response_due
            .filter(|_| state.status.is_handling_clock_running())
            .map(|t| t.timestamp_millis()),
        next_due: next
            .filter(|_| !terminal)
            .map(|(_, t)| t.timestamp_millis()),
        next_due_kind: next.filter(|_| !terminal).map(|(k, _)| k),
        deadline_error: deadline_error.filter(|_| !terminal),
        terminal,
        updated_at: now.timestamp_millis(),
        division_code: details.location.division_code.clone(),
        origin: details.origin,
        not_accepted: state.not_accepted.as_ref().map(NotAcceptedNotice::from),
        category: details.category.as_ref().map(|c| c.code.clone()),
        amendments: state.catalogue_amendments.clone(),
        merged_into: state.merged_into.as_ref().map(|o| o.0.clone()),
        split_into: state.split_into.iter().map(|o| o.0.clone()).collect(),
        notices: HandlingNotices::of(state),
        intake: Some(IntakeRow {
            kind: details.kind,
            division: details.location.division_code.clone().unwrap_or_default(),
            address: details.location.address.clone(),
            submitted_at: state.submitted_at.unwrap_or(now).timestamp_millis(),
            fingerprint: Fingerprint::of(&details.text, &details.location.address).to_bytes(),
        }),
    })
}
