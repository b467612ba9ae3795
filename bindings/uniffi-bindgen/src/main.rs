//! `uniffi-bindgen`, built from the same uniffi version as hotline-ffi so the generated code
//! always matches the library: `cargo run -p hotline-uniffi-bindgen -- generate --library …`.
// Product code never unwraps, expects or panics on anything it is given: a bad input is a
// typed error. Declared here, at the crate root, so test code needs no allowances.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

fn main() {
    uniffi::uniffi_bindgen_main()
}
