use chrono::{Duration, TimeZone, Utc};
use hotline_core::Coded;
use hotline_core::identity::{
    BatchItem, Certificate, CertificateBody, CertificateId, KeyCustody, MemoryKeyCustody,
    RevocationList, SignedEnvelope, TrustStore, change_message, verify_batch,
};
use hotline_core::model::{Actor, PersonId, Role, Timestamp, UnitId};
use rand_core::OsRng;

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap()
}

struct City {
    root: MemoryKeyCustody,
    device: MemoryKeyCustody,
    cert: Certificate,
    store: TrustStore,
}

fn enrol(root: &MemoryKeyCustody, device: &dyn KeyCustody, id: &str, role: Role) -> Certificate {
    Certificate::issue(
        CertificateBody {
            id: CertificateId::new(id),
            device_key: device.public_key(),
            person: PersonId::new("staff-0042"),
            display_name: "李强".into(),
            role,
            unit: UnitId::new("unit-hualong-gucheng"),
            area: "410902".into(),
            not_before: t0(),
            not_after: t0() + Duration::days(30),
            issued_at: t0(),
        },
        root,
    )
    .unwrap()
}

fn city() -> City {
    let root = MemoryKeyCustody::generate(&mut OsRng);
    let device = MemoryKeyCustody::generate(&mut OsRng);
    let cert = enrol(&root, &device, "cert-1", Role::Staff);
    let mut store = TrustStore::new(root.public_key()).unwrap();
    store.add_certificate(cert.clone()).unwrap();
    City {
        root,
        device,
        cert,
        store,
    }
}

fn now() -> Timestamp {
    t0() + Duration::days(1)
}

#[test]
fn a_signed_envelope_verifies_and_names_its_certificate() {
    let c = city();
    let env = SignedEnvelope::sign(b"change-bytes".to_vec(), &c.cert, &c.device).unwrap();
    let cert = c.store.verify_envelope(&env, now()).unwrap();
    assert_eq!(cert.id(), &CertificateId::new("cert-1"));
}

#[test]
fn envelope_json_round_trip_still_verifies() {
    let c = city();
    let env = SignedEnvelope::sign(vec![0, 1, 2, 255], &c.cert, &c.device).unwrap();
    let json = serde_json::to_string(&env).unwrap();
    let back: SignedEnvelope = serde_json::from_str(&json).unwrap();
    assert_eq!(back, env);
    c.store.verify_envelope(&back, now()).unwrap();
}

#[test]
fn tampered_payload_is_a_bad_signature() {
    let c = city();
    let mut env = SignedEnvelope::sign(b"dispatch to unit A".to_vec(), &c.cert, &c.device).unwrap();
    env.payload = b"dispatch to unit B".to_vec();
    let err = c.store.verify_envelope(&env, now()).unwrap_err();
    assert_eq!(err.code().as_str(), "bad_signature");
}

#[test]
fn tampered_signature_is_a_bad_signature() {
    let c = city();
    let mut env = SignedEnvelope::sign(b"x".to_vec(), &c.cert, &c.device).unwrap();
    env.signature.raw_mut()[0] ^= 0x80;
    assert_eq!(
        c.store
            .verify_envelope(&env, now())
            .unwrap_err()
            .code()
            .as_str(),
        "bad_signature"
    );
}

#[test]
fn a_signature_cannot_be_moved_to_another_certificate_of_the_same_key() {
    let mut c = city();
    let head = enrol(&c.root, &c.device, "cert-2", Role::UnitHead);
    c.store.add_certificate(head).unwrap();
    let mut env = SignedEnvelope::sign(b"x".to_vec(), &c.cert, &c.device).unwrap();
    env.signer = CertificateId::new("cert-2");
    assert_eq!(
        c.store
            .verify_envelope(&env, now())
            .unwrap_err()
            .code()
            .as_str(),
        "bad_signature"
    );
}

#[test]
fn signature_by_another_key_is_a_bad_signature() {
    let c = city();
    let thief = MemoryKeyCustody::generate(&mut OsRng);
    let message = change_message(c.cert.id(), b"x");
    let env = SignedEnvelope {
        payload: b"x".to_vec(),
        signer: c.cert.id().clone(),
        signature: thief.sign(&message).unwrap(),
    };
    assert_eq!(
        c.store
            .verify_envelope(&env, now())
            .unwrap_err()
            .code()
            .as_str(),
        "bad_signature"
    );
}

#[test]
fn unknown_certificate_is_refused() {
    let c = city();
    let mut env = SignedEnvelope::sign(b"x".to_vec(), &c.cert, &c.device).unwrap();
    env.signer = CertificateId::new("cert-nobody");
    assert_eq!(
        c.store
            .verify_envelope(&env, now())
            .unwrap_err()
            .code()
            .as_str(),
        "unknown_certificate"
    );
}

#[test]
fn expired_and_not_yet_valid_certificates_are_refused() {
    let c = city();
    let env = SignedEnvelope::sign(b"x".to_vec(), &c.cert, &c.device).unwrap();
    assert_eq!(
        c.store
            .verify_envelope(&env, t0() - Duration::minutes(1))
            .unwrap_err()
            .code()
            .as_str(),
        "certificate_not_yet_valid"
    );
    assert_eq!(
        c.store
            .verify_envelope(&env, t0() + Duration::days(31))
            .unwrap_err()
            .code()
            .as_str(),
        "certificate_expired"
    );
}

#[test]
fn revoked_certificate_is_refused_and_older_lists_cannot_undo_it() {
    let mut c = city();
    let env = SignedEnvelope::sign(b"x".to_vec(), &c.cert, &c.device).unwrap();

    let empty = RevocationList::issue(1, t0(), [], &c.root).unwrap();
    c.store.set_revocations(empty.clone()).unwrap();
    c.store.verify_envelope(&env, now()).unwrap();

    let list = RevocationList::issue(2, now(), [CertificateId::new("cert-1")], &c.root).unwrap();
    c.store.set_revocations(list.clone()).unwrap();
    assert!(c.store.is_revoked(&CertificateId::new("cert-1")));
    assert_eq!(
        c.store
            .verify_envelope(&env, now())
            .unwrap_err()
            .code()
            .as_str(),
        "certificate_revoked"
    );
    assert_eq!(
        c.store
            .check_certificate(c.cert.id(), now())
            .unwrap_err()
            .code()
            .as_str(),
        "certificate_revoked"
    );

    // Replaying the older list is refused; the same list again is harmless.
    assert_eq!(
        c.store.set_revocations(empty).unwrap_err().code().as_str(),
        "revocation_list_stale"
    );
    c.store.set_revocations(list).unwrap();
    assert_eq!(c.store.revocations().unwrap().sequence, 2);

    // A different list with the same number does not replace it either.
    let same_number = RevocationList::issue(2, now(), [], &c.root).unwrap();
    assert_eq!(
        c.store
            .set_revocations(same_number)
            .unwrap_err()
            .code()
            .as_str(),
        "revocation_list_stale"
    );
    assert!(c.store.is_revoked(&CertificateId::new("cert-1")));
}

#[test]
fn revocation_list_must_be_signed_by_the_root() {
    let mut c = city();
    let other_root = MemoryKeyCustody::generate(&mut OsRng);
    let forged = RevocationList::issue(9, now(), [], &other_root).unwrap();
    assert_eq!(
        c.store.set_revocations(forged).unwrap_err().code().as_str(),
        "revocation_list_bad_signature"
    );

    let mut list =
        RevocationList::issue(3, now(), [CertificateId::new("cert-9")], &c.root).unwrap();
    list.verify(&c.root.public_key()).unwrap();
    // Dropping an id from a signed list is detected.
    list.revoked.clear();
    assert_eq!(
        list.verify(&c.root.public_key())
            .unwrap_err()
            .code()
            .as_str(),
        "revocation_list_bad_signature"
    );
    let mut list = RevocationList::issue(3, now(), [], &c.root).unwrap();
    list.sequence = 4;
    assert_eq!(
        list.verify(&c.root.public_key())
            .unwrap_err()
            .code()
            .as_str(),
        "revocation_list_bad_signature"
    );
}

#[test]
fn revocation_list_order_of_ids_does_not_matter_and_json_round_trips() {
    let root = MemoryKeyCustody::generate(&mut OsRng);
    let ids = ["b", "a", "c", "a"].map(CertificateId::new);
    let list = RevocationList::issue(5, t0(), ids, &root).unwrap();
    assert_eq!(list.revoked.len(), 3);
    let back: RevocationList =
        serde_json::from_str(&serde_json::to_string(&list).unwrap()).unwrap();
    back.verify(&root.public_key()).unwrap();
    assert!(back.is_revoked(&CertificateId::new("c")));
    assert!(!back.is_revoked(&CertificateId::new("d")));
}

#[test]
fn trust_store_refuses_certificates_from_another_root_and_id_conflicts() {
    let mut c = city();
    let other_root = MemoryKeyCustody::generate(&mut OsRng);
    let foreign = enrol(&other_root, &c.device, "cert-x", Role::Staff);
    assert_eq!(
        c.store
            .add_certificate(foreign)
            .unwrap_err()
            .code()
            .as_str(),
        "certificate_bad_signature"
    );
    assert!(c.store.certificate(&CertificateId::new("cert-x")).is_none());

    // Same certificate twice: fine. Another certificate under the same id: refused.
    c.store.add_certificate(c.cert.clone()).unwrap();
    let other_device = MemoryKeyCustody::generate(&mut OsRng);
    let clash = enrol(&c.root, &other_device, "cert-1", Role::Staff);
    assert_eq!(
        c.store.add_certificate(clash).unwrap_err().code().as_str(),
        "certificate_id_conflict"
    );
    assert_eq!(c.store.certificates().count(), 1);
}

#[test]
fn signing_with_a_key_the_certificate_does_not_name_is_refused() {
    let c = city();
    let other = MemoryKeyCustody::generate(&mut OsRng);
    let err = SignedEnvelope::sign(b"x".to_vec(), &c.cert, &other).unwrap_err();
    assert_eq!(err.code().as_str(), "key_mismatch");
}

#[test]
fn verify_as_actor_checks_the_claimed_actor() {
    let c = city();
    let env = SignedEnvelope::sign(b"x".to_vec(), &c.cert, &c.device).unwrap();
    let me = Actor::new("staff-0042", Role::Staff, "unit-hualong-gucheng");
    c.store.verify_envelope_as(&env, &me, now()).unwrap();
    let boss = Actor::new("staff-0042", Role::UnitHead, "unit-hualong-gucheng");
    assert_eq!(
        c.store
            .verify_envelope_as(&env, &boss, now())
            .unwrap_err()
            .code()
            .as_str(),
        "actor_mismatch"
    );
}

#[test]
fn batch_verification_names_the_first_bad_signature() {
    let keys: Vec<MemoryKeyCustody> = (0..5)
        .map(|_| MemoryKeyCustody::generate(&mut OsRng))
        .collect();
    let messages: Vec<Vec<u8>> = (0..5u8).map(|i| vec![i; 10]).collect();
    let mut sigs: Vec<_> = keys
        .iter()
        .zip(&messages)
        .map(|(k, m)| k.sign(m).unwrap())
        .collect();
    let pubs: Vec<_> = keys.iter().map(|k| k.public_key()).collect();
    let items = |sigs: &[_]| -> Result<(), hotline_core::identity::IdentityError> {
        let items: Vec<BatchItem<'_>> = (0..5)
            .map(|i| BatchItem {
                message: &messages[i],
                signature: &sigs[i],
                key: &pubs[i],
            })
            .collect();
        verify_batch(&items)
    };
    items(&sigs).unwrap();
    verify_batch(&[]).unwrap();
    sigs[3].raw_mut()[5] ^= 1;
    let err = items(&sigs).unwrap_err();
    assert_eq!(err.code().as_str(), "batch_bad_signature");
    assert!(err.message_en().contains('3'));
}
