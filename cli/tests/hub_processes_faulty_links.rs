//! Two `hotline hub serve` processes on one PostgreSQL serve one city, each behind a faulty link
//! (a TCP relay that cuts a request or an answer part-way, as a phone's network does): a kiosk
//! takes requests, the center's desk registers and dispatches them, the unit's staff signs for
//! them, each device syncing through the two processes alternately. Once the links heal, every
//! device and the shared database hold every change made, once — nothing lost, nothing doubled,
//! and the devices agree on each order's state. The fault plan is generated (proptest): which
//! connections are cut, in which direction, after how many bytes.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hotline_core::device::{Device, SubmitRequest};
use hotline_core::model::{OrderId, Role};
use hotline_core::sync::http::{CancelToken, HttpOptions, HubClient};
use hotline_testkit::cli::{HubProcess, Terminal};
use hotline_testkit::postgres::PgCluster;
use hotline_testkit::{City, UNIT_A, register_and_dispatch, sign_for, t};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const HUB_NOW: &str = "2026-03-02T12:00:00+08:00";
const MORNING: &str = "2026-03-02T09:00:00+08:00";
const LATER: &str = "2026-03-02T11:00:00+08:00";
/// Rounds of work over the faulty links, each device syncing once a round.
const ROUNDS: usize = 8;

/// What a relay does to one connection.
#[derive(Debug, Clone, Copy)]
enum Fault {
    Pass,
    /// The device's bytes stop after this many: the hub never hears the whole request.
    CutRequest(u16),
    /// The hub's bytes stop after this many: it did the work, the device never hears of it.
    CutAnswer(u16),
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        2 => Just(Fault::Pass),
        1 => (0u16..3000).prop_map(Fault::CutRequest),
        1 => (0u16..3000).prop_map(Fault::CutAnswer),
    ]
}

/// A relay in front of one hub process, taking its connections' fates from `plan` in turn
/// (cycling) while faulty, passing everything once healed.
struct Relay {
    addr: SocketAddr,
    healed: Arc<std::sync::atomic::AtomicBool>,
    cuts: Arc<AtomicU64>,
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    limit: Option<u16>,
    cuts: Arc<AtomicU64>,
) {
    let mut left = limit.map_or(usize::MAX, usize::from);
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let pass = n.min(left);
        if to.write_all(&buf[..pass]).await.is_err() {
            break;
        }
        left -= pass;
        if left == 0 {
            // Cut: both halves dropped mid-message, no orderly close of the HTTP exchange.
            cuts.fetch_add(1, Ordering::SeqCst);
            return;
        }
    }
    let _ = to.shutdown().await;
}

impl Relay {
    async fn start(target: SocketAddr, plan: Vec<Fault>) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let healed = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let cuts = Arc::new(AtomicU64::new(0));
        let next = Arc::new(AtomicUsize::new(0));
        let (h, c) = (Arc::clone(&healed), Arc::clone(&cuts));
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(target).await else {
                    continue;
                };
                let fate = if h.load(Ordering::SeqCst) || plan.is_empty() {
                    Fault::Pass
                } else {
                    plan[next.fetch_add(1, Ordering::SeqCst) % plan.len()]
                };
                let (up_limit, down_limit) = match fate {
                    Fault::Pass => (None, None),
                    Fault::CutRequest(n) => (Some(n), None),
                    Fault::CutAnswer(n) => (None, Some(n)),
                };
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                tokio::spawn(pump(cr, sw, up_limit, Arc::clone(&c)));
                tokio::spawn(pump(sr, cw, down_limit, Arc::clone(&c)));
            }
        });
        Relay { addr, healed, cuts }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

fn hub_addr(hub: &HubProcess) -> SocketAddr {
    hub.url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap()
}

fn serve(data: &Path, database: &str) -> HubProcess {
    Terminal::new(env!("CARGO_BIN_EXE_hotline"))
        .at(HUB_NOW)
        .serve_hub_on(data, Some(database))
}

/// Each connection cut is a failed attempt: one retry, then the round is over for the device.
fn options() -> HttpOptions {
    HttpOptions {
        max_attempts: 2,
        first_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        request_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        now: Some(t(HUB_NOW)),
        ..HttpOptions::default()
    }
}

/// Syncs `device` through `url`; whether the whole sync went through, and whether it moved
/// anything.
async fn sync(device: &mut Device, url: &str) -> Result<bool, String> {
    let client = HubClient::new(url, options()).map_err(|e| e.to_string())?;
    let r = client
        .sync(device, None, &mut |_| {}, &CancelToken::new())
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(
        r.progress.refused_by_hub, 0,
        "the hub refused a good change"
    );
    Ok(r.progress.pushed + r.progress.pulled > 0)
}

fn kiosk_request(text: &str) -> SubmitRequest {
    SubmitRequest {
        contact: None,
        ..hotline_testkit::request(text)
    }
}

/// Every change `device` holds, by order.
fn held(device: &Device, orders: &[OrderId]) -> BTreeMap<String, BTreeSet<String>> {
    orders
        .iter()
        .filter_map(|o| {
            let changes = device.export_changes(o).ok()?;
            (!changes.is_empty()).then(|| {
                (
                    o.0.clone(),
                    changes.into_iter().map(|c| c.hash).collect::<BTreeSet<_>>(),
                )
            })
        })
        .collect()
}

struct Outcome {
    failed_syncs: usize,
    cuts: u64,
}

/// One city on `database`: two hub processes, the three devices, `ROUNDS` faulty rounds, then
/// healed links until quiet; checks convergence and returns what the faults did.
fn one_city(database: &str, plans: [Vec<Fault>; 2]) -> Outcome {
    let mut city = City::turpan();
    let mut kiosk = city.device("kiosk-1", Role::Kiosk, "center");
    let mut desk = city.device("desk", Role::Dispatcher, "center");
    let mut staff = city.device("staff-a", Role::Staff, UNIT_A);
    let data = city.dir("hub");
    let hubs = [serve(&data, database), serve(&data, database)];
    assert_eq!(hubs[0].node_id, hubs[1].node_id, "one log, one name");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let [plan_a, plan_b] = plans;
    let relays = runtime.block_on(async {
        [
            Relay::start(hub_addr(&hubs[0]), plan_a).await,
            Relay::start(hub_addr(&hubs[1]), plan_b).await,
        ]
    });
    let urls = [relays[0].url(), relays[1].url()];

    let mut orders: Vec<OrderId> = Vec::new();
    let (mut dispatched, mut signed) = (HashSet::new(), HashSet::new());
    let mut failed_syncs = 0;
    let mut try_sync = |device: &mut Device, url: &str| {
        if runtime.block_on(sync(device, url)).is_err() {
            failed_syncs += 1;
        }
    };
    for round in 0..ROUNDS {
        // Alternately through each process: a device never keeps to one.
        let (here, there) = (&urls[round % 2], &urls[(round + 1) % 2]);
        for i in 0..2 {
            let text = format!("第{round}轮第{i}处：路灯不亮，夜里很危险");
            orders.push(
                kiosk
                    .submit(None, kiosk_request(&text), t(MORNING))
                    .unwrap()
                    .order,
            );
        }
        try_sync(&mut kiosk, here);
        try_sync(&mut desk, there);
        for order in &orders {
            if !dispatched.contains(order) && desk.show(order).is_ok() {
                register_and_dispatch(&mut desk, order, UNIT_A, t(MORNING));
                dispatched.insert(order.clone());
            }
        }
        try_sync(&mut desk, here);
        try_sync(&mut staff, there);
        for order in &orders {
            if !signed.contains(order) && staff.show(order).is_ok() {
                staff.act(None, order, sign_for(), t(LATER)).unwrap();
                signed.insert(order.clone());
            }
        }
        try_sync(&mut staff, here);
    }

    // The links heal: rounds through both processes until one moves nothing, then the work
    // the faults held back is done and synced the same way.
    for r in &relays {
        r.healed.store(true, Ordering::SeqCst);
    }
    let settle = |devices: &mut [&mut Device]| {
        for pass in 0..8 {
            let mut moved = false;
            for d in devices.iter_mut() {
                moved |= runtime.block_on(sync(d, &urls[pass % 2])).unwrap();
            }
            if !moved {
                return;
            }
        }
        panic!("syncing did not settle in 8 passes over healed links");
    };
    settle(&mut [&mut kiosk, &mut desk, &mut staff]);
    for order in &orders {
        if !dispatched.contains(order) {
            register_and_dispatch(&mut desk, order, UNIT_A, t(MORNING));
        }
    }
    settle(&mut [&mut desk, &mut staff]);
    for order in &orders {
        if !signed.contains(order) {
            staff.act(None, order, sign_for(), t(LATER)).unwrap();
        }
    }
    settle(&mut [&mut staff, &mut desk, &mut kiosk]);

    // Nothing lost: the desk (the center sees everything) and the unit's staff hold the same
    // changes for every order, in the same state; the kiosk holds its own submissions.
    let on_desk = held(&desk, &orders);
    assert_eq!(
        on_desk.len(),
        orders.len(),
        "an order never reached the desk"
    );
    assert_eq!(held(&staff, &orders), on_desk, "desk and staff disagree");
    for order in &orders {
        assert_eq!(
            desk.show(order).unwrap().state,
            staff.show(order).unwrap().state
        );
        let changes = &on_desk[&order.0];
        assert_eq!(changes.len(), 4, "submit, register, dispatch, sign-for");
        for h in held(&kiosk, std::slice::from_ref(order)).values().flatten() {
            assert!(changes.contains(h), "the kiosk's change {h} was lost");
        }
    }
    // Nothing doubled: the database holds each change once, exactly those made.
    let made: BTreeSet<&String> = on_desk.values().flatten().collect();
    let mut db = postgres::Client::connect(database, postgres::NoTls).unwrap();
    let row = db
        .query_one("SELECT count(*), count(DISTINCT hash) FROM changes", &[])
        .unwrap();
    let (rows, distinct): (i64, i64) = (row.get(0), row.get(1));
    assert_eq!(rows, distinct, "a change stored twice");
    assert_eq!(usize::try_from(rows).unwrap(), made.len());
    drop(hubs);
    Outcome {
        failed_syncs,
        cuts: relays.iter().map(|r| r.cuts.load(Ordering::SeqCst)).sum(),
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4)
}

#[test]
fn two_hub_processes_behind_faulty_links_lose_and_double_nothing() {
    let cluster = PgCluster::start();
    let city_no = AtomicUsize::new(0);
    let failed = Mutex::new((0usize, 0u64));
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        max_shrink_iters: 4,
        failure_persistence: None,
        ..Config::default()
    });
    let plans = (
        prop::collection::vec(fault(), 1..24),
        prop::collection::vec(fault(), 1..24),
    );
    runner
        .run(&plans, |(a, b)| {
            let n = city_no.fetch_add(1, Ordering::SeqCst);
            let database = cluster.create_database(&format!("city_{n}"));
            let outcome = one_city(&database, [a, b]);
            let mut f = failed.lock().unwrap();
            f.0 += outcome.failed_syncs;
            f.1 += outcome.cuts;
            Ok(())
        })
        .unwrap();
    // The faults happened: connections were cut and whole syncs failed along the way.
    let (failed_syncs, cuts) = *failed.lock().unwrap();
    eprintln!(
        "{} cities: {cuts} connections cut, {failed_syncs} syncs failed",
        cases()
    );
    assert!(cuts > 0, "no connection was cut");
    assert!(
        failed_syncs > 0,
        "no sync failed: the links were not faulty"
    );
}
