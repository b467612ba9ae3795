//! Automerge 0.12 alone, without hotline's guard: a change applied to a fork of a real order's
//! document. Finds the assertions the guard exists for (expected to crash; not run in CI).
#![no_main]

use automerge::{Automerge, Change, ReadDoc};
use hotline_fuzz::city;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let city = city().lock().unwrap();
    let Ok(change) = Change::from_bytes(data.to_vec()) else {
        return;
    };
    let mut doc = Automerge::new();
    let base: Vec<Change> = city
        .changes
        .iter()
        .filter_map(|c| Change::from_bytes(c.bytes.clone()).ok())
        .collect();
    if doc.apply_changes(base).is_err() {
        return;
    }
    let mut fork = doc.fork();
    if fork.apply_changes([change]).is_ok() {
        let _ = fork.keys(automerge::ROOT).count();
    }
});
