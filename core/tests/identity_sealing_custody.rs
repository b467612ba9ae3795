//! The keys that open citizens' contact details go through a custody, as signing keys do: in
//! a 0600 key file of their own on a desk, or wherever the app keeps them (the Keystore, the
//! Keychain) — and a store from before is moved into key files on its first open.

use std::sync::Arc;

use hotline_core::device::Device;
use hotline_core::identity::{
    CryptoSuite, IdentityError, SealingCustody, SealingKeypair, SealingPublicKey,
};
use hotline_core::key_files::{FileKeyCustody, FileSealingCustody};
use hotline_core::model::Role;
use hotline_testkit::store::names_in;
use hotline_testkit::*;

/// A kiosk's complaint, dispatched to unit A by a desk; returns the desk and the order.
fn dispatched(city: &mut City) -> (Device, hotline_core::model::OrderId) {
    // Units first, so the desk's credential carries their sealing keys.
    city.credential(Role::Staff, UNIT_A, "staff-a-enrol");
    let mut kiosk = city.device("kiosk", Role::Kiosk, "center");
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    city.introduce(&mut desk);
    let now = t("2026-03-02T09:00:00+08:00");
    let order = kiosk.submit(None, request("噪音扰民"), now).unwrap().order;
    copy_order(&kiosk, &mut desk, &order, now);
    register_and_dispatch(&mut desk, &order, UNIT_A, now);
    (desk, order)
}

#[test]
fn sealing_keys_live_in_key_files_of_their_own() {
    let mut city = City::new("turpan");
    let (desk, order) = dispatched(&mut city);
    let names = names_in(&city.dir("desk").join("keys"));
    assert!(
        names.iter().any(|n| n.ends_with(".platform-sealing.key")),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n.ends_with(".json")), "{names:?}");
    let path = city.dir("desk").join("keys").join(
        names
            .iter()
            .find(|n| n.ends_with(".platform-sealing.key"))
            .unwrap(),
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let header = match test_suite() {
        CryptoSuite::Ed25519 => "hotline-key v1 x25519-sealing\nsecret ",
        CryptoSuite::Sm => "hotline-key v1 sm2-sealing\nsecret ",
    };
    assert!(text.starts_with(header), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(
        desk.contact(None, &order, "回访 callback", chrono::Utc::now())
            .unwrap()
            .phone
            .as_deref(),
        Some("13912345678")
    );
    // A damaged key file is named, never silently another key.
    let mut damaged = text.clone().into_bytes();
    damaged[40] = if damaged[40] == b'0' { b'1' } else { b'0' };
    std::fs::write(&path, damaged).unwrap();
    assert!(matches!(
        FileSealingCustody::open(&path),
        Err(IdentityError::KeyFileCorrupt { .. })
    ));
}

#[test]
fn a_store_from_before_moves_its_sealing_secrets_into_key_files() {
    // Stores from before suites existed are ed25519 (X25519 sealing) by definition.
    let mut city = City::new_in(CryptoSuite::Ed25519, "turpan");
    let (desk, order) = dispatched(&mut city);
    drop(desk);
    // Rewrite the desk's keys folder the way earlier versions kept it: one JSON of hex.
    let keys = city.dir("desk").join("keys");
    let file = names_in(&keys)
        .into_iter()
        .find(|n| n.ends_with(".platform-sealing.key"))
        .unwrap();
    let cert = file.trim_end_matches(".platform-sealing.key").to_string();
    let secret = std::fs::read_to_string(keys.join(&file))
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .trim_start_matches("secret ")
        .to_string();
    std::fs::remove_file(keys.join(&file)).unwrap();
    let legacy = keys.join(format!("{cert}.sealing.json"));
    std::fs::write(&legacy, format!(r#"{{"unit":null,"platform":"{secret}"}}"#)).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&legacy, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let desk = Device::open(&city.dir("desk")).unwrap();
    assert!(!legacy.exists(), "moved, not copied");
    assert!(keys.join(&file).exists());
    assert_eq!(
        desk.contact(None, &order, "回访 callback", chrono::Utc::now())
            .unwrap()
            .name
            .as_deref(),
        Some("王秀英")
    );
}

/// What an app's Keystore-backed custody looks like to the core: it opens sealed boxes and
/// counts how often it was asked.
struct AppHeld {
    key: SealingKeypair,
    opened: std::sync::atomic::AtomicUsize,
}

impl SealingCustody for AppHeld {
    fn public_key(&self) -> SealingPublicKey {
        self.key.public_key()
    }
    fn unseal(&self, sealed_box: &[u8]) -> Result<Vec<u8>, IdentityError> {
        self.opened
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.key.unseal(sealed_box)
    }
}

#[test]
fn a_sealing_key_held_by_the_app_opens_instead_of_a_file() {
    let mut city = City::new("turpan");
    let (desk, order) = dispatched(&mut city);
    drop(desk);
    // The app took the secret into its own store; the store folder keeps no sealing key file.
    let keys = city.dir("desk").join("keys");
    let file = names_in(&keys)
        .into_iter()
        .find(|n| n.ends_with(".platform-sealing.key"))
        .unwrap();
    let secret = FileSealingCustody::open(&keys.join(&file)).unwrap();
    let held = Arc::new(AppHeld {
        key: SealingKeypair::from_secret(test_suite(), {
            let text = std::fs::read_to_string(secret.path()).unwrap();
            let mut out = [0u8; 32];
            hex::decode_to_slice(
                text.lines().nth(1).unwrap().trim_start_matches("secret "),
                &mut out,
            )
            .unwrap();
            out
        })
        .unwrap(),
        opened: 0.into(),
    });
    std::fs::remove_file(keys.join(&file)).unwrap();
    let signing = names_in(&keys)
        .into_iter()
        .find(|n| n.ends_with(".key") && !n.contains("sealing"))
        .unwrap();
    let signing = Arc::new(FileKeyCustody::open(&keys.join(signing)).unwrap());
    let without = Device::open(&city.dir("desk")).unwrap();
    assert!(
        without
            .contact(None, &order, "回访 callback", chrono::Utc::now())
            .is_err(),
        "no key, no contact"
    );
    drop(without);
    let desk =
        Device::open_with_custodies(&city.dir("desk"), Some(signing), vec![held.clone()]).unwrap();
    assert_eq!(
        desk.contact(None, &order, "回访 callback", chrono::Utc::now())
            .unwrap()
            .phone
            .as_deref(),
        Some("13912345678")
    );
    assert!(held.opened.load(std::sync::atomic::Ordering::SeqCst) >= 1);
}
