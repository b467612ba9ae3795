//! A jurisdiction's policy file, whatever it says: a policy or a typed refusal naming the field.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = hotline_core::policy::parse_policy_toml(text);
    }
});
