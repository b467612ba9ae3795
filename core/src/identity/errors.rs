//! Why an identity operation was refused. Every variant has its own stable code: the hub sends
//! the code back to the device that sent a change, and apps translate on it.

use thiserror::Error;

use super::certificate::CertificateId;
use super::suite::CryptoSuite;
use crate::error::{Coded, ErrorCode, PathIoError};
use crate::model::Timestamp;

/// Why a certificate, signature, key file or sealed record was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdentityError {
    #[error("certificate {id} is not signed by this city's root key, or was altered")]
    CertificateBadSignature { id: CertificateId },
    #[error("certificate {id} expired at {not_after} (checked at {now})", not_after = rfc3339(not_after), now = rfc3339(now))]
    CertificateExpired {
        id: CertificateId,
        not_after: Timestamp,
        now: Timestamp,
    },
    #[error("certificate {id} is not valid before {not_before} (checked at {now})", not_before = rfc3339(not_before), now = rfc3339(now))]
    CertificateNotYetValid {
        id: CertificateId,
        not_before: Timestamp,
        now: Timestamp,
    },
    #[error("certificate cannot be issued: {reason}")]
    CertificateInvalid { reason: String },
    #[error("another certificate with id {id} is already known")]
    CertificateIdConflict { id: CertificateId },
    #[error("certificate {id} is not known to this device or hub")]
    UnknownCertificate { id: CertificateId },
    #[error("certificate {id} has been revoked")]
    CertificateRevoked { id: CertificateId },
    #[error("the certificate is for {field} `{certified}`, but the action claims `{claimed}`")]
    ActorMismatch {
        field: &'static str,
        certified: String,
        claimed: String,
    },
    #[error("revocation list #{sequence} is not signed by this city's root key, or was altered")]
    RevocationListBadSignature { sequence: u64 },
    #[error("revocation list #{offered} is older than the one in use (#{current})")]
    RevocationListStale { current: u64, offered: u64 },
    #[error(
        "the signature of certificate {signer} does not match this record: it was altered or signed with another key"
    )]
    BadSignature { signer: CertificateId },
    #[error("signature #{index} of the batch does not verify")]
    BatchBadSignature { index: usize },
    #[error(
        "this city uses the {city} suite; a key, signature or content digest of the {found} suite has no place in it"
    )]
    SuiteMismatch {
        city: CryptoSuite,
        found: CryptoSuite,
    },
    #[error("not a usable public key: {reason}")]
    InvalidPublicKey { reason: String },
    #[error("{what} is not well formed: {reason}")]
    InvalidEncoding { what: &'static str, reason: String },
    #[error("this device's key is not the key certified by {certificate}")]
    KeyMismatch { certificate: CertificateId },
    #[error("the key store could not sign: {reason}")]
    SigningFailed { reason: String },
    #[error("key file {path} already exists; refusing to overwrite a key")]
    KeyFileExists { path: String },
    #[error("key file {path}: {message}")]
    KeyFileIo { path: String, message: String },
    #[error("key file {path} is damaged: {reason}")]
    KeyFileCorrupt { path: String, reason: String },
    #[error("key file {path} can be read by other users (mode {mode:o}); run chmod 600 on it")]
    KeyFilePermissions { path: String, mode: u32 },
    #[error("could not seal the contact details: {reason}")]
    SealFailed { reason: String },
    #[error(
        "the sealed contact details cannot be opened with this key (sealed to another key, or altered)"
    )]
    WrongKey,
    #[error("the sealed contact details cannot be read: {reason}")]
    OpenFailed { reason: String },
    #[error(
        "the order is confidential: the caller's contact details are not passed to handling units"
    )]
    OrderConfidential,
}

impl From<PathIoError> for IdentityError {
    fn from(e: PathIoError) -> Self {
        IdentityError::KeyFileIo {
            path: e.path.display().to_string(),
            message: e.source.to_string(),
        }
    }
}

fn rfc3339(t: &Timestamp) -> String {
    t.to_rfc3339()
}

impl Coded for IdentityError {
    fn code(&self) -> ErrorCode {
        match self {
            IdentityError::CertificateBadSignature { .. } => ErrorCode::CertificateBadSignature,
            IdentityError::CertificateExpired { .. } => ErrorCode::CertificateExpired,
            IdentityError::CertificateNotYetValid { .. } => ErrorCode::CertificateNotYetValid,
            IdentityError::CertificateInvalid { .. } => ErrorCode::CertificateInvalid,
            IdentityError::CertificateIdConflict { .. } => ErrorCode::CertificateIdConflict,
            IdentityError::UnknownCertificate { .. } => ErrorCode::UnknownCertificate,
            IdentityError::CertificateRevoked { .. } => ErrorCode::CertificateRevoked,
            IdentityError::ActorMismatch { .. } => ErrorCode::ActorMismatch,
            IdentityError::RevocationListBadSignature { .. } => {
                ErrorCode::RevocationListBadSignature
            }
            IdentityError::RevocationListStale { .. } => ErrorCode::RevocationListStale,
            IdentityError::BadSignature { .. } => ErrorCode::BadSignature,
            IdentityError::BatchBadSignature { .. } => ErrorCode::BatchBadSignature,
            IdentityError::InvalidPublicKey { .. } => ErrorCode::InvalidPublicKey,
            IdentityError::InvalidEncoding { .. } => ErrorCode::InvalidEncoding,
            IdentityError::KeyMismatch { .. } => ErrorCode::KeyMismatch,
            IdentityError::SuiteMismatch { .. } => ErrorCode::CryptoSuiteMismatch,
            IdentityError::SigningFailed { .. } => ErrorCode::SigningFailed,
            IdentityError::KeyFileExists { .. } => ErrorCode::KeyFileExists,
            IdentityError::KeyFileIo { .. } => ErrorCode::KeyFileIo,
            IdentityError::KeyFileCorrupt { .. } => ErrorCode::KeyFileCorrupt,
            IdentityError::KeyFilePermissions { .. } => ErrorCode::KeyFilePermissions,
            IdentityError::SealFailed { .. } => ErrorCode::SealFailed,
            IdentityError::WrongKey => ErrorCode::WrongKey,
            IdentityError::OpenFailed { .. } => ErrorCode::OpenFailed,
            IdentityError::OrderConfidential => ErrorCode::OrderConfidential,
        }
    }

    fn message_zh(&self) -> String {
        match self {
            IdentityError::CertificateBadSignature { id } => {
                format!("证书 {id} 不是本市根密钥签发的，或已被篡改")
            }
            IdentityError::CertificateExpired { id, not_after, now } => format!(
                "证书 {id} 已于 {} 过期（校验时间 {}）",
                rfc3339(not_after),
                rfc3339(now)
            ),
            IdentityError::CertificateNotYetValid {
                id,
                not_before,
                now,
            } => format!(
                "证书 {id} 在 {} 之前尚未生效（校验时间 {}）",
                rfc3339(not_before),
                rfc3339(now)
            ),
            IdentityError::CertificateInvalid { reason } => format!("无法签发证书：{reason}"),
            IdentityError::CertificateIdConflict { id } => {
                format!("已存在编号为 {id} 的另一份证书")
            }
            IdentityError::UnknownCertificate { id } => {
                format!("本设备或平台不认识证书 {id}，请先同步证书")
            }
            IdentityError::CertificateRevoked { id } => format!("证书 {id} 已被吊销"),
            IdentityError::ActorMismatch {
                field,
                certified,
                claimed,
            } => format!(
                "证书登记的{}为“{certified}”，但操作声称为“{claimed}”",
                field_zh(field)
            ),
            IdentityError::RevocationListBadSignature { sequence } => {
                format!("第 {sequence} 号吊销清单不是本市根密钥签发的，或已被篡改")
            }
            IdentityError::RevocationListStale { current, offered } => {
                format!("第 {offered} 号吊销清单比正在使用的第 {current} 号旧")
            }
            IdentityError::BadSignature { signer } => {
                format!("记录与证书 {signer} 的签名不符：内容被篡改或用其他密钥签名")
            }
            IdentityError::BatchBadSignature { index } => {
                format!("批量校验中第 {index} 个签名无效")
            }
            IdentityError::SuiteMismatch { city, found } => {
                format!("本市使用 {city} 密码算法套件，不接受 {found} 套件的密钥、签名或摘要")
            }
            IdentityError::InvalidPublicKey { reason } => {
                format!("不是可用的公钥：{reason}")
            }
            IdentityError::InvalidEncoding { what, reason } => {
                format!("{what} 格式错误：{reason}")
            }
            IdentityError::KeyMismatch { certificate } => {
                format!("本设备的密钥不是证书 {certificate} 登记的密钥")
            }
            IdentityError::SigningFailed { reason } => format!("密钥存储无法签名：{reason}"),
            IdentityError::KeyFileExists { path } => {
                format!("密钥文件 {path} 已存在，拒绝覆盖")
            }
            IdentityError::KeyFileIo { path, message } => {
                format!("无法读写密钥文件 {path}：{message}")
            }
            IdentityError::KeyFileCorrupt { path, reason } => {
                format!("密钥文件 {path} 已损坏：{reason}")
            }
            IdentityError::KeyFilePermissions { path, mode } => {
                format!("密钥文件 {path} 可被其他用户读取（权限 {mode:o}），请执行 chmod 600")
            }
            IdentityError::SealFailed { reason } => format!("无法加密联系方式：{reason}"),
            IdentityError::WrongKey => {
                "无法用此密钥打开加密的联系方式（加密给了其他密钥，或已被篡改）".to_string()
            }
            IdentityError::OpenFailed { reason } => {
                format!("无法读取加密的联系方式：{reason}")
            }
            IdentityError::OrderConfidential => {
                "该工单为保密工单：诉求人的联系方式不提供给承办单位".to_string()
            }
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}

fn field_zh(field: &str) -> &'static str {
    match field {
        "person" => "人员",
        "role" => "角色",
        "unit" => "单位",
        _ => "信息",
    }
}
