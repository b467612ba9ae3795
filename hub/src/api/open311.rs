//! Open311 GeoReport v2 (<https://wiki.open311.org/GeoReport_v2>) under `/open311/v2/`: the
//! city's categories as services, its orders as service requests — public, and with no
//! personal data: no citizen's words (free text carries names and phone numbers), no address
//! (a GPS fix is rounded to 0.01°, about a kilometre), no confidential order at all — and
//! submissions from the city's web and WeChat front ends, each keyed by the integrating
//! system's API key and recorded as an intake its service identity signs.
//!
//! Every resource comes as `.json` or `.xml`, errors too (GeoReport's error list).

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hotline_core::Coded;
use hotline_core::catalogue::{AttributeType, Catalogue, Category};
use hotline_core::center::verified_events;
use hotline_core::device::{CategoryChoice, SubmitRequest};
use hotline_core::identity::ContactDetails;
use hotline_core::model::{Channel, Location, OrderId, RequestKind, Urgency};
use hotline_core::store::IndexRow;
use hotline_core::sync::HubReads;
use hotline_core::workflow::{Status, fold};
use serde::Serialize;

use super::auth::caller;
use super::params::{MAX_PARAMS_BYTES, Params};
use super::{ClientAddr, blocking, city_time};

/// The connection's peer address, which the server attaches (rates are per address).
type Client = Option<axum::Extension<ClientAddr>>;
use crate::errors::HubError;
use crate::state::{Hub, View};

/// Requests one answer lists at most (GeoReport's own bound).
const MAX_REQUESTS: usize = 1000;
/// Without dates, the last 90 days (GeoReport's default window).
const DEFAULT_WINDOW_DAYS: i64 = 90;
/// Order ids looked at per read while listing.
const SCAN: u32 = 500;
/// What one listing costs of a client address's request rate (20 a second, burst 200): a
/// client lists at most twice a second.
const LISTING_COST: u32 = 10;
/// Ids one `service_request_id` filter may name.
const MAX_IDS: usize = 100;

pub(crate) fn routes() -> Router<Arc<Hub>> {
    Router::new()
        .route("/open311/v2/services.json", get(services_json))
        .route("/open311/v2/services.xml", get(services_xml))
        .route("/open311/v2/services/{file}", get(definition))
        .route(
            "/open311/v2/requests.json",
            get(requests_json).post(post_json),
        )
        .route("/open311/v2/requests.xml", get(requests_xml).post(post_xml))
        .route("/open311/v2/requests/{file}", get(one_request))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

/// The matched `{file}` of a resource under `collection` as (name, format), or why the path is
/// no resource (not text, or neither `.json` nor `.xml`).
fn resource(
    file: Result<Path<String>, axum::extract::rejection::PathRejection>,
    collection: &str,
) -> Result<(String, Format), HubError> {
    let file = super::params::path_segment(file)?;
    split_format(&file)
        .map(|(name, format)| (name.to_string(), format))
        .ok_or_else(|| HubError::NoRoute(format!("/open311/v2/{collection}/{file}")))
}

/// `name.json` / `name.xml` → (name, format).
fn split_format(file: &str) -> Option<(&str, Format)> {
    if let Some(n) = file.strip_suffix(".json") {
        Some((n, Format::Json))
    } else {
        file.strip_suffix(".xml").map(|n| (n, Format::Xml))
    }
}

// --- What goes out --------------------------------------------------------------------------

#[derive(Debug, Serialize)]
struct Service {
    service_code: String,
    service_name: String,
    description: String,
    metadata: bool,
    #[serde(rename = "type")]
    kind: &'static str,
    keywords: String,
    group: String,
}

#[derive(Debug, Serialize)]
#[serde(rename = "services")]
struct ServicesXml<'a> {
    service: &'a [Service],
}

#[derive(Debug, Serialize)]
struct AttributeValue {
    key: String,
    name: String,
}

#[derive(Debug, Serialize)]
struct ValuesXml<'a> {
    value: &'a [AttributeValue],
}

#[derive(Debug, Serialize)]
struct Attribute {
    variable: bool,
    code: String,
    datatype: &'static str,
    required: bool,
    datatype_description: String,
    order: u32,
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    values: Vec<AttributeValue>,
}

#[derive(Debug, Serialize)]
struct Definition {
    service_code: String,
    attributes: Vec<Attribute>,
}

#[derive(Debug, Serialize)]
struct AttributeXml<'a> {
    variable: bool,
    code: &'a str,
    datatype: &'static str,
    required: bool,
    datatype_description: &'a str,
    order: u32,
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    values: Option<ValuesXml<'a>>,
}

#[derive(Debug, Serialize)]
struct AttributesXml<'a> {
    attribute: Vec<AttributeXml<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename = "service_definition")]
struct DefinitionXml<'a> {
    service_code: &'a str,
    attributes: AttributesXml<'a>,
}

/// One service request as GeoReport lists it.
#[derive(Debug, Serialize)]
pub(crate) struct ServiceRequest {
    service_request_id: String,
    status: &'static str,
    status_notes: String,
    service_name: String,
    service_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    agency_responsible: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    requested_datetime: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_datetime: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected_datetime: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    address_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    long: Option<f64>,
}

#[derive(Debug, Serialize)]
#[serde(rename = "service_requests")]
struct RequestsXml<'a, T> {
    request: &'a [T],
}

#[derive(Debug, Serialize)]
struct Created {
    service_request_id: String,
    service_notice: String,
}

#[derive(Debug, Serialize)]
struct Open311Error {
    code: u16,
    description: String,
}

#[derive(Debug, Serialize)]
#[serde(rename = "errors")]
struct ErrorsXml<'a> {
    error: &'a [Open311Error],
}

fn xml<T: Serialize>(value: &T) -> Result<String, HubError> {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    quick_xml::se::to_writer(&mut out, value)
        .map_err(|e| HubError::Internal(format!("encoding XML: {e}")))?;
    Ok(out)
}

fn ok_body(format: Format, body: Result<String, HubError>) -> Response {
    match body {
        Ok(b) => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                match format {
                    Format::Json => "application/json; charset=utf-8",
                    Format::Xml => "text/xml; charset=utf-8",
                },
            )],
            b,
        )
            .into_response(),
        Err(e) => error(format, &e),
    }
}

/// GeoReport's error list, with the hub's stable code and both languages in the description.
fn error(format: Format, e: &HubError) -> Response {
    let status = e.status();
    let list = [Open311Error {
        code: status.as_u16(),
        description: format!(
            "{}: {} / {}",
            e.code().as_str(),
            e.message_zh(),
            e.message_en()
        ),
    }];
    let (ctype, body) = match format {
        Format::Json => (
            "application/json; charset=utf-8",
            serde_json::to_string(&list).unwrap_or_else(|_| "[]".into()),
        ),
        Format::Xml => (
            "text/xml; charset=utf-8",
            xml(&ErrorsXml { error: &list }).unwrap_or_default(),
        ),
    };
    let mut r = (status, [(header::CONTENT_TYPE, ctype)], body).into_response();
    if let HubError::Sync(hotline_core::sync::SyncError::RateLimited { retry_after_s }) = e {
        r.headers_mut()
            .insert(header::RETRY_AFTER, (*retry_after_s).into());
    }
    r
}

fn json_string<T: Serialize>(v: &T) -> Result<String, HubError> {
    serde_json::to_string(v).map_err(|e| HubError::Internal(format!("encoding JSON: {e}")))
}

// --- Services ---------------------------------------------------------------------------------

fn latest(view: &View) -> Option<&Catalogue> {
    view.catalogues.latest().map(|c| &c.catalogue)
}

/// Every category is a service; a category with a form (or more than one request kind) has a
/// definition.
fn services(view: &View) -> Vec<Service> {
    let Some(cat) = latest(view) else {
        return Vec::new();
    };
    cat.categories
        .iter()
        .map(|c| {
            let lineage = cat.lineage(&c.code);
            // The lineage runs from the category up to its top level.
            let group = lineage.last().map_or_else(String::new, |top| {
                format!("{} {}", top.name_zh, top.name_en)
            });
            let kinds = cat.kinds(&c.code);
            Service {
                service_code: c.code.clone(),
                service_name: format!("{} {}", c.name_zh, c.name_en),
                description: lineage
                    .iter()
                    .rev()
                    .map(|l| l.name_zh.as_str())
                    .collect::<Vec<_>>()
                    .join(" › "),
                metadata: true,
                kind: "realtime",
                keywords: kinds
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                group,
            }
        })
        .collect()
}

async fn services_json(State(hub): State<Arc<Hub>>, client: Client) -> Response {
    public(&hub, client, Format::Json, 1, |_, view| {
        json_string(&services(view))
    })
    .await
}

async fn services_xml(State(hub): State<Arc<Hub>>, client: Client) -> Response {
    public(&hub, client, Format::Xml, 1, |_, view| {
        xml(&ServicesXml {
            service: &services(view),
        })
    })
    .await
}

/// The form a category asks: the request kind first (when it takes more than one), then its
/// own and its ancestors' typed attributes.
fn definition_of(cat: &Catalogue, c: &Category) -> Definition {
    let mut attributes = Vec::new();
    let kinds = cat.kinds(&c.code);
    let mut order = 1;
    if kinds.len() > 1 {
        attributes.push(Attribute {
            variable: true,
            code: "kind".into(),
            datatype: AttributeType::SingleValueList.as_str(),
            required: false,
            datatype_description:
                "诉求类型 Request kind (default: complaint when taken, else the first)".into(),
            order,
            description: "诉求类型 Request kind".into(),
            values: kinds
                .iter()
                .map(|k| AttributeValue {
                    key: k.as_str().into(),
                    name: format!("{} {}", k.zh(), k.as_str()),
                })
                .collect(),
        });
        order += 1;
    }
    for level in cat.lineage(&c.code).iter().rev() {
        for a in &level.attributes {
            attributes.push(Attribute {
                variable: true,
                code: a.code.clone(),
                datatype: a.datatype.as_str(),
                required: a.required,
                datatype_description: String::new(),
                order,
                description: format!("{} {}", a.name_zh, a.name_en),
                values: a
                    .values
                    .iter()
                    .map(|v| AttributeValue {
                        key: v.key.clone(),
                        name: format!("{} {}", v.name_zh, v.name_en),
                    })
                    .collect(),
            });
            order += 1;
        }
    }
    Definition {
        service_code: c.code.clone(),
        attributes,
    }
}

async fn definition(
    State(hub): State<Arc<Hub>>,
    client: Client,
    file: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Response {
    let (code, format) = match resource(file, "services") {
        Ok(r) => r,
        Err(e) => return error(Format::Json, &e),
    };
    public(&hub, client, format, 1, move |_, view| {
        let cat = latest(view).ok_or_else(|| HubError::ServiceUnknown(code.clone()))?;
        let c = cat
            .category(&code)
            .ok_or_else(|| HubError::ServiceUnknown(code.clone()))?;
        let d = definition_of(cat, c);
        match format {
            Format::Json => json_string(&d),
            Format::Xml => xml(&DefinitionXml {
                service_code: &d.service_code,
                attributes: AttributesXml {
                    attribute: d
                        .attributes
                        .iter()
                        .map(|a| AttributeXml {
                            variable: a.variable,
                            code: &a.code,
                            datatype: a.datatype,
                            required: a.required,
                            datatype_description: &a.datatype_description,
                            order: a.order,
                            description: &a.description,
                            values: (!a.values.is_empty())
                                .then_some(ValuesXml { value: &a.values }),
                        })
                        .collect(),
                },
            }),
        }
    })
    .await
}

// --- Requests ---------------------------------------------------------------------------------

/// GeoReport's two states: open while the city works on it, closed once it is done with.
fn open_or_closed(row: &IndexRow) -> &'static str {
    let done =
        row.terminal || matches!(row.status, Status::Closed | Status::Merged | Status::Split);
    if done { "closed" } else { "open" }
}

fn status_notes(row: &IndexRow) -> String {
    let en = row.status.as_str().replace('_', " ");
    match &row.merged_into {
        Some(into) if row.status == Status::Merged => {
            format!("{}（并入 {into}）/ {en} (into {into})", row.status.zh())
        }
        _ => format!("{} / {en}", row.status.zh()),
    }
}

/// What a request shows that only its history holds — when it was made and where — fixed at
/// submission, so kept once per order: a public listing then reads index rows and this, and
/// folds an order's history only the first time it is shown.
#[derive(Debug, Default)]
pub(crate) struct Published {
    by_order: std::sync::Mutex<std::collections::HashMap<String, Fixed>>,
}

#[derive(Debug, Clone, Copy)]
struct Fixed {
    requested_ms: Option<i64>,
    /// Rounded to 0.01°.
    lat_long: Option<(f64, f64)>,
}

/// Orders kept in [`Published`] before it starts again (a few dozen bytes each).
const MAX_PUBLISHED: usize = 500_000;

/// An order's [`Fixed`] part, from the cache or its verified history.
fn fixed_of(
    reads: &mut dyn HubReads,
    view: &View,
    hub: &Hub,
    row: &IndexRow,
) -> Result<Fixed, HubError> {
    let lock = || {
        hub.published
            .by_order
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    if let Some(f) = lock().get(&row.order.0) {
        return Ok(*f);
    }
    let stored = reads.changes_for(&row.order)?;
    let events = verified_events(&view.trust, &row.order, &stored)?;
    let state = fold(&events, &view.policy, &hub.calendar);
    let round = |x: f64| (x * 100.0).round() / 100.0;
    let fixed = Fixed {
        requested_ms: state.submitted_at.map(|t| t.timestamp_millis()),
        lat_long: state
            .details
            .as_ref()
            .and_then(|d| d.location.gps)
            .map(|g| (round(g.lat), round(g.lon))),
    };
    // Only a submitted order's part is fixed.
    if fixed.requested_ms.is_some() {
        let mut cache = lock();
        if cache.len() >= MAX_PUBLISHED {
            cache.clear();
        }
        cache.insert(row.order.0.clone(), fixed);
    }
    Ok(fixed)
}

/// One order as a service request, or `None` for what is never published (confidential).
fn request_of(
    reads: &mut dyn HubReads,
    view: &View,
    hub: &Hub,
    row: &IndexRow,
) -> Result<Option<ServiceRequest>, HubError> {
    if row.confidential {
        return Ok(None);
    }
    let fixed = fixed_of(reads, view, hub, row)?;
    let cat = latest(view);
    let (service_code, service_name) = match (&row.category, cat) {
        (Some(code), Some(cat)) => (
            code.clone(),
            cat.category(code)
                .map_or_else(|| code.clone(), |c| format!("{} {}", c.name_zh, c.name_en)),
        ),
        (Some(code), None) => (code.clone(), code.clone()),
        (None, _) => (
            row.kind.as_str().to_string(),
            format!("{} {}", row.kind.zh(), row.kind.as_str()),
        ),
    };
    Ok(Some(ServiceRequest {
        service_request_id: row.order.0.clone(),
        status: open_or_closed(row),
        status_notes: status_notes(row),
        service_name,
        service_code,
        agency_responsible: row.lead_unit.clone(),
        requested_datetime: fixed.requested_ms.and_then(city_time),
        updated_datetime: city_time(row.updated_at),
        expected_datetime: row.handling_due.and_then(city_time),
        address_id: row.division_code.clone(),
        lat: fixed.lat_long.map(|l| l.0),
        long: fixed.lat_long.map(|l| l.1),
    }))
}

struct Filters {
    ids: Option<Vec<String>>,
    service_codes: Option<Vec<String>>,
    statuses: Option<Vec<String>>,
    start: i64,
    end: Option<i64>,
}

fn list_of(p: &Params, name: &str) -> Option<Vec<String>> {
    p.get(name).map(|v| {
        v.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

fn filters(p: &Params, now: i64) -> Result<Filters, HubError> {
    let ids = list_of(p, "service_request_id");
    if ids.as_ref().is_some_and(|i| i.len() > MAX_IDS) {
        return Err(HubError::BadQuery(format!(
            "service_request_id names at most {MAX_IDS} requests"
        )));
    }
    let statuses = list_of(p, "status");
    if let Some(bad) = statuses
        .iter()
        .flatten()
        .find(|s| *s != "open" && *s != "closed")
    {
        return Err(HubError::BadQuery(format!(
            "status must be open or closed, not {}",
            bad.chars().take(20).collect::<String>()
        )));
    }
    let end = p.instant("end_date")?;
    let window = DEFAULT_WINDOW_DAYS * 24 * 3600 * 1000;
    let start = p
        .instant("start_date")?
        .unwrap_or_else(|| end.unwrap_or(now) - window);
    // A listing reads the window's index rows: at most 90 days of them (GeoReport lets a
    // server bound the range).
    if end.unwrap_or(now).saturating_sub(start) > window {
        return Err(HubError::BadQuery(format!(
            "start_date to end_date (or now) spans at most {DEFAULT_WINDOW_DAYS} days"
        )));
    }
    Ok(Filters {
        ids,
        service_codes: list_of(p, "service_code"),
        statuses,
        start,
        end,
    })
}

/// The requests the filters select, newest-updated first, at most [`MAX_REQUESTS`]. Blocking.
fn select(hub: &Hub, view: &View, f: &Filters) -> Result<Vec<ServiceRequest>, HubError> {
    hub.with_reads(view, |reads| {
        let mut rows = Vec::new();
        match &f.ids {
            Some(ids) => {
                for id in ids {
                    rows.extend(reads.order_row(&OrderId::new(id.clone()))?);
                }
            }
            None => {
                let mut after = String::new();
                loop {
                    let ids = reads.order_ids_after(&after, SCAN)?;
                    let Some(last) = ids.last() else { break };
                    after = last.0.clone();
                    for id in &ids {
                        // An order is updated at or after it was requested: an old update
                        // means an old request, without reading its history.
                        if let Some(row) = reads.order_row(id)?
                            && row.updated_at >= f.start
                            && !row.confidential
                        {
                            rows.push(row);
                        }
                    }
                }
            }
        }
        let wanted_code = |row: &IndexRow| {
            f.service_codes.as_ref().is_none_or(|codes| {
                codes
                    .iter()
                    .any(|c| row.category.as_deref() == Some(c.as_str()) || row.kind.as_str() == c)
            })
        };
        let wanted_status = |row: &IndexRow| {
            f.statuses
                .as_ref()
                .is_none_or(|s| s.iter().any(|x| x == open_or_closed(row)))
        };
        rows.retain(|r| wanted_code(r) && wanted_status(r));
        rows.sort_by(|a, b| {
            b.updated_at
                .cmp(&a.updated_at)
                .then(a.order.0.cmp(&b.order.0))
        });
        let mut out = Vec::new();
        for row in &rows {
            if out.len() >= MAX_REQUESTS {
                break;
            }
            let Some(req) = request_of(reads, view, hub, row)? else {
                continue;
            };
            // Dates filter the request's own time (ids asked for by name are not filtered).
            if f.ids.is_none() {
                let at = req
                    .requested_datetime
                    .as_deref()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.timestamp_millis());
                let inside = at.is_some_and(|t| t >= f.start && f.end.is_none_or(|e| t <= e));
                if !inside {
                    continue;
                }
            }
            out.push(req);
        }
        Ok(out)
    })
}

fn render_requests<T: Serialize>(format: Format, list: &[T]) -> Result<String, HubError> {
    match format {
        Format::Json => json_string(&list),
        Format::Xml => xml(&RequestsXml { request: list }),
    }
}

/// A public read: rate-limited per client address, no key needed. Blocking work on the pool.
async fn public(
    hub: &Arc<Hub>,
    client: Client,
    format: Format,
    cost: u32,
    f: impl FnOnce(&Hub, &View) -> Result<String, HubError> + Send + 'static,
) -> Response {
    let client = client.map_or_else(|| "unknown".to_string(), |c| c.0.0.to_string());
    // Listings, which read many rows, run a few at a time whoever asks: devices' syncs keep
    // the storage's connections.
    let _permit = if cost > 1 {
        match hub.listings.acquire().await {
            Ok(p) => Some(p),
            Err(_) => return error(format, &HubError::Internal("the hub is stopping".into())),
        }
    } else {
        None
    };
    let body = blocking(hub, move |hub| {
        hub.rate.check_n(&format!("open311:{client}"), cost)?;
        let view = hub.view();
        f(hub, &view)
    })
    .await;
    ok_body(format, body)
}

async fn requests(
    hub: Arc<Hub>,
    client: Client,
    query: Option<String>,
    format: Format,
) -> Response {
    // A listing reads every order's index row (≈190 ms at 10,000 orders, `hotline bench api`):
    // it costs the rate of a listing's worth of single reads.
    public(&hub, client, format, LISTING_COST, move |hub, view| {
        let p = Params::parse(query.as_deref())?;
        let f = filters(&p, hub.options.clock.now().timestamp_millis())?;
        render_requests(format, &select(hub, view, &f)?)
    })
    .await
}

async fn requests_json(
    State(hub): State<Arc<Hub>>,
    client: Client,
    RawQuery(q): RawQuery,
) -> Response {
    requests(hub, client, q, Format::Json).await
}

async fn requests_xml(
    State(hub): State<Arc<Hub>>,
    client: Client,
    RawQuery(q): RawQuery,
) -> Response {
    requests(hub, client, q, Format::Xml).await
}

async fn one_request(
    State(hub): State<Arc<Hub>>,
    client: Client,
    file: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Response {
    let (id, format) = match resource(file, "requests") {
        Ok(r) => r,
        Err(e) => return error(Format::Json, &e),
    };
    public(&hub, client, format, 1, move |hub, view| {
        let unknown =
            || HubError::Device(hotline_core::device::DeviceError::UnknownOrder(id.clone()));
        let found = hub.with_reads(view, |reads| {
            let Some(row) = reads.order_row(&OrderId::new(id.clone()))? else {
                return Ok(None);
            };
            request_of(reads, view, hub, &row)
        })?;
        // A confidential order is as unknown as one that does not exist.
        let req = found.ok_or_else(unknown)?;
        render_requests(format, std::slice::from_ref(&req))
    })
    .await
}

// --- Submissions ------------------------------------------------------------------------------

/// The kind a submission asks for: `attribute[kind]` when given, else complaint where the
/// category takes it, else its first kind.
fn kind_for(cat: &Catalogue, code: &str, asked: Option<&str>) -> Result<RequestKind, HubError> {
    let kinds = cat.kinds(code);
    match asked {
        Some(k) => kinds
            .iter()
            .copied()
            .find(|x| x.as_str() == k)
            .ok_or_else(|| {
                HubError::BadQuery(format!("attribute[kind] {k} is not a kind {code} takes"))
            }),
        None if kinds.contains(&RequestKind::Complaint) => Ok(RequestKind::Complaint),
        None => kinds
            .first()
            .copied()
            .ok_or_else(|| HubError::ServiceUnknown(code.to_string())),
    }
}

fn coordinate(p: &Params, name: &str, limit: f64) -> Result<Option<f64>, HubError> {
    let Some(v) = p.get(name) else {
        return Ok(None);
    };
    v.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && x.abs() <= limit)
        .map(Some)
        .ok_or_else(|| HubError::BadQuery(format!("{name} must be a number within ±{limit}")))
}

/// A GeoReport submission as the intake its service identity records.
fn submission(p: &Params, view: &View) -> Result<SubmitRequest, HubError> {
    let code = p
        .get("service_code")
        .ok_or_else(|| HubError::BadQuery("service_code is required".into()))?;
    let cat = latest(view).ok_or_else(|| HubError::ServiceUnknown(code.to_string()))?;
    if cat.category(code).is_none() {
        return Err(HubError::ServiceUnknown(code.to_string()));
    }
    let text = p
        .get("description")
        .ok_or_else(|| HubError::BadQuery("description is required".into()))?;
    let lat = coordinate(p, "lat", 90.0)?;
    let lon = coordinate(p, "long", 180.0)?;
    let address = match (p.get("address_string"), lat, lon) {
        (Some(a), _, _) => a.to_string(),
        // A place given by its coordinates alone is written as them: an order always has an
        // address line.
        (None, Some(lat), Some(lon)) => format!("坐标 / coordinates {lat:.6},{lon:.6}"),
        _ => {
            return Err(HubError::BadQuery(
                "a location is required: lat and long, or address_string".into(),
            ));
        }
    };
    let gps = match (lat, lon) {
        (Some(lat), Some(lon)) => Some(hotline_core::model::GpsFix {
            lat,
            lon,
            accuracy_m: None,
            source: hotline_core::model::GpsSource::Manual,
            mock: false,
        }),
        _ => None,
    };
    let mut answers = std::collections::BTreeMap::new();
    let mut asked_kind = None;
    for level in cat.lineage(code) {
        for a in &level.attributes {
            if let Some(v) = p.get(&format!("attribute[{}]", a.code)) {
                answers.insert(a.code.clone(), v.to_string());
            }
        }
    }
    if let Some(k) = p.get("attribute[kind]") {
        asked_kind = Some(k);
    }
    let kind = kind_for(cat, code, asked_kind)?;
    let name = [p.get("first_name"), p.get("last_name")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let contact = ContactDetails {
        name: (!name.is_empty()).then_some(name),
        phone: p.get("phone").map(str::to_string),
        id_number: None,
    };
    let channel = match p.get("channel") {
        None | Some("web") => Channel::Web,
        Some("wechat") => Channel::Wechat,
        Some("mini_program") => Channel::MiniProgram,
        Some("app") => Channel::App,
        Some(other) => {
            return Err(HubError::BadQuery(format!(
                "channel must be web, wechat, mini_program or app, not {}",
                other.chars().take(20).collect::<String>()
            )));
        }
    };
    Ok(SubmitRequest {
        kind,
        urgency: Urgency::Normal,
        channel,
        text: text.to_string(),
        location: Location {
            address,
            division_code: p.get("address_id").map(str::to_string),
            gps,
        },
        contact: (contact.name.is_some() || contact.phone.is_some()).then_some(contact),
        confidential: false,
        photos: Vec::new(),
        origin: Default::default(),
        emergency_category: None,
        category: Some(CategoryChoice {
            code: code.to_string(),
            answers,
        }),
    })
}

async fn post(hub: Arc<Hub>, headers: HeaderMap, body: Body, format: Format) -> Response {
    let bytes = match to_bytes(body, MAX_PARAMS_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return error(
                format,
                &HubError::TooLarge {
                    limit: MAX_PARAMS_BYTES,
                },
            );
        }
    };
    let raw = String::from_utf8_lossy(&bytes).into_owned();
    let bearer = super::auth::bearer(&headers);
    let result = blocking(&hub, move |hub| {
        let p = Params::parse(Some(&raw))?;
        let view = hub.view();
        let token = p.get("api_key").map(str::to_string).or(bearer);
        let who = caller(hub, &view, token.as_deref())?;
        let req = submission(&p, &view)?;
        let now = hub.options.clock.now();
        let done = super::services::submit(hub, &view, &who.cert.body.id.0, req, now)?;
        hub.log.request(format_args!(
            "open311 intake from {}: {}",
            who.key.system, done.order.0
        ));
        let created = [Created {
            service_request_id: done.order.0.clone(),
            service_notice: format!(
                "回执码 {0}：凭此码查询办理进度 / Receipt code {0}: use it to follow the request",
                done.receipt
            ),
        }];
        render_requests(format, &created)
    })
    .await;
    ok_body(format, result)
}

async fn post_json(State(hub): State<Arc<Hub>>, headers: HeaderMap, body: Body) -> Response {
    post(hub, headers, body, Format::Json).await
}

async fn post_xml(State(hub): State<Arc<Hub>>, headers: HeaderMap, body: Body) -> Response {
    post(hub, headers, body, Format::Xml).await
}
