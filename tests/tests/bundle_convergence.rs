//! Villages without a network hand their records to the township on a USB stick (bundle files),
//! and the township phone syncs them with the hub over a faulty link. Bundles may be imported
//! twice, out of order, or cut short (refused as damaged, changing nothing). Once everything has
//! settled, every copy of every order is the hub's, and nothing written anywhere — in a village
//! included — is lost or doubled.
//!
//! The city: the center desk (a dispatcher and a callback agent sharing one device), the
//! township phone of unit A staff, unit B staff, and in a village without network a kiosk and a
//! second phone of unit A staff, both exchanging bundles with the township phone only.

mod support;

/// Device clocks, in minutes off the hub's: hours behind, or up to the hub's tolerance ahead (a
/// clock more than an hour fast gets its records refused, which `hub_security` tests).
const CLOCK_SKEWS: std::ops::Range<i64> = -180..55;

use std::collections::BTreeSet;

use hotline_core::model::{OrderId, Role};
use proptest::prelude::*;
use proptest::sample::Index;
use support::*;

fn specs() -> Vec<PeerSpec> {
    vec![
        PeerSpec {
            name: "desk",
            persons: vec![
                person("desk-1", Role::Dispatcher, CENTER),
                person("callback-1", Role::Callback, CENTER),
            ],
            talks_to_hub: true,
        },
        PeerSpec {
            name: "township",
            persons: vec![person("township-a", Role::Staff, UNIT_A)],
            talks_to_hub: true,
        },
        PeerSpec {
            name: "staff-b",
            persons: vec![person("staff-b", Role::Staff, UNIT_B)],
            talks_to_hub: true,
        },
        PeerSpec {
            name: "village-kiosk",
            persons: vec![person("village-kiosk", Role::Kiosk, CENTER)],
            talks_to_hub: false,
        },
        PeerSpec {
            name: "village-staff",
            persons: vec![person("village-a", Role::Staff, UNIT_A)],
            talks_to_hub: false,
        },
    ]
}

const PEERS: usize = 5;
const ACTORS: usize = 6;
const TOWNSHIP: usize = 1;
const VILLAGES: [usize; 2] = [3, 4];
const VILLAGE_KIOSK: usize = 4;

#[derive(Debug, Clone)]
enum Step {
    /// An actor syncs for a few rounds (if its device talks to the hub and is online), then
    /// acts on one of its orders.
    Act {
        actor: usize,
        rounds: Vec<Round>,
        order: usize,
        action: usize,
    },
    Net(NetStep),
    /// A village writes a bundle for the township (`to_township`) or the township for a village.
    Export {
        village: usize,
        to_township: bool,
    },
    /// A bundle written earlier (any of them: out of order, again) is imported, maybe twice.
    Import {
        pick: Index,
        twice: bool,
    },
    /// A bundle cut short (or with a byte changed: `flip`) is imported: refused as damaged,
    /// nothing changes.
    Damaged {
        pick: Index,
        cut: u16,
        flip: bool,
    },
    /// Someone rides between a village and the township: the village's bundle is imported
    /// there, and (`back`) the township's bundle brought back and imported in the village.
    Courier {
        village: usize,
        back: bool,
    },
}

fn actor() -> impl Strategy<Value = usize> {
    prop_oneof![
        4 => Just(0),
        1 => Just(1),
        3 => Just(2),
        2 => Just(3),
        1 => Just(VILLAGE_KIOSK),
        3 => Just(5),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (actor(), prop::collection::vec(round(), 0..3), any::<usize>(), any::<usize>())
            .prop_map(|(actor, rounds, order, action)| Step::Act { actor, rounds, order, action }),
        2 => net_step(ACTORS, PEERS).prop_map(Step::Net),
        2 => (0..VILLAGES.len(), any::<bool>())
            .prop_map(|(village, to_township)| Step::Export { village, to_township }),
        2 => (any::<Index>(), any::<bool>()).prop_map(|(pick, twice)| Step::Import { pick, twice }),
        1 => (any::<Index>(), any::<u16>(), any::<bool>())
            .prop_map(|(pick, cut, flip)| Step::Damaged { pick, cut, flip }),
        3 => (0..VILLAGES.len(), any::<bool>())
            .prop_map(|(village, back)| Step::Courier { village, back }),
    ]
}

fn run(w: &mut World, first: usize, steps: &[Step]) -> usize {
    w.act(VILLAGE_KIOSK, 0, first, at(0));
    for (i, s) in steps.iter().enumerate() {
        let now = at(i + 1);
        match s {
            Step::Act {
                actor,
                rounds,
                order,
                action,
            } => {
                w.net(
                    &NetStep::Sync {
                        actor: *actor,
                        rounds: rounds.clone(),
                    },
                    now,
                );
                w.act(*actor, *order, *action, now);
            }
            Step::Net(n) => w.net(n, now),
            Step::Export {
                village,
                to_township,
            } => {
                let v = VILLAGES[*village];
                let (from, to) = if *to_township {
                    (v, TOWNSHIP)
                } else {
                    (TOWNSHIP, v)
                };
                w.export(from, to, now);
            }
            Step::Import { pick, twice } => {
                if w.sticks.is_empty() {
                    continue;
                }
                let k = pick.index(w.sticks.len());
                w.import(k, now);
                if *twice {
                    let again = w.import(k, now);
                    assert_eq!(
                        again.applied, 0,
                        "importing bundle {k} again applied changes"
                    );
                }
            }
            Step::Damaged { pick, cut, flip } => {
                if w.sticks.is_empty() {
                    continue;
                }
                let k = pick.index(w.sticks.len());
                if *flip {
                    w.import_flipped(k, *cut, now);
                } else {
                    w.import_truncated(k, *cut, now);
                }
            }
            Step::Courier { village, back } => {
                let v = VILLAGES[*village];
                let k = w.export(v, TOWNSHIP, now);
                w.import(k, now);
                if *back {
                    let k = w.export(TOWNSHIP, v, now);
                    w.import(k, now);
                }
            }
        }
    }
    steps.len() + 1
}

/// Links heal; in every pass each village and the township swap bundles both ways and everyone
/// on the network syncs, until nothing moves.
fn heal(w: &mut World, minute: usize) {
    w.heal_links(at(minute));
    w.settle(minute, |w, now| {
        for v in VILLAGES {
            let k = w.export(v, TOWNSHIP, now);
            w.import(k, now);
            let k = w.export(TOWNSHIP, v, now);
            w.import(k, now);
        }
    });
}

/// Bundles carry everything a peer lacks, so a village ends up with exactly the township's
/// orders, each of them whole (as `check_converged` has checked against the hub).
fn check_villages(w: &World) {
    let orders = |p: usize| -> BTreeSet<OrderId> {
        w.peers[p]
            .device
            .store()
            .change_orders()
            .unwrap()
            .into_iter()
            .collect()
    };
    let township = orders(TOWNSHIP);
    for v in VILLAGES {
        if orders(v) != township {
            w.fail(&format!(
                "{} holds other orders than the township",
                w.peers[v].spec.name
            ));
        }
    }
}

fn converges(first: usize, skews: &[i64], steps: &[Step]) {
    let mut city = City::new(specs());
    let mut w = World::new(&mut city);
    w.set_skews(skews);
    w.kiosk_orders = 2;
    let minute = run(&mut w, first, steps);
    heal(&mut w, minute);
    w.check_converged();
    check_villages(&w);
    w.stats("bundle");
}

fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        max_shrink_iters: 200,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(32))]

    /// The township's link is as faulty as in `sync_convergence.rs`; bundles go astray in every
    /// way a USB stick allows.
    #[test]
    fn villages_converge_through_bundles_and_the_township(
        first in any::<usize>(),
        skews in prop::collection::vec(prop_oneof![3 => Just(0i64), 1 => CLOCK_SKEWS], PEERS),
        steps in prop::collection::vec(step(), 40..140),
    ) {
        converges(first, &skews, &steps);
    }
}

/// The cases the brief names, in one fixed run: a village request travels by bundle to the
/// township and on to the hub; the answer comes back the same way; bundles are imported twice,
/// out of order and cut short.
#[test]
fn a_village_request_travels_by_bundle_and_back() {
    let mut city = City::new(specs());
    let mut w = World::new(&mut city);
    let (desk, township_a, village_a) = (0, 2, 5);
    let (kiosk_peer, staff_peer) = (VILLAGES[0], VILLAGES[1]);
    w.act(VILLAGE_KIOSK, 0, 0, at(0));
    let b0 = w.export(kiosk_peer, TOWNSHIP, at(1));
    w.act(VILLAGE_KIOSK, 0, 1, at(2));
    let b1 = w.export(kiosk_peer, TOWNSHIP, at(3));
    // Out of order: the later bundle (holding both requests) first, then the earlier, twice.
    assert_eq!(w.import(b1, at(4)).applied, 2);
    assert_eq!(w.import(b0, at(5)).applied, 0);
    assert_eq!(w.import(b0, at(6)).applied, 0);
    let first = w.created[0].change.order.clone();
    w.full_sync(township_a, at(7));
    w.full_sync(desk, at(8));
    w.act_on(desk, &first, 0, at(9)); // register
    w.act_on(desk, &first, 0, at(10)); // dispatch to unit A
    w.full_sync(desk, at(11));
    w.full_sync(township_a, at(12));
    // The dispatch reaches the village phone by bundle; a cut copy is refused first.
    let b2 = w.export(TOWNSHIP, staff_peer, at(13));
    for cut in [0, 1, 17, 400, 5000] {
        w.import_truncated(b2, cut, at(14));
    }
    for byte in [0, 20, 300, 1000, u16::MAX] {
        w.import_flipped(b2, byte, at(14));
    }
    w.import(b2, at(15));
    w.act_on(village_a, &first, 0, at(16)); // sign for
    let b3 = w.export(staff_peer, TOWNSHIP, at(17));
    w.import(b3, at(18));
    w.import(b3, at(19));
    w.full_sync(township_a, at(20));
    heal(&mut w, 21);
    w.check_converged();
    check_villages(&w);
    let states = hub_states(&w);
    assert!(
        states.values().any(|s| s.status.as_str() == "in_handling"
            && s.signed_by
                .as_ref()
                .is_some_and(|a| a.person.0 == "village-a")),
        "the village phone's sign-for reached the hub"
    );
}

/// The township phone relays a village request to the hub, so it holds the order: it must keep
/// receiving the order's records (the hub's rule: anyone but a kiosk keeps receiving what it
/// has had), or its copy — and the copy it hands back to the village — stays as submitted.
#[test]
fn a_township_that_relayed_a_village_request_follows_it() {
    let mut city = City::new(specs());
    let mut w = World::new(&mut city);
    let (desk, township_a) = (0, 2);
    w.act(VILLAGE_KIOSK, 0, 0, at(0));
    let b0 = w.export(VILLAGES[0], TOWNSHIP, at(1));
    w.import(b0, at(2));
    w.full_sync(township_a, at(3));
    w.full_sync(desk, at(4));
    w.act(desk, 0, 0, at(5)); // register
    w.full_sync(desk, at(6));
    w.full_sync(township_a, at(7));
    heal(&mut w, 8);
    w.check_converged();
    check_villages(&w);
}
