//! The hotline center's half of the loop: warnings (预警), automatic supervision, monthly
//! assessment of handling units (考核) and the desk queues. Everything here is a pure function
//! of folded orders and `now`, so the hub, a center desk and a phone holding the same signed
//! events compute the same figures.

pub mod assessment;
pub mod automatic;
pub mod facts;
pub mod period;
pub mod queues;
pub mod similarity;
pub mod warnings;

use crate::Coded;
use crate::device::{DeviceError, check_stored_change};
use crate::doc::{OrderDoc, actor_for_device};
use crate::error::ErrorCode;
use crate::identity::TrustStore;
use crate::model::{Event, OrderId, Timestamp};
use crate::policy::{HolidayCalendar, Policy};
use crate::store::{Store, StoreError, StoredChange};
use crate::sync::HubReads;

pub use facts::OrderFacts;
pub use period::Period;
pub use warnings::{Grade, Warning, WarningConfig, WarningRule};

#[derive(Debug, thiserror::Error)]
pub enum CenterError {
    #[error("`{0}` is not a period: give a month as YYYY-MM or a week as YYYY-Www")]
    BadPeriod(String),
    #[error("the assessment inputs file is not valid: {0}")]
    Inputs(String),
    #[error(transparent)]
    Read(#[from] DeviceError),
}

impl From<StoreError> for CenterError {
    fn from(e: StoreError) -> Self {
        CenterError::Read(e.into())
    }
}

impl Coded for CenterError {
    fn code(&self) -> ErrorCode {
        match self {
            CenterError::BadPeriod(_) => ErrorCode::BadPeriod,
            CenterError::Inputs(_) => ErrorCode::BadAssessmentInputs,
            CenterError::Read(e) => e.code(),
        }
    }
    fn message_zh(&self) -> String {
        match self {
            CenterError::BadPeriod(p) => {
                format!("“{p}”不是有效期间：月份写作 YYYY-MM，周写作 YYYY-Www")
            }
            CenterError::Inputs(m) => format!("考核录入数据文件有误：{m}"),
            CenterError::Read(e) => e.message_zh(),
        }
    }
    fn message_en(&self) -> String {
        self.to_string()
    }
}

/// Where the center reads orders: a hub's read side (SQLite or PostgreSQL) or a device's store.
pub trait OrderLog {
    fn ids_after(&mut self, after: &str, limit: u32) -> Result<Vec<OrderId>, StoreError>;
    /// Each order's stored changes, in the order of `orders`.
    fn changes(&mut self, orders: &[OrderId]) -> Result<Vec<Vec<StoredChange>>, StoreError>;
}

impl OrderLog for &mut dyn HubReads {
    fn ids_after(&mut self, after: &str, limit: u32) -> Result<Vec<OrderId>, StoreError> {
        self.order_ids_after(after, limit)
    }
    fn changes(&mut self, orders: &[OrderId]) -> Result<Vec<Vec<StoredChange>>, StoreError> {
        self.changes_for_orders(orders)
    }
}

/// A device's own store as an [`OrderLog`].
#[derive(Debug)]
pub struct StoreLog<'a>(pub &'a Store);

impl OrderLog for StoreLog<'_> {
    fn ids_after(&mut self, after: &str, limit: u32) -> Result<Vec<OrderId>, StoreError> {
        self.0.order_ids_after(after, limit)
    }
    fn changes(&mut self, orders: &[OrderId]) -> Result<Vec<Vec<StoredChange>>, StoreError> {
        orders.iter().map(|o| self.0.changes_for(o)).collect()
    }
}

/// What [`walk_orders`] calls with each order's verified events.
pub type EachOrder<'a> = dyn FnMut(&OrderId, &[Event]) -> Result<(), CenterError> + 'a;

/// Orders are read this many ids at a time, so memory stays flat whatever the city's size.
const PAGE: u32 = 500;

/// Calls `each` with every order's events, each change checked against its hash and its
/// signer's certificate first (what is not verified does not count). Returns how many orders.
pub fn walk_orders(
    log: &mut dyn OrderLog,
    trust: &TrustStore,
    each: &mut EachOrder<'_>,
) -> Result<u64, CenterError> {
    let mut after = String::new();
    let mut n = 0u64;
    loop {
        let ids = log.ids_after(&after, PAGE)?;
        let Some(last) = ids.last() else {
            return Ok(n);
        };
        after = last.0.clone();
        // One page's changes at once: one round trip to PostgreSQL per page, not per order.
        let pages = log.changes(&ids)?;
        for (id, stored) in ids.iter().zip(pages) {
            let events = verified_events(trust, id, &stored)?;
            each(id, &events)?;
            n += 1;
        }
    }
}

/// One order's events from its stored changes, each checked against its hash and its
/// signer's certificate first.
pub fn verified_events(
    trust: &TrustStore,
    id: &OrderId,
    stored: &[StoredChange],
) -> Result<Vec<Event>, CenterError> {
    let mut changes = Vec::with_capacity(stored.len());
    for s in stored {
        changes.push(check_stored_change(trust, s)?);
    }
    let doc = OrderDoc::from_changes(id, actor_for_device(b"center"), changes)
        .map_err(DeviceError::from)?;
    Ok(doc.events().map_err(DeviceError::from)?)
}

/// What one pass over a city's orders gives the center.
#[derive(Debug, Default)]
pub struct Scan {
    pub orders: u64,
    pub facts: Vec<OrderFacts>,
    pub warnings: Vec<Warning>,
}

/// One pass over every order: the facts for assessment and the warnings at `now` (each
/// order's own, then the clusters of the same matter raised many times).
pub fn scan(
    log: &mut dyn OrderLog,
    trust: &TrustStore,
    policy: &Policy,
    cal: &HolidayCalendar,
    now: Timestamp,
    config: &WarningConfig,
) -> Result<Scan, CenterError> {
    let mut facts = Vec::new();
    let mut found = warnings::WarningScan::default();
    let orders = walk_orders(log, trust, &mut |_, events| {
        if let Some((f, state)) = OrderFacts::of(events, policy, cal) {
            found.add(&state, now, policy, cal, config);
            facts.push(f);
        }
        Ok(())
    })?;
    Ok(Scan {
        orders,
        facts,
        warnings: found.finish(config),
    })
}
