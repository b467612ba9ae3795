//! The files and strings a jurisdiction and its center give hotline, whatever they say: a
//! policy file, the assessment inputs, the warning settings, a report's period — each a value
//! or a typed refusal. And citizens' texts (peer input inside signed records) through the
//! similarity the concentrated-complaints warning clusters them by: a score in [0, 1].
#![no_main]

use hotline_core::center::similarity::{ClusterConfig, ClusterItem, TextSignature, cluster};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = hotline_core::policy::parse_policy_toml(text);
    let _ = hotline_core::center::assessment::AssessmentInputs::from_toml_str(text);
    let _ = hotline_core::center::WarningConfig::from_toml_str(text);
    let _ = hotline_core::center::Period::month(text);
    let _ = hotline_core::center::Period::week(text);
    // Two texts of one request (split at the first line break): scored and clustered.
    let (a, b) = text.split_once('\n').unwrap_or((text, ""));
    let s = TextSignature::of(a).similarity(&TextSignature::of(b));
    assert!((0.0..=1.0).contains(&s), "similarity {s}");
    // As records hold them: an address is a short field (limits.rs).
    let cut = b
        .char_indices()
        .nth(hotline_core::limits::MAX_SHORT_CHARS)
        .map_or(b.len(), |(i, _)| i);
    let address = &b[..cut];
    let items = [a, b, a].map(|t| ClusterItem { place: "", address, kind: "complaint", text: t });
    let groups = cluster(&items, &ClusterConfig::default());
    assert_eq!(groups.iter().map(Vec::len).sum::<usize>(), items.len());
});
