//! `uniffi-bindgen`, built from the same uniffi version as hotline-ffi so the generated code
//! always matches the library: `cargo run -p hotline-uniffi-bindgen -- generate --library …`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
