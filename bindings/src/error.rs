//! The one error type apps see. Every variant carries the core's stable code and its Chinese
//! and English messages; the variant only sorts errors into what an app does about them (fix
//! the input, show "not found", explain a refusal, ask for the device key again, …).
//! Internal failures are mapped to `Internal` with a stable code, never passed through raw.

use hotline_core::Coded;
use hotline_core::device::DeviceError;
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
    /// The store could not be read or written, or a bug: report it with the code.
    #[error("{code}: {message_en}")]
    Internal {
        code: String,
        message_zh: String,
        message_en: String,
    },
}

/// Which variant an error becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    InvalidInput,
    NotFound,
    Refused,
    KeyCustody,
    Network,
    Cancelled,
    Internal,
}

fn class_of(e: &DeviceError) -> Class {
    match e {
        DeviceError::BadInput { .. } | DeviceError::Receipt(_) => Class::InvalidInput,
        DeviceError::Identity(IdentityError::InvalidEncoding { .. })
        | DeviceError::Policy(PolicyError::UnknownPreset { .. }) => Class::InvalidInput,
        DeviceError::UnknownOrder(_)
        | DeviceError::UnknownReceipt(_)
        | DeviceError::NoSuchIdentity(_) => Class::NotFound,
        DeviceError::Identity(
            IdentityError::SigningFailed { .. } | IdentityError::KeyMismatch { .. },
        ) => Class::KeyCustody,
        DeviceError::Store(_) | DeviceError::Io { .. } | DeviceError::Corrupt(_) => Class::Internal,
        // Workflow, identity and policy refusals, a change from elsewhere that does not decode
        // or fit, a store set up for another city, contact details not visible, and any
        // device-level refusal the core adds later: a rule said no.
        _ => Class::Refused,
    }
}

impl HotlineError {
    fn build(class: Class, e: &dyn Coded) -> Self {
        let (code, message_zh, message_en) = (e.code().to_string(), e.message_zh(), e.message_en());
        match class {
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
        Self::build(Class::KeyCustody, &e)
    }

    pub(crate) fn cancelled() -> Self {
        Self::Cancelled {
            code: "cancelled".into(),
            message_zh: "操作已取消，取消前完成的部分已保存".into(),
            message_en: "the operation was cancelled; what finished before that is kept".into(),
        }
    }

    /// A failure of the binding itself (a worker thread that died, a lock left poisoned by a
    /// crash): the device should be reopened.
    pub(crate) fn internal(code: &'static str, detail: impl std::fmt::Display) -> Self {
        Self::Internal {
            code: code.into(),
            message_zh: format!("内部错误（{code}），请重新打开设备：{detail}"),
            message_en: format!("internal error ({code}), reopen the device: {detail}"),
        }
    }
}

impl From<DeviceError> for HotlineError {
    fn from(e: DeviceError) -> Self {
        Self::build(class_of(&e), &e)
    }
}

/// A sync, receipt lookup or bundle error: the device's own errors (including the hub's refusal
/// of this device's certificate, rebuilt by the core as the identity error it was at the hub)
/// as above; the rest by what an app does about them. Codes stay the core's (`sync_transport`,
/// `sync_cancelled`, `bundle_damaged`, …).
impl From<SyncError> for HotlineError {
    fn from(e: SyncError) -> Self {
        let class = match &e {
            SyncError::Device(d) => return Self::build(class_of(d), &e),
            // A damaged bundle file, or a path the app gave that cannot be read or written.
            SyncError::BadBundle(_) | SyncError::Io { .. } => Class::InvalidInput,
            // No usable answer: offline, a proxy's page, a hub that never says "done".
            SyncError::Transport(_) | SyncError::Malformed(_) | SyncError::TooManyRounds(_) => {
                Class::Network
            }
            SyncError::Cancelled => Class::Cancelled,
            // The hub speaks another protocol version, or does not accept the signature:
            // retrying will not help.
            SyncError::Protocol(_) | SyncError::BadRequestSignature => Class::Refused,
        };
        Self::build(class, &e)
    }
}

impl From<IdentityError> for HotlineError {
    fn from(e: IdentityError) -> Self {
        DeviceError::Identity(e).into()
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
        Self::internal("callback_failed", e.reason)
    }
}
