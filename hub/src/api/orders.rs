//! Orders for the city platform: a cursor-paged list from the index (no personal data), one
//! order with its verified history and evidence metadata, the warnings and the refusal log for
//! the center. Visibility is the caller's certificate's, exactly as a sync's pull decides it.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use hotline_core::center::{WarningConfig, verified_events};
use hotline_core::device::DeviceError;
use hotline_core::model::{Event, OrderId, RequestKind, Role};
use hotline_core::store::IndexRow;
use hotline_core::sync::{HubReads, PullScope, may_see};
use hotline_core::workflow::{Outcome, Status, fold};
use serde::Serialize;

use super::auth::{Caller, bearer, caller};
use super::params::Params;
use super::{blocking, city_time, json_or_error};
use crate::errors::HubError;
use crate::state::{Hub, View};

/// Order ids one list call looks at, at most (its `next` cursor goes on from the last).
const SCAN: u32 = 500;
/// Orders one page returns by default and at most.
const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 500;

/// One order as the list shows it: the index's fields, nothing a citizen said.
#[derive(Debug, Serialize)]
pub(crate) struct OrderSummary {
    id: String,
    kind: RequestKind,
    urgency: hotline_core::model::Urgency,
    status: Status,
    status_zh: &'static str,
    confidential: bool,
    lead_unit: Option<String>,
    co_units: Vec<String>,
    division_code: Option<String>,
    category: Option<String>,
    handling_due: Option<String>,
    next_due: Option<String>,
    terminal: bool,
    updated_at: Option<String>,
}

impl From<&IndexRow> for OrderSummary {
    fn from(r: &IndexRow) -> Self {
        OrderSummary {
            id: r.order.0.clone(),
            kind: r.kind,
            urgency: r.urgency,
            status: r.status,
            status_zh: r.status.zh(),
            confidential: r.confidential,
            lead_unit: r.lead_unit.clone(),
            co_units: r.co_units.clone(),
            division_code: r.division_code.clone(),
            category: r.category.clone(),
            handling_due: r.handling_due.and_then(city_time),
            next_due: r.next_due.and_then(city_time),
            terminal: r.terminal,
            updated_at: city_time(r.updated_at),
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct OrderPage {
    orders: Vec<OrderSummary>,
    /// Pass as `after` for the next page; absent once the last order was read.
    next: Option<String>,
}

/// A reader the caller's certificate allows at all (a kiosk's key reads nothing).
fn reader(hub: &Hub, view: &View, headers: &HeaderMap) -> Result<Caller, HubError> {
    let c = caller(hub, view, bearer(headers).as_deref())?;
    if PullScope::of(&c.cert) == PullScope::Nothing {
        return Err(HubError::NotPermitted {
            zh: "读取工单（其身份为自助终端或受理服务，不得读取任何工单）",
            en: "read orders (its identity is a kiosk's or an intake service's, which reads none)",
        });
    }
    Ok(c)
}

/// `GET /api/v1/orders?after=&limit=&status=&kind=&unit=&updated_since=`.
pub(crate) async fn list(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let result = blocking(&hub, move |hub| {
        let view = hub.view();
        let who = reader(hub, &view, &headers)?;
        let p = Params::parse(query.as_deref())?;
        let limit = p.number("limit", 1, MAX_LIMIT)?.unwrap_or(DEFAULT_LIMIT) as usize;
        let status = p.choice("status", &Status::ALL, Status::as_str)?;
        let kind = p.choice("kind", &RequestKind::ALL, RequestKind::as_str)?;
        let since = p.instant("updated_since")?;
        let unit = p.get("unit").map(str::to_string);
        let after = p.get("after").unwrap_or("").to_string();
        hub.with_reads(&view, |reads| {
            let ids = reads.order_ids_after(&after, SCAN)?;
            let mut orders = Vec::new();
            let mut next = (ids.len() == SCAN as usize)
                .then(|| ids.last().map(|o| o.0.clone()))
                .flatten();
            for id in &ids {
                if orders.len() >= limit {
                    break;
                }
                if !may_see(reads, &who.cert, id)? {
                    continue;
                }
                let Some(row) = reads.order_row(id)? else {
                    continue;
                };
                let wanted = status.is_none_or(|s| row.status == s)
                    && kind.is_none_or(|k| row.kind == k)
                    && since.is_none_or(|t| row.updated_at >= t)
                    && unit.as_ref().is_none_or(|u| {
                        row.lead_unit.as_ref() == Some(u) || row.co_units.contains(u)
                    });
                if wanted {
                    orders.push(OrderSummary::from(&row));
                    if orders.len() >= limit {
                        next = Some(id.0.clone());
                    }
                }
            }
            Ok(OrderPage { orders, next })
        })
    })
    .await;
    json_or_error(&hub, result)
}

/// One step of an order's history.
#[derive(Debug, Serialize)]
struct Step {
    event_id: String,
    action: &'static str,
    at: Option<String>,
    person: String,
    role: Role,
    unit: String,
    /// `applied`, `refused` (with its code) or `waiting` (a predecessor has not arrived).
    outcome: &'static str,
    refusal_code: Option<&'static str>,
}

/// A photo or file an action carries: what it is, never its bytes.
#[derive(Debug, Serialize)]
struct Evidence {
    event_id: String,
    name: String,
    size: u64,
    media_type: String,
    captured_at: Option<String>,
    gps: Option<hotline_core::model::GpsFix>,
    device: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct OrderView {
    #[serde(flatten)]
    summary: OrderSummary,
    channel: Option<hotline_core::model::Channel>,
    /// What the citizen asked, as recorded at intake (contact details stay sealed).
    text: Option<String>,
    address: Option<String>,
    history: Vec<Step>,
    evidence: Vec<Evidence>,
}

fn step(e: &Event, outcome: Option<&Outcome>) -> Step {
    let (outcome, refusal_code) = match outcome {
        Some(Outcome::Applied) | None => ("applied", None),
        Some(o @ Outcome::Refused { .. }) => ("refused", o.refusal_code().map(|c| c.as_str())),
        Some(Outcome::Waiting { .. }) => ("waiting", None),
    };
    Step {
        event_id: e.id.0.clone(),
        action: e.action.name(),
        at: city_time(e.at.timestamp_millis()),
        person: e.actor.person.0.clone(),
        role: e.actor.role,
        unit: e.actor.unit.0.clone(),
        outcome,
        refusal_code,
    }
}

/// `GET /api/v1/orders/{id}`: an order the caller may not see is as unknown as one that does
/// not exist (404 either way).
pub(crate) async fn one(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Response {
    let result = blocking(&hub, move |hub| {
        let view = hub.view();
        let who = reader(hub, &view, &headers)?;
        let id = super::params::path_segment(id)?;
        let order = OrderId::new(id.clone());
        hub.with_reads(&view, |reads| {
            let unknown = || HubError::Device(DeviceError::UnknownOrder(id.clone()));
            if id.is_empty() || id.len() > 200 || !may_see(reads, &who.cert, &order)? {
                return Err(unknown());
            }
            let row = reads.order_row(&order)?.ok_or_else(unknown)?;
            let stored = reads.changes_for(&order)?;
            let events = verified_events(&view.trust, &order, &stored)?;
            let state = fold(&events, &view.policy, &hub.calendar);
            let mut history = Vec::with_capacity(state.history.len());
            let mut evidence = Vec::new();
            for h in &state.history {
                history.push(step(&h.event, Some(&h.outcome)));
                for a in h.event.action.attachments() {
                    evidence.push(Evidence {
                        event_id: h.event.id.0.clone(),
                        name: a.sha256.clone(),
                        size: a.size,
                        media_type: a.media_type.clone(),
                        captured_at: a.captured_at.and_then(|t| city_time(t.timestamp_millis())),
                        gps: a.gps,
                        device: a.device.clone(),
                    });
                }
            }
            let details = state.details.as_ref();
            Ok(OrderView {
                summary: OrderSummary::from(&row),
                channel: details.map(|d| d.channel),
                text: details.map(|d| d.text.clone()),
                address: details.map(|d| d.location.address.clone()),
                history,
                evidence,
            })
        })
    })
    .await;
    json_or_error(&hub, result)
}

/// One pass over every order the hub holds: the facts for assessment and the warnings at
/// `now`. Blocking.
fn scan_city(
    hub: &Hub,
    view: &View,
    now: hotline_core::model::Timestamp,
) -> Result<hotline_core::center::Scan, HubError> {
    hub.with_reads(view, |reads| {
        let mut log: &mut dyn HubReads = reads;
        Ok(hotline_core::center::scan(
            &mut log,
            &view.trust,
            &view.policy,
            &hub.calendar,
            now,
            &WarningConfig::default(),
        )?)
    })
}

/// The center's desks and auditors: whoever reads the whole city.
fn center_reader(
    hub: &Hub,
    view: &View,
    headers: &HeaderMap,
    what: (&'static str, &'static str),
) -> Result<Caller, HubError> {
    let c = caller(hub, view, bearer(headers).as_deref())?;
    let center = matches!(
        c.cert.body.role,
        Role::Dispatcher | Role::Intake | Role::Callback | Role::Auditor | Role::CenterService
    );
    if !center {
        return Err(HubError::NotPermitted {
            zh: what.0,
            en: what.1,
        });
    }
    Ok(c)
}

#[derive(Debug, Serialize)]
struct Warnings {
    at: Option<String>,
    orders: u64,
    warnings: Vec<hotline_core::center::Warning>,
}

/// `GET /api/v1/warnings`: every warning at the hub's now (the center's roles).
pub(crate) async fn warnings(State(hub): State<Arc<Hub>>, headers: HeaderMap) -> Response {
    let result = blocking(&hub, move |hub| {
        let view = hub.view();
        center_reader(
            hub,
            &view,
            &headers,
            (
                "读取预警（仅限热线中心岗位）",
                "read warnings (the center's roles only)",
            ),
        )?;
        let now = hub.options.clock.now();
        let scan = scan_city(hub, &view, now)?;
        Ok(Warnings {
            at: city_time(now.timestamp_millis()),
            orders: scan.orders,
            warnings: scan.warnings,
        })
    })
    .await;
    json_or_error(&hub, result)
}

#[derive(Debug, Serialize)]
struct Refusal {
    at: Option<String>,
    peer: Option<String>,
    order: Option<String>,
    hash: Option<String>,
    code: String,
    message_zh: String,
    message_en: String,
}

/// `GET /api/v1/refusals?limit=`: the newest refusals the hub logged (the center's roles).
pub(crate) async fn refusals(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let result = blocking(&hub, move |hub| {
        let view = hub.view();
        center_reader(
            hub,
            &view,
            &headers,
            (
                "读取拒收记录（仅限热线中心岗位）",
                "read the refusal log (the center's roles only)",
            ),
        )?;
        let limit = Params::parse(query.as_deref())?
            .number("limit", 1, 1000)?
            .unwrap_or(100) as u32;
        hub.with_reads(&view, |reads| {
            Ok(reads
                .refusals(limit)?
                .into_iter()
                .map(|r| Refusal {
                    at: city_time(r.at),
                    peer: r.peer,
                    order: r.order,
                    hash: r.hash,
                    code: r.code,
                    message_zh: r.message_zh,
                    message_en: r.message_en,
                })
                .collect::<Vec<_>>())
        })
    })
    .await;
    json_or_error(&hub, result)
}

#[derive(Debug, Serialize)]
struct AssessmentAnswer {
    orders_read: u64,
    #[serde(flatten)]
    assessment: hotline_core::center::assessment::Assessment,
}

/// `GET /api/v1/reports/assessment?month=YYYY-MM&method=puyang|linshu|rates`: the month's unit
/// assessment from the hub's orders (the center's roles). The figures the center enters
/// itself (its inputs file) are not at the hub: the report's notes say which are missing.
pub(crate) async fn assessment(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    use hotline_core::center::assessment::{AssessmentInputs, Method, assess};
    let result = blocking(&hub, move |hub| {
        let view = hub.view();
        center_reader(
            hub,
            &view,
            &headers,
            (
                "读取考核报告（仅限热线中心岗位）",
                "read the assessment (the center's roles only)",
            ),
        )?;
        let p = Params::parse(query.as_deref())?;
        let method = p
            .choice(
                "method",
                &[Method::Puyang, Method::Linshu, Method::Rates],
                |m| match m {
                    Method::Puyang => "puyang",
                    Method::Linshu => "linshu",
                    Method::Rates => "rates",
                },
            )?
            .unwrap_or(Method::Puyang);
        let month = p
            .get("month")
            .ok_or_else(|| HubError::BadQuery("month is required (YYYY-MM)".into()))?;
        let period = hotline_core::center::Period::month(month)
            .map_err(|_| HubError::BadQuery("month must be YYYY-MM".into()))?;
        let now = hub.options.clock.now();
        let scan = scan_city(hub, &view, now)?;
        let a = assess(
            method,
            &scan.facts,
            &AssessmentInputs::default(),
            &period,
            now,
        );
        Ok(AssessmentAnswer {
            orders_read: scan.orders,
            assessment: a,
        })
    })
    .await;
    json_or_error(&hub, result)
}
