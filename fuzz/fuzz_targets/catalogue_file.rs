//! A city's catalogue, whatever it says: as the authority's TOML file, and as the JSON a signed
//! catalogue carries (read by every device once the signature verified). A catalogue or a typed
//! refusal; a valid one answers form checks and proposals without panicking.
#![no_main]

use std::collections::BTreeMap;

use hotline_core::catalogue::{Catalogue, parse_catalogue_toml};
use hotline_core::model::{RequestKind, UnitId};
use libfuzzer_sys::fuzz_target;

fn exercise(c: &Catalogue) {
    for cat in c.categories.iter().take(50) {
        let answers: BTreeMap<String, String> = c
            .attributes(&cat.code)
            .into_iter()
            .map(|a| (a.code.clone(), "1".to_string()))
            .collect();
        if let Ok(values) = c.parse_attributes(&cat.code, &answers) {
            let _ = c.check_intake(1, RequestKind::Complaint, &cat.code, &values);
        }
        let _ = c.propose(chrono::DateTime::UNIX_EPOCH, &[], &cat.code, Some("410902001"));
        let _ = c.check_lead(&cat.code, &UnitId::new("town-a/village-1"));
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(c) = parse_catalogue_toml(text)
    {
        exercise(&c);
    }
    if let Ok(c) = serde_json::from_slice::<Catalogue>(data)
        && c.validate().is_ok()
    {
        exercise(&c);
    }
});
