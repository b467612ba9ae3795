use thiserror::Error;

use crate::error::{Coded, ErrorCode};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DocError {
    #[error("cannot encode event: {0}")]
    Encode(String),
    #[error("Automerge refused the operation: {0}")]
    Automerge(String),
    #[error("the change made no operation")]
    EmptyChange,
    #[error("the document is not a hotline work order")]
    NotAnOrder,
    #[error("the change belongs to another work order")]
    WrongOrder,
    #[error("event {0} already exists")]
    DuplicateEvent(String),
    #[error("event {0} is malformed")]
    BadEvent(String),
    #[error("the change bytes are not a valid Automerge change: {0}")]
    BadChange(String),
    #[error("the change bytes do not match their recorded hash")]
    HashMismatch,
    #[error("the change depends on {0}, which this device does not have yet")]
    MissingDependency(String),
    #[error("the change edits or deletes existing data ({0}); records are append-only")]
    Rewrites(String),
    #[error("the change is {size} bytes, more than the {max} a record may take")]
    TooLarge { size: usize, max: usize },
}

impl Coded for DocError {
    fn code(&self) -> ErrorCode {
        match self {
            DocError::Encode(_) => ErrorCode::DocEncode,
            DocError::Automerge(_) => ErrorCode::DocAutomerge,
            DocError::EmptyChange => ErrorCode::DocEmptyChange,
            DocError::NotAnOrder => ErrorCode::DocNotAnOrder,
            DocError::WrongOrder => ErrorCode::DocWrongOrder,
            DocError::DuplicateEvent(_) => ErrorCode::DocDuplicateEvent,
            DocError::BadEvent(_) => ErrorCode::DocBadEvent,
            DocError::BadChange(_) => ErrorCode::DocBadChange,
            DocError::HashMismatch => ErrorCode::ChangeHashMismatch,
            DocError::MissingDependency(_) => ErrorCode::ChangeMissingDependency,
            DocError::Rewrites(_) => ErrorCode::ChangeRewritesHistory,
            DocError::TooLarge { .. } => ErrorCode::ChangeTooLarge,
        }
    }

    fn message_zh(&self) -> String {
        match self {
            DocError::Encode(e) => format!("无法编码事件：{e}"),
            DocError::Automerge(e) => format!("文档操作失败：{e}"),
            DocError::EmptyChange => "该变更不包含任何操作".into(),
            DocError::NotAnOrder => "该文档不是热线工单".into(),
            DocError::WrongOrder => "该变更属于其他工单".into(),
            DocError::DuplicateEvent(id) => format!("事件 {id} 已存在"),
            DocError::BadEvent(id) => format!("事件 {id} 格式错误"),
            DocError::BadChange(e) => format!("变更数据无效：{e}"),
            DocError::HashMismatch => "变更内容与记录的哈希不符（可能被篡改）".into(),
            DocError::MissingDependency(h) => format!("该变更依赖的 {h} 尚未同步到本设备"),
            DocError::Rewrites(what) => {
                format!("该变更试图修改或删除已有记录（{what}），记录只能追加")
            }
            DocError::TooLarge { size, max } => {
                format!("该变更有 {size} 字节，超过单条记录 {max} 字节的上限")
            }
        }
    }

    fn message_en(&self) -> String {
        self.to_string()
    }
}
