//! A sync request through the hub's `serve`, signed by an enrolled person so it gets past the
//! signature to the body: whatever the body holds, the hub answers or refuses with a code.
#![no_main]

use hotline_core::sync::http::messages::SYNC_PATH;
use hotline_core::sync::{serve, sign_request};
use hotline_fuzz::{city, quiet_guarded_panics};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    quiet_guarded_panics();
    let mut city = city().lock().unwrap();
    let city = &mut *city;
    let req = sign_request(&city.desk, None, SYNC_PATH, &[], data.to_vec()).unwrap();
    let _ = serve(&mut city.hub, &city.dir, &req, city.now);
});
