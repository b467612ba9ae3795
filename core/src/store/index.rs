//! The query index: one row per order with what inboxes filter and sort on. It is derived from
//! the documents by the layer above and rewritten by every [`Store::record`]; queries here never
//! open a document.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use serde::{Deserialize, Serialize};

use super::{Store, StoreError};
use crate::error::ErrorCode;
use crate::model::{NotAcceptedReason, OrderId, Origin, RequestKind, Urgency};
use crate::workflow::{DeadlineKind, Status};

/// The indexed summary of one order. Instants are Unix milliseconds (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexRow {
    pub order: OrderId,
    pub receipt: String,
    pub kind: RequestKind,
    pub urgency: Urgency,
    pub status: Status,
    pub confidential: bool,
    pub lead_unit: Option<String>,
    /// Co-handling units, in the given order (a repeated unit is kept once).
    pub co_units: Vec<String>,
    /// Sub-units the lead unit passed the order on to (Turpan); they receive it by sync.
    #[serde(default)]
    pub sub_units: Vec<String>,
    /// Units the order was dispatched to separately (分别转办), each on its own track.
    #[serde(default)]
    pub separate_units: Vec<String>,
    /// The handling deadline; what "overdue" is measured against.
    pub handling_due: Option<i64>,
    /// An emergency's first-response deadline while no response is recorded; overdue once
    /// passed, like the handling deadline.
    #[serde(default)]
    pub response_due: Option<i64>,
    /// The nearest upcoming deadline of any kind (sign-for, handling, callback…).
    pub next_due: Option<i64>,
    pub next_due_kind: Option<DeadlineKind>,
    /// Why the order has no deadline although it should (a date outside the holiday
    /// calendar): indexed so the gap is visible rather than guessed.
    #[serde(default)]
    pub deadline_error: Option<ErrorCode>,
    /// Closed, not accepted or answered: never counted as overdue.
    pub terminal: bool,
    pub updated_at: i64,
    /// Administrative division code of the order's location, for area-bound roles.
    #[serde(default)]
    pub division_code: Option<String>,
    /// Where the order came from.
    #[serde(default)]
    pub origin: Origin,
    /// Why it was not accepted, as the citizen is told (Turpan art. 13).
    #[serde(default)]
    pub not_accepted: Option<NotAcceptedNotice>,
    /// The category code the order is about, when the intake chose one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Dispatch-catalogue amendments its approved returns made (kept beside the index so a
    /// center device finds them without loading documents).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amendments: Vec<crate::catalogue::RecordedAmendment>,
    /// 并单: the order this one was merged into (its receipt's lookup shows that order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
    /// 拆单: the orders this one was split into (its receipt's lookup lists them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub split_into: Vec<String>,
    /// What the citizen is told while the order takes longer: an approved extension and the
    /// unit's delay notice.
    #[serde(default)]
    pub notices: Option<HandlingNotices>,
    /// What the duplicate check at intake keeps of the order (written beside the row; never
    /// read back into it).
    #[serde(skip)]
    pub intake: Option<IntakeRow>,
}

/// The non-personal fields of an order the duplicate check at intake compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeRow {
    pub kind: RequestKind,
    pub division: String,
    pub address: String,
    pub submitted_at: i64,
    /// [`crate::center::similarity::Fingerprint`] bytes.
    pub fingerprint: Vec<u8>,
}

/// What a citizen is told when an order takes longer than its first deadline: the extension
/// the center approved (Turpan art. 18) and the unit's own delay notice (Puyang), for the
/// current handling round. The new deadline is the row's handling deadline.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HandlingNotices {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<ExtensionNotice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<DelayNoticeText>,
}

/// An approved extension, as the citizen is told of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionNotice {
    pub approved_at: crate::model::Timestamp,
    /// Working days granted in this round, all approved extensions together.
    pub working_days: u32,
}

/// The unit's latest word to the citizen on why the order is late.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelayNoticeText {
    pub at: crate::model::Timestamp,
    pub reason: String,
}

impl HandlingNotices {
    /// The notices of the order's current handling round; `None` when there are none.
    pub fn of(state: &crate::workflow::OrderState) -> Option<HandlingNotices> {
        use crate::workflow::ExtensionDecision;
        let round_start = state.reopened_at.or(state.dispatched_at);
        let extension = state
            .extensions
            .iter()
            .rev()
            .find(|e| e.round == state.reopen_count && e.decision == ExtensionDecision::Approved)
            .and_then(|e| e.decided_at)
            .map(|approved_at| ExtensionNotice {
                approved_at,
                working_days: state.extension_days,
            });
        let delay = state
            .delay_notices
            .last()
            .filter(|d| round_start.is_none_or(|start| d.at >= start))
            .map(|d| DelayNoticeText {
                at: d.at,
                reason: d.content.clone(),
            });
        if extension.is_none() && delay.is_none() {
            None
        } else {
            Some(HandlingNotices { extension, delay })
        }
    }
}

/// What a citizen is told when a request is not accepted: the ground and its basis (Turpan
/// art. 13), nothing about the people involved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotAcceptedNotice {
    pub reason: NotAcceptedReason,
    /// The ground as the citizen reads it.
    pub reason_zh: String,
    pub basis: String,
    /// For "other": the reason in words. Always written, `null` when none: the notice also
    /// travels in the hub's postcard answer to a status lookup, where a field left out would
    /// shift every byte after it (a lookup of an order refused on any other ground failed).
    #[serde(default)]
    pub stated_reason: Option<String>,
}

impl From<&crate::workflow::NotAcceptedRecord> for NotAcceptedNotice {
    /// The record minus what is not the citizen's to read (the linked earlier order).
    fn from(n: &crate::workflow::NotAcceptedRecord) -> Self {
        NotAcceptedNotice {
            reason: n.reason,
            reason_zh: n.reason.zh().to_string(),
            basis: n.basis.clone(),
            stated_reason: n.stated_reason.clone(),
        }
    }
}

/// An inbox query; every filter that is set must hold. `InboxQuery::default()` lists every
/// non-terminal order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxQuery {
    /// Orders where this unit is the lead unit or a co-handling unit.
    pub unit: Option<String>,
    /// Orders in one of these statuses; empty = any status. Terminal statuses (closed…) also
    /// need `include_terminal`.
    pub statuses: Vec<Status>,
    /// Orders overdue at this instant: `handling_due < at` and not terminal (whatever
    /// `include_terminal` says).
    pub overdue_at: Option<i64>,
    /// Orders whose next deadline is strictly before this instant.
    pub due_before: Option<i64>,
    /// Also list closed / not accepted / answered orders.
    pub include_terminal: bool,
    /// At most this many rows; 0 = no limit.
    pub limit: u32,
    /// Orders from this origin only.
    #[serde(default)]
    pub origin: Option<Origin>,
}

const ROW_COLUMNS: &str = "o.order_id, o.receipt, o.kind, o.urgency, o.status, o.confidential, \
     o.lead_unit, o.handling_due, o.next_due, o.next_due_kind, o.terminal, o.updated_at, \
     o.division_code, o.deadline_error, o.origin, o.not_accepted, o.response_due, o.notices, \
     o.category, o.merged_into, o.split_into";
/// Columns of [`ROW_COLUMNS`]; the inbox query appends the co-units after them.
const ROW_COLUMN_COUNT: usize = 21;

/// A column holding one of the model's enums by its stable name; anything else is damage.
fn typed<T>(r: &Row<'_>, idx: usize, parse: fn(&str) -> Option<T>) -> rusqlite::Result<T> {
    let text: String = r.get(idx)?;
    parse(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            format!("unknown value `{text}`").into(),
        )
    })
}

fn typed_opt<T>(
    r: &Row<'_>,
    idx: usize,
    parse: fn(&str) -> Option<T>,
) -> rusqlite::Result<Option<T>> {
    match r.get::<_, Option<String>>(idx)? {
        None => Ok(None),
        Some(_) => typed(r, idx, parse).map(Some),
    }
}

/// The row without its co-units (read by a second, indexed query).
fn row_from_sql(r: &Row<'_>) -> rusqlite::Result<IndexRow> {
    Ok(IndexRow {
        order: OrderId(r.get(0)?),
        receipt: r.get(1)?,
        kind: typed(r, 2, RequestKind::parse)?,
        urgency: typed(r, 3, Urgency::parse)?,
        status: typed(r, 4, Status::parse)?,
        confidential: r.get(5)?,
        lead_unit: r.get(6)?,
        co_units: Vec::new(),
        sub_units: Vec::new(),
        separate_units: Vec::new(),
        handling_due: r.get(7)?,
        next_due: r.get(8)?,
        next_due_kind: typed_opt(r, 9, DeadlineKind::parse)?,
        terminal: r.get(10)?,
        updated_at: r.get(11)?,
        division_code: r.get(12)?,
        deadline_error: typed_opt(r, 13, ErrorCode::parse)?,
        origin: typed(r, 14, Origin::parse)?,
        not_accepted: json_opt(r, 15)?,
        response_due: r.get(16)?,
        notices: json_opt(r, 17)?,
        intake: None,
        category: r.get(18)?,
        amendments: Vec::new(),
        merged_into: r.get(19)?,
        split_into: json_opt(r, 20)?.unwrap_or_default(),
    })
}

/// A column holding a JSON value, or NULL.
fn json_opt<T: serde::de::DeserializeOwned>(
    r: &Row<'_>,
    idx: usize,
) -> rusqlite::Result<Option<T>> {
    match r.get::<_, Option<String>>(idx)? {
        None => Ok(None),
        Some(json) => serde_json::from_str(&json).map(Some).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, e.into())
        }),
    }
}

/// A value for a JSON column.
fn to_json<T: Serialize>(what: &str, value: Option<&T>) -> Result<Option<String>, StoreError> {
    value
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| StoreError::InvalidInput {
            reason: format!("{what}: {e}"),
        })
}

/// Set once every order stored before migrations 6 and 7 has had its index row rebuilt (7 and
/// 9 clear it again so rows gain `response_due` and `notices`).
pub const META_INDEX_V6: &str = "index_v6";

impl Store {
    /// Whether every order's index row carries what migration 6 added (origin, notices).
    pub fn index_v6_complete(&self) -> Result<bool, StoreError> {
        Ok(self.meta_get(META_INDEX_V6)?.is_some())
    }

    /// Rewrites index rows rebuilt from their documents and marks the index complete, in one
    /// transaction (the once-only rebuild of a store made before migration 6).
    pub fn rebuild_index_v6(&mut self, rows: &[IndexRow]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        for row in rows {
            write_index_row(&tx, row)?;
        }
        super::set_flag(&tx, META_INDEX_V6)?;
        tx.commit()?;
        Ok(())
    }
}

/// Upserts the order row and replaces its unit rows. Runs inside the caller's transaction.
/// An upsert rather than `INSERT OR REPLACE`: replace deletes the row first, which would cascade
/// to the order's sealed contacts.
pub(super) fn write_index_row(conn: &Connection, row: &IndexRow) -> Result<(), StoreError> {
    if let Some(intake) = &row.intake {
        conn.prepare_cached(
            "INSERT INTO intake_matches (order_id, kind, division, address, submitted_at, closed,
                                         status, fingerprint)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (order_id) DO UPDATE SET closed = excluded.closed,
               status = excluded.status",
        )?
        .execute(rusqlite::params![
            row.order.0,
            intake.kind.as_str(),
            intake.division,
            intake.address,
            intake.submitted_at,
            row.terminal,
            row.status.as_str(),
            intake.fingerprint
        ])?;
    }
    let not_accepted = to_json("not-accepted notice", row.not_accepted.as_ref())?;
    let notices = to_json("handling notices", row.notices.as_ref())?;
    let split_into = to_json(
        "split parts",
        Some(&row.split_into).filter(|parts| !parts.is_empty()),
    )?;
    conn.prepare_cached(
        "INSERT INTO orders (order_id, receipt, kind, urgency, status, confidential, lead_unit,
                             handling_due, next_due, next_due_kind, terminal, updated_at,
                             division_code, deadline_error, origin, not_accepted, response_due,
                             notices, category, merged_into, split_into)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                 ?19, ?20, ?21)
         ON CONFLICT (order_id) DO UPDATE SET
             receipt = excluded.receipt, kind = excluded.kind, urgency = excluded.urgency,
             status = excluded.status, confidential = excluded.confidential,
             lead_unit = excluded.lead_unit, handling_due = excluded.handling_due,
             next_due = excluded.next_due, next_due_kind = excluded.next_due_kind,
             terminal = excluded.terminal, updated_at = excluded.updated_at,
             division_code = excluded.division_code, deadline_error = excluded.deadline_error,
             origin = excluded.origin, not_accepted = excluded.not_accepted,
             response_due = excluded.response_due, notices = excluded.notices,
             category = excluded.category, merged_into = excluded.merged_into,
             split_into = excluded.split_into",
    )?
    .execute(params![
        row.order.0,
        row.receipt,
        row.kind.as_str(),
        row.urgency.as_str(),
        row.status.as_str(),
        row.confidential,
        row.lead_unit,
        row.handling_due,
        row.next_due,
        row.next_due_kind.map(DeadlineKind::as_str),
        row.terminal,
        row.updated_at,
        row.division_code,
        row.deadline_error.map(ErrorCode::as_str),
        row.origin.as_str(),
        not_accepted,
        row.response_due,
        notices,
        row.category,
        row.merged_into,
        split_into
    ])?;
    super::catalogues::write_amendments(conn, &row.order, &row.amendments)?;
    conn.prepare_cached("DELETE FROM order_units WHERE order_id = ?1")?
        .execute([&row.order.0])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO order_units (order_id, role, unit, position) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT DO NOTHING",
    )?;
    if let Some(lead) = &row.lead_unit {
        insert.execute(params![row.order.0, "lead", lead, 0i64])?;
    }
    for (i, unit) in (0i64..).zip(&row.co_units) {
        insert.execute(params![row.order.0, "co", unit, i])?;
    }
    for (i, unit) in (0i64..).zip(&row.sub_units) {
        insert.execute(params![row.order.0, "sub", unit, i])?;
    }
    for (i, unit) in (0i64..).zip(&row.separate_units) {
        insert.execute(params![row.order.0, "separate", unit, i])?;
    }
    Ok(())
}

impl Store {
    /// The index row of an order.
    pub fn order_row(&self, order: &OrderId) -> Result<Option<IndexRow>, StoreError> {
        read_index_row(&self.conn, order)
    }

    /// The order with this receipt code. Receipts are meant to be unique; should two orders ever
    /// share one, the smallest order id is returned.
    pub fn order_by_receipt(&self, receipt: &str) -> Result<Option<IndexRow>, StoreError> {
        let row = self
            .conn
            .query_row(
                &format!(
                    "SELECT {ROW_COLUMNS} FROM orders o WHERE o.receipt = ?1
                     ORDER BY o.order_id LIMIT 1"
                ),
                [receipt],
                row_from_sql,
            )
            .optional()?;
        row.map(|r| with_co_units(&self.conn, r)).transpose()
    }

    /// Inbox query on the index only. Sorted by next deadline ascending (orders without one
    /// last), then order id.
    pub fn inbox(&self, q: &InboxQuery) -> Result<Vec<IndexRow>, StoreError> {
        // Co- and sub-units come in the same query (one row per order, unit ids joined with
        // U+001F), not one extra query per row.
        let mut sql = format!(
            "SELECT {ROW_COLUMNS}, (SELECT group_concat(unit, char(31)) FROM
               (SELECT unit FROM order_units WHERE order_id = o.order_id AND role = 'co'
                ORDER BY position)),
               (SELECT group_concat(unit, char(31)) FROM
               (SELECT unit FROM order_units WHERE order_id = o.order_id AND role = 'sub'
                ORDER BY position)),
               (SELECT group_concat(unit, char(31)) FROM
               (SELECT unit FROM order_units WHERE order_id = o.order_id AND role = 'separate'
                ORDER BY position)) FROM orders o WHERE 1 = 1"
        );
        // With a unit filter the unit's own rows are the selective part: the unary `+` keeps
        // SQLite from walking every open order through the `terminal` index instead.
        let terminal_col = if q.unit.is_some() {
            "+o.terminal"
        } else {
            "o.terminal"
        };
        let mut args: Vec<Value> = Vec::new();
        if let Some(unit) = &q.unit {
            args.push(Value::Text(unit.clone()));
            sql.push_str(&format!(
                " AND o.order_id IN (SELECT ou.order_id FROM order_units ou WHERE ou.unit = ?{})",
                args.len()
            ));
        }
        if !q.statuses.is_empty() {
            let mut marks = Vec::with_capacity(q.statuses.len());
            for s in &q.statuses {
                args.push(Value::Text(s.as_str().to_string()));
                marks.push(format!("?{}", args.len()));
            }
            sql.push_str(&format!(" AND o.status IN ({})", marks.join(", ")));
        }
        if let Some(at) = q.overdue_at {
            args.push(Value::Integer(at));
            let n = args.len();
            sql.push_str(&format!(
                " AND {terminal_col} = 0 AND (o.handling_due < ?{n} OR o.response_due < ?{n})"
            ));
        }
        if let Some(before) = q.due_before {
            args.push(Value::Integer(before));
            sql.push_str(&format!(
                " AND o.next_due IS NOT NULL AND o.next_due < ?{}",
                args.len()
            ));
        }
        if let Some(origin) = q.origin {
            args.push(Value::Text(origin.as_str().to_string()));
            sql.push_str(&format!(" AND o.origin = ?{}", args.len()));
        }
        if !q.include_terminal {
            sql.push_str(&format!(" AND {terminal_col} = 0"));
        }
        sql.push_str(" ORDER BY o.next_due IS NULL, o.next_due, o.order_id");
        if q.limit > 0 {
            args.push(Value::Integer(i64::from(q.limit)));
            sql.push_str(&format!(" LIMIT ?{}", args.len()));
        }

        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt
            .query_map(params_from_iter(args), |r| {
                let mut row = row_from_sql(r)?;
                let joined = |idx: usize| -> rusqlite::Result<Vec<String>> {
                    let units: Option<String> = r.get(idx)?;
                    Ok(units
                        .map(|c| c.split('\u{1f}').map(str::to_string).collect())
                        .unwrap_or_default())
                };
                row.co_units = joined(ROW_COLUMN_COUNT)?;
                row.sub_units = joined(ROW_COLUMN_COUNT + 1)?;
                row.separate_units = joined(ROW_COLUMN_COUNT + 2)?;
                Ok(row)
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Order ids above `after`, in id order, at most `limit`.
    pub fn order_ids_after(&self, after: &str, limit: u32) -> Result<Vec<OrderId>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT order_id FROM orders WHERE order_id > ?1 ORDER BY order_id LIMIT ?2",
        )?;
        let ids = stmt
            .query_map(rusqlite::params![after, limit], |r| r.get::<_, String>(0))?
            .map(|r| r.map(OrderId))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids)
    }

    /// How many orders the index holds.
    pub fn order_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM orders", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// The index row of an order, read on `conn` (a transaction too).
pub(super) fn read_index_row(
    conn: &Connection,
    order: &OrderId,
) -> Result<Option<IndexRow>, StoreError> {
    let row = conn
        .prepare_cached(&format!(
            "SELECT {ROW_COLUMNS} FROM orders o WHERE o.order_id = ?1"
        ))?
        .query_row([&order.0], row_from_sql)
        .optional()?;
    row.map(|r| with_co_units(conn, r)).transpose()
}

fn with_co_units(conn: &Connection, mut row: IndexRow) -> Result<IndexRow, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT role, unit FROM order_units
         WHERE order_id = ?1 AND role IN ('co', 'sub', 'separate') ORDER BY position",
    )?;
    let units = stmt
        .query_map([&row.order.0], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (role, unit) in units {
        match role.as_str() {
            "sub" => row.sub_units.push(unit),
            "separate" => row.separate_units.push(unit),
            _ => row.co_units.push(unit),
        }
    }
    Ok(row)
}
