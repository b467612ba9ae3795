//! `hotline bench ingest`: how many changes per second the hub takes in, on each storage —
//! the embedded SQLite store (the baseline, measured in the same run), PostgreSQL behind one
//! hub process, and PostgreSQL behind two hub processes sharing the database. The same
//! workload each time: `devices` intake desks each push `orders` requests with one edit each
//! (two changes an order), all at once over loopback HTTP; the time runs from the first push
//! until every desk's last one is acknowledged. Medians (with min and max) over `runs`.
//!
//! PostgreSQL needs `--database` (or HOTLINE_DATABASE_URL): a server where this user may create
//! databases. Each measurement gets a database of its own (`hotline_bench_…`), dropped after.

use chrono::{DateTime, Duration, Utc};
use clap::Args;
use hotline_core::authority::Authority;
use hotline_core::device::Device;
use hotline_core::error::ErrorCode;
use hotline_core::model::Action;
use hotline_core::policy::preset;
use hotline_core::sync::http::{CancelToken, sync_with_hub};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{
    HubProcess, Workplace, fail, intake_desk, runtime, spawn_hub_on, stats, tempfile_dir, workload,
    workload_at_base,
};
use crate::output::CliError;

#[derive(Args, Debug)]
pub struct IngestArgs {
    /// Intake desks pushing at once.
    #[arg(long, default_value_t = 8)]
    pub devices: usize,
    /// Requests each desk pushes (each with one edit: two changes).
    #[arg(long, default_value_t = 250)]
    pub orders: usize,
    /// Measurements per storage; medians are printed.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// A PostgreSQL server to measure on (databases are created and dropped there).
    #[arg(long, env = "HOTLINE_DATABASE_URL")]
    pub database: Option<String>,
    #[command(flatten)]
    pub work: Workplace,
}

/// A scratch database on the server of `url`, dropped when this is dropped.
pub(super) struct ScratchDb {
    admin: postgres::Config,
    name: String,
    pub(super) url: String,
}

impl ScratchDb {
    pub(super) fn create(url: &str, n: usize) -> Result<ScratchDb, CliError> {
        let admin: postgres::Config = url.parse().map_err(|e| fail(ErrorCode::Bench, e))?;
        let name = format!("hotline_bench_{}_{n}", std::process::id());
        let mut client = admin
            .connect(postgres::NoTls)
            .map_err(|e| fail(ErrorCode::Bench, e))?;
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .map_err(|e| fail(ErrorCode::Bench, e))?;
        let mut config = admin.clone();
        config.dbname(&name);
        // The hub takes a libpq key=value string or a URL; a Config prints neither, so the
        // database is named on top of what was given.
        let url = if url.contains("://") {
            format!(
                "{url}{}dbname={name}",
                if url.contains('?') { "&" } else { "?" }
            )
        } else {
            format!("{url} dbname={name}")
        };
        Ok(ScratchDb { admin, name, url })
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        if let Ok(mut c) = self.admin.connect(postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// One measurement's city: an authority folder and its desks, each holding its pushes.
fn city(
    dir: &Path,
    args: &IngestArgs,
    orders: &[workload::BenchOrder],
    base: DateTime<Utc>,
) -> Result<(PathBuf, Vec<Device>, u64), CliError> {
    let hub_dir = dir.join("hub");
    let mut authority = Authority::create(&hub_dir, preset("turpan")?)?;
    let mut devices = Vec::new();
    let mut changes = 0u64;
    for d in 0..args.devices {
        let person = format!("bench-desk-{d}");
        let mut device = intake_desk(&mut authority, &person, &dir.join(&person), base)?;
        for i in 0..args.orders {
            let o = &orders[(d * args.orders + i) % orders.len()];
            let at = base + Duration::milliseconds(i64::try_from(i * 2).unwrap_or(0));
            let id = device.submit(None, o.request.clone(), at)?.order;
            let note = o.edit_note.clone();
            device.act(
                None,
                &id,
                Action::Register { note },
                at + Duration::milliseconds(1),
            )?;
            changes += 2;
        }
        devices.push(device);
    }
    Ok((hub_dir, devices, changes))
}

/// Every desk pushes at once, desk `i` to hub `i % hubs.len()`; changes per second.
fn push_all(hubs: &[HubProcess], devices: Vec<Device>, changes: u64) -> Result<f64, CliError> {
    let rt = runtime()?;
    let urls: Vec<String> = hubs.iter().map(|h| format!("http://{}", h.addr)).collect();
    rt.block_on(async {
        let t = Instant::now();
        let tasks: Vec<_> = devices
            .into_iter()
            .enumerate()
            .map(|(i, mut device)| {
                let url = urls[i % urls.len()].clone();
                tokio::spawn(async move {
                    sync_with_hub(&mut device, &url, None, &mut |_| {}, &CancelToken::new())
                        .await
                        .map(|r| r.progress.pushed)
                })
            })
            .collect();
        let mut pushed = 0;
        for task in tasks {
            pushed += task
                .await
                .map_err(|e| fail(ErrorCode::Bench, e))?
                .map_err(CliError::from)?;
        }
        let secs = t.elapsed().as_secs_f64();
        if pushed != changes {
            return Err(fail(
                ErrorCode::Bench,
                format!("{pushed} of {changes} changes pushed"),
            ));
        }
        Ok(changes as f64 / secs.max(1e-9))
    })
}

pub fn run(args: IngestArgs, put: &mut dyn FnMut(&str, Value)) -> Result<(), CliError> {
    let tmp = tempfile_dir(args.work.dir.as_deref())?;
    let (orders, base) = workload_at_base(args.work.orders_file.as_deref())?;
    let mut setups: Vec<(&str, usize, bool)> = vec![("sqlite_1proc", 1, false)];
    if args.database.is_some() {
        setups.push(("postgres_1proc", 1, true));
        setups.push(("postgres_2proc", 2, true));
    } else {
        put(
            "postgres",
            json!("skipped: give --database (or HOTLINE_DATABASE_URL) to measure it"),
        );
    }
    put(
        "workload",
        json!(format!(
            "{} desks × {} orders × 2 changes, at once",
            args.devices, args.orders
        )),
    );
    let mut n = 0;
    for (name, procs, on_postgres) in setups {
        let mut rates = Vec::new();
        for _ in 0..args.runs.max(1) {
            n += 1;
            let dir = tmp.path.join(format!("{name}-{n}"));
            let (hub_dir, devices, changes) = city(&dir, &args, &orders, base)?;
            let db = match (&args.database, on_postgres) {
                (Some(url), true) => Some(ScratchDb::create(url, n)?),
                _ => None,
            };
            let url = db.as_ref().map(|d| d.url.as_str());
            let hubs = (0..procs)
                .map(|_| spawn_hub_on(&hub_dir, url))
                .collect::<Result<Vec<_>, _>>()?;
            rates.push(push_all(&hubs, devices, changes)?);
            drop(hubs);
            drop(db);
            let _ = std::fs::remove_dir_all(&dir);
        }
        put(
            &format!("ingest_{name}_changes_per_s"),
            stats::runs(rates, 0),
        );
    }
    Ok(())
}
