//! Why the hub refused a request or could not start: a stable code, both languages, and the
//! HTTP status a client can act on (401 who are you, 403 not you any more, 400 malformed…).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hotline_core::Coded;
use hotline_core::device::DeviceError;
use hotline_core::sync::SyncError;
use hotline_core::sync::http::messages::{CONTENT_TYPE_JSON, ErrorBody};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum HubError {
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error(transparent)]
    Device(#[from] DeviceError),
    #[error("this person may not fetch that photo (no order they may see references it)")]
    BlobNotVisible,
    #[error("the request body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the request body could not be read: {0}")]
    BadBody(String),
    #[error("no such endpoint: {0}")]
    NoRoute(String),
    #[error("{dir} is not a hub data folder (run `hotline hub init --data {dir}`): {reason}")]
    NotAHub { dir: String, reason: String },
    #[error("cannot listen on {addr}: {reason}")]
    Listen { addr: String, reason: String },
    #[error("internal error: {0}")]
    Internal(String),
}

impl Coded for HubError {
    fn code(&self) -> &'static str {
        match self {
            HubError::Sync(e) => e.code(),
            HubError::Device(e) => e.code(),
            HubError::BlobNotVisible => "blob_not_visible",
            HubError::TooLarge { .. } => "request_too_large",
            HubError::BadBody(_) => "request_unreadable",
            HubError::NoRoute(_) => "no_such_endpoint",
            HubError::NotAHub { .. } => "hub_not_initialised",
            HubError::Listen { .. } => "hub_listen",
            HubError::Internal(_) => "hub_internal",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            HubError::Sync(e) => e.message_zh(),
            HubError::Device(e) => e.message_zh(),
            HubError::BlobNotVisible => "该人员无权获取此附件（其可见的工单均未引用它）".into(),
            HubError::TooLarge { limit } => format!("请求内容超过 {limit} 字节上限"),
            HubError::BadBody(e) => format!("无法读取请求内容：{e}"),
            HubError::NoRoute(p) => format!("没有这个接口：{p}"),
            HubError::NotAHub { dir, reason } => format!(
                "{dir} 不是城市平台数据目录（请先运行 hotline hub init --data {dir}）：{reason}"
            ),
            HubError::Listen { addr, reason } => format!("无法在 {addr} 上监听：{reason}"),
            HubError::Internal(e) => format!("平台内部错误：{e}"),
        }
    }

    fn message_en(&self) -> String {
        match self {
            HubError::Sync(e) => e.message_en(),
            HubError::Device(e) => e.message_en(),
            other => other.to_string(),
        }
    }
}

impl HubError {
    /// The status for a code: a device retries only 5xx, so anything it cannot fix by waiting
    /// must be a 4xx.
    pub fn status(&self) -> StatusCode {
        match self.code() {
            "sync_bad_request_signature"
            | "unknown_certificate"
            | "certificate_bad_signature"
            | "bad_signature"
            | "invalid_public_key" => StatusCode::UNAUTHORIZED,
            "certificate_revoked"
            | "certificate_expired"
            | "certificate_not_yet_valid"
            | "blob_not_visible" => StatusCode::FORBIDDEN,
            "sync_malformed"
            | "sync_protocol"
            | "bad_blob_hash"
            | "blob_hash_mismatch"
            | "request_unreadable"
            | "bad_input"
            | "device_no_such_identity"
            | "receipt_bad_length"
            | "receipt_bad_character"
            | "receipt_bad_check" => StatusCode::BAD_REQUEST,
            "blob_missing" | "unknown_order" | "unknown_receipt" | "no_such_endpoint" => {
                StatusCode::NOT_FOUND
            }
            "request_too_large" => StatusCode::PAYLOAD_TOO_LARGE,
            "store_busy" => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The JSON error response, stamped with the hub's clock.
    pub fn response(&self, hub_time: Option<i64>) -> Response {
        let body = serde_json::to_vec(&ErrorBody::from_coded(self, hub_time))
            .unwrap_or_else(|_| br#"{"error":{"code":"hub_internal"}}"#.to_vec());
        (
            self.status(),
            [(axum::http::header::CONTENT_TYPE, CONTENT_TYPE_JSON)],
            body,
        )
            .into_response()
    }
}

impl From<hotline_core::store::StoreError> for HubError {
    fn from(e: hotline_core::store::StoreError) -> Self {
        HubError::Device(e.into())
    }
}
