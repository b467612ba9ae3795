//! Knowledge-base records converge whatever order they arrive in: two staff of a unit updating
//! one item offline at once, the center updating another's, records relayed in any order — every
//! store that takes the same records keeps them all and shows the same current version of every
//! item (the highest version, then the latest, then the hash).

use hotline_core::device::{Device, KbDraft};
use hotline_core::kb::SignedKb;
use hotline_core::model::{Role, UnitId};
use hotline_testkit::*;
use proptest::prelude::*;

const UNITS: [&str; 2] = ["unit-a", "unit-b"];

/// What each of five devices publishes: (device, item 0..4, minutes after the start).
fn script() -> impl Strategy<Value = Vec<(usize, usize, u32)>> {
    prop::collection::vec((0usize..5, 0usize..4, 0u32..600), 1..24)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_arrival_order_gives_the_same_items(
        steps in script(),
        seed_a in any::<u64>(),
        seed_b in any::<u64>(),
    ) {
        let mut city = City::new("puyang");
        // Two staff of each unit and the center desk, each with its own offline copy.
        let mut devices: Vec<(Device, Option<&str>)> = vec![
            (city.device("a1", Role::Staff, UNITS[0]), Some(UNITS[0])),
            (city.device("a2", Role::Staff, UNITS[0]), Some(UNITS[0])),
            (city.device("b1", Role::Staff, UNITS[1]), Some(UNITS[1])),
            (city.device("b2", Role::Staff, UNITS[1]), Some(UNITS[1])),
            (city.device("desk", Role::Dispatcher, "center"), None),
        ];
        for (d, _) in &mut devices {
            city.introduce(d);
        }
        let start = t("2026-03-02T09:00:00+08:00");
        for (who, item, minutes) in &steps {
            let (device, unit) = &mut devices[*who];
            // Items 0–1 are unit A's, 2–3 unit B's; staff keep only their own unit's.
            let owner = UNITS[item / 2];
            if unit.is_some_and(|u| u != owner) {
                continue;
            }
            let draft = KbDraft {
                id: format!("kb-{item}"),
                unit: Some(UnitId::new(owner)),
                title: format!("事项{item}"),
                answer: format!("第{minutes}分钟的答复"),
                ..KbDraft::default()
            };
            device
                .kb_publish(None, draft, start + chrono::Duration::minutes(i64::from(*minutes)))
                .unwrap();
        }
        let all: Vec<SignedKb> = devices
            .iter()
            .flat_map(|(d, _)| d.store().kb_records_after(0, 1_000, usize::MAX).unwrap())
            .map(|l| l.signed)
            .collect();

        let mut results = Vec::new();
        for (name, seed) in [("x", seed_a), ("y", seed_b)] {
            let mut order = all.clone();
            shuffle(&mut order, seed);
            let mut store = city.device(name, Role::Kiosk, "center");
            city.introduce(&mut store);
            // One at a time, as relays and bundles would hand them over.
            for r in &order {
                store.import_kb(std::slice::from_ref(r), "relay").unwrap()[0].as_ref().unwrap();
            }
            let held = store.store().kb_records_after(0, 1_000, usize::MAX).unwrap().len();
            prop_assert_eq!(held, all.len(), "nothing lost");
            results.push(store.kb_items(None).unwrap());
        }
        prop_assert_eq!(&results[0], &results[1]);
        // The current version is the highest anyone published.
        for item in &results[0] {
            let highest = all
                .iter()
                .filter_map(|r| {
                    let rec: hotline_core::kb::KbRecord = serde_json::from_slice(&r.payload).unwrap();
                    match rec.change {
                        hotline_core::kb::KbChange::Publish { item: i } if i.id == item.id => Some(i.version),
                        _ => None,
                    }
                })
                .max();
            prop_assert_eq!(Some(item.version), highest);
        }
    }
}

/// A seeded Fisher–Yates shuffle (no extra dependency).
fn shuffle<T>(v: &mut [T], mut seed: u64) {
    for i in (1..v.len()).rev() {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = usize::try_from(seed >> 33).unwrap() % (i + 1);
        v.swap(i, j);
    }
}
