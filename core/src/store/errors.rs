//! Why a store operation failed. Codes are stable: the device layer, the CLI and the apps match
//! on them (e.g. `store_full` → "free some space", `store_foreign` → "wrong file picked").

use thiserror::Error;

use crate::error::{Coded, ErrorCode, PathIoError};

/// Everything that can go wrong in [`super::Store`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StoreError {
    /// The operating system refused a file operation (permissions, missing directory…).
    #[error("store file {path}: {message}")]
    Io { path: String, message: String },
    /// The disk or the phone's storage is full; nothing was written by the failed call.
    #[error("no space left for the store ({detail})")]
    Full { detail: String },
    /// Another process holds the database lock for longer than the busy timeout.
    #[error("the store is in use by another process ({detail})")]
    Busy { detail: String },
    /// The file is not a readable SQLite database, or SQLite found damaged pages.
    #[error("the store database is damaged: {detail}")]
    Corrupt { detail: String },
    /// A valid SQLite database, but it belongs to another application.
    #[error(
        "{path} is a SQLite database of another application (application_id {application_id}), not a hotline store"
    )]
    Foreign { path: String, application_id: i32 },
    /// A hotline store written by a newer version of this software.
    #[error(
        "{path} has schema version {found}, newer than the newest this software knows ({known}); update the app"
    )]
    TooNew {
        path: String,
        found: u32,
        known: u32,
    },
    /// Any other SQLite failure (a bug, a constraint, a misuse).
    #[error("database error: {message}")]
    Sqlite { message: String },
    /// A value the store cannot keep, or a record that does not hold together.
    #[error("invalid input to the store: {reason}")]
    InvalidInput { reason: String },
    /// The same certificate id / revocation list number is already stored with other bytes.
    #[error("{what} {id} is already stored with different content")]
    Conflict { what: &'static str, id: String },
    /// A known item is not there.
    #[error("{what} {id} not found")]
    NotFound { what: &'static str, id: String },
    /// The blob is referenced or listed but its file is not in `blobs/`.
    #[error("blob {sha256} is missing")]
    BlobMissing { sha256: String },
    /// The bytes do not hash to the expected SHA-256: altered, truncated or the wrong file.
    #[error("blob content hashes to {actual}, expected {expected}")]
    BlobHashMismatch { expected: String, actual: String },
    /// Not 64 lowercase hex digits; refused before it is used to build a file path.
    #[error("`{value}` is not a SHA-256 blob hash (64 lowercase hex digits)")]
    BadBlobHash { value: String },
    #[error("the store is read-only here ({detail}); it can be read but not changed")]
    ReadOnly { detail: String },
    /// The hub's database server cannot be reached, or the connection was lost mid-way:
    /// nothing of the call was committed, and the same call may be retried.
    #[error("the database is unavailable ({detail}); nothing was written, try again later")]
    Unavailable { detail: String },
    /// Any other failure reported by the hub's database server.
    #[error("database server error: {message}")]
    Database { message: String },
}

impl Coded for StoreError {
    fn code(&self) -> ErrorCode {
        match self {
            StoreError::Io { .. } => ErrorCode::StoreIo,
            StoreError::Full { .. } => ErrorCode::StoreFull,
            StoreError::Busy { .. } => ErrorCode::StoreBusy,
            StoreError::Corrupt { .. } => ErrorCode::StoreCorrupt,
            StoreError::Foreign { .. } => ErrorCode::StoreForeign,
            StoreError::TooNew { .. } => ErrorCode::StoreTooNew,
            StoreError::Sqlite { .. } => ErrorCode::StoreSqlite,
            StoreError::InvalidInput { .. } => ErrorCode::StoreInvalidInput,
            StoreError::Conflict { .. } => ErrorCode::StoreConflict,
            StoreError::NotFound { .. } => ErrorCode::NotFound,
            StoreError::BlobMissing { .. } => ErrorCode::BlobMissing,
            StoreError::BlobHashMismatch { .. } => ErrorCode::BlobHashMismatch,
            StoreError::BadBlobHash { .. } => ErrorCode::BadBlobHash,
            StoreError::ReadOnly { .. } => ErrorCode::StoreReadOnly,
            StoreError::Unavailable { .. } => ErrorCode::StoreUnavailable,
            StoreError::Database { .. } => ErrorCode::StoreDatabase,
        }
    }

    fn message_zh(&self) -> String {
        match self {
            StoreError::Io { path, message } => format!("无法读写存储文件 {path}：{message}"),
            StoreError::Full { detail } => format!("存储空间已满，请清理空间后重试（{detail}）"),
            StoreError::Busy { detail } => format!("存储正被其他程序占用，请稍后重试（{detail}）"),
            StoreError::Corrupt { detail } => format!("存储数据库已损坏：{detail}"),
            StoreError::Foreign {
                path,
                application_id,
            } => format!(
                "{path} 是其他应用的 SQLite 数据库（application_id {application_id}），不是 12345 热线存储"
            ),
            StoreError::TooNew { path, found, known } => format!(
                "{path} 的数据结构版本为 {found}，高于本软件支持的最新版本 {known}，请升级应用"
            ),
            StoreError::Sqlite { message } => format!("数据库错误：{message}"),
            StoreError::InvalidInput { reason } => format!("存储无法接受该数据：{reason}"),
            StoreError::Conflict { what, id } => {
                format!("{} {id} 已以不同内容保存", what_zh(what))
            }
            StoreError::NotFound { what, id } => format!("未找到{} {id}", what_zh(what)),
            StoreError::BlobMissing { sha256 } => format!("附件文件 {sha256} 缺失"),
            StoreError::BlobHashMismatch { expected, actual } => format!(
                "附件内容的哈希为 {actual}，应为 {expected}：文件被篡改、不完整或不是同一文件"
            ),
            StoreError::BadBlobHash { value } => {
                format!("“{value}”不是有效的附件哈希（应为 64 位小写十六进制）")
            }
            StoreError::ReadOnly { detail } => {
                format!("存储在此处为只读（{detail}），只能查看，不能修改")
            }
            StoreError::Unavailable { detail } => {
                format!("数据库暂时无法连接（{detail}），未写入任何内容，请稍后重试")
            }
            StoreError::Database { message } => format!("数据库服务器错误：{message}"),
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}

fn what_zh(what: &str) -> &'static str {
    match what {
        "certificate" => "证书",
        "revocation list" => "吊销清单",
        "order" => "工单",
        "blob" => "附件",
        "schema version" => "数据结构版本",
        "store" => "存储",
        _ => "数据",
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        let detail = e.to_string();
        match &e {
            rusqlite::Error::SqliteFailure(f, _) => match f.code {
                C::DatabaseCorrupt | C::NotADatabase => StoreError::Corrupt { detail },
                C::DiskFull => StoreError::Full { detail },
                C::DatabaseBusy | C::DatabaseLocked => StoreError::Busy { detail },
                C::ReadOnly => StoreError::ReadOnly { detail },
                C::SystemIoFailure | C::CannotOpen | C::PermissionDenied => StoreError::Io {
                    path: "hotline.db".to_string(),
                    message: detail,
                },
                _ => StoreError::Sqlite { message: detail },
            },
            _ => StoreError::Sqlite { message: detail },
        }
    }
}

/// An I/O error on a store file, keeping "disk full" distinct because apps tell people to free
/// space rather than to call support.
impl From<PathIoError> for StoreError {
    fn from(e: PathIoError) -> Self {
        if e.is_storage_full() {
            StoreError::Full {
                detail: e.describe(),
            }
        } else {
            StoreError::Io {
                path: e.path.display().to_string(),
                message: e.source.to_string(),
            }
        }
    }
}
