use thiserror::Error;

use crate::device::DeviceError;
use crate::error::{Coded, ErrorCode, PathIoError};

#[derive(Debug, Error)]
pub enum SyncError {
    #[error(transparent)]
    Device(#[from] DeviceError),
    #[error("the message could not be decoded: {0}")]
    Malformed(String),
    #[error("protocol version {0} is not supported")]
    Protocol(u8),
    #[error("the request's signature does not verify")]
    BadRequestSignature,
    #[error("the bundle file is damaged: {0}")]
    BadBundle(String),
    #[error("cannot read or write {0}")]
    Io(#[from] PathIoError),
    #[error("sync did not finish after {0} rounds")]
    TooManyRounds(u32),
    #[error("sync was cancelled")]
    Cancelled,
    #[error("transport failed: {0}")]
    Transport(String),
}

impl From<crate::store::StoreError> for SyncError {
    fn from(e: crate::store::StoreError) -> Self {
        SyncError::Device(e.into())
    }
}

impl From<crate::identity::IdentityError> for SyncError {
    fn from(e: crate::identity::IdentityError) -> Self {
        SyncError::Device(e.into())
    }
}

impl Coded for SyncError {
    fn code(&self) -> ErrorCode {
        match self {
            SyncError::Device(e) => e.code(),
            SyncError::Malformed(_) => ErrorCode::SyncMalformed,
            SyncError::Protocol(_) => ErrorCode::SyncProtocol,
            SyncError::BadRequestSignature => ErrorCode::SyncBadRequestSignature,
            SyncError::BadBundle(_) => ErrorCode::BundleDamaged,
            SyncError::Io(_) => ErrorCode::SyncIo,
            SyncError::TooManyRounds(_) => ErrorCode::SyncTooManyRounds,
            SyncError::Cancelled => ErrorCode::SyncCancelled,
            SyncError::Transport(_) => ErrorCode::SyncTransport,
        }
    }

    fn message_zh(&self) -> String {
        match self {
            SyncError::Device(e) => e.message_zh(),
            SyncError::Malformed(e) => format!("同步消息无法解析：{e}"),
            SyncError::Protocol(v) => format!("不支持的同步协议版本 {v}"),
            SyncError::BadRequestSignature => "同步请求的签名无效".into(),
            SyncError::BadBundle(e) => format!("离线数据包已损坏：{e}"),
            SyncError::Io(e) => format!("无法读写 {}：{}", e.path.display(), e.source),
            SyncError::TooManyRounds(n) => format!("同步 {n} 轮后仍未完成"),
            SyncError::Cancelled => "同步已取消".into(),
            SyncError::Transport(e) => format!("网络传输失败：{e}"),
        }
    }

    fn message_en(&self) -> String {
        match self {
            SyncError::Device(e) => e.message_en(),
            other => other.to_string(),
        }
    }
}
