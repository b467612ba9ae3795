use chrono::{Duration, TimeZone, Utc};
use hotline_core::Coded;
use hotline_core::identity::{
    Certificate, CertificateBody, CertificateId, KeyCustody, MemoryKeyCustody, PublicKeyBytes,
};
use hotline_core::model::{Actor, PersonId, Role, Timestamp, UnitId};
use rand_core::OsRng;

/// A change to a certificate body, as a forger would make it.
type Tamper = Box<dyn Fn(&mut CertificateBody)>;

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap()
}

fn body(device: &dyn KeyCustody) -> CertificateBody {
    CertificateBody {
        id: CertificateId::new("cert-0001"),
        device_key: device.public_key(),
        person: PersonId::new("staff-0042"),
        display_name: "王芳".to_string(),
        role: Role::Staff,
        unit: UnitId::new("unit-hualong-gucheng"),
        area: "410902".to_string(),
        not_before: t0(),
        not_after: t0() + Duration::days(365),
        issued_at: t0() - Duration::hours(1),
    }
}

fn issue() -> (MemoryKeyCustody, Certificate) {
    let root = MemoryKeyCustody::generate(&mut OsRng);
    let device = MemoryKeyCustody::generate(&mut OsRng);
    let cert = Certificate::issue(body(&device), &root).unwrap();
    (root, cert)
}

#[test]
fn issued_certificate_verifies_inside_its_window_inclusive() {
    let (root, cert) = issue();
    let root_pub = root.public_key();
    cert.verify(&root_pub, t0()).unwrap();
    cert.verify(&root_pub, t0() + Duration::days(100)).unwrap();
    cert.verify(&root_pub, cert.body.not_after).unwrap();
}

#[test]
fn expired_and_not_yet_valid_have_distinct_codes() {
    let (root, cert) = issue();
    let root_pub = root.public_key();
    let early = cert
        .verify(&root_pub, t0() - Duration::seconds(1))
        .unwrap_err();
    assert_eq!(early.code().as_str(), "certificate_not_yet_valid");
    let late = cert
        .verify(&root_pub, cert.body.not_after + Duration::seconds(1))
        .unwrap_err();
    assert_eq!(late.code().as_str(), "certificate_expired");
}

#[test]
fn tampering_with_any_field_breaks_the_signature() {
    let (root, cert) = issue();
    let root_pub = root.public_key();
    let other_key = MemoryKeyCustody::generate(&mut OsRng).public_key();
    let tampers: Vec<(&str, Tamper)> = vec![
        ("id", Box::new(|b| b.id = CertificateId::new("cert-0002"))),
        ("device_key", Box::new(move |b| b.device_key = other_key)),
        (
            "person",
            Box::new(|b| b.person = PersonId::new("staff-0043")),
        ),
        ("display_name", Box::new(|b| b.display_name = "王芬".into())),
        ("role", Box::new(|b| b.role = Role::UnitHead)),
        ("unit", Box::new(|b| b.unit = UnitId::new("unit-other"))),
        ("area", Box::new(|b| b.area = "4109".into())),
        (
            "not_before",
            Box::new(|b| b.not_before -= Duration::days(1)),
        ),
        ("not_after", Box::new(|b| b.not_after += Duration::days(1))),
        (
            "issued_at",
            Box::new(|b| b.issued_at += Duration::nanoseconds(1)),
        ),
    ];
    for (field, tamper) in tampers {
        let mut forged = cert.clone();
        tamper(&mut forged.body);
        let err = forged.verify(&root_pub, t0()).unwrap_err();
        assert_eq!(
            err.code().as_str(),
            "certificate_bad_signature",
            "field {field}"
        );
    }
}

#[test]
fn tampered_signature_is_refused() {
    let (root, mut cert) = issue();
    cert.signature.raw_mut()[10] ^= 0x01;
    let err = cert.verify(&root.public_key(), t0()).unwrap_err();
    assert_eq!(err.code().as_str(), "certificate_bad_signature");
}

#[test]
fn certificate_signed_by_another_root_is_refused() {
    let (_root, cert) = issue();
    let other_root = MemoryKeyCustody::generate(&mut OsRng);
    let err = cert.verify(&other_root.public_key(), t0()).unwrap_err();
    assert_eq!(err.code().as_str(), "certificate_bad_signature");
}

#[test]
fn a_root_that_is_not_a_curve_point_verifies_nothing() {
    let (_root, cert) = issue();
    // y = 2 is not the y-coordinate of any point of edwards25519.
    let mut bytes = [0u8; 32];
    bytes[0] = 2;
    let bogus = PublicKeyBytes::Ed25519(bytes);
    assert!(bogus.verifier().is_err());
    let err = cert.verify(&bogus, t0()).unwrap_err();
    assert_eq!(err.code().as_str(), "certificate_bad_signature");
}

#[test]
fn json_round_trip_keeps_the_signature_valid() {
    let (root, cert) = issue();
    let json = serde_json::to_string(&cert).unwrap();
    assert!(json.contains(&cert.body.device_key.to_hex()));
    let back: Certificate = serde_json::from_str(&json).unwrap();
    assert_eq!(back, cert);
    back.verify(&root.public_key(), t0()).unwrap();
}

#[test]
fn sub_second_times_survive_json_and_stay_signed() {
    let root = MemoryKeyCustody::generate(&mut OsRng);
    let device = MemoryKeyCustody::generate(&mut OsRng);
    let mut b = body(&device);
    b.issued_at += Duration::nanoseconds(123_456_789);
    let cert = Certificate::issue(b, &root).unwrap();
    let back: Certificate = serde_json::from_str(&serde_json::to_string(&cert).unwrap()).unwrap();
    back.verify(&root.public_key(), t0()).unwrap();
}

#[test]
fn the_root_refuses_to_sign_malformed_bodies() {
    let root = MemoryKeyCustody::generate(&mut OsRng);
    let device = MemoryKeyCustody::generate(&mut OsRng);
    let cases: Vec<Tamper> = vec![
        Box::new(|b| b.id = CertificateId::new(" ")),
        Box::new(|b| b.person = PersonId::new("")),
        Box::new(|b| b.unit = UnitId::new("")),
        Box::new(|b| b.area = String::new()),
        Box::new(|b| b.area = "41090a".into()),
        Box::new(|b| b.area = "4109020010011".into()),
        Box::new(|b| b.not_after = b.not_before - Duration::seconds(1)),
        // The identity point: a weak key.
        Box::new(|b| {
            let mut k = [0u8; 32];
            k[0] = 1;
            b.device_key = PublicKeyBytes::Ed25519(k);
        }),
    ];
    for (i, case) in cases.iter().enumerate() {
        let mut b = body(&device);
        case(&mut b);
        let err = Certificate::issue(b, &root).unwrap_err();
        assert_eq!(err.code().as_str(), "certificate_invalid", "case {i}");
    }
}

#[test]
fn actor_must_match_person_role_and_unit() {
    let (_root, cert) = issue();
    let me = Actor::new("staff-0042", Role::Staff, "unit-hualong-gucheng");
    cert.check_actor(&me).unwrap();

    for (actor, field) in [
        (
            Actor::new("staff-0099", Role::Staff, "unit-hualong-gucheng"),
            "person",
        ),
        (
            Actor::new("staff-0042", Role::UnitHead, "unit-hualong-gucheng"),
            "role",
        ),
        (Actor::new("staff-0042", Role::Staff, "unit-other"), "unit"),
    ] {
        let err = cert.check_actor(&actor).unwrap_err();
        assert_eq!(err.code().as_str(), "actor_mismatch");
        assert!(err.message_en().contains(field), "{}", err.message_en());
        assert!(!err.message_zh().is_empty());
    }
}

#[test]
fn area_is_a_division_code_prefix() {
    let (_root, cert) = issue();
    assert!(cert.covers_area("410902"));
    assert!(cert.covers_area("410902001"));
    assert!(!cert.covers_area("410903001"));
    assert!(!cert.covers_area("4109"));
}

#[test]
fn fingerprint_is_short_and_stable() {
    let key = MemoryKeyCustody::from_secret_bytes(&[7u8; 32]).public_key();
    assert_eq!(key.fingerprint().len(), 16);
    assert_eq!(key.fingerprint(), key.fingerprint());
    assert_eq!(PublicKeyBytes::from_hex(&key.to_hex()).unwrap(), key);
    assert_eq!(
        PublicKeyBytes::from_hex("abcd")
            .unwrap_err()
            .code()
            .as_str(),
        "invalid_encoding"
    );
}
