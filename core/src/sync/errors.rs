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
    #[error("the request's challenge is unknown, used or stale: fetch a new one and sign again")]
    StaleChallenge,
    #[error(
        "the request was refused whole: its first {refused} change(s) could not be read or verified"
    )]
    TooManyRefusals { refused: u32 },
    #[error("too many requests from this certificate: wait {retry_after_s} s")]
    RateLimited { retry_after_s: u64 },
    #[error("no record held here references photo {sha256}")]
    BlobNotReferenced { sha256: String },
    #[error("photo {sha256} is not of the size and type its record gives")]
    BlobMismatch { sha256: String },
    #[error("the bytes of photo {sha256} are not of the type its record gives")]
    BlobMediaType { sha256: String },
    #[error("a photo of {size} bytes is larger than the {max} accepted")]
    BlobTooLarge { size: u64, max: u64 },
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
            SyncError::StaleChallenge => ErrorCode::SyncStaleChallenge,
            SyncError::TooManyRefusals { .. } => ErrorCode::SyncTooManyRefusals,
            SyncError::RateLimited { .. } => ErrorCode::RateLimited,
            SyncError::BlobNotReferenced { .. } => ErrorCode::BlobNotReferenced,
            SyncError::BlobMismatch { .. } => ErrorCode::BlobMismatch,
            SyncError::BlobMediaType { .. } => ErrorCode::BlobMediaType,
            SyncError::BlobTooLarge { .. } => ErrorCode::BlobTooLarge,
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
            SyncError::StaleChallenge => {
                "请求的挑战码无效、已使用或已过期，请重新获取后再签名".into()
            }
            SyncError::TooManyRefusals { refused } => {
                format!("整个请求被拒收：前 {refused} 条变更无法读取或校验")
            }
            SyncError::RateLimited { retry_after_s } => {
                format!("该证书请求过于频繁，请 {retry_after_s} 秒后再试")
            }
            SyncError::BlobNotReferenced { sha256 } => {
                format!("此处没有任何记录引用附件 {sha256}")
            }
            SyncError::BlobMismatch { sha256 } => {
                format!("附件 {sha256} 的大小或类型与其记录不符")
            }
            SyncError::BlobMediaType { sha256 } => {
                format!("附件 {sha256} 的内容与其记录的类型不符")
            }
            SyncError::BlobTooLarge { size, max } => {
                format!("附件有 {size} 字节，超过 {max} 字节的上限")
            }
        }
    }

    fn message_en(&self) -> String {
        match self {
            SyncError::Device(e) => e.message_en(),
            other => other.to_string(),
        }
    }
}
