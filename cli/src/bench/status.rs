//! `hotline bench status`: a citizen's receipt lookup (`/v1/status`, as a kiosk makes it) while
//! `devices` kiosks each push `orders` requests to the hub at once, against the same lookups on
//! the same hub when it is idle — measured in the same run, first (and again after the pushes,
//! the hub then holding every pushed order). The pushing devices are
//! kiosks: they receive nothing back, so the load is the hub's ingest alone and the two cores
//! are not spent by the devices taking in each other's orders. The lookups run on a thread of
//! their own, so the pushing devices' work does not delay them on the benchmark's side.
//!
//! SQLite always; PostgreSQL as well with `--database` (a database is created there and dropped
//! after), the same devices pushing again to a hub on it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use clap::Args;
use hotline_core::authority::Authority;
use hotline_core::device::Device;
use hotline_core::error::ErrorCode;
use hotline_core::model::{Channel, Role};
use hotline_core::policy::preset;
use hotline_core::sync::http::{CancelToken, sync_with_hub};
use serde_json::{Value, json};

use super::ingest::ScratchDb;
use super::lookup::timed_lookups;
use super::{
    HubProcess, Workplace, center_device, fail, runtime, spawn_hub_on, stats, tempfile_dir,
    workload, workload_at_base,
};
use crate::output::CliError;

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// Kiosks pushing at once.
    #[arg(long, default_value_t = 20)]
    pub devices: usize,
    /// Requests each kiosk pushes (one change each).
    #[arg(long, default_value_t = 1_000)]
    pub orders: usize,
    /// Lookups timed on the idle hub (one every 60 ms, a kiosk's pace); under load they go on
    /// until the last push is acknowledged.
    #[arg(long, default_value_t = 300)]
    pub lookups: usize,
    /// A PostgreSQL server to measure on as well (a database is created and dropped there).
    #[arg(long, env = "HOTLINE_DATABASE_URL")]
    pub database: Option<String>,
    #[command(flatten)]
    pub work: Workplace,
}

/// The city of one run: its authority folder, the pushing kiosks (each holding its requests),
/// and the kiosk that looks receipts up, with the receipts it submitted.
struct City {
    hub_dir: PathBuf,
    pushers: Vec<Device>,
    kiosk: Device,
    receipts: Vec<String>,
}

/// A kiosk takes requests as a kiosk: the workload's channel is its own.
fn at_kiosk(o: &workload::BenchOrder) -> hotline_core::device::SubmitRequest {
    let mut req = o.request.clone();
    req.channel = Channel::Kiosk;
    req
}

fn city(
    dir: &Path,
    args: &StatusArgs,
    orders: &[workload::BenchOrder],
    base: DateTime<Utc>,
) -> Result<City, CliError> {
    let hub_dir = dir.join("hub");
    let mut authority = Authority::create(&hub_dir, preset("turpan")?)?;
    let mut kiosk = center_device(
        &mut authority,
        Role::Kiosk,
        "bench-kiosk",
        &dir.join("kiosk"),
        base,
    )?;
    // A few receipts, so the lookups do not all read the same index row.
    let mut receipts = Vec::new();
    for o in orders.iter().take(10) {
        receipts.push(kiosk.submit(None, at_kiosk(o), base)?.receipt);
    }
    let mut pushers = Vec::new();
    for d in 0..args.devices {
        let person = format!("bench-pusher-{d}");
        let mut device = center_device(
            &mut authority,
            Role::Kiosk,
            &person,
            &dir.join(&person),
            base,
        )?;
        for i in 0..args.orders {
            let o = &orders[(d * args.orders + i) % orders.len()];
            let at = base + Duration::milliseconds(i64::try_from(i).unwrap_or(0));
            device.submit(None, at_kiosk(o), at)?;
        }
        pushers.push(device);
    }
    Ok(City {
        hub_dir,
        pushers,
        kiosk,
        receipts,
    })
}

/// The pushers' syncs, all started at once on `rt`; joined by [`finish_pushes`].
fn start_pushes(
    rt: &tokio::runtime::Runtime,
    url: &str,
    pushers: Vec<Device>,
) -> Vec<tokio::task::JoinHandle<Result<(Device, u64), CliError>>> {
    pushers
        .into_iter()
        .map(|mut device| {
            let url = url.to_string();
            rt.spawn(async move {
                let r = sync_with_hub(&mut device, &url, None, &mut |_| {}, &CancelToken::new())
                    .await?;
                Ok((device, r.progress.pushed))
            })
        })
        .collect()
}

async fn finish_pushes(
    tasks: Vec<tokio::task::JoinHandle<Result<(Device, u64), CliError>>>,
) -> Result<(Vec<Device>, u64), CliError> {
    let mut devices = Vec::new();
    let mut pushed = 0;
    for task in tasks {
        let (device, n) = task.await.map_err(|e| fail(ErrorCode::Bench, e))??;
        devices.push(device);
        pushed += n;
    }
    Ok((devices, pushed))
}

/// Lookups on a thread and a runtime of their own, `count` of them or while `busy` is set.
/// The kiosk goes to that thread and comes back.
fn lookups_on_own_thread(
    hub: &HubProcess,
    kiosk: Device,
    receipts: &[String],
    until: Until,
) -> Result<(Device, Vec<f64>), CliError> {
    let addr = hub.addr;
    let receipts = receipts.to_vec();
    let thread = std::thread::spawn(move || {
        let lookups = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| fail(ErrorCode::Runtime, e))
            .and_then(|rt| {
                rt.block_on(timed_lookups(addr, &kiosk, &receipts, |i| match &until {
                    Until::Count(n) => i < *n,
                    Until::Busy(busy) => busy.load(Ordering::Relaxed),
                }))
            });
        lookups.map(|ms| (kiosk, ms))
    });
    thread
        .join()
        .map_err(|_| fail(ErrorCode::Bench, "the lookup thread failed"))?
}

enum Until {
    Count(usize),
    Busy(Arc<AtomicBool>),
}

/// One storage: the kiosk's receipts reach the hub, lookups idle, then lookups while every
/// pusher pushes at once. Gives back the kiosk and the pushers (their pushes now acknowledged
/// by this hub).
fn measure(
    name: &str,
    hub: &HubProcess,
    mut kiosk: Device,
    receipts: &[String],
    pushers: Vec<Device>,
    lookups: usize,
    put: &mut dyn FnMut(&str, Value),
) -> Result<(Device, Vec<Device>), CliError> {
    let rt = runtime()?;
    let url = format!("http://{}", hub.addr);
    rt.block_on(sync_with_hub(
        &mut kiosk,
        &url,
        None,
        &mut |_| {},
        &CancelToken::new(),
    ))?;
    let (kiosk, idle) = lookups_on_own_thread(hub, kiosk, receipts, Until::Count(lookups))?;
    put(&format!("status_{name}_idle"), stats::latencies(idle));

    let busy = Arc::new(AtomicBool::new(true));
    let t = Instant::now();
    let tasks = start_pushes(&rt, &url, pushers);
    let watcher = {
        let busy = Arc::clone(&busy);
        rt.spawn(async move {
            let r = finish_pushes(tasks).await;
            let took = t.elapsed();
            busy.store(false, Ordering::Relaxed);
            r.map(|(devices, pushed)| (devices, pushed, took))
        })
    };
    let loaded = lookups_on_own_thread(hub, kiosk, receipts, Until::Busy(busy));
    let (devices, pushed, took) = rt
        .block_on(watcher)
        .map_err(|e| fail(ErrorCode::Bench, e))??;
    let (kiosk, loaded) = loaded?;
    put(
        &format!("status_{name}_under_load"),
        stats::latencies(loaded),
    );
    put(
        &format!("push_{name}"),
        json!({
            "changes": pushed,
            "seconds": (took.as_secs_f64() * 10.0).round() / 10.0,
            "changes_per_s": (pushed as f64 / took.as_secs_f64().max(1e-9)).round(),
        }),
    );
    // Idle again, now holding every pushed order: what the store's growth alone does.
    let (kiosk, after) = lookups_on_own_thread(hub, kiosk, receipts, Until::Count(lookups))?;
    put(
        &format!("status_{name}_idle_after"),
        stats::latencies(after),
    );
    Ok((kiosk, devices))
}

pub fn run(args: StatusArgs, put: &mut dyn FnMut(&str, Value)) -> Result<(), CliError> {
    let tmp = tempfile_dir(args.work.dir.as_deref())?;
    let (orders, base) = workload_at_base(args.work.orders_file.as_deref())?;
    put(
        "workload",
        json!(format!(
            "{} kiosks × {} requests pushed at once; lookups every 60 ms",
            args.devices, args.orders
        )),
    );
    let t = Instant::now();
    let city = city(&tmp.path, &args, &orders, base)?;
    put(
        "devices_made_in_s",
        json!((t.elapsed().as_secs_f64() * 10.0).round() / 10.0),
    );
    let City {
        hub_dir,
        pushers,
        kiosk,
        receipts,
    } = city;
    let hub = spawn_hub_on(&hub_dir, None)?;
    let (kiosk, pushers) = measure("sqlite", &hub, kiosk, &receipts, pushers, args.lookups, put)?;
    drop(hub);
    match &args.database {
        // A hub on PostgreSQL is another node: the same kiosks push everything again to it.
        Some(url) => {
            let db = ScratchDb::create(url, 0)?;
            let hub = spawn_hub_on(&hub_dir, Some(&db.url))?;
            measure(
                "postgres",
                &hub,
                kiosk,
                &receipts,
                pushers,
                args.lookups,
                put,
            )?;
        }
        None => put(
            "postgres",
            json!("skipped: give --database (or HOTLINE_DATABASE_URL) to measure it"),
        ),
    }
    Ok(())
}
