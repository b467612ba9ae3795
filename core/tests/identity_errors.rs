use std::collections::BTreeSet;

use chrono::{TimeZone, Utc};
use hotline_core::Coded;
use hotline_core::identity::{CertificateId, IdentityError};

fn every_variant() -> Vec<IdentityError> {
    let id = || CertificateId::new("cert-1");
    let t = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let s = || "x".to_string();
    vec![
        IdentityError::CertificateBadSignature { id: id() },
        IdentityError::CertificateExpired {
            id: id(),
            not_after: t,
            now: t,
        },
        IdentityError::CertificateNotYetValid {
            id: id(),
            not_before: t,
            now: t,
        },
        IdentityError::CertificateInvalid { reason: s() },
        IdentityError::CertificateIdConflict { id: id() },
        IdentityError::UnknownCertificate { id: id() },
        IdentityError::CertificateRevoked { id: id() },
        IdentityError::ActorMismatch {
            field: "role",
            certified: s(),
            claimed: s(),
        },
        IdentityError::RevocationListBadSignature { sequence: 1 },
        IdentityError::RevocationListStale {
            current: 2,
            offered: 1,
        },
        IdentityError::BadSignature { signer: id() },
        IdentityError::BatchBadSignature { index: 3 },
        IdentityError::InvalidPublicKey { reason: s() },
        IdentityError::InvalidEncoding {
            what: "public key",
            reason: s(),
        },
        IdentityError::KeyMismatch { certificate: id() },
        IdentityError::SigningFailed { reason: s() },
        IdentityError::KeyFileExists { path: s() },
        IdentityError::KeyFileIo {
            path: s(),
            message: s(),
        },
        IdentityError::KeyFileCorrupt {
            path: s(),
            reason: s(),
        },
        IdentityError::KeyFilePermissions {
            path: s(),
            mode: 0o644,
        },
        IdentityError::SealFailed { reason: s() },
        IdentityError::WrongKey,
        IdentityError::OpenFailed { reason: s() },
        IdentityError::OrderConfidential,
    ]
}

#[test]
fn every_error_has_its_own_snake_case_code_and_both_messages() {
    let all = every_variant();
    let codes: BTreeSet<&str> = all.iter().map(|e| e.code().as_str()).collect();
    assert_eq!(codes.len(), all.len(), "codes must be distinct");
    for e in &all {
        let code = e.code();
        assert!(
            code.as_str()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{code}"
        );
        assert!(!e.message_zh().is_empty(), "{code}");
        assert!(
            e.message_zh()
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{code}: Chinese message"
        );
        assert_eq!(e.message_en(), e.to_string());
    }
}

#[test]
fn timestamps_and_modes_are_readable_in_messages() {
    let t = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let e = IdentityError::CertificateExpired {
        id: CertificateId::new("cert-1"),
        not_after: t,
        now: t,
    };
    assert!(e.message_en().contains("2025-01-01T00:00:00"));
    assert!(e.message_zh().contains("2025-01-01T00:00:00"));
    let e = IdentityError::KeyFilePermissions {
        path: "k".into(),
        mode: 0o644,
    };
    assert!(e.message_en().contains("644"));
}
