//! Store at scale: fills a store through the user-level API, then measures it from a fresh
//! process.
//!
//! `cargo run --release -p hotline-core --example store_scale -- [--orders 10000] [--dir PATH]`
//!
//! 1. Fill: N × `Device::submit` by a kiosk (one transaction each, as a user would), then for
//!    every second order register + dispatch by a dispatcher enrolled on the same store (the
//!    lead and co-unit of the bench file's line). Fixed instants in March 2026, one every 30 s,
//!    so deadlines fall inside the shipped holiday calendar.
//! 2. Measure, in a child process started on the filled store (so nothing of the fill is
//!    cached or counted in peak RSS): open time (median of 5), three inbox queries (median of
//!    20 each), size on disk, VmHWM / VmRSS.
//!
//! Without `--dir` the store goes to a temporary directory on the normal disk, removed at the
//! end. With `--dir` it is kept (the directory must not already hold a store).

#[path = "../benches/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{base_time, cst, dir_size, load_orders, median_us, submit_request};
use hotline_core::authority::CENTER_UNIT;
use hotline_core::device::Device;
use hotline_core::model::{Action, OrderId, Role, Timestamp, UnitId};
use hotline_core::store::{DB_FILE, InboxQuery};
use hotline_testkit::City;

const KIOSK: &str = "kiosk-01";
const DISPATCHER: &str = "dispatcher-01";
const STEP_SECS: i64 = 30;

struct Args {
    orders: usize,
    dir: Option<PathBuf>,
    measure_only: bool,
}

fn parse_args() -> Args {
    let mut args = Args {
        orders: 10_000,
        dir: None,
        measure_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--orders" => args.orders = it.next().and_then(|v| v.parse().ok()).expect("--orders N"),
            "--dir" => args.dir = Some(PathBuf::from(it.next().expect("--dir PATH"))),
            // Internal: the child process that measures a filled store.
            "--measure-only" => args.measure_only = true,
            "-h" | "--help" => {
                eprintln!("store_scale [--orders N] [--dir PATH]");
                std::process::exit(0);
            }
            other => panic!("unknown argument {other} (try --help)"),
        }
    }
    args
}

fn at(step: i64) -> Timestamp {
    base_time() + chrono::Duration::seconds(step * STEP_SECS)
}

/// `key: value kB` lines of /proc/self/status.
fn proc_status_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| {
        l.strip_prefix(key)?
            .strip_prefix(':')?
            .trim()
            .strip_suffix("kB")?
            .trim()
            .parse()
            .ok()
    })
}

fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn fill(dir: &Path, n: usize) -> Vec<(String, String)> {
    let loaded = load_orders();
    let mut out = vec![("orders_source".to_string(), loaded.source.clone())];
    if loaded.synthesised {
        eprintln!("NOTE: bench file absent, orders are SYNTHESISED");
        out.push(("orders_synthesised".into(), "true".into()));
    }
    let orders = loaded.orders;

    // The city: a unit staff credential per handling unit first (so each unit has a sealing key
    // in the dispatcher's unit directory), then the kiosk and the dispatcher.
    let now = at(0);
    let mut city = City::new("puyang");
    let mut units: Vec<&str> = orders
        .iter()
        .flat_map(|o| [o.lead_unit.as_str(), o.co_unit.as_str()])
        .collect();
    units.sort_unstable();
    units.dedup();
    for u in &units {
        city.credential(Role::Staff, u, &format!("staff-{u}"));
    }
    let kiosk = city.credential(Role::Kiosk, CENTER_UNIT, KIOSK);
    let dispatcher = city.credential(Role::Dispatcher, CENTER_UNIT, DISPATCHER);
    drop(Device::init(dir, &kiosk, now).expect("init kiosk"));
    let mut device = Device::init(dir, &dispatcher, now).expect("init dispatcher");
    assert_eq!(device.identities().len(), 2, "two identities on one store");

    eprintln!(
        "filling {} with {n} orders ({} units enrolled)",
        dir.display(),
        units.len()
    );
    let mut ids: Vec<OrderId> = Vec::with_capacity(n);
    let t0 = Instant::now();
    let mut lap = Instant::now();
    for i in 0..n {
        let req = submit_request(&orders[i % orders.len()], i);
        let step = i64::try_from(i).expect("fits");
        let s = device
            .submit(Some(KIOSK), req, at(step))
            .unwrap_or_else(|e| panic!("submit {i}: {e}"));
        ids.push(s.order);
        if (i + 1) % 1000 == 0 {
            eprintln!(
                "  submitted {:>6}/{n}  last 1000 in {:.2} s",
                i + 1,
                lap.elapsed().as_secs_f64()
            );
            lap = Instant::now();
        }
    }
    let submit_time = t0.elapsed();

    let half = n / 2;
    let t1 = Instant::now();
    lap = Instant::now();
    let start = i64::try_from(n).expect("fits");
    for (j, i) in (0..n).step_by(2).enumerate() {
        let o = &orders[i % orders.len()];
        let step = start + 2 * i64::try_from(j).expect("fits");
        let order = &ids[i];
        device
            .act(
                Some(DISPATCHER),
                order,
                Action::Register {
                    note: "受理".into(),
                },
                at(step),
            )
            .unwrap_or_else(|e| panic!("register {i}: {e}"));
        let co_units = if o.co_unit.is_empty() || o.co_unit == o.lead_unit {
            Vec::new()
        } else {
            vec![UnitId::new(o.co_unit.as_str())]
        };
        device
            .act(
                Some(DISPATCHER),
                order,
                Action::Dispatch {
                    separate_units: Vec::new(),
                    statutory_limit: None,
                    lead: UnitId::new(o.lead_unit.as_str()),
                    co_units,
                    leader_approval: false,
                    note: "请依法依规处理".into(),
                    duty_report: None,
                    coordination: None,
                    override_reason: None,
                },
                at(step + 1),
            )
            .unwrap_or_else(|e| panic!("dispatch {i}: {e}"));
        if (j + 1) % 1000 == 0 {
            eprintln!(
                "  dispatched {:>6}/{half}  last 1000 in {:.2} s",
                j + 1,
                lap.elapsed().as_secs_f64()
            );
            lap = Instant::now();
        }
    }
    let dispatched = n.div_ceil(2);
    let dispatch_time = t1.elapsed();
    let last_step = start + 2 * i64::try_from(dispatched).expect("fits") - 1;
    // Before closing: the last connection's close checkpoints the WAL into the database.
    let wal_before_close = file_len(&dir.join(format!("{DB_FILE}-wal")));
    let db_before_close = file_len(&dir.join(DB_FILE));
    drop(device);

    let secs = |d: Duration| d.as_secs_f64();
    out.extend([
        ("orders".into(), n.to_string()),
        ("dispatched_orders".into(), dispatched.to_string()),
        ("fill_submit_s".into(), format!("{:.2}", secs(submit_time))),
        (
            "fill_submit_orders_per_s".into(),
            format!("{:.1}", n as f64 / secs(submit_time)),
        ),
        (
            "fill_dispatch_s".into(),
            format!("{:.2}", secs(dispatch_time)),
        ),
        (
            "fill_dispatch_orders_per_s".into(),
            format!("{:.1}", dispatched as f64 / secs(dispatch_time)),
        ),
        (
            "fill_dispatch_actions_per_s".into(),
            format!("{:.1}", 2.0 * dispatched as f64 / secs(dispatch_time)),
        ),
        (
            "fill_total_orders_per_s".into(),
            format!("{:.1}", n as f64 / secs(submit_time + dispatch_time)),
        ),
        (
            "fill_signed_changes".into(),
            (n + 2 * dispatched).to_string(),
        ),
        (
            "fill_size_db_bytes_before_close".into(),
            db_before_close.to_string(),
        ),
        (
            "fill_size_wal_bytes_before_close".into(),
            wal_before_close.to_string(),
        ),
        ("fill_first_instant".into(), at(0).to_rfc3339()),
        ("fill_last_instant".into(), at(last_step).to_rfc3339()),
        (
            "fill_process_vmhwm_kb".into(),
            proc_status_kb("VmHWM").map_or("n/a".into(), |v| v.to_string()),
        ),
    ]);
    out
}

/// Runs in a fresh process on a filled store.
fn measure(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut opens = Vec::new();
    let mut device = None;
    for _ in 0..5 {
        drop(device.take());
        let t = Instant::now();
        device = Some(Device::open(dir).expect("open"));
        opens.push(t.elapsed());
    }
    let first_open_us = opens[0].as_secs_f64() * 1e6;
    let device = device.expect("opened");
    out.push((
        "open_first_ms".into(),
        format!("{:.2}", first_open_us / 1e3),
    ));
    out.push((
        "open_median_of_5_ms".into(),
        format!("{:.2}", median_us(&mut opens) / 1e3),
    ));
    out.push((
        "orders_in_index".into(),
        device.store().order_count().expect("count").to_string(),
    ));
    out.push((
        "changes_in_log".into(),
        device.store().change_count().expect("count").to_string(),
    ));

    // Thursday 12 March 2026 and Friday 13 March 2026, 09:00 in Puyang.
    let queries = [
        (
            "inbox_unit",
            InboxQuery {
                unit: Some("unit-000".into()),
                ..InboxQuery::default()
            },
        ),
        (
            "inbox_overdue_at_2026_03_13",
            InboxQuery {
                overdue_at: Some(cst(2026, 3, 13, 9, 0).timestamp_millis()),
                ..InboxQuery::default()
            },
        ),
        (
            "inbox_due_before_2026_03_12",
            InboxQuery {
                due_before: Some(cst(2026, 3, 12, 9, 0).timestamp_millis()),
                ..InboxQuery::default()
            },
        ),
    ];
    for (name, q) in &queries {
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..20 {
            let t = Instant::now();
            rows = device.inbox(q).expect("inbox").len();
            times.push(t.elapsed());
        }
        out.push((
            format!("{name}_median_of_20_ms"),
            format!("{:.3}", median_us(&mut times) / 1e3),
        ));
        out.push((format!("{name}_rows"), rows.to_string()));
    }

    let db = dir.join(DB_FILE);
    let wal = dir.join(format!("{DB_FILE}-wal"));
    let shm = dir.join(format!("{DB_FILE}-shm"));
    out.extend([
        ("size_db_bytes".into(), file_len(&db).to_string()),
        ("size_wal_bytes".into(), file_len(&wal).to_string()),
        ("size_shm_bytes".into(), file_len(&shm).to_string()),
        (
            "size_blobs_bytes".into(),
            dir_size(&dir.join("blobs")).to_string(),
        ),
        ("size_store_dir_bytes".into(), dir_size(dir).to_string()),
        (
            "vmhwm_kb_after_open_and_queries".into(),
            proc_status_kb("VmHWM").map_or("n/a".into(), |v| v.to_string()),
        ),
        (
            "vmrss_kb_after_open_and_queries".into(),
            proc_status_kb("VmRSS").map_or("n/a".into(), |v| v.to_string()),
        ),
    ]);
    drop(device);
    out
}

fn main() {
    let args = parse_args();
    if args.measure_only {
        let dir = args.dir.expect("--measure-only needs --dir");
        for (k, v) in measure(&dir) {
            println!("{k}={v}");
        }
        return;
    }

    let tmp;
    let dir = match &args.dir {
        Some(d) => {
            assert!(
                !d.join(DB_FILE).exists(),
                "{} already holds a store; give an empty or new directory",
                d.display()
            );
            d.clone()
        }
        None => {
            tmp = tempfile::Builder::new()
                .prefix("store-scale-")
                .tempdir()
                .expect("tempdir");
            tmp.path().to_path_buf()
        }
    };

    let filled = fill(&dir, args.orders);

    eprintln!("measuring in a fresh process…");
    let child = std::process::Command::new(std::env::current_exe().expect("current exe"))
        .arg("--measure-only")
        .arg("--dir")
        .arg(&dir)
        .output()
        .expect("measuring process");
    if !child.status.success() {
        panic!(
            "measuring process failed: {}\n{}",
            child.status,
            String::from_utf8_lossy(&child.stderr)
        );
    }

    println!("---");
    println!("store_dir={}", dir.display());
    println!(
        "store_kept={}",
        if args.dir.is_some() { "yes" } else { "no" }
    );
    for (k, v) in filled {
        println!("{k}={v}");
    }
    print!("{}", String::from_utf8_lossy(&child.stdout));
}
