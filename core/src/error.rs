//! What every error of hotline shares: a stable machine code ([`ErrorCode`]) and a message in
//! Chinese and English.
//!
//! [`ErrorCode`] is the one list of codes. Its string, the HTTP status the hub answers with and
//! the class the mobile SDK sorts it into are all derived from the table below by exhaustive
//! matches, so a new or renamed code cannot compile without a decision on all three. The table
//! is also printed in `docs/error-codes.md`, which a test keeps equal to it.
//!
//! Codes never change once shipped: apps, the hub and the history of every order store them.

use std::fmt;
use std::path::{Path, PathBuf};

/// Implemented by every error type of hotline. Decide on [`Coded::code`], never on messages.
pub trait Coded {
    /// The stable code, e.g. [`ErrorCode::WrongRole`] (`wrong_role`).
    fn code(&self) -> ErrorCode;
    /// The message shown to people, in Chinese.
    fn message_zh(&self) -> String;
    /// The same message in English (what `Display` prints).
    fn message_en(&self) -> String;
}

/// What an app does about an error: the variants of the SDK's `HotlineError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// Fix the input (a blank field, a mistyped receipt code, a damaged file given).
    InvalidInput,
    /// Not here: an order, a receipt, an enrolled person, a file.
    NotFound,
    /// A rule said no (role, state, certificate, signature, time limit).
    Refused,
    /// The key store could not sign, or holds another key.
    KeyCustody,
    /// The hub could not be reached or answered something unusable: try again later.
    Network,
    /// Stopped on request; what finished before is kept.
    Cancelled,
    /// The device's storage is full: free space, then try again.
    StorageFull,
    /// The store is in use by another process: try again in a moment.
    Busy,
    /// A bug or damaged data: report it with the code.
    Internal,
}

impl ErrorClass {
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorClass::InvalidInput => "InvalidInput",
            ErrorClass::NotFound => "NotFound",
            ErrorClass::Refused => "Refused",
            ErrorClass::KeyCustody => "KeyCustody",
            ErrorClass::Network => "Network",
            ErrorClass::Cancelled => "Cancelled",
            ErrorClass::StorageFull => "StorageFull",
            ErrorClass::Busy => "Busy",
            ErrorClass::Internal => "Internal",
        }
    }
}

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, $status:literal, $class:ident; )*) => {
        /// Every stable error code of hotline.
        #[non_exhaustive]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $( $(#[$doc])* $name, )*
        }

        impl ErrorCode {
            /// Every code, in the table's order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name,)*];

            /// The stable snake_case string (what JSON, the CLI and the SDK carry).
            pub const fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$name => $code,)* }
            }

            /// The HTTP status the hub answers with when a whole request fails with this code.
            /// A device retries only 5xx, 408 and 429: anything waiting cannot fix is a 4xx.
            pub const fn http_status(self) -> u16 {
                match self { $(ErrorCode::$name => $status,)* }
            }

            /// What an app does about it (the SDK's error variant).
            pub const fn class(self) -> ErrorClass {
                match self { $(ErrorCode::$name => ErrorClass::$class,)* }
            }

            /// The code for a string, `None` for one this version does not know (a newer hub).
            pub fn parse(s: &str) -> Option<ErrorCode> {
                match s {
                    $($code => Some(ErrorCode::$name),)*
                    _ => None,
                }
            }
        }
    };
}

error_codes! {
    // The local store.
    StoreIo = "store_io", 500, Internal;
    StoreFull = "store_full", 507, StorageFull;
    StoreBusy = "store_busy", 503, Busy;
    StoreCorrupt = "store_corrupt", 500, Internal;
    StoreForeign = "store_foreign", 500, Internal;
    StoreTooNew = "store_too_new", 500, Internal;
    StoreSqlite = "store_sqlite", 500, Internal;
    StoreInvalidInput = "store_invalid_input", 500, Internal;
    StoreConflict = "store_conflict", 409, Refused;
    StoreReadOnly = "store_read_only", 500, Refused;
    NotFound = "not_found", 404, NotFound;
    BlobMissing = "blob_missing", 404, NotFound;
    BlobHashMismatch = "blob_hash_mismatch", 400, Refused;
    BadBlobHash = "bad_blob_hash", 400, InvalidInput;
    BlobTooLarge = "blob_too_large", 413, InvalidInput;
    BlobMediaType = "blob_media_type", 415, InvalidInput;
    BlobNotReferenced = "blob_not_referenced", 409, Refused;
    BlobMismatch = "blob_mismatch", 422, Refused;
    StoreUnavailable = "store_unavailable", 503, Busy;
    StoreDatabase = "store_database", 500, Internal;
    // Certificates, signatures, keys, sealed contact details.
    CertificateBadSignature = "certificate_bad_signature", 401, Refused;
    CertificateExpired = "certificate_expired", 403, Refused;
    CertificateNotYetValid = "certificate_not_yet_valid", 403, Refused;
    CertificateInvalid = "certificate_invalid", 400, InvalidInput;
    CertificateIdConflict = "certificate_id_conflict", 409, Refused;
    UnknownCertificate = "unknown_certificate", 401, Refused;
    CertificateRevoked = "certificate_revoked", 403, Refused;
    ActorMismatch = "actor_mismatch", 403, Refused;
    RevocationListBadSignature = "revocation_list_bad_signature", 400, Refused;
    RevocationListStale = "revocation_list_stale", 409, Refused;
    BadSignature = "bad_signature", 401, Refused;
    BatchBadSignature = "batch_bad_signature", 401, Refused;
    InvalidPublicKey = "invalid_public_key", 401, Refused;
    InvalidEncoding = "invalid_encoding", 400, InvalidInput;
    KeyMismatch = "key_mismatch", 500, KeyCustody;
    CryptoSuiteMismatch = "crypto_suite_mismatch", 403, Refused;
    SigningFailed = "signing_failed", 500, KeyCustody;
    KeyFileExists = "key_file_exists", 409, Refused;
    KeyFileIo = "key_file_io", 500, Refused;
    KeyFileCorrupt = "key_file_corrupt", 500, Refused;
    KeyFilePermissions = "key_file_permissions", 500, Refused;
    SealFailed = "seal_failed", 500, Refused;
    WrongKey = "wrong_key", 403, Refused;
    OpenFailed = "open_failed", 500, Refused;
    OrderConfidential = "order_confidential", 403, Refused;
    // One order's Automerge document, and changes received from elsewhere.
    DocEncode = "doc_encode", 500, Internal;
    DocAutomerge = "doc_automerge", 422, Refused;
    DocEmptyChange = "doc_empty_change", 422, Refused;
    DocNotAnOrder = "doc_not_an_order", 422, Refused;
    DocWrongOrder = "doc_wrong_order", 422, Refused;
    DocDuplicateEvent = "doc_duplicate_event", 409, Refused;
    DocBadEvent = "doc_bad_event", 422, Refused;
    DocBadChange = "doc_bad_change", 422, Refused;
    ChangeHashMismatch = "change_hash_mismatch", 422, Refused;
    ChangeMissingDependency = "change_missing_dependency", 409, Refused;
    ChangeRewritesHistory = "change_rewrites_history", 422, Refused;
    ChangeTooLarge = "change_too_large", 413, Refused;
    ChangeBackdated = "change_backdated", 422, Refused;
    ChangeFromTheFuture = "change_from_the_future", 422, Refused;
    ChangeArrivedTooLate = "change_arrived_too_late", 403, Refused;
    // The workflow's rules.
    WrongRole = "wrong_role", 403, Refused;
    WrongUnit = "wrong_unit", 403, Refused;
    WrongState = "wrong_state", 409, Refused;
    MissingField = "missing_field", 422, Refused;
    FieldTooLong = "field_too_long", 422, InvalidInput;
    TooManyItems = "too_many_items", 422, InvalidInput;
    ReopenLimit = "reopen_limit", 409, Refused;
    ExtensionTooLong = "extension_too_long", 422, Refused;
    ReturnWindowClosed = "return_window_closed", 409, Refused;
    ReturnNeedsCall = "return_needs_call", 422, Refused;
    ExtensionNotForEmergency = "extension_not_for_emergency", 422, Refused;
    ReturnAfterCoordination = "return_after_coordination", 409, Refused;
    NotAnEmergency = "not_an_emergency", 422, Refused;
    AlreadyRecorded = "already_recorded", 409, Refused;
    NotInPolicy = "not_in_policy", 422, Refused;
    ReasonNotInPolicy = "reason_not_in_policy", 422, Refused;
    SignOffFirst = "sign_off_first", 409, Refused;
    ResultNotApproved = "result_not_approved", 409, Refused;
    ResponsibleLeaderMismatch = "responsible_leader_mismatch", 422, Refused;
    CoUnitOpinionsMissing = "co_unit_opinions_missing", 409, Refused;
    ClosureBeforeReopen = "closure_before_reopen", 409, Refused;
    TriggerAbsent = "trigger_absent", 409, Refused;
    BadPeriod = "bad_period", 422, InvalidInput;
    BadAssessmentInputs = "bad_assessment_inputs", 422, InvalidInput;
    ClosurePending = "closure_pending", 409, Refused;
    NothingToDecide = "nothing_to_decide", 409, Refused;
    CoUnitsNeedDenial = "co_units_need_denial", 422, Refused;
    AmendmentNeedsApproval = "amendment_needs_approval", 422, Refused;
    SameOrder = "same_order", 422, Refused;
    NotMergedHere = "not_merged_here", 422, Refused;
    SiteFormNotDue = "site_form_not_due", 409, Refused;
    NotASubUnit = "not_a_sub_unit", 422, Refused;
    UnitListedTwice = "unit_listed_twice", 422, Refused;
    StatutoryNotLonger = "statutory_not_longer", 422, Refused;
    ConfidentialNoCallback = "confidential_no_callback", 422, Refused;
    InstantAnswerKind = "instant_answer_kind", 422, Refused;
    UnknownOrder = "unknown_order", 404, NotFound;
    DuplicateSubmit = "duplicate_submit", 409, Refused;
    LeadAlsoCoUnit = "lead_also_co_unit", 422, Refused;
    InvalidGps = "invalid_gps", 422, Refused;
    CausalCycle = "causal_cycle", 422, Refused;
    Calendar = "calendar", 422, Refused;
    NotOwnSubmission = "not_own_submission", 403, Refused;
    // Policies and the holiday calendar.
    PolicyUnknownPreset = "policy_unknown_preset", 400, InvalidInput;
    PolicyUnreadable = "policy_unreadable", 400, Refused;
    PolicySyntax = "policy_syntax", 400, Refused;
    PolicyNegativeLimit = "policy_negative_limit", 400, Refused;
    PolicyAmbiguousLimit = "policy_ambiguous_limit", 400, Refused;
    CalendarMissingYear = "calendar_missing_year", 400, Refused;
    CalendarDuplicateYear = "calendar_duplicate_year", 400, Refused;
    CalendarDateOutsideYear = "calendar_date_outside_year", 400, Refused;
    CalendarHolidayAndWorkday = "calendar_holiday_and_workday", 400, Refused;
    CalendarUnknownDate = "calendar_unknown_date", 422, Refused;
    CalendarOutOfRange = "calendar_out_of_range", 422, Refused;
    // Categories and the dispatch catalogue.
    CatalogueSyntax = "catalogue_syntax", 400, InvalidInput;
    CategoryBadCode = "category_bad_code", 400, InvalidInput;
    CategoryDuplicateCode = "category_duplicate_code", 400, InvalidInput;
    CategoryUnknownParent = "category_unknown_parent", 400, InvalidInput;
    CategoryCycle = "category_cycle", 400, InvalidInput;
    CategoryUnknownKind = "category_unknown_kind", 400, InvalidInput;
    CategoryMissingName = "category_missing_name", 400, InvalidInput;
    AttributeUnknownType = "attribute_unknown_type", 400, InvalidInput;
    AttributeBadDefinition = "attribute_bad_definition", 400, InvalidInput;
    CatalogueUnknownUnitClass = "catalogue_unknown_unit_class", 400, InvalidInput;
    DispatchEntryUnknownCategory = "dispatch_entry_unknown_category", 400, InvalidInput;
    DispatchEntryInvalid = "dispatch_entry_invalid", 400, InvalidInput;
    DispatchEntryDuplicate = "dispatch_entry_duplicate", 400, InvalidInput;
    FunctionalMatterToTownship = "functional_matter_to_township", 422, Refused;
    CategoryUnknown = "category_unknown", 422, Refused;
    CategoryKindNotAllowed = "category_kind_not_allowed", 422, Refused;
    AttributeUnknown = "attribute_unknown", 422, Refused;
    AttributeMissing = "attribute_missing", 422, Refused;
    AttributeBadValue = "attribute_bad_value", 422, Refused;
    AttributesWithoutCategory = "attributes_without_category", 422, Refused;
    CatalogueVersionUnknown = "catalogue_version_unknown", 422, Refused;
    CatalogueNone = "catalogue_none", 404, NotFound;
    CatalogueBadSignature = "catalogue_bad_signature", 422, Refused;
    CatalogueUndecodable = "catalogue_undecodable", 422, Refused;
    DispatchOverrideNeedsReason = "dispatch_override_needs_reason", 422, Refused;
    DispatchNoProposal = "dispatch_no_proposal", 422, Refused;
    // The knowledge base, and duplicates at intake.
    KbItemInvalid = "kb_item_invalid", 422, InvalidInput;
    KbNotPermitted = "kb_not_permitted", 403, Refused;
    KbOwnerMismatch = "kb_owner_mismatch", 409, Refused;
    KbItemUnknown = "kb_item_unknown", 404, NotFound;
    KbVersionStale = "kb_version_stale", 409, Refused;
    KbRecordUndecodable = "kb_record_undecodable", 422, Refused;
    IntakeMatchNotOffered = "intake_match_not_offered", 422, Refused;
    IntakeMatchFound = "intake_match_found", 409, Refused;
    KioskNotLoopback = "kiosk_not_loopback", 400, InvalidInput;
    // Receipt codes.
    ReceiptBadLength = "receipt_bad_length", 400, InvalidInput;
    ReceiptBadCharacter = "receipt_bad_character", 400, InvalidInput;
    ReceiptBadCheck = "receipt_bad_check", 400, InvalidInput;
    // A device: enrolled people, orders, inputs.
    DeviceNotInitialised = "device_not_initialised", 500, Refused;
    DeviceOtherCity = "device_other_city", 403, Refused;
    DeviceNoSuchIdentity = "device_no_such_identity", 400, NotFound;
    DeviceWhichIdentity = "device_which_identity", 400, Refused;
    DeviceIo = "device_io", 500, Internal;
    DevicePoisoned = "device_poisoned", 500, Internal;
    EncodeFailed = "encode_failed", 500, Internal;
    InternalError = "internal_error", 500, Internal;
    AuthorityCorrupt = "authority_corrupt", 500, Internal;
    UnknownReceipt = "unknown_receipt", 404, NotFound;
    BadInput = "bad_input", 400, InvalidInput;
    OutsideArea = "outside_area", 403, Refused;
    SubUnitNotRegistered = "sub_unit_not_registered", 409, Refused;
    SealedCopyNotAllowed = "sealed_copy_not_allowed", 422, Refused;
    UnknownParentUnit = "unknown_parent_unit", 404, NotFound;
    ContactNotVisible = "contact_not_visible", 403, Refused;
    AccessPurposeRequired = "access_purpose_required", 400, InvalidInput;
    AccessEntryInvalid = "access_entry_invalid", 422, Refused;
    AccessLogBroken = "access_log_broken", 409, Refused;
    // Sync, photo transfer, bundles.
    SyncMalformed = "sync_malformed", 400, Network;
    SyncProtocol = "sync_protocol", 400, Refused;
    SyncBadRequestSignature = "sync_bad_request_signature", 401, Refused;
    SyncStaleChallenge = "sync_stale_challenge", 401, Network;
    SyncTooManyRefusals = "sync_too_many_refusals", 422, Refused;
    BundleDamaged = "bundle_damaged", 400, InvalidInput;
    SyncIo = "sync_io", 500, InvalidInput;
    SyncTooManyRounds = "sync_too_many_rounds", 500, Network;
    SyncCancelled = "sync_cancelled", 499, Cancelled;
    SyncTransport = "sync_transport", 502, Network;
    // The hub's HTTP side.
    BlobNotVisible = "blob_not_visible", 403, Refused;
    RequestTooLarge = "request_too_large", 413, InvalidInput;
    RequestUnreadable = "request_unreadable", 400, InvalidInput;
    RequestTimeout = "request_timeout", 408, Network;
    RateLimited = "rate_limited", 429, Network;
    NoSuchEndpoint = "no_such_endpoint", 404, NotFound;
    MethodNotAllowed = "method_not_allowed", 405, InvalidInput;
    HubNotInitialised = "hub_not_initialised", 500, Internal;
    HubListen = "hub_listen", 500, Internal;
    HubInternal = "hub_internal", 500, Internal;
    // The hub's APIs for the city platform (JSON, Open311, the event feed).
    ApiKeySystemName = "api_key_system_name", 400, InvalidInput;
    UnknownApiKey = "unknown_api_key", 404, NotFound;
    ApiTokenMissing = "api_token_missing", 401, Refused;
    ApiTokenUnknown = "api_token_unknown", 401, Refused;
    ApiTokenRevoked = "api_token_revoked", 403, Refused;
    ApiQueryInvalid = "api_query_invalid", 400, InvalidInput;
    ApiNotPermitted = "api_not_permitted", 403, Refused;
    FeedCursorInvalid = "feed_cursor_invalid", 400, InvalidInput;
    Open311ServiceUnknown = "open311_service_unknown", 404, NotFound;
    Open311IntakeNotEnabled = "open311_intake_not_enabled", 403, Refused;
    // The command line.
    Usage = "usage", 400, InvalidInput;
    BenchLimit = "bench_limit", 500, Internal;
    FileNotFound = "file_not_found", 404, NotFound;
    FileExists = "file_exists", 409, InvalidInput;
    FileIo = "file_io", 500, Internal;
    Output = "output", 500, Internal;
    StoreRequired = "store_required", 400, InvalidInput;
    StoreNotFound = "store_not_found", 404, NotFound;
    BadGps = "bad_gps", 400, InvalidInput;
    DemoDirInUse = "demo_dir_in_use", 409, InvalidInput;
    Runtime = "runtime", 500, Internal;
    UnknownKind = "unknown_kind", 400, InvalidInput;
    VerifyFailed = "verify_failed", 422, Refused;
    BadTime = "bad_time", 400, InvalidInput;
    UnknownRating = "unknown_rating", 400, InvalidInput;
    UnknownChannel = "unknown_channel", 400, InvalidInput;
    UnknownRole = "unknown_role", 400, InvalidInput;
    UnknownStatus = "unknown_status", 400, InvalidInput;
    UnknownReason = "unknown_reason", 400, InvalidInput;
    UnknownMethod = "unknown_method", 400, InvalidInput;
    UnknownTrigger = "unknown_trigger", 400, InvalidInput;
    UnknownForm = "unknown_form", 400, InvalidInput;
    UnknownOrigin = "unknown_origin", 400, InvalidInput;
    UnknownCoordination = "unknown_coordination", 400, InvalidInput;
    UnknownGround = "unknown_ground", 400, InvalidInput;
    UnknownEmergencyCategory = "unknown_emergency_category", 400, InvalidInput;
    BadRevocationList = "bad_revocation_list", 400, InvalidInput;
    BenchHub = "bench_hub", 500, Internal;
    Bench = "bench", 500, Internal;
    BenchProxy = "bench_proxy", 500, Internal;
    BadCredential = "bad_credential", 400, InvalidInput;
    // The mobile SDK's own.
    Cancelled = "cancelled", 499, Cancelled;
    AuthorityPoisoned = "authority_poisoned", 500, Internal;
    CallbackFailed = "callback_failed", 500, Internal;
    WorkerFailed = "worker_failed", 500, Internal;
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        ErrorCode::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown error code `{s}`")))
    }
}

/// A file-system operation that failed on a path: the one shape every layer's I/O error
/// carries (the layer's own variant decides the code), with the OS error kept as the cause.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct PathIoError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

impl PathIoError {
    pub fn new(path: &Path, source: std::io::Error) -> Self {
        PathIoError {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The disk (or the app's quota) is full: the one I/O failure a person can fix.
    pub fn is_storage_full(&self) -> bool {
        self.source.kind() == std::io::ErrorKind::StorageFull
    }

    /// `path: reason` for messages.
    pub fn describe(&self) -> String {
        self.to_string()
    }
}

/// `std::fs::read(&p).at(&p)?`: names the path an I/O error happened on, so every layer's
/// I/O error is built the same way (`From<PathIoError>` picks the layer's code).
pub trait IoAt<T> {
    fn at(self, path: &Path) -> Result<T, PathIoError>;
}

impl<T> IoAt<T> for std::io::Result<T> {
    fn at(self, path: &Path) -> Result<T, PathIoError> {
        self.map_err(|e| PathIoError::new(path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_parses_back_and_is_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
            let json = serde_json::to_string(code).unwrap_or_default();
            assert_eq!(json, format!("\"{code}\""));
        }
        assert_eq!(ErrorCode::parse("no_such_code"), None);
    }
}
