use hotline_core::Coded;
use hotline_core::identity::{ContactDetails, SealedContact, SealingKeypair, SealingPublicKey};
use rand_core::OsRng;

fn citizen() -> ContactDetails {
    ContactDetails {
        name: Some("张三丰".to_string()),
        phone: Some("13912345678".to_string()),
        id_number: Some("410902199001011234".to_string()),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn only_the_platform_can_open() {
    let platform = SealingKeypair::generate(&mut OsRng);
    // The kiosk only ever holds the public key.
    let kiosk_knows: SealingPublicKey = platform.public_key();
    let sealed = citizen().seal_to(&kiosk_knows, &mut OsRng).unwrap();
    assert_eq!(platform.open(&sealed).unwrap(), citizen());

    let stranger = SealingKeypair::generate(&mut OsRng);
    let err = stranger.open(&sealed).unwrap_err();
    assert_eq!(err.code().as_str(), "wrong_key");
}

#[test]
fn sealed_bytes_do_not_contain_the_plaintext() {
    let platform = SealingKeypair::generate(&mut OsRng);
    let sealed = citizen()
        .seal_to(&platform.public_key(), &mut OsRng)
        .unwrap();
    let bytes = sealed.as_bytes();
    for secret in [
        "张三丰",
        "13912345678",
        "410902199001011234",
        "name",
        "phone",
    ] {
        assert!(!contains(bytes, secret.as_bytes()), "{secret} leaked");
    }
    let json = serde_json::to_string(&sealed).unwrap();
    assert!(!json.contains("13912345678"));
}

#[test]
fn sealing_twice_gives_different_bytes() {
    let platform = SealingKeypair::generate(&mut OsRng);
    let a = citizen()
        .seal_to(&platform.public_key(), &mut OsRng)
        .unwrap();
    let b = citizen()
        .seal_to(&platform.public_key(), &mut OsRng)
        .unwrap();
    assert_ne!(a, b);
}

#[test]
fn length_does_not_reveal_how_long_the_details_are() {
    let platform = SealingKeypair::generate(&mut OsRng);
    let short = ContactDetails {
        name: Some("王".into()),
        phone: None,
        id_number: None,
    };
    let longer = ContactDetails {
        name: Some("欧阳明月".into()),
        phone: Some("13800000000".into()),
        id_number: None,
    };
    let a = short.seal_to(&platform.public_key(), &mut OsRng).unwrap();
    let b = longer.seal_to(&platform.public_key(), &mut OsRng).unwrap();
    assert_eq!(a.as_bytes().len(), b.as_bytes().len());
    assert_eq!(platform.open(&a).unwrap(), short);
    assert_eq!(platform.open(&b).unwrap(), longer);
}

#[test]
fn empty_contact_round_trips() {
    let platform = SealingKeypair::generate(&mut OsRng);
    let sealed = ContactDetails::default()
        .seal_to(&platform.public_key(), &mut OsRng)
        .unwrap();
    assert_eq!(platform.open(&sealed).unwrap(), ContactDetails::default());
}

#[test]
fn altered_or_malformed_sealed_bytes_are_typed_errors() {
    let platform = SealingKeypair::generate(&mut OsRng);
    let sealed = citizen()
        .seal_to(&platform.public_key(), &mut OsRng)
        .unwrap();

    let mut bytes = sealed.clone().into_bytes();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    assert_eq!(
        platform
            .open(&SealedContact::from_bytes(bytes))
            .unwrap_err()
            .code()
            .as_str(),
        "wrong_key"
    );

    for bad in [Vec::new(), vec![1u8], vec![1u8; 20], {
        let mut b = sealed.clone().into_bytes();
        b[0] = 9;
        b
    }] {
        let err = platform.open(&SealedContact::from_bytes(bad)).unwrap_err();
        assert!(
            ["open_failed", "wrong_key"].contains(&err.code().as_str()),
            "{}",
            err.code()
        );
    }
    let err = platform
        .open(&SealedContact::from_bytes(Vec::new()))
        .unwrap_err();
    assert_eq!(err.code().as_str(), "open_failed");
}

#[test]
fn keypair_bytes_round_trip() {
    let platform = SealingKeypair::generate(&mut OsRng);
    let again = SealingKeypair::from_secret_bytes(platform.to_secret_bytes());
    assert_eq!(again.public_key(), platform.public_key());
    let sealed = citizen()
        .seal_to(&platform.public_key(), &mut OsRng)
        .unwrap();
    assert_eq!(again.open(&sealed).unwrap(), citizen());

    let hex = platform.public_key().to_hex();
    assert_eq!(
        SealingPublicKey::from_hex(&hex).unwrap(),
        platform.public_key()
    );
    let json = serde_json::to_string(&platform.public_key()).unwrap();
    assert_eq!(json, format!("\"{hex}\""));
    assert_eq!(
        SealingPublicKey::from_hex("xyz")
            .unwrap_err()
            .code()
            .as_str(),
        "invalid_encoding"
    );
    assert!(!format!("{platform:?}").contains(&hex::encode(platform.to_secret_bytes())));
}

#[test]
fn hub_reseals_to_the_unit_unless_confidential() {
    let platform = SealingKeypair::generate(&mut OsRng);
    let unit = SealingKeypair::generate(&mut OsRng);
    let sealed = citizen()
        .seal_to(&platform.public_key(), &mut OsRng)
        .unwrap();

    let for_unit = platform
        .reseal_for_unit(&sealed, &unit.public_key(), false, &mut OsRng)
        .unwrap();
    assert_eq!(unit.open(&for_unit).unwrap(), citizen());
    assert_eq!(
        platform.open(&for_unit).unwrap_err().code().as_str(),
        "wrong_key"
    );
    // The unit cannot read what was sealed to the platform.
    assert_eq!(unit.open(&sealed).unwrap_err().code().as_str(), "wrong_key");

    let err = platform
        .reseal_for_unit(&sealed, &unit.public_key(), true, &mut OsRng)
        .unwrap_err();
    assert_eq!(err.code().as_str(), "order_confidential");
}

#[test]
fn debug_of_contact_details_shows_no_personal_data() {
    let shown = format!("{:?}", citizen());
    for secret in ["张三丰", "13912345678", "410902199001011234"] {
        assert!(!shown.contains(secret));
    }
}
