//! What can be wrong with a knowledge-base record, or with a duplicate offered at intake.

use crate::error::{Coded, ErrorCode};
use crate::model::{Role, UnitId};

#[derive(Debug, thiserror::Error)]
pub enum KbError {
    #[error("knowledge-base item: {field} {}", .problem.en())]
    Invalid {
        field: &'static str,
        problem: Problem,
    },
    #[error("a {} may not keep the knowledge base of {unit}", .role.as_str())]
    NotPermitted { role: Role, unit: UnitId },
    #[error("item {item} belongs to {owner}, not {claimed}")]
    OwnerMismatch {
        item: String,
        owner: UnitId,
        claimed: UnitId,
    },
    #[error("no knowledge-base item {item}{}", .version.map(|v| format!(" version {v}")).unwrap_or_default())]
    Unknown { item: String, version: Option<u32> },
    #[error("item {item} is at version {current} here; an update must come after it")]
    VersionStale { item: String, current: u32 },
    #[error("a knowledge-base record that cannot be read: {0}")]
    Undecodable(String),
    #[error("the record claims {at}, more than an hour after the hub's clock ({now})")]
    FromTheFuture {
        at: crate::model::Timestamp,
        now: crate::model::Timestamp,
    },
    #[error("order {0} was not offered as the same matter for this request")]
    MatchNotOffered(String),
    #[error(transparent)]
    Identity(#[from] crate::identity::IdentityError),
}

/// What is wrong with one field of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Empty,
    TooLong,
    VersionZero,
    EndsBeforeStart,
    BadId,
    TooLarge,
    AfterTheRecord,
}

impl Problem {
    fn en(self) -> &'static str {
        match self {
            Problem::Empty => "is empty",
            Problem::TooLong => "is too long",
            Problem::VersionZero => "must be 1 or more (versions start at 1)",
            Problem::EndsBeforeStart => "ends before the item starts to apply",
            Problem::BadId => "must be 1 to 64 letters, digits, '-', '_' or '.'",
            Problem::TooLarge => "is larger than any store holds",
            Problem::AfterTheRecord => "is after the day the record was made",
        }
    }

    fn zh(self) -> &'static str {
        match self {
            Problem::Empty => "不能为空",
            Problem::TooLong => "过长",
            Problem::VersionZero => "须从 1 开始",
            Problem::EndsBeforeStart => "早于生效日期",
            Problem::BadId => "格式不正确（字母、数字、-、_、.，至多 64 个）",
            Problem::TooLarge => "超出存储范围",
            Problem::AfterTheRecord => "晚于记录本身的日期",
        }
    }
}

impl KbError {
    pub(crate) fn invalid(field: &'static str, problem: Problem) -> Self {
        KbError::Invalid { field, problem }
    }
}

impl Coded for KbError {
    fn code(&self) -> ErrorCode {
        match self {
            KbError::Invalid { .. } => ErrorCode::KbItemInvalid,
            KbError::NotPermitted { .. } => ErrorCode::KbNotPermitted,
            KbError::OwnerMismatch { .. } => ErrorCode::KbOwnerMismatch,
            KbError::Unknown { .. } => ErrorCode::KbItemUnknown,
            KbError::VersionStale { .. } => ErrorCode::KbVersionStale,
            KbError::Undecodable(_) => ErrorCode::KbRecordUndecodable,
            KbError::MatchNotOffered(_) => ErrorCode::IntakeMatchNotOffered,
            KbError::FromTheFuture { .. } => ErrorCode::ChangeFromTheFuture,
            KbError::Identity(e) => e.code(),
        }
    }

    fn message_zh(&self) -> String {
        match self {
            KbError::Invalid { field, problem } => {
                format!("知识库条目的 {field} {}", problem.zh())
            }
            KbError::NotPermitted { role, unit } => {
                format!("{}不能维护{unit}的知识库", role.zh())
            }
            KbError::OwnerMismatch {
                item,
                owner,
                claimed,
            } => format!("知识库条目 {item} 属于{owner}，不属于{claimed}"),
            KbError::Unknown { item, version } => match version {
                Some(v) => format!("没有知识库条目 {item} 的第 {v} 版"),
                None => format!("没有知识库条目 {item}"),
            },
            KbError::VersionStale { item, current } => {
                format!("知识库条目 {item} 本机已是第 {current} 版，更新须在其后")
            }
            KbError::Undecodable(_) => "无法读取的知识库记录".to_string(),
            KbError::MatchNotOffered(order) => {
                format!("工单 {order} 不是为本诉求提示的相同事项")
            }
            KbError::FromTheFuture { at, now } => {
                format!("记录时间 {at} 比平台时钟 {now} 晚一小时以上，请校准设备时钟")
            }
            KbError::Identity(e) => e.message_zh(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            KbError::Identity(e) => e.message_en(),
            _ => self.to_string(),
        }
    }
}
