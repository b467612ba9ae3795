//! The hub's APIs for the city platform, beside the devices' signed postcard endpoints:
//!
//! - `/api/v1/…`: JSON for the platform's own systems and departments — orders (cursor
//!   pages), one order with its history and evidence metadata, warnings, the refusal log, and
//!   the live event feed (long-poll and server-sent events). Each call presents a key the
//!   authority issued (`Authorization: Bearer`), bound to an enrolled certificate: it reads
//!   exactly what that person would pull by sync. Described by the OpenAPI document served at
//!   `/api/v1/openapi.json`.
//! - `/open311/v2/…`: GeoReport v2 for open data and the city's web and WeChat front ends —
//!   public reads with no personal data, and submissions keyed per integrating system.
//!
//! Errors are the hub's typed JSON body with its stable code (Open311 gets its own error
//! list shape). Storage work runs on the blocking pool like every other endpoint's.

mod audit;
mod auth;
mod feed;
mod open311;
mod orders;
mod params;
mod services;
pub mod webhooks;

use std::sync::Arc;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::errors::HubError;
use crate::state::Hub;

pub(crate) use open311::Published;
pub use services::SERVICES_DIR;
pub(crate) use services::ServiceStores;

/// The address a connection came from, attached by the server to each of its requests (behind
/// a reverse proxy, the proxy's: public rates are then shared by everyone behind it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientAddr(pub(crate) std::net::IpAddr);

/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// The OpenAPI 3 document of `/api/v1` (checked against the running hub by schemathesis).
const OPENAPI: &str = include_str!("openapi.json");

pub(crate) fn routes() -> Router<Arc<Hub>> {
    Router::new()
        .route(OPENAPI_PATH, get(openapi))
        .route("/api/v1/orders", get(orders::list))
        .route("/api/v1/orders/{id}", get(orders::one))
        .route("/api/v1/orders/{id}/contact", get(audit::contact))
        .route("/api/v1/audit", get(audit::list))
        .route("/api/v1/warnings", get(orders::warnings))
        .route("/api/v1/reports/assessment", get(orders::assessment))
        .route("/api/v1/refusals", get(orders::refusals))
        .route("/api/v1/events", get(feed::poll))
        .route("/api/v1/events/stream", get(feed::stream))
        .merge(open311::routes())
}

async fn openapi() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
        .into_response()
}

/// Runs `f` on the blocking pool (storage work), mapping a failed worker to an internal error.
pub(crate) async fn blocking<T: Send + 'static>(
    hub: &Arc<Hub>,
    f: impl FnOnce(&Hub) -> Result<T, HubError> + Send + 'static,
) -> Result<T, HubError> {
    let worker = Arc::clone(hub);
    tokio::task::spawn_blocking(move || f(&worker))
        .await
        .unwrap_or_else(|e| Err(HubError::Internal(format!("worker failed: {e}"))))
}

/// A JSON answer, or the typed error.
pub(crate) fn json_or_error<T: serde::Serialize>(
    hub: &Hub,
    result: Result<T, HubError>,
) -> Response {
    let stamp = Some(hub.options.clock.now().timestamp_millis());
    match result.and_then(|v| {
        serde_json::to_vec(&v).map_err(|e| HubError::Internal(format!("encoding JSON: {e}")))
    }) {
        Ok(bytes) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            bytes,
        )
            .into_response(),
        Err(e) => e.response(stamp),
    }
}

/// RFC 3339 in +08:00, the city's time, to the second (what GeoReport and the JSON API show).
pub(crate) fn city_time(ms: i64) -> Option<String> {
    let offset = chrono::FixedOffset::east_opt(8 * 3600)?;
    chrono::DateTime::from_timestamp_millis(ms).map(|t| {
        t.with_timezone(&offset)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    })
}
