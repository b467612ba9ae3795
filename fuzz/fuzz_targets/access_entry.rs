//! What arrives as the access audit log, whatever it says: an entry's JSON payload under any
//! certificate and signature (decoded and checked before the signature is), a list of entries
//! as the sync wire carries them, and a signer's chain made of entries that verify but link
//! anyhow. A typed refusal or a report, never a panic.
#![no_main]

use hotline_core::audit::{AccessEntry, AccessVia, SignedAccess, check_chains};
use hotline_core::key_files::FileKeyCustody;
use hotline_core::model::OrderId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let city = hotline_fuzz::city().lock().unwrap();
    let desk = &city.desk;
    let identity = &desk.identities()[0];
    let cert = identity.certificate.body.id.0.clone();
    let entry = SignedAccess {
        cert: cert.clone(),
        signature: vec![0; 64],
        payload: data.to_vec(),
    };
    assert!(entry.verify(desk.trust()).is_err(), "a zero signature verified");
    if let Ok(entries) = postcard::from_bytes::<Vec<SignedAccess>>(data) {
        for e in entries.iter().take(16) {
            let _ = e.verify(desk.trust());
        }
    }
    // A chain of genuinely signed entries whose places and links the input picks.
    let key = desk.store().dir().join("keys").join(format!("{cert}.key"));
    let Ok(custody) = FileKeyCustody::open(&key) else {
        return;
    };
    let mut verified = Vec::new();
    for (i, pair) in data.chunks(2).take(8).enumerate() {
        let seq = u64::from(pair[0] % 6) + 1;
        let prev = match (seq, pair.get(1)) {
            (1, _) => String::new(),
            (_, Some(b)) => verified
                .get(usize::from(*b) % (verified.len() + 1))
                .map_or_else(|| "00".repeat(32), |v: &hotline_core::audit::VerifiedAccess| v.hash.clone()),
            (_, None) => "ab".repeat(32),
        };
        let e = AccessEntry {
            cert: cert.clone(),
            seq,
            prev,
            at: city.now,
            order: OrderId::new(format!("wo-fuzz-{i}")),
            purpose: "回访".into(),
            via: AccessVia::Device,
        };
        if let Ok(signed) = SignedAccess::sign(&e, &identity.certificate, &custody)
            && let Ok(v) = signed.verify(desk.trust())
        {
            verified.push(v);
        }
    }
    let _ = check_chains(&verified);
});
