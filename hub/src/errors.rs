//! Why the hub refused a request or could not start: a stable code, both languages, and the
//! HTTP status a client can act on (401 who are you, 403 not you any more, 400 malformed…).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hotline_core::Coded;
use hotline_core::device::DeviceError;
use hotline_core::error::ErrorCode;
use hotline_core::sync::SyncError;
use hotline_core::sync::http::messages::{CONTENT_TYPE_JSON, ErrorBody};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum HubError {
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error(transparent)]
    Device(#[from] DeviceError),
    #[error(transparent)]
    Center(#[from] hotline_core::center::CenterError),
    #[error("this person may not fetch that photo (no order they may see references it)")]
    BlobNotVisible,
    #[error("the request body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the request body could not be read: {0}")]
    BadBody(String),
    #[error("no such endpoint: {0}")]
    NoRoute(String),
    #[error("{0} does not take this method")]
    MethodNotAllowed(String),
    #[error("the request body did not arrive in time")]
    Slow,
    #[error("{dir} is not a hub data folder (run `hotline hub init --data {dir}`): {reason}")]
    NotAHub { dir: String, reason: String },
    #[error("cannot listen on {addr}: {reason}")]
    Listen { addr: String, reason: String },
    #[error("internal error: {0}")]
    Internal(String),
    #[error("this endpoint needs an API key: send `Authorization: Bearer <token>`")]
    TokenMissing,
    #[error("the API key is not one the city issued")]
    TokenUnknown,
    #[error("the API key {0} was revoked")]
    TokenRevoked(String),
    #[error("the query is not valid: {0}")]
    BadQuery(String),
    #[error("this API key may not {en}")]
    NotPermitted { zh: &'static str, en: &'static str },
    #[error("`{0}` is not a feed cursor (a log position: a whole number ≥ 0)")]
    BadCursor(String),
    #[error("no Open311 service `{0}`")]
    ServiceUnknown(String),
    /// What the hub's own checks refused of a service identity's record (its typed reason).
    #[error("{en}")]
    Refused {
        code: ErrorCode,
        zh: String,
        en: String,
    },
    #[error(
        "this API key's system may not submit requests (its identity is not an intake service of this hub)"
    )]
    IntakeNotEnabled,
}

impl Coded for HubError {
    fn code(&self) -> ErrorCode {
        match self {
            HubError::Sync(e) => e.code(),
            HubError::Device(e) => e.code(),
            HubError::Center(e) => e.code(),
            HubError::BlobNotVisible => ErrorCode::BlobNotVisible,
            HubError::TooLarge { .. } => ErrorCode::RequestTooLarge,
            HubError::BadBody(_) => ErrorCode::RequestUnreadable,
            HubError::NoRoute(_) => ErrorCode::NoSuchEndpoint,
            HubError::MethodNotAllowed(_) => ErrorCode::MethodNotAllowed,
            HubError::Slow => ErrorCode::RequestTimeout,
            HubError::NotAHub { .. } => ErrorCode::HubNotInitialised,
            HubError::Listen { .. } => ErrorCode::HubListen,
            HubError::Internal(_) => ErrorCode::HubInternal,
            HubError::TokenMissing => ErrorCode::ApiTokenMissing,
            HubError::TokenUnknown => ErrorCode::ApiTokenUnknown,
            HubError::TokenRevoked(_) => ErrorCode::ApiTokenRevoked,
            HubError::BadQuery(_) => ErrorCode::ApiQueryInvalid,
            HubError::NotPermitted { .. } => ErrorCode::ApiNotPermitted,
            HubError::BadCursor(_) => ErrorCode::FeedCursorInvalid,
            HubError::ServiceUnknown(_) => ErrorCode::Open311ServiceUnknown,
            HubError::IntakeNotEnabled => ErrorCode::Open311IntakeNotEnabled,
            HubError::Refused { code, .. } => *code,
        }
    }

    fn message_zh(&self) -> String {
        match self {
            HubError::Sync(e) => e.message_zh(),
            HubError::Device(e) => e.message_zh(),
            HubError::Center(e) => e.message_zh(),
            HubError::BlobNotVisible => "该人员无权获取此附件（其可见的工单均未引用它）".into(),
            HubError::TooLarge { limit } => format!("请求内容超过 {limit} 字节上限"),
            HubError::BadBody(e) => format!("无法读取请求内容：{e}"),
            HubError::NoRoute(p) => format!("没有这个接口：{p}"),
            HubError::MethodNotAllowed(p) => format!("接口 {p} 不支持该请求方法"),
            HubError::Slow => "请求内容未能及时送达".into(),
            HubError::NotAHub { dir, reason } => format!(
                "{dir} 不是城市平台数据目录（请先运行 hotline hub init --data {dir}）：{reason}"
            ),
            HubError::Listen { addr, reason } => format!("无法在 {addr} 上监听：{reason}"),
            HubError::Internal(e) => format!("平台内部错误：{e}"),
            HubError::TokenMissing => {
                "此接口须提供接口密钥：请发送 Authorization: Bearer <密钥>".into()
            }
            HubError::TokenUnknown => "该接口密钥不是本市签发的".into(),
            HubError::TokenRevoked(id) => format!("接口密钥 {id} 已被吊销"),
            HubError::BadQuery(m) => format!("查询参数有误：{m}"),
            HubError::NotPermitted { zh, .. } => format!("该接口密钥无权{zh}"),
            HubError::BadCursor(c) => format!("“{c}”不是有效的订阅游标（应为不小于 0 的整数）"),
            HubError::ServiceUnknown(c) => format!("没有 Open311 服务“{c}”"),
            HubError::IntakeNotEnabled => {
                "该接口密钥所属系统不得提交诉求（其身份不是本平台的受理服务）".into()
            }
            HubError::Refused { zh, .. } => zh.clone(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            HubError::Sync(e) => e.message_en(),
            HubError::Device(e) => e.message_en(),
            HubError::Center(e) => e.message_en(),
            other => other.to_string(),
        }
    }
}

impl HubError {
    /// The status for its code ([`ErrorCode::http_status`]): a device retries only 5xx, so
    /// anything it cannot fix by waiting is a 4xx.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code().http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The JSON error response, stamped with the hub's clock; a rate refusal says when to
    /// come back (`Retry-After`).
    pub fn response(&self, hub_time: Option<i64>) -> Response {
        let body = serde_json::to_vec(&ErrorBody::from_coded(self, hub_time))
            .unwrap_or_else(|_| br#"{"error":{"code":"hub_internal"}}"#.to_vec());
        let mut response = (
            self.status(),
            [(axum::http::header::CONTENT_TYPE, CONTENT_TYPE_JSON)],
            body,
        )
            .into_response();
        if let HubError::Sync(SyncError::RateLimited { retry_after_s }) = self {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, (*retry_after_s).into());
        }
        response
    }
}

impl From<hotline_core::identity::IdentityError> for HubError {
    fn from(e: hotline_core::identity::IdentityError) -> Self {
        HubError::Device(DeviceError::from(e))
    }
}

impl From<hotline_core::store::StoreError> for HubError {
    fn from(e: hotline_core::store::StoreError) -> Self {
        HubError::Device(e.into())
    }
}
