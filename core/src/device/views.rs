//! What the device answers with: a submission's receipt, the citizen's receipt lookup (from the
//! index alone), an order as staff see it, what became of an imported change.

use super::*;

/// A submitted request as the citizen sees it on the kiosk screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Submitted {
    pub order: OrderId,
    pub receipt: String,
}

/// What a receipt-code lookup shows: never anything personal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ReceiptStatus {
    pub receipt: String,
    pub kind: crate::model::RequestKind,
    pub status: workflow::Status,
    pub status_zh: String,
    pub next_due: Option<Timestamp>,
    pub next_due_kind: Option<workflow::DeadlineKind>,
    pub updated_at: Option<Timestamp>,
    /// When not accepted: the ground and its basis, as the citizen must be told (Turpan
    /// art. 13). Absent from hubs before it existed.
    #[serde(default)]
    pub not_accepted: Option<crate::store::NotAcceptedNotice>,
    /// The handling deadline while the unit works on it: after an approved extension, the
    /// new one.
    #[serde(default)]
    pub handling_due: Option<Timestamp>,
    /// An approved extension of this round (Turpan art. 18: the citizen is told).
    #[serde(default)]
    pub extension: Option<crate::store::ExtensionNotice>,
    /// The unit's delay notice of this round (Puyang).
    #[serde(default)]
    pub delay_notice: Option<crate::store::DelayNoticeText>,
}

/// An order as staff see it.
#[derive(Debug, Clone, Serialize)]
pub struct OrderView {
    pub state: OrderState,
    /// `None` when a deadline falls outside the known holiday calendar; `deadline_error` then
    /// says why (a deadline is never guessed).
    pub deadlines: Option<OrderDeadlines>,
    pub deadline_error: Option<crate::error::ErrorCode>,
}

/// What happened to a change received from elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ImportOutcome {
    Applied,
    AlreadyHad,
}

/// What a citizen sees for a receipt code, read from a store's index alone (the hub answers it
/// from a read connection).
pub fn receipt_status(
    store: &mut dyn crate::sync::HubReads,
    receipt: &str,
) -> Result<ReceiptStatus, DeviceError> {
    let code = crate::receipt::parse(receipt)?;
    let row = store.order_by_receipt(&code.0)?;
    status_of(row, code.0)
}

/// The citizen's view of the index row found for `receipt`.
pub(super) fn status_of(
    row: Option<IndexRow>,
    receipt: String,
) -> Result<ReceiptStatus, DeviceError> {
    let row = row.ok_or(DeviceError::UnknownReceipt(receipt))?;
    Ok(ReceiptStatus {
        receipt: row.receipt,
        kind: row.kind,
        status_zh: row.status.zh().to_string(),
        status: row.status,
        next_due: row
            .next_due
            .and_then(chrono::DateTime::from_timestamp_millis),
        next_due_kind: row.next_due_kind,
        updated_at: chrono::DateTime::from_timestamp_millis(row.updated_at),
        not_accepted: row.not_accepted,
        handling_due: row
            .handling_due
            .and_then(chrono::DateTime::from_timestamp_millis),
        extension: row.notices.as_ref().and_then(|n| n.extension.clone()),
        delay_notice: row.notices.and_then(|n| n.delay),
    })
}
