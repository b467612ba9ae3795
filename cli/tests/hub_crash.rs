//! A hub killed with SIGKILL in the middle of ingest loses nothing it acknowledged: kiosks push
//! continuously to `hotline hub serve`, the process is killed, restarted on the same folder, and
//! every change any kiosk had been told was stored is there; the kiosks then finish their sync
//! and the hub ends up with every record. The same on PostgreSQL, and with the database server
//! stopped under a running hub instead: the kiosks get refusals they retry later, and once the
//! server is back the same hub process takes every record, nothing lost or doubled.

use hotline_core::device::{Device, SubmitRequest};
use hotline_core::model::Role;
use hotline_core::sync::http::{CancelToken, HttpOptions, HubClient};
use hotline_testkit::cli::{HubProcess, Terminal};
use hotline_testkit::postgres::PgCluster;
use hotline_testkit::{City, t};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const KIOSKS: usize = 3;
/// Acknowledged syncs (all kiosks together) before the kill.
const SYNCS_BEFORE_KILL: u64 = 30;
/// Bounds on each kiosk's loop, however the timing goes.
const MAX_SYNCS_PER_KIOSK: usize = 200;
const TIME_LIMIT: Duration = Duration::from_secs(30);

/// A kiosk's complaint, without contact details (kiosks here have no unit keys).
fn request(text: &str) -> SubmitRequest {
    SubmitRequest {
        contact: None,
        ..hotline_testkit::request(text)
    }
}

/// `hotline hub serve` on the city's hub folder, its data there or in PostgreSQL.
fn serve(data: &Path, database: Option<&str>) -> HubProcess {
    Terminal::new(env!("CARGO_BIN_EXE_hotline"))
        .at("2026-03-02T12:00:00+08:00")
        .serve_hub_on(data, database)
}

/// What the hub stored, read behind its back: its SQLite store or its database.
enum Stored {
    Sqlite(Box<Device>),
    Postgres(Box<postgres::Client>),
}

impl Stored {
    fn open(data: &Path, database: Option<&str>) -> Stored {
        match database {
            None => Stored::Sqlite(Box::new(Device::open(&data.join("store")).unwrap())),
            Some(url) => Stored::Postgres(Box::new(
                postgres::Client::connect(url, postgres::NoTls).unwrap(),
            )),
        }
    }

    fn has_change(&mut self, hash: &str) -> bool {
        match self {
            Stored::Sqlite(d) => d.store().has_change(hash).unwrap(),
            Stored::Postgres(c) => c
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM changes WHERE hash = $1)",
                    &[&hash],
                )
                .unwrap()
                .get(0),
        }
    }

    fn change_count(&mut self) -> u64 {
        match self {
            Stored::Sqlite(d) => d.store().change_count().unwrap(),
            Stored::Postgres(c) => {
                let n: i64 = c
                    .query_one("SELECT count(*) FROM changes", &[])
                    .unwrap()
                    .get(0);
                u64::try_from(n).unwrap()
            }
        }
    }

    /// The SQLite store verifies whole; PostgreSQL keeps its own pages.
    fn intact(&self) -> bool {
        match self {
            Stored::Sqlite(d) => d.verify().unwrap().ok(),
            Stored::Postgres(_) => true,
        }
    }
}

/// Hashes of this kiosk's changes the hub has acknowledged: the client moves its cursor only
/// when an answer says they are stored.
fn acknowledged(kiosk: &Device, hub_node: &str) -> Vec<String> {
    let cert = &kiosk.identity(None).unwrap().certificate.body.id.0;
    let upto = kiosk
        .store()
        .peer_state(&format!("{hub_node}/{cert}"))
        .unwrap()
        .sent_upto;
    kiosk
        .store()
        .changes_after(0, u32::MAX)
        .unwrap()
        .into_iter()
        .filter(|c| c.seq <= upto)
        .map(|c| c.change.hash)
        .collect()
}

fn options() -> HttpOptions {
    HttpOptions {
        max_attempts: 2,
        first_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        request_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        now: Some(t("2026-03-02T10:00:00+08:00")),
        ..HttpOptions::default()
    }
}

/// One kiosk: submit, sync, again, until the hub stops answering.
async fn kiosk_loop(
    mut kiosk: Device,
    url: String,
    acked_syncs: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
) -> Device {
    let client = HubClient::new(&url, options()).unwrap();
    let started = Instant::now();
    for i in 0..MAX_SYNCS_PER_KIOSK {
        if stop.load(Ordering::SeqCst) || started.elapsed() > TIME_LIMIT {
            break;
        }
        // A few records per push, so the hub is often mid-batch.
        for j in 0..3 {
            kiosk
                .submit(
                    None,
                    request(&format!("诉求 {i}-{j}")),
                    t("2026-03-02T09:00:00+08:00"),
                )
                .unwrap();
        }
        match client
            .sync(&mut kiosk, None, &mut |_| {}, &CancelToken::new())
            .await
        {
            Ok(_) => {
                acked_syncs.fetch_add(1, Ordering::SeqCst);
            }
            // The hub is gone.
            Err(_) => break,
        }
    }
    kiosk
}

/// The city (authority in `hub/`) and its kiosks.
fn city() -> (City, PathBuf, Vec<Device>) {
    let mut city = City::turpan();
    let kiosks = (0..KIOSKS)
        .map(|k| city.device(&format!("kiosk-{k}"), Role::Kiosk, "center"))
        .collect();
    let data = city.dir("hub");
    (city, data, kiosks)
}

/// What goes away while the kiosks push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// The hub process, by SIGKILL; it is started again on the same data.
    KillHub,
    /// The PostgreSQL server under a running hub, which is not restarted: it must carry on by
    /// itself once the server is back.
    StopDatabase,
}

#[test]
fn a_hub_killed_during_ingest_loses_nothing_it_acknowledged() {
    interrupted_during_ingest(None, Cut::KillHub);
}

#[test]
fn a_postgres_hub_killed_during_ingest_loses_nothing_it_acknowledged() {
    let cluster = PgCluster::start();
    interrupted_during_ingest(Some(&cluster), Cut::KillHub);
}

#[test]
fn a_database_stopped_during_ingest_loses_nothing_and_the_hub_carries_on() {
    let cluster = PgCluster::start();
    interrupted_during_ingest(Some(&cluster), Cut::StopDatabase);
}

fn interrupted_during_ingest(cluster: Option<&PgCluster>, cut: Cut) {
    let url = cluster.map(|c| c.conn_str("postgres"));
    let database = url.as_deref();
    let (_city, data, kiosks) = city();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    let mut hub = serve(&data, database);
    let node = hub.node_id.clone();
    let acked_syncs = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let tasks: Vec<_> = kiosks
        .into_iter()
        .map(|k| {
            runtime.spawn(kiosk_loop(
                k,
                hub.url.clone(),
                Arc::clone(&acked_syncs),
                Arc::clone(&stop),
            ))
        })
        .collect();
    let started = Instant::now();
    while acked_syncs.load(Ordering::SeqCst) < SYNCS_BEFORE_KILL && started.elapsed() < TIME_LIMIT {
        std::thread::sleep(Duration::from_millis(5));
    }
    // Kiosks are pushing right now: cut the hub or its database from under them.
    match (cut, cluster) {
        (Cut::StopDatabase, Some(c)) => c.stop(),
        _ => hub.kill(),
    }
    let kiosks: Vec<Device> = tasks
        .into_iter()
        .map(|task| runtime.block_on(task).unwrap())
        .collect();
    stop.store(true, Ordering::SeqCst);
    assert!(
        acked_syncs.load(Ordering::SeqCst) >= SYNCS_BEFORE_KILL,
        "the kiosks did not get going in time"
    );

    // Restarted (the hub, or the database under the same hub): every acknowledged change is
    // there.
    let hub = match (cut, cluster) {
        (Cut::StopDatabase, Some(c)) => {
            c.restart();
            hub
        }
        _ => serve(&data, database),
    };
    assert_eq!(hub.node_id, node, "the hub keeps its name across a crash");
    let mut store = Stored::open(&data, database);
    let mut acked: u64 = 0;
    for kiosk in &kiosks {
        for hash in acknowledged(kiosk, &node) {
            assert!(store.has_change(&hash), "acknowledged change {hash} lost");
            acked += 1;
        }
    }
    assert!(acked >= SYNCS_BEFORE_KILL * 3, "only {acked} acknowledged");
    // The kill cut pushes short: some records were made but not acknowledged.
    let made_before: u64 = kiosks
        .iter()
        .map(|k| k.store().change_count().unwrap())
        .sum();
    assert!(made_before > acked, "no push was in flight at the cut");
    assert!(store.intact(), "the hub's store is damaged");
    drop(store);

    // The kiosks finish their sync; the hub ends up with every record made.
    let mut made = 0;
    for mut kiosk in kiosks {
        let r = runtime
            .block_on(HubClient::new(&hub.url, options()).unwrap().sync(
                &mut kiosk,
                None,
                &mut |_| {},
                &CancelToken::new(),
            ))
            .unwrap();
        assert_eq!(r.progress.refused_by_hub, 0);
        made += kiosk.store().change_count().unwrap();
    }
    assert_eq!(Stored::open(&data, database).change_count(), made);
}
