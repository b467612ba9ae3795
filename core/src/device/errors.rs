use thiserror::Error;

use crate::doc::DocError;
use crate::error::Coded;
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
    #[error("cannot read or write {path}: {reason}")]
    Io { path: String, reason: String },
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
}

impl DeviceError {
    pub fn bad_input(field: &'static str, reason: impl Into<String>) -> Self {
        DeviceError::BadInput {
            field,
            reason: reason.into(),
        }
    }
}

impl Coded for DeviceError {
    fn code(&self) -> &'static str {
        match self {
            DeviceError::Store(e) => e.code(),
            DeviceError::Identity(e) => e.code(),
            DeviceError::Doc(e) => e.code(),
            DeviceError::Workflow(e) => e.code(),
            DeviceError::Policy(e) => e.code(),
            DeviceError::Receipt(e) => e.code(),
            DeviceError::NotInitialised => "device_not_initialised",
            DeviceError::OtherCity => "device_other_city",
            DeviceError::NoSuchIdentity(_) => "device_no_such_identity",
            DeviceError::WhichIdentity => "device_which_identity",
            DeviceError::UnknownOrder(_) => "unknown_order",
            DeviceError::UnknownReceipt(_) => "unknown_receipt",
            DeviceError::BadInput { .. } => "bad_input",
            DeviceError::ContactNotVisible => "contact_not_visible",
            DeviceError::OutsideArea { .. } => "outside_area",
            DeviceError::Io { .. } => "device_io",
            DeviceError::Corrupt(_) => "store_corrupt",
        }
    }

    fn message_zh(&self) -> String {
        match self {
            DeviceError::Store(e) => e.message_zh(),
            DeviceError::Identity(e) => e.message_zh(),
            DeviceError::Doc(e) => e.message_zh(),
            DeviceError::Workflow(e) => e.message_zh(),
            DeviceError::Policy(e) => e.message_zh(),
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
            DeviceError::OutsideArea { area, division } => {
                format!("工单所在区划 {division} 不在该证书的辖区 {area} 内")
            }
            DeviceError::Io { path, reason } => format!("无法读写 {path}：{reason}"),
            DeviceError::Corrupt(what) => format!("存储的数据已损坏：{what}"),
        }
    }

    fn message_en(&self) -> String {
        match self {
            DeviceError::Store(e) => e.message_en(),
            DeviceError::Identity(e) => e.message_en(),
            DeviceError::Doc(e) => e.message_en(),
            DeviceError::Workflow(e) => e.message_en(),
            DeviceError::Policy(e) => e.message_en(),
            DeviceError::Receipt(e) => e.message_en(),
            other => other.to_string(),
        }
    }
}
