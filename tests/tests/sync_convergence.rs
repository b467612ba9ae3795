//! Devices that act offline and sync through the hub over a faulty link converge: once the links
//! heal, every copy of every order folds to the same state, nothing written anywhere is lost or
//! doubled, and the hub's final state does not depend on how the rounds were interleaved.
//!
//! The city: a kiosk, the center desk (a dispatcher and a callback agent sharing one device),
//! two phones of unit A staff (who race each other), staff of unit B and a field supervisor,
//! some of them with clocks a few hours off. The link drops, duplicates, truncates and holds back
//! requests and responses; clients resend their pending request or give up on it; devices go
//! offline and restart.
//!
//! The regression tests at the end are the core bugs these properties found, minimised.
//! `HOTLINE_TEST_STATS=1` prints how far each case got; `PROPTEST_CASES` overrides the counts.

mod support;

/// Device clocks, in minutes off the hub's: hours behind, or up to the hub's tolerance ahead (a
/// clock more than an hour fast gets its records refused, which `hub_security` tests).
const CLOCK_SKEWS: std::ops::Range<i64> = -180..55;

use hotline_core::model::Role;
use proptest::prelude::*;
use support::*;

fn specs() -> Vec<PeerSpec> {
    vec![
        PeerSpec {
            name: "kiosk",
            persons: vec![person("kiosk-1", Role::Kiosk, CENTER)],
            talks_to_hub: true,
        },
        PeerSpec {
            name: "desk",
            persons: vec![
                person("desk-1", Role::Dispatcher, CENTER),
                person("callback-1", Role::Callback, CENTER),
            ],
            talks_to_hub: true,
        },
        PeerSpec {
            name: "staff-a",
            persons: vec![person("staff-a", Role::Staff, UNIT_A)],
            talks_to_hub: true,
        },
        PeerSpec {
            name: "staff-a2",
            persons: vec![person("staff-a2", Role::Staff, UNIT_A)],
            talks_to_hub: true,
        },
        PeerSpec {
            name: "staff-b",
            persons: vec![person("staff-b", Role::Staff, UNIT_B)],
            talks_to_hub: true,
        },
        PeerSpec {
            name: "supervisor",
            persons: vec![person("supervisor-1", Role::Supervisor, CENTER)],
            talks_to_hub: true,
        },
    ]
}

const PEERS: usize = 6;
const ACTORS: usize = 7;
const KIOSK: usize = 0;

#[derive(Debug, Clone)]
enum Step {
    /// An actor syncs for a few rounds over the faulty link (if its device is online), then
    /// acts on one of its orders (`order` and `action` select among what looks valid there).
    Act {
        actor: usize,
        rounds: Vec<Round>,
        order: usize,
        action: usize,
    },
    Net(NetStep),
}

/// Who acts: the desk and the units more often than the kiosk and the supervisor, so that
/// orders get far into their lives.
fn actor() -> impl Strategy<Value = usize> {
    prop_oneof![
        1 => Just(0),
        3 => Just(1),
        1 => Just(2),
        2 => Just(3),
        2 => Just(4),
        2 => Just(5),
        1 => Just(6),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (actor(), prop::collection::vec(round(), 0..3), any::<usize>(), any::<usize>())
            .prop_map(|(actor, rounds, order, action)| Step::Act { actor, rounds, order, action }),
        3 => net_step(ACTORS, PEERS).prop_map(Step::Net),
    ]
}

fn schedule() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(step(), 40..160)
}

/// Runs a schedule from the start: the kiosk takes a first request, then the steps, one minute
/// apart. Returns the minute reached.
fn run(w: &mut World, first: usize, steps: &[Step]) -> usize {
    w.act(KIOSK, 0, first, at(0));
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
        }
    }
    steps.len() + 1
}

/// The links heal and everyone syncs until nothing moves.
fn heal(w: &mut World, minute: usize) {
    w.heal_links(at(minute));
    w.settle(minute, |_, _| {});
}

/// `cases` unless `PROPTEST_CASES` asks for more (or fewer).
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

/// How far off each device's clock is, in minutes: concurrent records are ordered by the
/// clocks of the devices that made them.
fn skews() -> impl Strategy<Value = Vec<i64>> {
    prop::collection::vec(prop_oneof![3 => Just(0i64), 1 => CLOCK_SKEWS], PEERS)
}

/// (a)–(c): after the schedule, healing the links makes every device that may see an order
/// hold it whole and fold it as the hub does, with every change written anywhere at the hub
/// exactly once.
fn converges(first: usize, skews: &[i64], steps: &[Step]) {
    let mut city = City::new(specs());
    let mut w = World::new(&mut city);
    w.set_skews(skews);
    let minute = run(&mut w, first, steps);
    heal(&mut w, minute);
    w.check_converged();
    w.stats("sync");
}

/// (d): the records of one run, delivered again through another random schedule of rounds,
/// outages, restarts and faults, leave the hub in the same state (and converge again).
fn same_hub_state(first: usize, skews: &[i64], steps: &[Step], other: &[Vec<NetStep>]) {
    let mut city = City::new(specs());
    let mut w1 = World::new(&mut city);
    w1.set_skews(skews);
    let minute = run(&mut w1, first, steps);
    heal(&mut w1, minute);
    w1.check_converged();

    // The same people with fresh stores: each change appears at its author in the order it
    // was first written (with whatever of its causal past the author lacks, as if carried over
    // by hand), with other rounds, outages and faults in between.
    let pool = w1.created.clone();
    let mut w2 = World::new(&mut city);
    let mut minute = 0;
    for (k, c) in pool.iter().enumerate() {
        minute += 1;
        w2.reveal(c, &pool, at(minute));
        for n in other.get(k).into_iter().flatten() {
            minute += 1;
            w2.net(n, at(minute));
        }
    }
    heal(&mut w2, minute);
    let s2 = w2.check_hub();
    w2.check_devices(&s2);

    let s1 = hub_states(&w1);
    assert_eq!(s1.len(), s2.len(), "the hubs hold different orders");
    for (o, st) in &s1 {
        if s2.get(o) != Some(st) {
            w2.fail(&format!(
                "order {o} differs between the two interleavings: {} vs {:?}",
                st.status,
                s2.get(o).map(|s| s.status)
            ));
        }
    }
}

fn other_schedule() -> impl Strategy<Value = Vec<Vec<NetStep>>> {
    prop::collection::vec(prop::collection::vec(net_step(ACTORS, PEERS), 0..3), 0..40)
}

proptest! {
    #![proptest_config(config(48))]

    /// Requests and responses dropped, duplicated, cut short and delivered late (after other
    /// devices' rounds, or to a device that has gone offline); clients resending or giving up;
    /// devices going offline and restarting.
    #[test]
    fn devices_converge_through_the_hub_over_faulty_links(
        first in any::<usize>(),
        skews in skews(),
        steps in schedule(),
    ) {
        converges(first, &skews, &steps);
    }
}

proptest! {
    #![proptest_config(config(24))]

    #[test]
    fn the_hub_state_does_not_depend_on_the_interleaving(
        first in any::<usize>(),
        skews in skews(),
        steps in schedule(),
        other in other_schedule(),
    ) {
        same_hub_state(first, &skews, &steps, &other);
    }
}

/// A response lost just when the hub first hands a unit an order's whole history (it has just
/// been dispatched there, after the unit's cursor went past its submission): the unit's next
/// rounds must still bring the whole order.
///
/// Found as core bug 1: the hub marked the order as held by the peer when it built the answer,
/// so the next round sent only the dispatch, which the phone refused for its missing
/// dependencies; its cursor moved on and unit A never got the order.
#[test]
fn a_lost_response_with_a_newly_dispatched_order_is_sent_again() {
    let mut city = City::new(specs());
    let mut w = World::new(&mut city);
    let (desk, staff_a) = (1, 3);
    w.act(KIOSK, 0, 0, at(0));
    w.full_sync(KIOSK, at(1));
    w.full_sync(desk, at(2));
    w.act(desk, 0, 0, at(3)); // register
    w.full_sync(desk, at(4));
    // Unit A's cursor moves past the submission and the registration, which it may not see.
    w.full_sync(staff_a, at(5));
    w.act(desk, 0, 0, at(6)); // dispatch to unit A
    w.full_sync(desk, at(7));
    // The hub sends unit A the whole order; the response is lost on the way.
    w.round(staff_a, (Fault::Deliver, Fault::Drop, true), at(8));
    w.full_sync(staff_a, at(9));
    heal(&mut w, 10);
    w.check_converged();
}

/// The center sends an order back to a unit that returned it before (say after the other unit
/// returned it too): the second dispatch to that unit must reach the hub like any other record.
///
/// Found as core bug 2: the dispatch sealed the citizen's contact to the lead unit again under
/// the same key (`sealed/unit:<unit>`), overwriting the first copy in the order's document. The
/// desk stored it, every other node refused it (`change_rewrites_history`), the desk's cursor
/// moved past it, and the dispatch — with everything after it on that order, refused for the
/// missing dependency — never left the desk.
#[test]
fn a_second_dispatch_to_the_same_unit_reaches_the_hub() {
    let mut city = City::new(specs());
    let mut w = World::new(&mut city);
    let (desk, staff_a) = (1, 3);
    w.act(KIOSK, 0, 0, at(0));
    w.full_sync(KIOSK, at(1));
    w.full_sync(desk, at(2));
    w.act(desk, 0, 0, at(3)); // register
    w.act(desk, 0, 0, at(4)); // dispatch to unit A
    w.full_sync(desk, at(5));
    w.full_sync(staff_a, at(6));
    w.act(staff_a, 0, 3, at(7)); // unit A asks to return it
    w.full_sync(staff_a, at(8));
    w.full_sync(desk, at(9));
    w.act(desk, 0, 0, at(10)); // the center approves the return
    w.act(desk, 0, 0, at(11)); // and dispatches to unit A again
    w.full_sync(desk, at(12));
    heal(&mut w, 13);
    w.check_converged();
}

/// A unit's phone that got an order by hand (a bundle from a village kiosk that also syncs
/// directly when it has signal) and pushes it to the hub: the hub must not take the push to
/// mean the phone holds the order whole, or the phone never gets what the hub had before its
/// cursor — and the later dispatch to the unit is refused there for a missing dependency.
///
/// Found as core bug 3: `serve` marked every order a peer pushed as held whole by it, so what the
/// hub had of it before the peer's cursor was never sent.
#[test]
fn a_device_that_got_an_order_by_hand_still_gets_its_whole_history() {
    let mut city = City::new(specs());
    let mut w = World::new(&mut city);
    let (desk, staff_a) = (1, 3);
    let (kiosk_peer, staff_a_peer) = (0, 2);
    w.act(KIOSK, 0, 0, at(0));
    w.full_sync(KIOSK, at(1));
    w.full_sync(desk, at(2));
    w.act(desk, 0, 0, at(3)); // register
    w.full_sync(desk, at(4));
    // Unit A's cursor moves past the submission and the registration, which it may not see.
    w.full_sync(staff_a, at(5));
    // The kiosk's bundle brings unit A the submission; unit A's phone pushes it to the hub.
    let k = w.export(kiosk_peer, staff_a_peer, at(6));
    w.import(k, at(7));
    w.full_sync(staff_a, at(8));
    w.act(desk, 0, 0, at(9)); // dispatch to unit A
    w.full_sync(desk, at(10));
    w.full_sync(staff_a, at(11));
    heal(&mut w, 12);
    w.check_converged();
}

/// The answer that first brought unit A's second phone an order is lost; the order is then
/// returned (so the phone's next round, which moves its cursor on, leaves it out: not visible),
/// and dispatched again with unit A co-handling. The phone must now get the order whole.
///
/// Found as core bug 4, what the first fix of bug 1 left: the hub counted the order as held once
/// the peer's cursor had passed the lost answer's (`peer_orders.sent_cursor`), but the cursor
/// got there through a later answer that left the order out. The new dispatch went alone, the
/// phone refused it (`change_missing_dependency`), and never got the order.
#[test]
fn a_whole_order_lost_while_the_order_was_away_is_sent_again_when_it_comes_back() {
    let mut city = City::new(specs());
    let mut w = World::new(&mut city);
    let (desk, staff_a, staff_a2) = (1, 3, 4);
    w.act(KIOSK, 0, 0, at(0));
    w.full_sync(KIOSK, at(1));
    w.full_sync(desk, at(2));
    w.act(desk, 0, 0, at(3)); // register
    w.act(desk, 0, 0, at(4)); // dispatch to unit A
    w.full_sync(desk, at(5));
    // The hub sends the second phone of unit A the whole order; the answer is lost.
    w.round(staff_a2, (Fault::Deliver, Fault::Drop, false), at(6));
    // Unit A's first phone asks to return it, the center approves.
    w.full_sync(staff_a, at(7));
    w.act(staff_a, 0, 3, at(8)); // request return
    w.full_sync(staff_a, at(9));
    w.full_sync(desk, at(10));
    w.act(desk, 0, 0, at(11)); // approve the return
    w.full_sync(desk, at(12));
    // The second phone syncs while nobody leads the order: its cursor moves past all of it.
    w.full_sync(staff_a2, at(13));
    // Unit B leads it now, unit A co-handles it.
    w.act(desk, 0, 3, at(14));
    w.full_sync(desk, at(15));
    w.full_sync(staff_a2, at(16));
    heal(&mut w, 17);
    w.check_converged();
}
