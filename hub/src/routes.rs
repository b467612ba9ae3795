//! The HTTP endpoints. Bodies are postcard bytes in a `SignedRequest`; the work is done by the
//! core's sans-IO `serve` (verify the request, ingest in one batch, answer with what that person
//! may see) under the hub's lock on the blocking pool.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hotline_core::sync::http::messages::{
    BLOBS_GET_PATH, BLOBS_HELD_PATH, BLOBS_PUT_PATH, CONTENT_TYPE_JSON, CONTENT_TYPE_POSTCARD,
    HEALTH_PATH, Health, STATUS_PATH, SYNC_PATH, StatusQuery,
};
use hotline_core::sync::wire::{self, PROTOCOL, SignedRequest};
use hotline_core::sync::{Served, serve};

use crate::blob_routes;
use crate::errors::HubError;
use crate::state::Hub;

pub fn router(hub: Arc<Hub>) -> Router {
    Router::new()
        .route(SYNC_PATH, post(sync))
        .route(BLOBS_HELD_PATH, post(blob_routes::held))
        .route(BLOBS_PUT_PATH, post(blob_routes::put))
        .route(BLOBS_GET_PATH, post(blob_routes::get))
        .route(STATUS_PATH, post(status))
        .route(HEALTH_PATH, get(health))
        .fallback(no_route)
        .with_state(hub)
}

async fn no_route(uri: Uri) -> Response {
    HubError::NoRoute(uri.path().to_string()).response(None)
}

async fn health(State(hub): State<Arc<Hub>>) -> Response {
    let body = Health {
        status: "ok".into(),
        node_id: hub.node_id.clone(),
        protocol: PROTOCOL,
        time: hub.options.clock.now().timestamp_millis(),
    };
    match serde_json::to_vec(&body) {
        Ok(bytes) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, CONTENT_TYPE_JSON)],
            bytes,
        )
            .into_response(),
        Err(e) => HubError::Internal(e.to_string()).response(None),
    }
}

/// Reads the body up to the hub's limit.
pub(crate) async fn read_body(hub: &Hub, body: Body) -> Result<Vec<u8>, HubError> {
    let limit = hub.options.max_body_bytes;
    axum::body::to_bytes(body, limit)
        .await
        .map(|b| b.to_vec())
        .map_err(|e| {
            // The limit shows up as a length-limit error somewhere in the source chain.
            let mut source: Option<&dyn std::error::Error> = Some(&e);
            while let Some(s) = source {
                if s.to_string().contains("length limit") {
                    return HubError::TooLarge { limit };
                }
                source = s.source();
            }
            HubError::BadBody(e.to_string())
        })
}

/// Reads the body, runs `work` on the blocking pool, answers with its postcard bytes or the
/// typed JSON error.
pub(crate) async fn handle<F>(hub: Arc<Hub>, body: Body, work: F) -> Response
where
    F: FnOnce(&Hub, SignedRequest) -> Result<Vec<u8>, HubError> + Send + 'static,
{
    let stamp = |hub: &Hub| Some(hub.options.clock.now().timestamp_millis());
    let bytes = match read_body(&hub, body).await {
        Ok(b) => b,
        Err(e) => return e.response(stamp(&hub)),
    };
    let worker = Arc::clone(&hub);
    let result = tokio::task::spawn_blocking(move || {
        let req: SignedRequest = wire::decode(&bytes)?;
        work(&worker, req)
    })
    .await
    .unwrap_or_else(|e| Err(HubError::Internal(format!("worker failed: {e}"))));
    match result {
        Ok(out) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, CONTENT_TYPE_POSTCARD)],
            out,
        )
            .into_response(),
        Err(e) => e.response(stamp(&hub)),
    }
}

/// Logs a refused request (who it claimed to be, why) when the hub logs.
pub(crate) fn log_refused(hub: &Hub, what: &str, cert: &str, e: &HubError) {
    if hub.options.log {
        eprintln!(
            "[hub] refused {what} from {cert}: {} ({})",
            hotline_core::Coded::code(e),
            hotline_core::Coded::message_en(e)
        );
    }
}

async fn sync(State(hub): State<Arc<Hub>>, body: Body) -> Response {
    handle(hub, body, |hub, req| {
        let now = hub.options.clock.now();
        let mut inner = hub.lock();
        let inner = &mut *inner;
        match serve(&mut inner.device, &inner.directory, &req, now) {
            Ok((resp, served)) => {
                log_served(hub, &served);
                Ok(wire::encode(&resp)?)
            }
            Err(e) => {
                let e = HubError::from(e);
                log_refused(hub, "sync", &req.cert, &e);
                Err(e)
            }
        }
    })
    .await
}

/// A receipt lookup: status and next deadline from the index, nothing personal; any enrolled
/// device may ask (a kiosk answering a citizen).
async fn status(State(hub): State<Arc<Hub>>, body: Body) -> Response {
    handle(hub, body, |hub, req| {
        blob_routes::authenticated(hub, "status", &req, |device, _cert| {
            let q: StatusQuery = wire::decode(&req.body)?;
            q.check()?;
            Ok(wire::encode(&device.status(&q.receipt)?)?)
        })
    })
    .await
}

fn log_served(hub: &Hub, s: &Served) {
    if hub.options.log && (s.applied > 0 || s.refused > 0 || s.pulled > 0) {
        eprintln!(
            "[hub] sync {}: applied {}, refused {}, sent {}",
            s.peer, s.applied, s.refused, s.pulled
        );
    }
}
