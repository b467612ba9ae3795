use thiserror::Error;

use crate::doc::DocError;
use crate::error::{Coded, ErrorCode, PathIoError};
use crate::identity::IdentityError;
use crate::policy::PolicyError;
use crate::receipt::ReceiptError;
use crate::store::StoreError;
use crate::workflow::WorkflowError;

/// Why a device operation was refused. Wraps the layer that said no, keeping its code.
#[derive(Debug, Error)]
pub enum DeviceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(transparent)]
    Doc(#[from] DocError),
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error(transparent)]
    Catalogue(#[from] crate::catalogue::CatalogueError),
    #[error(transparent)]
    Kb(#[from] crate::kb::KbError),
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    #[error(transparent)]
    Receipt(#[from] ReceiptError),
    #[error("this store has not been set up with a credential (run `hotline device init`)")]
    NotInitialised,
    #[error("the credential is for another city (root key differs from this store's)")]
    OtherCity,
    #[error("no enrolled person `{0}` on this device")]
    NoSuchIdentity(String),
    #[error("several people are enrolled on this device; say which one acts")]
    WhichIdentity,
    #[error("work order {0} is not on this device")]
    UnknownOrder(String),
    #[error("no work order has receipt code {0}")]
    UnknownReceipt(String),
    #[error("invalid {field}: {reason}")]
    BadInput { field: &'static str, reason: String },
    #[error("the order's division {division} is outside the certificate's area {area}")]
    OutsideArea { area: String, division: String },
    #[error("this person may not see the citizen's contact details on this order")]
    ContactNotVisible,
    /// A change carries a sealed contact for someone its action does not concern.
    #[error("a {action} may not carry a sealed contact for `{recipient}`")]
    SealedCopyNotAllowed {
        recipient: String,
        action: &'static str,
    },
    /// Turpan: nobody is enrolled in a sub-unit before the authority registers it.
    #[error("sub-unit {unit} is not registered; register it with the center's approval first")]
    SubUnitNotRegistered { unit: String },
    /// An API key is issued to a named system.
    #[error("name the system the key is for (1 to {max} characters)")]
    ApiKeySystemName { max: usize },
    #[error("no API key {0} was issued")]
    UnknownApiKey(String),
    /// A sub-unit names a unit the authority does not know.
    #[error("{unit} is not a sub-unit of a known unit (sub-units are named unit/sub-unit)")]
    UnknownParentUnit { unit: String },
    #[error("cannot read or write {0}")]
    Io(#[from] PathIoError),
    /// Stored data that should decode does not (a meta value, a stored certificate…).
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    /// A value of ours could not be encoded (a bug, never the user's input).
    #[error("cannot encode {what}: {source}")]
    Encode {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// The city authority's folder holds a file that does not read as it should.
    #[error("the authority file {file} is damaged: {reason}")]
    AuthorityCorrupt { file: String, reason: String },
    /// An earlier call crashed half-way while holding the device; it must be reopened.
    #[error("the device is unusable after an earlier crash; reopen it")]
    Poisoned,
    /// A change claims a time well before an event its author had already seen.
    #[error("the record claims {at}, before {predecessor} of a record its author had seen", at = .at.to_rfc3339(), predecessor = .predecessor.to_rfc3339())]
    Backdated {
        at: crate::model::Timestamp,
        predecessor: crate::model::Timestamp,
    },
    /// A change claims a time after the hub received it.
    #[error("the record claims {at}, after the hub's clock ({now})", at = .at.to_rfc3339(), now = .now.to_rfc3339())]
    FromTheFuture {
        at: crate::model::Timestamp,
        now: crate::model::Timestamp,
    },
    /// A change reached the hub too long after its certificate expired.
    #[error("certificate {certificate} expired at {not_after}; records it signed had to reach the hub within 7 days (now {now})", not_after = .not_after.to_rfc3339(), now = .now.to_rfc3339())]
    ArrivedTooLate {
        certificate: crate::identity::CertificateId,
        not_after: crate::model::Timestamp,
        now: crate::model::Timestamp,
    },
    /// A change that no step gave a verdict (a bug, never the sender's fault).
    #[error("a change was left without a verdict")]
    Unprocessed,
}

impl DeviceError {
    /// A value of ours that would not serialise.
    pub fn encode(what: &'static str) -> impl FnOnce(serde_json::Error) -> DeviceError {
        move |source| DeviceError::Encode { what, source }
    }

    pub fn bad_input(field: &'static str, reason: impl Into<String>) -> Self {
        DeviceError::BadInput {
            field,
            reason: reason.into(),
        }
    }
}

impl Coded for DeviceError {
    fn code(&self) -> ErrorCode {
        match self {
            DeviceError::Store(e) => e.code(),
            DeviceError::Identity(e) => e.code(),
            DeviceError::Doc(e) => e.code(),
            DeviceError::Workflow(e) => e.code(),
            DeviceError::Policy(e) => e.code(),
            DeviceError::Catalogue(e) => e.code(),
            DeviceError::Kb(e) => e.code(),
            DeviceError::Audit(e) => e.code(),
            DeviceError::Receipt(e) => e.code(),
            DeviceError::NotInitialised => ErrorCode::DeviceNotInitialised,
            DeviceError::OtherCity => ErrorCode::DeviceOtherCity,
            DeviceError::NoSuchIdentity(_) => ErrorCode::DeviceNoSuchIdentity,
            DeviceError::WhichIdentity => ErrorCode::DeviceWhichIdentity,
            DeviceError::UnknownOrder(_) => ErrorCode::UnknownOrder,
            DeviceError::UnknownReceipt(_) => ErrorCode::UnknownReceipt,
            DeviceError::BadInput { .. } => ErrorCode::BadInput,
            DeviceError::ContactNotVisible => ErrorCode::ContactNotVisible,
            DeviceError::SubUnitNotRegistered { .. } => ErrorCode::SubUnitNotRegistered,
            DeviceError::SealedCopyNotAllowed { .. } => ErrorCode::SealedCopyNotAllowed,
            DeviceError::UnknownParentUnit { .. } => ErrorCode::UnknownParentUnit,
            DeviceError::ApiKeySystemName { .. } => ErrorCode::ApiKeySystemName,
            DeviceError::UnknownApiKey(_) => ErrorCode::UnknownApiKey,
            DeviceError::OutsideArea { .. } => ErrorCode::OutsideArea,
            DeviceError::Io(_) => ErrorCode::DeviceIo,
            DeviceError::Corrupt(_) => ErrorCode::StoreCorrupt,
            DeviceError::Encode { .. } => ErrorCode::EncodeFailed,
            DeviceError::AuthorityCorrupt { .. } => ErrorCode::AuthorityCorrupt,
            DeviceError::Poisoned => ErrorCode::DevicePoisoned,
            DeviceError::Backdated { .. } => ErrorCode::ChangeBackdated,
            DeviceError::FromTheFuture { .. } => ErrorCode::ChangeFromTheFuture,
            DeviceError::ArrivedTooLate { .. } => ErrorCode::ChangeArrivedTooLate,
            DeviceError::Unprocessed => ErrorCode::InternalError,
        }
    }

    fn message_zh(&self) -> String {
        match self {
            DeviceError::Store(e) => e.message_zh(),
            DeviceError::Identity(e) => e.message_zh(),
            DeviceError::Doc(e) => e.message_zh(),
            DeviceError::Workflow(e) => e.message_zh(),
            DeviceError::Policy(e) => e.message_zh(),
            DeviceError::Catalogue(e) => e.message_zh(),
            DeviceError::Kb(e) => e.message_zh(),
            DeviceError::Audit(e) => e.message_zh(),
            DeviceError::Receipt(e) => e.message_zh(),
            DeviceError::NotInitialised => {
                "本设备尚未导入凭证（请先运行 hotline device init）".into()
            }
            DeviceError::OtherCity => "该凭证属于其他城市（根密钥与本设备不一致）".into(),
            DeviceError::NoSuchIdentity(p) => format!("本设备上没有登记人员“{p}”"),
            DeviceError::WhichIdentity => "本设备登记了多名人员，请指定由谁操作".into(),
            DeviceError::UnknownOrder(o) => format!("本设备上没有工单 {o}"),
            DeviceError::UnknownReceipt(r) => format!("查询码 {r} 没有对应的工单"),
            DeviceError::BadInput { field, reason } => format!("{field} 填写有误：{reason}"),
            DeviceError::ContactNotVisible => "该人员无权查看此工单诉求人的联系方式".into(),
            DeviceError::SealedCopyNotAllowed { recipient, action } => format!(
                "“{}”记录不得附带给 {recipient} 的加密联系方式",
                crate::workflow::action_zh(action)
            ),
            DeviceError::SubUnitNotRegistered { unit } => {
                format!("下设单位 {unit} 尚未登记，请先经中心批准登记")
            }
            DeviceError::ApiKeySystemName { max } => {
                format!("须写明密钥所属的接入系统名称（1 至 {max} 个字符）")
            }
            DeviceError::UnknownApiKey(id) => format!("未签发过接口密钥 {id}"),
            DeviceError::UnknownParentUnit { unit } => {
                format!("{unit} 不是已知单位的下设单位（下设单位命名为“单位/下设单位”）")
            }
            DeviceError::OutsideArea { area, division } => {
                format!("工单所在区划 {division} 不在该证书的辖区 {area} 内")
            }
            DeviceError::Io(e) => format!("无法读写 {}：{}", e.path.display(), e.source),
            DeviceError::Corrupt(what) => format!("存储的数据已损坏：{what}"),
            DeviceError::Encode { what, source } => format!("无法编码{what}：{source}"),
            DeviceError::AuthorityCorrupt { file, reason } => {
                format!("城市授权目录中的文件 {file} 已损坏：{reason}")
            }
            DeviceError::Poisoned => "设备在之前的一次操作中崩溃，请重新打开".into(),
            DeviceError::Backdated { at, predecessor } => format!(
                "该记录声称发生于 {}，早于其作者已看到的记录（{}），时间被倒签",
                at.to_rfc3339(),
                predecessor.to_rfc3339()
            ),
            DeviceError::FromTheFuture { at, now } => format!(
                "该记录声称发生于 {}，晚于平台时钟（{}）",
                at.to_rfc3339(),
                now.to_rfc3339()
            ),
            DeviceError::ArrivedTooLate {
                certificate,
                not_after,
                now,
            } => format!(
                "证书 {certificate} 已于 {} 过期，其签名的记录须在过期后 7 日内送达平台（现在 {}）",
                not_after.to_rfc3339(),
                now.to_rfc3339()
            ),
            DeviceError::Unprocessed => "有变更未得到处理结论（程序错误）".into(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            DeviceError::Store(e) => e.message_en(),
            DeviceError::Identity(e) => e.message_en(),
            DeviceError::Doc(e) => e.message_en(),
            DeviceError::Workflow(e) => e.message_en(),
            DeviceError::Policy(e) => e.message_en(),
            DeviceError::Catalogue(e) => e.message_en(),
            DeviceError::Kb(e) => e.message_en(),
            DeviceError::Audit(e) => e.message_en(),
            DeviceError::Receipt(e) => e.message_en(),
            other => other.to_string(),
        }
    }
}
