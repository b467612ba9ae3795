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
    /// 并单: the request was merged into another about the same matter; the status, deadlines
    /// and notices shown are that order's.
    #[serde(default)]
    pub merged: bool,
    /// 拆单: the orders the request was split into, one per matter, each with its status.
    #[serde(default)]
    pub parts: Vec<ReceiptPart>,
}

/// One part of a split request, as its citizen sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ReceiptPart {
    pub kind: crate::model::RequestKind,
    pub category: Option<String>,
    pub status: workflow::Status,
    pub status_zh: String,
    pub next_due: Option<Timestamp>,
}

/// How far a lookup follows merges (a target merged on in turn): far more than happens.
const MAX_MERGE_HOPS: usize = 8;

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
    status_of(row, code.0, &mut |o| store.order_row(o))
}

/// The citizen's view of the index row found for `receipt`: through a merge, the order it was
/// merged into (when held here); for a split, its parts (those held here).
pub(super) fn status_of(
    row: Option<IndexRow>,
    receipt: String,
    by_order: &mut dyn FnMut(&OrderId) -> Result<Option<IndexRow>, crate::store::StoreError>,
) -> Result<ReceiptStatus, DeviceError> {
    let own = row.ok_or(DeviceError::UnknownReceipt(receipt))?;
    let (receipt, kind) = (own.receipt.clone(), own.kind);
    let mut row = own;
    let mut merged = false;
    for _ in 0..MAX_MERGE_HOPS {
        let Some(into) = row
            .merged_into
            .clone()
            .filter(|_| row.status == workflow::Status::Merged)
        else {
            break;
        };
        match by_order(&OrderId::new(into))? {
            Some(next) => {
                row = next;
                merged = true;
            }
            None => break,
        }
    }
    let mut parts = Vec::new();
    if row.status == workflow::Status::Split {
        for p in &row.split_into {
            if let Some(part) = by_order(&OrderId::new(p.as_str()))? {
                parts.push(ReceiptPart {
                    kind: part.kind,
                    category: part.category,
                    status_zh: part.status.zh().to_string(),
                    status: part.status,
                    next_due: part
                        .next_due
                        .and_then(chrono::DateTime::from_timestamp_millis),
                });
            }
        }
    }
    Ok(ReceiptStatus {
        receipt,
        kind,
        merged,
        parts,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The hub answers a status lookup in postcard: every field must be written, or the device
    /// cannot read the answer back (found by SPEC.md's vectors: a not-accepted order with no
    /// stated reason).
    #[test]
    fn a_receipt_status_survives_the_wire_with_every_optional_field_empty() {
        let status = ReceiptStatus {
            receipt: "ABCD-EFGH-JKLM".into(),
            kind: crate::model::RequestKind::Complaint,
            status: workflow::Status::NotAccepted,
            status_zh: "不予受理".into(),
            next_due: None,
            next_due_kind: None,
            updated_at: None,
            not_accepted: Some(crate::store::NotAcceptedNotice {
                reason: crate::model::NotAcceptedReason::RepeatWithoutNewFacts,
                reason_zh: "重复诉求".into(),
                basis: "同一事项已办结".into(),
                stated_reason: None,
            }),
            handling_due: None,
            extension: None,
            delay_notice: None,
            merged: false,
            parts: Vec::new(),
        };
        let bytes = crate::sync::wire::encode(&status).unwrap();
        let back: ReceiptStatus = crate::sync::wire::decode(&bytes).unwrap();
        assert_eq!(back, status);
    }
}
