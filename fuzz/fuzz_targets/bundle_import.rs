//! An offline bundle file, whatever its bytes: imported, or refused as damaged, never a panic.
#![no_main]

use hotline_core::sync::bundle;
use hotline_fuzz::{city, quiet_guarded_panics};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    quiet_guarded_panics();
    let mut city = city().lock().unwrap();
    let city = &mut *city;
    let path = city.tmp.path().join("fuzz.hlb");
    std::fs::write(&path, data).unwrap();
    let _ = bundle::import(&mut city.staff, &path, city.now);
});
