//! The one table of error codes: every code's string, HTTP status and SDK class are what
//! `docs/error-codes.md` says, and no code shipped before the table existed has changed.

use std::collections::BTreeMap;

use hotline_core::error::ErrorCode;

/// Every code string hotline reported before the codes became one enum (2026-12). They are in
/// apps, hub logs and the history of stored orders: each must still exist, spelt the same.
const SHIPPED: &[&str] = &[
    "store_io",
    "store_full",
    "store_busy",
    "store_corrupt",
    "store_foreign",
    "store_too_new",
    "store_sqlite",
    "store_invalid_input",
    "store_conflict",
    "not_found",
    "blob_missing",
    "blob_hash_mismatch",
    "bad_blob_hash",
    "certificate_bad_signature",
    "certificate_expired",
    "certificate_not_yet_valid",
    "certificate_invalid",
    "certificate_id_conflict",
    "unknown_certificate",
    "certificate_revoked",
    "actor_mismatch",
    "revocation_list_bad_signature",
    "revocation_list_stale",
    "bad_signature",
    "batch_bad_signature",
    "invalid_public_key",
    "invalid_encoding",
    "key_mismatch",
    "signing_failed",
    "key_file_exists",
    "key_file_io",
    "key_file_corrupt",
    "key_file_permissions",
    "seal_failed",
    "wrong_key",
    "open_failed",
    "order_confidential",
    "doc_encode",
    "doc_automerge",
    "doc_empty_change",
    "doc_not_an_order",
    "doc_wrong_order",
    "doc_duplicate_event",
    "doc_bad_event",
    "doc_bad_change",
    "change_hash_mismatch",
    "change_missing_dependency",
    "change_rewrites_history",
    "wrong_role",
    "wrong_unit",
    "wrong_state",
    "missing_field",
    "reopen_limit",
    "extension_too_long",
    "return_window_closed",
    "return_needs_call",
    "confidential_no_callback",
    "instant_answer_kind",
    "unknown_order",
    "duplicate_submit",
    "lead_also_co_unit",
    "invalid_gps",
    "causal_cycle",
    "calendar",
    "policy_unknown_preset",
    "policy_unreadable",
    "policy_syntax",
    "policy_negative_limit",
    "policy_ambiguous_limit",
    "calendar_missing_year",
    "calendar_duplicate_year",
    "calendar_date_outside_year",
    "calendar_holiday_and_workday",
    "calendar_unknown_date",
    "calendar_out_of_range",
    "receipt_bad_length",
    "receipt_bad_character",
    "receipt_bad_check",
    "device_not_initialised",
    "device_other_city",
    "device_no_such_identity",
    "device_which_identity",
    "device_io",
    "device_poisoned",
    "encode_failed",
    "unknown_receipt",
    "bad_input",
    "outside_area",
    "contact_not_visible",
    "sync_malformed",
    "sync_protocol",
    "sync_bad_request_signature",
    "bundle_damaged",
    "sync_io",
    "sync_too_many_rounds",
    "sync_cancelled",
    "sync_transport",
    "blob_not_visible",
    "request_too_large",
    "request_unreadable",
    "no_such_endpoint",
    "hub_not_initialised",
    "hub_listen",
    "hub_internal",
    "usage",
    "bench_limit",
    "file_not_found",
    "file_exists",
    "file_io",
    "output",
    "store_required",
    "store_not_found",
    "bad_gps",
    "demo_dir_in_use",
    "runtime",
    "unknown_kind",
    "verify_failed",
    "bad_time",
    "unknown_rating",
    "unknown_channel",
    "unknown_role",
    "unknown_status",
    "unknown_reason",
    "unknown_method",
    "unknown_trigger",
    "unknown_form",
    "bad_revocation_list",
    "bench_hub",
    "bench",
    "bench_proxy",
    "bad_credential",
    "cancelled",
    "authority_poisoned",
    "callback_failed",
    "worker_failed",
];

/// `code → (HTTP status, SDK class)` as the document's tables list them.
fn documented() -> BTreeMap<String, (u16, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/error-codes.md");
    let text = std::fs::read_to_string(path).expect("docs/error-codes.md");
    let mut rows = BTreeMap::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // `| `code` | 500 | Internal |` splits into ["", "`code`", "500", "Internal", ""].
        if cells.len() != 5 || !cells[1].starts_with('`') {
            continue;
        }
        let code = cells[1].trim_matches('`').to_string();
        let status: u16 = cells[2].parse().expect("an HTTP status");
        let previous = rows.insert(code.clone(), (status, cells[3].to_string()));
        assert!(previous.is_none(), "{code} is documented twice");
    }
    rows
}

#[test]
fn every_code_has_the_status_and_class_the_document_gives() {
    let doc = documented();
    for code in ErrorCode::ALL {
        let row = format!(
            "| `{code}` | {} | {} |",
            code.http_status(),
            code.class().as_str()
        );
        let Some((status, class)) = doc.get(code.as_str()) else {
            panic!("{code} is not in docs/error-codes.md; add the row {row}");
        };
        assert_eq!(
            (*status, class.as_str()),
            (code.http_status(), code.class().as_str()),
            "docs/error-codes.md disagrees with the code; the row is {row}"
        );
        assert!(
            (400..600).contains(status),
            "{code}: {status} is not an error status"
        );
    }
    for documented in doc.keys() {
        assert!(
            ErrorCode::parse(documented).is_some(),
            "docs/error-codes.md lists {documented}, which the code does not have"
        );
    }
    assert_eq!(doc.len(), ErrorCode::ALL.len());
}

#[test]
fn no_shipped_code_changed() {
    for s in SHIPPED {
        let code = ErrorCode::parse(s).unwrap_or_else(|| panic!("shipped code {s} is gone"));
        assert_eq!(code.as_str(), *s);
    }
}

#[test]
fn statuses_follow_what_a_device_can_do_about_them() {
    // A device retries 5xx, 408 and 429 only: a refusal that waiting cannot fix must be a 4xx,
    // and the ones a device must retry must not be.
    for code in ErrorCode::ALL {
        let retried = code.http_status() >= 500 || matches!(code.http_status(), 408 | 429);
        let waiting_helps = matches!(
            code,
            ErrorCode::StoreBusy
                | ErrorCode::StoreFull
                | ErrorCode::RateLimited
                | ErrorCode::SyncTransport
                | ErrorCode::HubInternal
        );
        if waiting_helps {
            assert!(retried, "{code} must be retried");
        }
    }
    for refusal in [
        ErrorCode::CertificateRevoked,
        ErrorCode::CertificateExpired,
        ErrorCode::SyncBadRequestSignature,
        ErrorCode::SyncMalformed,
        ErrorCode::RequestTooLarge,
        ErrorCode::BlobNotVisible,
        ErrorCode::UnknownReceipt,
    ] {
        assert!(refusal.http_status() < 500, "{refusal} must not be retried");
    }
}
