//! The pull log on PostgreSQL with writers and a reader at once. Devices pull by position
//! ("changes after my cursor"); a log numbered by a sequence can hand a reader position 7 while
//! position 6, drawn earlier by a slower transaction, is not yet committed — the reader moves
//! its cursor past 6 and never sees it. The hub draws positions under a lock held to the commit
//! (see ARCHITECTURE.md, "The pull log"); this test runs two writers and a tailing reader many
//! times and checks the reader saw every change exactly once, in position order.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use hotline_core::device::{WireChange, verify_incoming};
use hotline_core::model::Role;
use hotline_core::sync::HubStorage;
use hotline_hub::postgres::PgStore;
use hotline_testkit::hub::MORNING;
use hotline_testkit::postgres::PgCluster;
use hotline_testkit::{City, request, t};

const ROUNDS: usize = 4;
const ORDERS_PER_WRITER: usize = 40;

/// `n` requests submitted on a kiosk, each request's changes one push.
fn submissions(city: &mut City, kiosk: &str, n: usize) -> Vec<Vec<WireChange>> {
    let mut device = city.device(kiosk, Role::Kiosk, "center");
    (0..n)
        .map(|i| {
            let order = device
                .submit(None, request(&format!("路灯不亮 {kiosk} {i}")), t(MORNING))
                .unwrap()
                .order;
            device
                .export_changes(&order)
                .unwrap()
                .iter()
                .map(WireChange::from)
                .collect()
        })
        .collect()
}

#[test]
fn a_reader_tailing_the_log_misses_nothing_two_writers_commit() {
    let mut city = City::new("turpan");
    let pushes = [
        submissions(&mut city, "kiosk-1", ORDERS_PER_WRITER),
        submissions(&mut city, "kiosk-2", ORDERS_PER_WRITER),
    ];
    let trust = Arc::new(city.trust_store());
    let catalogues = Arc::new(city.catalogue_set());
    let total: usize = pushes.iter().flatten().map(Vec::len).sum();
    let cluster = PgCluster::start();
    for round in 0..ROUNDS {
        let url = cluster.create_database(&format!("round_{round}"));
        let store = Arc::new(
            PgStore::open(
                &url,
                &city.authority.root_public().to_hex(),
                city.authority.policy().unwrap(),
                4,
            )
            .unwrap(),
        );
        let writing = Arc::new(AtomicBool::new(true));
        let reader = {
            let (store, trust, writing) = (store.clone(), trust.clone(), writing.clone());
            let catalogues = catalogues.clone();
            std::thread::spawn(move || {
                let mut session = store.session(&trust, &catalogues).unwrap();
                let mut seen = Vec::new();
                let mut cursor = 0;
                loop {
                    // Read the flag first: a batch read after the writers stopped is complete.
                    let last = !writing.load(Ordering::SeqCst);
                    let batch = session.reads().changes_after(cursor, 7).unwrap();
                    for c in &batch {
                        assert!(c.seq > cursor, "positions go up");
                        cursor = c.seq;
                        seen.push(c.change.hash.clone());
                    }
                    if batch.is_empty() && last {
                        return seen;
                    }
                }
            })
        };
        let writers: Vec<_> = pushes
            .iter()
            .enumerate()
            .map(|(w, list)| {
                let (store, trust, list) = (store.clone(), trust.clone(), list.clone());
                let catalogues = catalogues.clone();
                std::thread::spawn(move || {
                    let mut session = store.session(&trust, &catalogues).unwrap();
                    for push in &list {
                        let checked = verify_incoming(&trust, push);
                        let out = session
                            .ingest(push, checked, &format!("kiosk-{w}"), t(MORNING))
                            .unwrap();
                        assert!(out.iter().all(Result::is_ok), "{out:?}");
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        writing.store(false, Ordering::SeqCst);
        let seen = reader.join().unwrap();
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            seen.len(),
            "round {round}: a change was read twice"
        );
        assert_eq!(
            seen.len(),
            total,
            "round {round}: the reader missed {} change(s)",
            total - seen.len()
        );
    }
}
