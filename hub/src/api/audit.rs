//! Personal data through the API, and its trace: `GET /api/v1/orders/{id}/contact?purpose=`
//! opens a citizen's contact for a system whose key is bound to a reader service identity (by
//! the rule a phone opens it; see `services.rs`), entered in the access log before it is
//! answered; `GET /api/v1/audit?order=&person=&month=` lists that log with its breaks (the
//! center's roles and auditors).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use hotline_core::audit::{AuditFilter, AuditReport, read_all, report};
use hotline_core::center::Period;
use hotline_core::device::DeviceError;
use hotline_core::model::{OrderId, Role};
use hotline_core::sync::may_see;
use serde::Serialize;

use super::auth::{bearer, caller};
use super::params::Params;
use super::{blocking, json_or_error};
use crate::errors::HubError;
use crate::state::Hub;

#[derive(Debug, Serialize)]
struct Contact {
    order: String,
    name: Option<String>,
    phone: Option<String>,
    id_number: Option<String>,
}

/// `GET /api/v1/orders/{id}/contact?purpose=`.
pub(crate) async fn contact(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    id: Result<Path<String>, axum::extract::rejection::PathRejection>,
    RawQuery(query): RawQuery,
) -> Response {
    let result = blocking(&hub, move |hub| {
        let view = hub.view();
        let who = caller(hub, &view, bearer(&headers).as_deref())?;
        let id = super::params::path_segment(id)?;
        let p = Params::parse(query.as_deref())?;
        let purpose = p.get("purpose").unwrap_or("").to_string();
        hotline_core::audit::check_purpose(&purpose).map_err(DeviceError::from)?;
        let order = OrderId::new(id.clone());
        let visible = hub.with_reads(&view, |r| Ok(may_see(r, &who.cert, &order)?))?;
        if id.is_empty() || id.len() > 200 || !visible {
            return Err(HubError::Device(DeviceError::UnknownOrder(id)));
        }
        let now = hub.options.clock.now();
        let c = super::services::open_contact(
            hub,
            &view,
            &who.cert.body.id.0,
            &who.key.system,
            &order,
            &purpose,
            now,
        )?;
        hub.log.request(format_args!(
            "contact of {} opened for {} ({})",
            order.0, who.key.system, who.key.id
        ));
        Ok(Contact {
            order: order.0,
            name: c.name,
            phone: c.phone,
            id_number: c.id_number,
        })
    })
    .await;
    json_or_error(&hub, result)
}

/// `GET /api/v1/audit?order=&person=&month=YYYY-MM`.
pub(crate) async fn list(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let result = blocking(&hub, move |hub| -> Result<AuditReport, HubError> {
        let view = hub.view();
        let who = caller(hub, &view, bearer(&headers).as_deref())?;
        // Discipline inspection and the center's dispatchers, who supervise: not a callback or
        // intake system, which opens contacts itself and is what the log watches.
        let allowed = matches!(who.cert.body.role, Role::Auditor | Role::Dispatcher);
        if !allowed {
            return Err(HubError::NotPermitted {
                zh: "查阅访问记录（仅限纪检监察和热线中心调度岗位）",
                en: "read the access log (auditors and the center's dispatchers only)",
            });
        }
        let p = Params::parse(query.as_deref())?;
        let period = match p.get("month") {
            Some(m) => Some(Period::month(m).map_err(|e| HubError::BadQuery(e.to_string()))?),
            None => None,
        };
        let filter = AuditFilter {
            order: p.get("order").map(str::to_string),
            person: p.get("person").map(str::to_string),
            period,
        };
        let all = hub.with_reads(&view, |r| Ok(read_all(|o, n| r.access_entries(o, n))?))?;
        Ok(report(&all, &view.trust, &filter))
    })
    .await;
    json_or_error(&hub, result)
}
