//! What a peer labels with an algorithm, whatever it says: a signature's binary form, keys and
//! signatures as text, photo names, and a sealed contact opened with an X25519 and an SM2
//! key. Each is a value or a typed refusal — never a panic — and a forged label never verifies.
#![no_main]

use std::sync::OnceLock;

use hotline_core::identity::{
    ContentDigest, ContentName, CryptoSuite, KeyCustody, MemoryKeyCustody, PublicKeyBytes,
    SealedContact, SealingKeypair, SealingPublicKey, SignatureBytes,
};
use libfuzzer_sys::fuzz_target;

struct Keys {
    ed: MemoryKeyCustody,
    sm: MemoryKeyCustody,
    x25519: SealingKeypair,
    sm_sealing: SealingKeypair,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys {
        ed: MemoryKeyCustody::from_secret(CryptoSuite::Ed25519, &[7; 32]).unwrap(),
        sm: MemoryKeyCustody::from_secret(CryptoSuite::Sm, &[7; 32]).unwrap(),
        x25519: SealingKeypair::from_secret(CryptoSuite::Ed25519, [9; 32]).unwrap(),
        sm_sealing: SealingKeypair::from_secret(CryptoSuite::Sm, [9; 32]).unwrap(),
    })
}

fuzz_target!(|data: &[u8]| {
    let k = keys();
    if let Some(sig) = SignatureBytes::from_tagged_bytes(data) {
        assert_eq!(
            SignatureBytes::from_tagged_bytes(&sig.to_tagged_bytes()),
            Some(sig)
        );
        // Arbitrary bytes never pass for a signature of either key over this message.
        assert!(!k.ed.public_key().verify(b"fuzz", &sig));
        assert!(!k.sm.public_key().verify(b"fuzz", &sig));
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = PublicKeyBytes::from_hex(text).map(|key| key.verifier());
        let _ = SignatureBytes::from_hex(text);
        let _ = SealingPublicKey::from_hex(text);
        let _ = SealingKeypair::from_secret_hex(text);
        // A photo's name: only 64 lowercase hex digits, bare or after `sm3:`, ever pass (names
        // become file paths), and a name that passes says its digest by its form.
        if let Some(name) = ContentName::parse(text) {
            assert_eq!(name.hex.len(), 64);
            assert!(
                name.hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            );
            let prefix = match name.digest {
                ContentDigest::Sha256 => "",
                ContentDigest::Sm3 => "sm3:",
            };
            assert_eq!(format!("{prefix}{}", name.hex), text);
        }
    }
    let _ = PublicKeyBytes::from_raw(data);
    let _ = SealingPublicKey::from_raw(data);
    let sealed = SealedContact::from_bytes(data.to_vec());
    let _ = k.x25519.open(&sealed);
    let _ = k.sm_sealing.open(&sealed);
});
