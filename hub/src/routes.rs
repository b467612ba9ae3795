//! The HTTP endpoints. Bodies are postcard bytes in a `SignedRequest`, signed over the endpoint
//! and a challenge the hub issued. Every signed request takes the same way in ([`signed`]): the
//! body is read within its limits, then on the blocking pool it is decoded, its signer checked
//! against the trust snapshot, its challenge redeemed and its rate checked — all before the
//! work itself, and none of it under the store's write lock.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hotline_core::Coded;
use hotline_core::device::receipt_status;
use hotline_core::identity::Certificate;
use hotline_core::model::Timestamp;
use hotline_core::store::RefusalRecord;
use hotline_core::sync::http::messages::{
    BLOBS_GET_PATH, BLOBS_HELD_PATH, BLOBS_PUT_PATH, CHALLENGE_HEADER, CHALLENGE_PATH,
    CONTENT_TYPE_JSON, CONTENT_TYPE_POSTCARD, Challenge, HEALTH_PATH, Health, STATUS_PATH,
    SYNC_PATH, StatusQuery,
};
use hotline_core::sync::wire::{self, PROTOCOL, SignedRequest};
use hotline_core::sync::{
    CHALLENGE_LIFETIME, Round, Served, SyncError, authenticate, prepare_body, pull, take_push,
};
use tower_http::timeout::RequestBodyTimeoutLayer;

use crate::blob_routes;
use crate::errors::HubError;
use crate::state::{Hub, View};

pub fn router(hub: Arc<Hub>) -> Router {
    let body_idle = hub.options.body_idle_timeout;
    Router::new()
        .route(SYNC_PATH, post(sync))
        .route(BLOBS_HELD_PATH, post(blob_routes::held))
        .route(BLOBS_PUT_PATH, post(blob_routes::put))
        .route(BLOBS_GET_PATH, post(blob_routes::get))
        .route(STATUS_PATH, post(status))
        .route(HEALTH_PATH, get(health))
        .route(CHALLENGE_PATH, get(challenge))
        .merge(crate::api::routes())
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::map_response_with_state(
            Arc::clone(&hub),
            with_challenge,
        ))
        .layer(RequestBodyTimeoutLayer::new(body_idle))
        .with_state(hub)
}

async fn no_route(uri: Uri) -> Response {
    HubError::NoRoute(uri.path().to_string()).response(None)
}

async fn method_not_allowed(uri: Uri) -> Response {
    HubError::MethodNotAllowed(uri.path().to_string()).response(None)
}

/// Every answer carries a fresh challenge for the client's next signed request, so a device
/// never spends a round trip asking for one.
async fn with_challenge(State(hub): State<Arc<Hub>>, mut response: Response) -> Response {
    let challenge = hub.freshness.issue(hub.options.clock.now());
    if let Ok(value) = HeaderValue::from_str(&hex::encode(challenge)) {
        response.headers_mut().insert(CHALLENGE_HEADER, value);
    }
    response
}

fn json<T: serde::Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, CONTENT_TYPE_JSON)],
            bytes,
        )
            .into_response(),
        Err(e) => HubError::Internal(e.to_string()).response(None),
    }
}

async fn health(State(hub): State<Arc<Hub>>) -> Response {
    // A hub whose database is away says so here, before a device spends a round on it. The
    // embedded store has nothing to ask: no blocking task for it on every sync's first call.
    if hub.storage_is_remote() {
        let worker = Arc::clone(&hub);
        let ready = tokio::task::spawn_blocking(move || worker.storage_ready())
            .await
            .unwrap_or_else(|e| Err(HubError::Internal(format!("worker failed: {e}"))));
        if let Err(e) = ready {
            return e.response(None);
        }
    }
    json(&Health {
        status: "ok".into(),
        node_id: hub.node_id.clone(),
        protocol: PROTOCOL,
        time: hub.options.clock.now().timestamp_millis(),
    })
}

async fn challenge(State(hub): State<Arc<Hub>>) -> Response {
    let now = hub.options.clock.now();
    json(&Challenge {
        challenge: hex::encode(hub.freshness.issue(now)),
        expires_at: (now + CHALLENGE_LIFETIME).timestamp_millis(),
    })
}

/// Reads the body up to the hub's limit, within the request's time.
async fn read_body(hub: &Hub, body: Body) -> Result<Vec<u8>, HubError> {
    let limit = hub.options.max_body_bytes;
    let read = tokio::time::timeout(
        hub.options.request_timeout,
        axum::body::to_bytes(body, limit),
    )
    .await
    .map_err(|_| HubError::Slow)?;
    read.map(Vec::from).map_err(|e| {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(s) = source {
            if s.is::<http_body_util::LengthLimitError>() {
                return HubError::TooLarge { limit };
            }
            if s.is::<tower_http::timeout::TimeoutError>() {
                return HubError::Slow;
            }
            source = s.source();
        }
        HubError::BadBody(e.to_string())
    })
}

/// A signed request whose signer, challenge and rate have been checked.
pub(crate) struct Authenticated {
    pub(crate) cert: Certificate,
    pub(crate) body: Vec<u8>,
    pub(crate) view: Arc<View>,
    pub(crate) now: Timestamp,
}

/// Whether a request carries changes or photo chunks: those wait for one of the hub's heavy
/// permits before their bodies are read, so memory stays bounded however many arrive at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Light,
    Heavy,
}

/// The way in of every signed request (see the module's doc), then `work` on the blocking
/// pool; answers with its postcard bytes or the typed JSON error.
pub(crate) async fn signed<F>(
    hub: Arc<Hub>,
    endpoint: &'static str,
    weight: Weight,
    body: Body,
    work: F,
) -> Response
where
    F: FnOnce(&Hub, Authenticated) -> Result<Vec<u8>, HubError> + Send + 'static,
{
    let stamp = |hub: &Hub| Some(hub.options.clock.now().timestamp_millis());
    let _permit = match weight {
        Weight::Heavy => match hub.heavy.acquire().await {
            Ok(p) => Some(p),
            Err(_) => return HubError::Internal("the hub is stopping".into()).response(None),
        },
        Weight::Light => None,
    };
    let bytes = match read_body(&hub, body).await {
        Ok(b) => b,
        Err(e) => return e.response(stamp(&hub)),
    };
    let worker = Arc::clone(&hub);
    let result = tokio::task::spawn_blocking(move || {
        let req: SignedRequest = wire::decode(&bytes)?;
        drop(bytes);
        let now = worker.options.clock.now();
        let view = worker.view();
        let checked = authenticate(&view.trust, endpoint, &req, now)
            .map_err(HubError::from)
            .and_then(|cert| {
                worker.redeem(&req.challenge, now)?;
                worker.rate.check(&cert.body.id.0)?;
                Ok(cert)
            });
        let cert = match checked {
            Ok(c) => c,
            Err(e) => {
                log_refused(&worker, endpoint, &req.cert, &e);
                return Err(e);
            }
        };
        let who = cert.body.id.0.clone();
        let result = work(
            &worker,
            Authenticated {
                cert,
                body: req.body,
                view,
                now,
            },
        );
        if let Err(e) = &result {
            log_refused(&worker, endpoint, &who, e);
        }
        result
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

/// Logs a refused request (who it claimed to be, why), within the log's rate.
fn log_refused(hub: &Hub, endpoint: &str, cert: &str, e: &HubError) {
    let cert: String = cert.chars().take(80).collect();
    hub.log.request(format_args!(
        "refused {endpoint} from {cert}: {} ({})",
        e.code(),
        e.message_en()
    ));
}

async fn sync(State(hub): State<Arc<Hub>>, body: Body) -> Response {
    signed(hub, SYNC_PATH, Weight::Heavy, body, |hub, a| {
        let peer = a.cert.body.id.0.clone();
        let prepared = match prepare_body(&a.view.trust, a.cert, &a.body) {
            Ok(p) => p,
            Err(e @ SyncError::TooManyRefusals { .. }) => {
                // One row for the whole request, however many changes it carried.
                let row = RefusalRecord {
                    at: a.now.timestamp_millis(),
                    peer: Some(peer),
                    order: None,
                    hash: None,
                    code: e.code().to_string(),
                    message_zh: e.message_zh(),
                    message_en: e.message_en(),
                };
                hub.with_storage(&a.view, |s| Ok(s.log_refusals(std::slice::from_ref(&row))?))?;
                return Err(e.into());
            }
            Err(e) => return Err(e.into()),
        };
        // The push under the writer; the pull on a read connection (on SQLite it never waits
        // for another round's ingest); what it sent whole recorded under the writer again.
        let pushed = match prepared.round() {
            Round::PullOnly(pushed) => pushed,
            Round::Push(p) => {
                let pushed = hub.with_storage(&a.view, |s| Ok(take_push(s, p, a.now)?))?;
                // Long-polls and event streams of this process look again at once.
                hub.changed.send_modify(|n| *n = n.wrapping_add(1));
                pushed
            }
        };
        let pulled = hub.with_reads(&a.view, |r| Ok(pull(r, &a.view.directory, pushed)?))?;
        if pulled.needs_recording() {
            hub.with_storage(&a.view, |s| Ok(pulled.record(s)?))?;
        }
        let (resp, served) = pulled.into_parts();
        log_served(hub, &served);
        Ok(wire::encode(&resp)?)
    })
    .await
}

/// A receipt lookup: status and next deadline from the index, nothing personal; any enrolled
/// device may ask (a kiosk answering a citizen). Read from a read-only connection: it never
/// waits for a write.
async fn status(State(hub): State<Arc<Hub>>, body: Body) -> Response {
    signed(hub, STATUS_PATH, Weight::Light, body, |hub, a| {
        let q: StatusQuery = wire::decode(&a.body)?;
        hub.with_reads(&a.view, |reads| {
            Ok(wire::encode(&receipt_status(reads, &q.receipt)?)?)
        })
    })
    .await
}

fn log_served(hub: &Hub, s: &Served) {
    if s.applied > 0 || s.refused > 0 || s.pulled > 0 || s.denied_resends > 0 {
        hub.log.request(format_args!(
            "sync {}: applied {}, refused {}, sent {}{}",
            s.peer,
            s.applied,
            s.refused,
            s.pulled,
            if s.denied_resends > 0 {
                format!(", asked for {} order(s) it may not see", s.denied_resends)
            } else {
                String::new()
            }
        ));
    }
}
