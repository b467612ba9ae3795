//! The one error type apps see. Every variant carries the core's stable code and its Chinese
//! and English messages; the variant only sorts errors into what an app does about them (fix
//! the input, show "not found", explain a refusal, ask for the device key again, …).
//! Internal failures are mapped to `Internal` with a stable code, never passed through raw.

use hotline_core::Coded;
use hotline_core::device::DeviceError;
use hotline_core::error::{ErrorClass as Class, ErrorCode};
use hotline_core::identity::IdentityError;
use hotline_core::policy::PolicyError;
use hotline_core::sync::SyncError;

/// Why a call into hotline failed. `code` is stable and safe to match on; the messages are
/// for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum HotlineError {
    /// Malformed input: an empty request text, a mistyped receipt code, unreadable JSON.
    #[error("{code}: {message_en}")]
    InvalidInput {
        code: String,
        message_zh: String,
        message_en: String,
    },
    /// Not on this device: an order, a receipt code, an enrolled person.
    #[error("{code}: {message_en}")]
    NotFound {
        code: String,
        message_zh: String,
        message_en: String,
    },
    /// A rule said no: role, order state, certificate, revocation, signature, time limits.
    #[error("{code}: {message_en}")]
    Refused {
        code: String,
        message_zh: String,
        message_en: String,
    },
    /// The key store (Android Keystore, iOS Keychain) could not sign, or its key is unusable.
    #[error("{code}: {message_en}")]
    KeyCustody {
        code: String,
        message_zh: String,
        message_en: String,
    },
    /// The hub could not be reached, or answered something unusable (a proxy's page, a sync
    /// that would not finish): nothing acknowledged is lost, try again later.
    #[error("{code}: {message_en}")]
    Network {
        code: String,
        message_zh: String,
        message_en: String,
    },
    /// Stopped through its [`crate::CancelHandle`]; work finished before that is kept. Code
    /// `cancelled`, or the core's `sync_cancelled` for a sync or a live receipt lookup.
    #[error("{code}: {message_en}")]
    Cancelled {
        code: String,
        message_zh: String,
        message_en: String,
    },
    /// The device's storage is full (`store_full`): ask the person to free space, then retry.
    #[error("{code}: {message_en}")]
    StorageFull {
        code: String,
        message_zh: String,
        message_en: String,
    },
    /// The store is in use by another process (`store_busy`): retry in a moment.
    #[error("{code}: {message_en}")]
    Busy {
        code: String,
        message_zh: String,
        message_en: String,
    },
    /// The store could not be read or written, or a bug: report it with the code.
    #[error("{code}: {message_en}")]
    Internal {
        code: String,
        message_zh: String,
        message_en: String,
    },
}

impl HotlineError {
    /// Any coded error as the SDK reports it. The variant is the code's class
    /// ([`ErrorCode::class`]): decided once, in the core's table of codes, for every code.
    pub fn from_coded(e: &dyn Coded) -> Self {
        let (code, message_zh, message_en) = (e.code().to_string(), e.message_zh(), e.message_en());
        match e.code().class() {
            Class::InvalidInput => Self::InvalidInput {
                code,
                message_zh,
                message_en,
            },
            Class::NotFound => Self::NotFound {
                code,
                message_zh,
                message_en,
            },
            Class::Refused => Self::Refused {
                code,
                message_zh,
                message_en,
            },
            Class::KeyCustody => Self::KeyCustody {
                code,
                message_zh,
                message_en,
            },
            Class::Network => Self::Network {
                code,
                message_zh,
                message_en,
            },
            Class::Cancelled => Self::Cancelled {
                code,
                message_zh,
                message_en,
            },
            Class::StorageFull => Self::StorageFull {
                code,
                message_zh,
                message_en,
            },
            Class::Busy => Self::Busy {
                code,
                message_zh,
                message_en,
            },
            Class::Internal => Self::Internal {
                code,
                message_zh,
                message_en,
            },
        }
    }

    /// The stable code, whatever the variant.
    pub fn code(&self) -> &str {
        match self {
            Self::InvalidInput { code, .. }
            | Self::NotFound { code, .. }
            | Self::Refused { code, .. }
            | Self::KeyCustody { code, .. }
            | Self::Network { code, .. }
            | Self::Cancelled { code, .. }
            | Self::StorageFull { code, .. }
            | Self::Busy { code, .. }
            | Self::Internal { code, .. } => code,
        }
    }

    /// Input the core's own `bad_input` check would refuse the same way (same code, same
    /// wording), for values only the FFI sees: JSON text, byte lengths.
    pub(crate) fn bad_input(field: &'static str, reason: impl Into<String>) -> Self {
        Self::from(DeviceError::bad_input(field, reason))
    }

    /// A problem of the app's key store, told in the core's words.
    pub(crate) fn key_custody(e: IdentityError) -> Self {
        let (code, message_zh, message_en) = (e.code().to_string(), e.message_zh(), e.message_en());
        Self::KeyCustody {
            code,
            message_zh,
            message_en,
        }
    }

    pub(crate) fn cancelled() -> Self {
        Self::Cancelled {
            code: ErrorCode::Cancelled.to_string(),
            message_zh: "操作已取消，取消前完成的部分已保存".into(),
            message_en: "the operation was cancelled; what finished before that is kept".into(),
        }
    }

    /// A failure of the binding itself (a worker thread that died, a lock left poisoned by a
    /// crash): the device should be reopened.
    pub(crate) fn internal(code: ErrorCode, detail: impl std::fmt::Display) -> Self {
        Self::Internal {
            code: code.to_string(),
            message_zh: format!("内部错误（{code}），请重新打开设备：{detail}"),
            message_en: format!("internal error ({code}), reopen the device: {detail}"),
        }
    }
}

impl From<hotline_core::center::CenterError> for HotlineError {
    fn from(e: hotline_core::center::CenterError) -> Self {
        Self::from_coded(&e)
    }
}

impl From<DeviceError> for HotlineError {
    fn from(e: DeviceError) -> Self {
        Self::from_coded(&e)
    }
}

/// A sync, receipt lookup or bundle error, by its code's class like every other error (the
/// hub's refusal of this device's certificate comes back as the identity error it was there).
impl From<SyncError> for HotlineError {
    fn from(e: SyncError) -> Self {
        Self::from_coded(&e)
    }
}

impl From<IdentityError> for HotlineError {
    fn from(e: IdentityError) -> Self {
        DeviceError::Identity(e).into()
    }
}

impl From<hotline_core::catalogue::CatalogueError> for HotlineError {
    fn from(e: hotline_core::catalogue::CatalogueError) -> Self {
        Self::from_coded(&e)
    }
}

impl From<hotline_core::kb::KbError> for HotlineError {
    fn from(e: hotline_core::kb::KbError) -> Self {
        Self::from_coded(&e)
    }
}

impl From<PolicyError> for HotlineError {
    fn from(e: PolicyError) -> Self {
        DeviceError::Policy(e).into()
    }
}

/// Foreign code (a key custody, a listener) threw something other than a `HotlineError`.
impl From<uniffi::UnexpectedUniFFICallbackError> for HotlineError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::internal(ErrorCode::CallbackFailed, e.reason)
    }
}
