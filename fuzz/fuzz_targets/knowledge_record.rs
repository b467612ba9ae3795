//! What arrives as the knowledge base, whatever it says: a record's JSON payload under any
//! certificate and signature (decoded and checked before the signature is), a list of records
//! as the sync wire carries them, a search query against an FTS5 index (no query text may be
//! read as FTS5 syntax), and a stored duplicate-check fingerprint. A typed refusal or an answer,
//! never a panic or an SQL error.
#![no_main]

use std::sync::{Mutex, OnceLock};

use hotline_core::center::similarity::Fingerprint;
use hotline_core::device::{Device, KbDraft};
use hotline_core::kb::{SignedKb, terms};
use libfuzzer_sys::fuzz_target;

/// A desk whose store holds a few items, made once.
fn desk() -> &'static Mutex<Device> {
    static DESK: OnceLock<Mutex<Device>> = OnceLock::new();
    DESK.get_or_init(|| {
        let city = hotline_fuzz::city().lock().unwrap();
        let mut desk = Device::open(city.desk.store().dir()).unwrap();
        for (id, title) in [("kb-1", "居住证办理"), ("kb-2", "ETC注销 12345"), ("kb-3", "PM2.5查询")] {
            let draft = KbDraft {
                id: id.into(),
                title: title.into(),
                answer: "到窗口办理".into(),
                ..KbDraft::default()
            };
            let _ = desk.kb_publish(None, draft, city.now);
        }
        Mutex::new(desk)
    })
}

fuzz_target!(|data: &[u8]| {
    let desk = desk().lock().unwrap();
    let cert = desk.identities()[0].certificate.body.id.0.clone();
    let record = SignedKb {
        cert,
        signature: vec![0; 64],
        payload: data.to_vec(),
    };
    assert!(record.verify(desk.trust()).is_err(), "a zero signature verified");
    if let Ok(records) = postcard::from_bytes::<Vec<SignedKb>>(data) {
        for r in records.iter().take(16) {
            let _ = r.verify(desk.trust());
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = terms::index_text(text);
        let q = terms::query_terms(text);
        let _ = terms::match_expression(&q);
        let now = hotline_fuzz::at("2026-03-02T09:00:00+08:00");
        desk.kb_search(text, 5, now).expect("any text is a query, never an SQL error");
        let _ = Fingerprint::of(text, text);
    }
    if let Some(f) = Fingerprint::from_bytes(data) {
        let s = f.similarity(&f);
        assert!((0.0..=1.0).contains(&s) || f.is_empty(), "similarity {s}");
    }
});
