//! The kiosk app's JSON API. Every step goes through the device — the same checks as the CLI
//! and the SDK — on the blocking pool under the device's lock. Answers are never cached, errors
//! carry the stable code with both messages, and nothing the citizen typed is logged.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use hotline_core::Coded;
use hotline_core::device::{
    Device, MatchWindow, PhotoInput, PhotoSource, SubmitRequest, Submitted,
};
use hotline_core::error::{ErrorClass, ErrorCode};
use hotline_core::identity::ContactDetails;
use hotline_core::model::{Channel, IntakeMatch, Location, MatchRelation, OrderId, RequestKind};
use hotline_core::sync::http::{CancelToken, HttpOptions, HubClient};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{APP, Kiosk};

/// Photos one request may carry, and the size of each (a phone camera's JPEG is 2–6 MB).
const MAX_PHOTOS: usize = 6;
const MAX_PHOTO_BYTES: usize = 12 * 1024 * 1024;
/// The whole submission: the photos in base64 and the rest.
const MAX_BODY_BYTES: usize = MAX_PHOTOS * MAX_PHOTO_BYTES * 4 / 3 + 64 * 1024;

pub(super) fn router(kiosk: Arc<Kiosk>, csp: String) -> Router {
    Router::new()
        .route("/", get(move || page(csp.clone())))
        .route("/api/config", get(config))
        .route("/api/kb/search", get(search))
        .route("/api/answer", post(answer))
        .route("/api/duplicates", post(duplicates))
        .route("/api/submit", post(submit))
        .route("/api/status/{code}", get(status))
        .fallback(|| async {
            ApiError(
                ErrorCode::NoSuchEndpoint,
                "没有这个地址".into(),
                "no such endpoint".into(),
            )
        })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(kiosk)
}

async fn page(csp: String) -> Response {
    let mut r = (StatusCode::OK, APP).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    no_store(r)
}

fn no_store(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

fn ok(value: Value) -> Response {
    no_store(Json(value).into_response())
}

/// An error as the app shows it: `{"error": {code, message_zh, message_en}}`.
#[derive(Debug)]
struct ApiError(ErrorCode, String, String);

impl<E: Coded> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.code(), e.message_zh(), e.message_en())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = json!({ "error": {
            "code": self.0.as_str(), "message_zh": self.1, "message_en": self.2 } });
        no_store((status, Json(body)).into_response())
    }
}

fn bad_input(zh: &str, en: &str) -> ApiError {
    ApiError(ErrorCode::BadInput, zh.into(), en.into())
}

/// Runs store work on the blocking pool under the device's lock.
async fn with_device<T: Send + 'static>(
    kiosk: &Arc<Kiosk>,
    work: impl FnOnce(&mut Device, &Kiosk) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let kiosk = Arc::clone(kiosk);
    tokio::task::spawn_blocking(move || {
        let mut device = kiosk
            .device
            .lock()
            .map_err(|_| ApiError::from(hotline_core::device::DeviceError::Poisoned))?;
        work(&mut device, &kiosk)
    })
    .await
    .map_err(|e| ApiError(ErrorCode::InternalError, e.to_string(), e.to_string()))?
}

async fn config(State(kiosk): State<Arc<Kiosk>>) -> Response {
    let kinds: Vec<Value> = RequestKind::ALL
        .iter()
        .map(|k| json!({ "code": k.as_str(), "zh": k.zh(), "en": kind_en(*k) }))
        .collect();
    ok(json!({
        "kinds": kinds,
        "idle_seconds": kiosk.idle_seconds,
        "max_photos": MAX_PHOTOS,
        "max_photo_bytes": MAX_PHOTO_BYTES,
        "hall_zh": kiosk.hall_zh,
        "hall_en": kiosk.hall_en,
    }))
}

fn kind_en(kind: RequestKind) -> &'static str {
    match kind {
        RequestKind::Inquiry => "Question",
        RequestKind::Help => "Ask for help",
        RequestKind::Complaint => "Complaint",
        RequestKind::Report => "Report wrongdoing",
        RequestKind::Suggestion => "Suggestion",
    }
}

#[derive(Debug, Deserialize)]
struct SearchQuery {
    q: String,
    limit: Option<u32>,
}

async fn search(
    State(kiosk): State<Arc<Kiosk>>,
    Query(q): Query<SearchQuery>,
) -> Result<Response, ApiError> {
    let hits = with_device(&kiosk, move |d, k| {
        Ok(d.kb_search(&q.q, q.limit.unwrap_or(3).min(10), k.now())?)
    })
    .await?;
    let hits: Vec<_> = hits.into_iter().map(|h| h.item).collect();
    Ok(ok(json!({ "hits": hits })))
}

#[derive(Debug, Deserialize)]
struct AnswerBody {
    kind: String,
    text: String,
    kb_item: String,
    kb_version: u32,
}

/// 即时答复: the citizen took an item's answer; the inquiry is recorded, answered, with its
/// receipt. Its place is the hall.
async fn answer(
    State(kiosk): State<Arc<Kiosk>>,
    Json(b): Json<AnswerBody>,
) -> Result<Response, ApiError> {
    if RequestKind::parse(&b.kind) != Some(RequestKind::Inquiry) {
        // Whatever the app chose, only an inquiry is answered from the knowledge base.
        return Err(hotline_core::workflow::WorkflowError::InstantAnswerKind {
            kind: RequestKind::parse(&b.kind).unwrap_or(RequestKind::Complaint),
        }
        .into());
    }
    let sub = with_device(&kiosk, move |d, k| {
        let req = request(
            k,
            RequestKind::Inquiry,
            b.text,
            k.hall_zh.clone(),
            None,
            false,
            Vec::new(),
        );
        Ok(d.answer_from_kb(k.who.as_deref(), req, &b.kb_item, b.kb_version, k.now())?)
    })
    .await?;
    receipt(&sub, json!({}))
}

#[derive(Debug, Deserialize)]
struct DuplicateBody {
    kind: String,
    text: String,
    address: String,
}

async fn duplicates(
    State(kiosk): State<Arc<Kiosk>>,
    Json(b): Json<DuplicateBody>,
) -> Result<Response, ApiError> {
    let kind = parse_kind(&b.kind)?;
    let candidates = with_device(&kiosk, move |d, k| {
        let location = location(k, b.address);
        Ok(d.intake_candidates(kind, &b.text, &location, k.now(), &MatchWindow::default())?)
    })
    .await?;
    let out: Vec<Value> = candidates
        .iter()
        .map(|c| {
            json!({
                "order": c.order.0,
                "status": if c.relation == MatchRelation::Joins { "open" } else { "closed" },
                "status_zh": c.status.zh(),
                "status_en": c.status.as_str().replace('_', " "),
                "reported_at": hotline_core::policy::to_local(c.submitted_at).format("%Y-%m-%d").to_string(),
                "similarity": (c.similarity * 100.0).round() / 100.0,
            })
        })
        .collect();
    Ok(ok(json!({ "candidates": out })))
}

#[derive(Debug, Deserialize)]
struct PhotoBody {
    media_type: String,
    data_base64: String,
}

#[derive(Debug, Deserialize)]
struct ContactBody {
    name: Option<String>,
    phone: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SubmitBody {
    kind: String,
    text: String,
    address: String,
    #[serde(default)]
    photos: Vec<PhotoBody>,
    contact: Option<ContactBody>,
    #[serde(default)]
    confidential: bool,
    join: Option<String>,
    repeat_of: Option<String>,
}

async fn submit(
    State(kiosk): State<Arc<Kiosk>>,
    Json(b): Json<SubmitBody>,
) -> Result<Response, ApiError> {
    let kind = parse_kind(&b.kind)?;
    if b.photos.len() > MAX_PHOTOS {
        return Err(bad_input("照片过多", "too many photos"));
    }
    let mut photos = Vec::with_capacity(b.photos.len());
    for p in b.photos {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(p.data_base64.as_bytes())
            .map_err(|_| bad_input("照片数据无法读取", "a photo could not be read"))?;
        if bytes.len() > MAX_PHOTO_BYTES {
            return Err(bad_input("照片过大", "a photo is too large"));
        }
        photos.push(PhotoInput {
            source: PhotoSource::Bytes(bytes),
            media_type: p.media_type,
            captured_at: None,
            gps: None,
        });
    }
    let chosen = match (b.join, b.repeat_of) {
        (Some(order), None) => Some(IntakeMatch {
            order: OrderId::new(order),
            relation: MatchRelation::Joins,
        }),
        (None, Some(order)) => Some(IntakeMatch {
            order: OrderId::new(order),
            relation: MatchRelation::Repeats,
        }),
        (None, None) => None,
        (Some(_), Some(_)) => {
            return Err(bad_input(
                "不能同时补充和关联两件事",
                "join or repeat, not both",
            ));
        }
    };
    let relation = chosen.as_ref().map(|c| c.relation);
    let contact = b.contact.and_then(|c| {
        let keep = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        let (name, phone) = (keep(c.name), keep(c.phone));
        (name.is_some() || phone.is_some()).then_some(ContactDetails {
            name,
            phone,
            id_number: None,
        })
    });
    let sub = with_device(&kiosk, move |d, k| {
        let req = request(k, kind, b.text, b.address, contact, b.confidential, photos);
        Ok(d.submit_matched(k.who.as_deref(), req, chosen, k.now())?)
    })
    .await?;
    receipt(
        &sub,
        json!({
            "joined": relation == Some(MatchRelation::Joins),
            "repeat": relation == Some(MatchRelation::Repeats),
        }),
    )
}

/// The status of a receipt, live from the hub; `{"online": false}` when there is no hub or it
/// cannot be reached (the kiosk keeps no one's progress).
async fn status(
    State(kiosk): State<Arc<Kiosk>>,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let code = hotline_core::receipt::parse(&code)
        .map_err(ApiError::from)?
        .0;
    if kiosk.hub.is_none() {
        return Ok(ok(json!({ "online": false })));
    }
    let handle = tokio::runtime::Handle::current();
    let found = with_device(&kiosk, move |d, k| {
        let Some(url) = k.hub.as_deref() else {
            return Ok(None);
        };
        let options = HttpOptions {
            request_timeout: Duration::from_secs(8),
            connect_timeout: Duration::from_secs(3),
            max_attempts: 2,
            ..HttpOptions::default()
        };
        let client = HubClient::new(url, options)?;
        let cancel = CancelToken::new();
        match handle.block_on(client.receipt_status(d, k.who.as_deref(), &code, &cancel)) {
            Ok(s) => Ok(Some((s, false))),
            // Taken here and not yet sent to the city: this kiosk's own record says where it
            // stands until the next sync.
            Err(e) if e.code() == ErrorCode::UnknownReceipt => match d.status(&code) {
                Ok(s) => Ok(Some((s, true))),
                Err(_) => Err(ApiError::from(e)),
            },
            Err(e)
                if e.code().class() == ErrorClass::Network
                    || e.code() == ErrorCode::StoreUnavailable =>
            {
                Ok(None)
            }
            Err(e) => Err(ApiError::from(e)),
        }
    })
    .await?;
    Ok(ok(match found {
        Some((s, not_yet_sent)) => {
            json!({ "online": true, "status": s, "not_yet_sent": not_yet_sent })
        }
        None => json!({ "online": false }),
    }))
}

/// The background sync with the hub: submissions up, the knowledge base down. A failed round
/// is tried again at the next tick; the app works offline meanwhile.
pub(super) async fn sync_loop(kiosk: Arc<Kiosk>, every: Duration) {
    let Some(url) = kiosk.hub.clone() else {
        return;
    };
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let Ok(client) = HubClient::new(&url, HttpOptions::default()) else {
            return;
        };
        let cancel = CancelToken::new();
        let result = client
            .sync(
                Arc::clone(&kiosk.device),
                kiosk.who.as_deref(),
                &mut |_| {},
                &cancel,
            )
            .await;
        if let Err(e) = result {
            eprintln!("同步失败 / sync failed [{}]: {}", e.code(), e.message_en());
        }
    }
}

fn parse_kind(s: &str) -> Result<RequestKind, ApiError> {
    RequestKind::parse(s).ok_or_else(|| {
        ApiError(
            ErrorCode::UnknownKind,
            format!("未知的诉求类型：{s}"),
            format!("unknown kind of request: {s}"),
        )
    })
}

fn location(k: &Kiosk, address: String) -> Location {
    Location {
        address,
        division_code: k.division.clone(),
        gps: None,
    }
}

fn request(
    k: &Kiosk,
    kind: RequestKind,
    text: String,
    address: String,
    contact: Option<ContactDetails>,
    confidential: bool,
    photos: Vec<PhotoInput>,
) -> SubmitRequest {
    SubmitRequest {
        kind,
        urgency: hotline_core::model::Urgency::Normal,
        channel: Channel::Kiosk,
        text,
        location: location(k, address),
        contact,
        confidential,
        photos,
        origin: hotline_core::model::Origin::Local,
        emergency_category: None,
        category: None,
    }
}

/// The receipt screen's data: the code, and a QR code of it to take away (SVG, drawn here).
fn receipt(sub: &Submitted, mut extra: Value) -> Result<Response, ApiError> {
    let svg = qrcode::QrCode::new(sub.receipt.as_bytes())
        .map(|q| {
            q.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(240, 240)
                .quiet_zone(true)
                .build()
        })
        .map_err(|e| ApiError(ErrorCode::InternalError, e.to_string(), e.to_string()))?;
    if let Some(map) = extra.as_object_mut() {
        map.insert("receipt".into(), json!(sub.receipt));
        map.insert("order".into(), json!(sub.order.0));
        map.insert("qr_svg".into(), json!(svg));
    }
    Ok(ok(extra))
}
