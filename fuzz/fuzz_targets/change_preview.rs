//! A change received for an order, through everything the device and the hub do with it before
//! it is stored: size checks, decoding, the preview on a fork of the order's document (where
//! Automerge 0.12 can assert — the guard must turn that into a refusal), and a rebuild of the
//! document with it.
#![no_main]

use hotline_core::doc::{OrderDoc, actor_for_device, decode_change};
use hotline_fuzz::{city, quiet_guarded_panics};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    quiet_guarded_panics();
    let city = city().lock().unwrap();
    let Ok(change) = decode_change(data, None) else {
        return;
    };
    let mut changes: Vec<_> = city
        .changes
        .iter()
        .map(|c| decode_change(&c.bytes, None).unwrap())
        .collect();
    let doc = OrderDoc::from_changes(&city.order, actor_for_device(b"fuzz"), changes.clone())
        .unwrap();
    let _ = doc.preview(&change).map(|(effect, after)| (effect, after.events()));
    changes.push(change);
    let _ = OrderDoc::from_changes(&city.order, actor_for_device(b"fuzz"), changes);
});
