//! The national (SM) suite through hotline's own code: the standards' worked examples for SM3
//! (GB/T 32905-2016, Annex A), SM2 signatures (GM/T 0003.5-2012, Annex A.2) and SM4-GCM
//! (RFC 8998, Annex A.1); an SM city whose devices sign, seal and sync; a city that never mixes
//! suites; and an independent implementation (PyPI's `gmssl`, with `cryptography` for SM4-GCM)
//! that verifies what hotline signed, hashed and sealed.

use std::io::Write;
use std::process::{Command, Stdio};

use hotline_core::Coded;
use hotline_core::device::{PhotoInput, PhotoSource};
use hotline_core::identity::{
    Certificate, ContactDetails, CryptoSuite, IdentityError, KeyCustody, MemoryKeyCustody,
    PublicKeyBytes, SM2_TAG, SealedContact, SealingCustody, SealingKeypair, SealingPublicKey,
    SignatureBytes, TrustStore, Verifier, change_message, sm_envelope,
};
use hotline_core::key_files::{FileKeyCustody, FileSealingCustody};
use hotline_core::model::Role;
use hotline_testkit::link::MemoryHub;
use hotline_testkit::{City, UNIT_A, jpeg, register_and_dispatch, request, sign_for, t};
use rand_core::OsRng;

fn unhex(s: &str) -> Vec<u8> {
    let digits: String = s.split_whitespace().collect();
    hex::decode(digits).unwrap()
}

#[test]
fn sm3_gives_the_standards_digests() {
    // GB/T 32905-2016 Annex A: example 1 ("abc") and example 2 ("abcd" sixteen times).
    for (message, digest) in [
        (
            b"abc".to_vec(),
            "66c7f0f4 62eeedd9 d1f2d46b dc10e4e2 4167c487 5cf2f7a2 297da02b 8f4ba8e0",
        ),
        (
            b"abcd".repeat(16),
            "debe9ff9 2275b8a1 38604889 c18e5a4d 6fdb70e5 387e5765 293dcba3 9c0c5732",
        ),
    ] {
        assert_eq!(CryptoSuite::Sm.digest(&message).to_vec(), unhex(digest));
    }
}

#[test]
fn the_standards_sm2_signature_verifies_and_a_changed_one_does_not() {
    // GM/T 0003.5-2012 Annex A.2 (also GB/T 32918.5-2017): the recommended 256-bit curve, the
    // default signer identifier 1234567812345678, message "message digest".
    let secret: [u8; 32] =
        unhex("3945208F 7B2144B1 3F36E38A C6D39F95 88939369 2860B51A 42FB81EF 4DF7C5B8")
            .try_into()
            .unwrap();
    let public = unhex(
        "04 09F9DF31 1E5421A1 50DD7D16 1E4BC5C6 72179FAD 1833FC07 6BB08FF3 56F35020
            CCEA490C E26775A5 2DC6EA71 8CC1AA60 0AED05FB F35E084A 6632F607 2DA9AD13",
    );
    let mut signature: [u8; 64] = unhex(
        "F5A03B06 48D2C463 0EEAC513 E1BB81A1 5944DA38 27D5B741 43AC7EAC EEE720B3
         B1B6AA29 DF212FD8 763182BC 0D421CA1 BB9038FD 1F7F42D4 840B69C4 85BBC1AA",
    )
    .try_into()
    .unwrap();
    // The key hotline derives from the secret is the standard's.
    let custody = MemoryKeyCustody::from_secret(CryptoSuite::Sm, &secret).unwrap();
    assert_eq!(custody.public_key().as_bytes(), public.as_slice());

    // hotline's own check (its identifier is the standard's default) accepts it …
    let key = custody.public_key();
    assert!(key.verify(b"message digest", &SignatureBytes::Sm2(signature)));
    // … but not for another message, nor the same bytes labelled ed25519, nor under another
    // signer identifier (the Z value differs).
    assert!(!key.verify(b"message digesT", &SignatureBytes::Sm2(signature)));
    assert!(!key.verify(b"message digest", &SignatureBytes::Ed25519(signature)));
    let alice = Verifier::sm2_for_identity(&public, "ALICE123@YAHOO.COM").unwrap();
    assert!(!alice.verify(b"message digest", &SignatureBytes::Sm2(signature)));
    signature[63] ^= 1;
    assert!(!key.verify(b"message digest", &SignatureBytes::Sm2(signature)));
}

#[test]
fn keys_and_signatures_carry_their_algorithm_in_text_and_bytes() {
    let sm = MemoryKeyCustody::generate_in(CryptoSuite::Sm, &mut OsRng);
    let ed = MemoryKeyCustody::generate_in(CryptoSuite::Ed25519, &mut OsRng);
    let (sm_key, ed_key) = (sm.public_key(), ed.public_key());
    assert!(sm_key.to_hex().starts_with("sm2:04"));
    // An ed25519 key reads and writes exactly as before suites existed.
    assert_eq!(ed_key.to_hex().len(), 64);
    for key in [sm_key, ed_key] {
        assert_eq!(PublicKeyBytes::from_hex(&key.to_hex()).unwrap(), key);
        assert_eq!(PublicKeyBytes::from_raw(key.as_bytes()).unwrap(), key);
    }
    let sig = sm.sign(b"hello").unwrap();
    let bytes = sig.to_tagged_bytes();
    assert_eq!((bytes.len(), bytes[0]), (65, SM2_TAG));
    assert_eq!(SignatureBytes::from_tagged_bytes(&bytes), Some(sig));
    assert_eq!(SignatureBytes::from_hex(&sig.to_hex()).unwrap(), sig);
    let ed_sig = ed.sign(b"hello").unwrap();
    assert_eq!(ed_sig.to_tagged_bytes().len(), 64);
    assert!(sm_key.verify(b"hello", &sig) && ed_key.verify(b"hello", &ed_sig));
    // Neither key accepts the other's signature, nor its own bytes under the other label.
    assert!(!sm_key.verify(b"hello", &ed_sig) && !ed_key.verify(b"hello", &sig));
    assert!(!sm_key.verify(b"hello", &SignatureBytes::Ed25519(*sig.raw())));
    // 64 bytes are an ed25519 signature by definition; anything else needs the SM2 tag.
    for bad in [&bytes[..63], &[0x07; 65][..], &[SM2_TAG; 66][..], &[][..]] {
        assert_eq!(
            SignatureBytes::from_tagged_bytes(bad),
            None,
            "{}",
            bad.len()
        );
    }
}

/// A city of `suite` with a kiosk and a dispatcher's desk, and one request taken at the kiosk.
fn kiosk_desk_and_order(
    suite: CryptoSuite,
) -> (
    City,
    hotline_core::device::Device,
    hotline_core::device::Device,
    hotline_core::model::OrderId,
) {
    let mut city = City::new_in(suite, "turpan");
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let desk = city.device("desk", Role::Dispatcher, "center");
    let order = kiosk
        .submit(None, request("路灯不亮"), t("2026-03-02T09:00:00+08:00"))
        .unwrap()
        .order;
    (city, kiosk, desk, order)
}

#[test]
fn an_sm_city_signs_enrols_and_syncs_with_sm2_throughout() {
    let (city, mut kiosk, mut desk, order) = kiosk_desk_and_order(CryptoSuite::Sm);
    assert_eq!(city.authority.suite(), CryptoSuite::Sm);
    let identity = kiosk.identity(None).unwrap();
    assert_eq!(
        identity.certificate.body.device_key.suite(),
        CryptoSuite::Sm
    );
    let change = &kiosk.export_changes(&order).unwrap()[0];
    assert_eq!(
        change.signature[0], SM2_TAG,
        "the stored change names its algorithm"
    );

    let mut hub = MemoryHub::new(&city, "hub");
    let now = t("2026-03-02T10:00:00+08:00");
    hub.sync(&mut kiosk, now);
    hub.sync(&mut desk, now);
    assert_eq!(
        desk.export_changes(&order).unwrap(),
        kiosk.export_changes(&order).unwrap()
    );
    assert_eq!(
        desk.show(&order).unwrap().state,
        kiosk.show(&order).unwrap().state
    );
    // Both stores verify whole with SM2.
    assert!(desk.verify().unwrap().ok());
}

#[test]
fn a_city_never_mixes_suites() {
    let sm_root = MemoryKeyCustody::generate_in(CryptoSuite::Sm, &mut OsRng);
    let ed_root = MemoryKeyCustody::generate_in(CryptoSuite::Ed25519, &mut OsRng);
    let mut ed_city = City::new_in(CryptoSuite::Ed25519, "turpan");
    let cred = ed_city.credential(Role::Kiosk, "center", "kiosk-1");
    let ed_body = cred.certificate.body.clone();

    // The SM root will not issue a certificate for an ed25519 key …
    let err = Certificate::issue(ed_body.clone(), &sm_root).unwrap_err();
    assert!(matches!(
        err,
        IdentityError::SuiteMismatch {
            city: CryptoSuite::Sm,
            found: CryptoSuite::Ed25519
        }
    ));
    assert_eq!(err.code().as_str(), "crypto_suite_mismatch");
    // … and an SM city's trust store refuses one its root signed anyway.
    let forged = Certificate {
        signature: sm_root.sign(&ed_body.signed_bytes()).unwrap(),
        body: ed_body,
    };
    let mut trust = TrustStore::new(sm_root.public_key()).unwrap();
    let err = trust.add_certificate(forged).unwrap_err();
    assert_eq!(err.code().as_str(), "crypto_suite_mismatch");
    // An ed25519 root's signature means nothing to an SM city, nor the other way round.
    let mut sm_body = cred.certificate.body.clone();
    sm_body.device_key = MemoryKeyCustody::generate_in(CryptoSuite::Sm, &mut OsRng).public_key();
    let sm_cert = Certificate::issue(sm_body, &sm_root).unwrap();
    assert!(sm_cert.verify_signature(&sm_root.public_key()).is_ok());
    assert!(sm_cert.verify_signature(&ed_root.public_key()).is_err());
}

/// Signs with hotline's SM2 custody and hashes with hotline's SM3, then asks `gmssl` (a
/// Python implementation written independently of RustCrypto) to check every one.
#[test]
fn gmssl_verifies_hotlines_sm2_signatures_and_sm3_digests() {
    let mut city = City::new_in(CryptoSuite::Sm, "turpan");
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let order = kiosk
        .submit(None, request("噪音扰民"), t("2026-03-02T09:00:00+08:00"))
        .unwrap()
        .order;
    let change = &kiosk.export_changes(&order).unwrap()[0];
    let identity = kiosk.identity(None).unwrap();
    let signed = change_message(&identity.certificate.body.id, &change.bytes);
    let key = identity.certificate.body.device_key;

    let custody = MemoryKeyCustody::generate_in(CryptoSuite::Sm, &mut OsRng);
    let mut sm2 = vec![(
        hex::encode(key.as_bytes()),
        hex::encode(&signed),
        hex::encode(&change.signature[1..]),
    )];
    for message in [
        &b""[..],
        b"abc",
        "市民热线 12345".as_bytes(),
        &[0xffu8; 1000],
    ] {
        let sig = custody.sign(message).unwrap();
        sm2.push((
            hex::encode(custody.public_key().as_bytes()),
            hex::encode(message),
            hex::encode(sig.raw()),
        ));
    }
    let sm3: Vec<(String, String)> = [&b"abc"[..], &signed, "诉求".as_bytes()]
        .iter()
        .map(|m| (hex::encode(m), hex::encode(CryptoSuite::Sm.digest(m))))
        .collect();
    let input = serde_json::json!({ "sm2": sm2, "sm3": sm3 }).to_string();

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/gmssl_check.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "gmssl refused: {report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        report.lines().filter(|l| l.contains(" ok ")).count(),
        8,
        "{report}"
    );
}

#[test]
fn sm4_gcm_gives_the_rfc_8998_vector() {
    // RFC 8998 Appendix A.1 (SM4-GCM, the GB/T 36624 mode).
    let key: [u8; 16] = unhex("0123456789ABCDEFFEDCBA9876543210")
        .try_into()
        .unwrap();
    let nonce: [u8; 12] = unhex("00001234567800000000ABCD").try_into().unwrap();
    let aad = unhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2");
    let plain = unhex(
        "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB CCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD
         EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFF EEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA",
    );
    let expected = unhex(
        "17F399F08C67D5EE19D0DC9969C4BB7D 5FD46FD3756489069157B282BB200735
         D82710CA5C22F0CCFA7CBF93D496AC15 A56834CBCF98C397B4024A2691233B8D
         83DE3541E4C2B58177E065A9BF7B62EC",
    );
    let sealed = sm_envelope::sm4_gcm_seal(&key, &nonce, &aad, &plain).unwrap();
    assert_eq!(sealed, expected);
    assert_eq!(
        sm_envelope::sm4_gcm_open(&key, &nonce, &aad, &sealed).unwrap(),
        plain
    );
    let mut altered = sealed.clone();
    altered[70] ^= 1;
    assert!(sm_envelope::sm4_gcm_open(&key, &nonce, &aad, &altered).is_err());
    assert!(sm_envelope::sm4_gcm_open(&key, &nonce, b"other", &sealed).is_err());
}

fn citizen() -> ContactDetails {
    ContactDetails {
        name: Some("张三丰".to_string()),
        phone: Some("13912345678".to_string()),
        id_number: None,
    }
}

#[test]
fn contacts_sealed_in_an_sm_city_open_only_with_its_sm2_key() {
    let platform = SealingKeypair::generate_in(CryptoSuite::Sm, &mut OsRng);
    assert!(platform.public_key().to_hex().starts_with("sm2:04"));
    let sealed = citizen()
        .seal_to(&platform.public_key(), &mut OsRng)
        .unwrap();
    let bytes = sealed.as_bytes();
    assert_eq!(bytes[0], 2, "the format byte names the SM2 envelope");
    assert!(!bytes.windows(11).any(|w| w == b"13912345678"));
    assert_eq!(platform.open(&sealed).unwrap(), citizen());

    // Another SM2 key, or an X25519 key, cannot open it; nor can anyone once it is altered.
    for stranger in [
        SealingKeypair::generate_in(CryptoSuite::Sm, &mut OsRng),
        SealingKeypair::generate(&mut OsRng),
    ] {
        assert_eq!(
            stranger.open(&sealed).unwrap_err().code().as_str(),
            "wrong_key"
        );
    }
    for at in [1, 70, 120, bytes.len() - 1] {
        let mut altered = bytes.to_vec();
        altered[at] ^= 1;
        let err = platform
            .open(&SealedContact::from_bytes(altered))
            .unwrap_err();
        assert_eq!(err.code().as_str(), "wrong_key", "byte {at}");
    }
    // An X25519 box never opens with the SM2 key either.
    let x25519 = SealingKeypair::generate(&mut OsRng);
    let old = citizen().seal_to(&x25519.public_key(), &mut OsRng).unwrap();
    assert_eq!(
        platform.open(&old).unwrap_err().code().as_str(),
        "wrong_key"
    );

    // The secret's text names its algorithm and reads back to the same key.
    let again = SealingKeypair::from_secret_hex(&platform.to_secret_hex()).unwrap();
    assert_eq!(again.public_key(), platform.public_key());
    assert_eq!(
        SealingPublicKey::from_hex(&platform.public_key().to_hex()).unwrap(),
        platform.public_key()
    );
}

#[test]
fn an_sm_sealing_key_file_keeps_its_algorithm() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unit.key");
    let key = SealingKeypair::generate_in(CryptoSuite::Sm, &mut OsRng);
    FileSealingCustody::import_keypair(&path, &key).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("hotline-key v1 sm2-sealing\n"), "{text}");
    let opened = FileSealingCustody::open(&path).unwrap();
    assert_eq!(opened.public_key(), key.public_key());
    let sealed = citizen().seal_to(&key.public_key(), &mut OsRng).unwrap();
    assert_eq!(sealed.open_with(&opened).unwrap(), citizen());
    // A signing key file of the SM suite too.
    let signing = dir.path().join("device.key");
    let created = FileKeyCustody::create_in(CryptoSuite::Sm, &signing, &mut OsRng).unwrap();
    assert!(
        std::fs::read_to_string(&signing)
            .unwrap()
            .starts_with("hotline-key v1 sm2\n")
    );
    let reopened = FileKeyCustody::open(&signing).unwrap();
    assert_eq!(reopened.public_key(), created.public_key());
    let sig = reopened.sign(b"hello").unwrap();
    assert!(created.public_key().verify(b"hello", &sig));
}

#[test]
fn an_sm_city_seals_contacts_for_the_center_and_reseals_them_for_the_unit() {
    let mut city = City::new_in(CryptoSuite::Sm, "turpan");
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let desk_dev = city.device("desk", Role::Dispatcher, "center");
    let mut staff = city.device("staff-a", Role::Staff, UNIT_A);
    let order = kiosk
        .submit(None, request("路灯不亮"), t("2026-03-02T09:00:00+08:00"))
        .unwrap()
        .order;
    assert!(
        city.authority
            .platform_public()
            .to_hex()
            .starts_with("sm2:")
    );
    let mut hub = MemoryHub::new(&city, "hub");
    let now = t("2026-03-02T10:00:00+08:00");
    hub.sync(&mut kiosk, now);
    let mut desk = desk_dev;
    hub.sync(&mut desk, now);
    let expected = request("路灯不亮").contact.unwrap();
    assert_eq!(
        desk.contact(None, &order, "回访 callback", chrono::Utc::now())
            .unwrap(),
        expected
    );
    // Dispatched to a unit: its staff read the copy sealed to the unit's SM2 key.
    register_and_dispatch(&mut desk, &order, UNIT_A, now);
    hub.sync(&mut desk, now);
    hub.sync(&mut staff, now);
    assert_eq!(
        staff
            .contact(None, &order, "回访 callback", chrono::Utc::now())
            .unwrap(),
        expected
    );
    // The staff's site photo is named by SM3, stored under that name and verified with SM3.
    staff.act(None, &order, sign_for(), now).unwrap();
    let shown = staff
        .add_evidence(
            None,
            &order,
            vec![PhotoInput {
                source: PhotoSource::Bytes(jpeg(b"the lamp post, repaired")),
                media_type: "image/jpeg".into(),
                captured_at: Some(now),
                gps: None,
            }],
            None,
            "现场照片".into(),
            now,
        )
        .unwrap();
    let name = shown.state.site_evidence[0].content.photos[0]
        .sha256
        .clone();
    assert!(name.starts_with("sm3:"), "{name}");
    assert!(staff.store().blob_path(&name).unwrap().is_file());
    assert!(staff.verify().unwrap().ok());
}

/// A peer that relabels a genuine signature with the other algorithm (or strips the SM2 tag)
/// gets the change refused as a bad signature, in either kind of city; the untouched change
/// is then taken.
#[test]
fn a_signature_relabelled_by_a_peer_is_refused() {
    for suite in CryptoSuite::ALL {
        let (_city, kiosk, mut desk, order) = kiosk_desk_and_order(suite);
        let genuine = kiosk.export_changes(&order).unwrap().remove(0);
        let raw = match SignatureBytes::from_tagged_bytes(&genuine.signature).unwrap() {
            SignatureBytes::Ed25519(b) | SignatureBytes::Sm2(b) => b,
        };
        let other = match suite {
            CryptoSuite::Ed25519 => SignatureBytes::Sm2(raw),
            CryptoSuite::Sm => SignatureBytes::Ed25519(raw),
        };
        let mut relabelled = genuine.clone();
        relabelled.signature = other.to_tagged_bytes();
        let now = t("2026-03-02T10:00:00+08:00");
        let err = desk.import_change(&relabelled, now).unwrap_err();
        assert_eq!(err.code().as_str(), "bad_signature", "{suite}");
        assert!(desk.import_change(&genuine, now).is_ok(), "{suite}");
    }
}
