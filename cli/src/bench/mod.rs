//! `hotline bench`: numbers measured against a hub in its own process, each bench with its
//! baseline in the same run — `sync` (the shared workload, comparable with the peer server),
//! `attack` (status lookups and memory under attack), `ingest` (changes per second on each
//! storage), `status` (lookups while kiosks push), `memory` (the hub's memory as orders grow).
//! This module holds what they share: the hub process, the city's devices, the work folder.

mod api;
mod attack;
mod center;
mod ingest;
mod kb;
mod limit;
mod lookup;
mod memory;
mod peer_changes;
mod procstat;
mod proxy;
mod stats;
mod status;
mod store_builder;
mod sync;
mod workload;

use chrono::{DateTime, Duration, Utc};
use clap::{Args, Subcommand};
use hotline_core::authority::{Authority, EnrolRequest};
use hotline_core::device::Device;
use hotline_core::error::ErrorCode;
use hotline_core::model::{PersonId, Role, UnitId};
use hotline_core::policy::preset;
use serde_json::{Map, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::output::{CliError, print_json};

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Sync and hub numbers on shared/bench/work-orders-1000.jsonl.
    Sync(sync::SyncArgs),
    /// A citizen's status lookups while the hub is attacked, and its memory under the memory
    /// attacks (issue 8).
    Attack(AttackArgs),
    /// Hub ingest per second on SQLite, PostgreSQL with one hub process and with two.
    Ingest(ingest::IngestArgs),
    /// A citizen's status lookups (p50/p99) while 20 kiosks each push 1,000 orders, against the
    /// same lookups on the same hub idle. 推送高峰时的查询延迟。
    Status(status::StatusArgs),
    /// The hub's memory (VmRSS, VmHWM) at several numbers of orders stored, to show it flat.
    /// 不同工单数量下平台的内存占用。
    Memory(memory::MemoryArgs),
    /// The center's monthly assessment and warnings scan over a hub store of N orders, on
    /// SQLite and PostgreSQL: time and peak memory. 考核与预警扫描耗时。
    Center(center::CenterArgs),
    /// The kiosk's numbers: knowledge-base search p50/p99 over N items, the sync of an update
    /// to a kiosk (time, bytes), the duplicate check at intake over M orders. 知识库与查重。
    Kb(kb::KbArgs),
    /// The city platform's reads over HTTP: Open311's listing, the JSON API's order pages,
    /// the event feed (against the hub's health round trip).
    Api(api::ApiArgs),
}

#[derive(Args, Debug)]
pub struct AttackArgs {
    /// Status lookups timed, quiet and under attack (one every 60 ms, a kiosk's pace).
    #[arg(long, default_value_t = 300)]
    pub lookups: usize,
    /// Idle connections held open during the attack.
    #[arg(long, default_value_t = 1_000)]
    pub idle: usize,
    /// Work folder (default: a new temporary folder, removed afterwards).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// Where a bench reads its workload and does its work.
#[derive(Args, Debug)]
pub struct Workplace {
    /// The shared workload (used unchanged).
    #[arg(long)]
    pub orders_file: Option<PathBuf>,
    /// Work folder (default: a new temporary folder, removed afterwards).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// A runtime on all cores for the bench's devices.
fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(ErrorCode::Runtime, e))
}

fn fail(code: ErrorCode, e: impl std::fmt::Display) -> CliError {
    CliError::new(
        code,
        format!("基准测试失败：{e}"),
        format!("benchmark failed: {e}"),
    )
}

/// The hub as its own process, so its memory is its own; killed when dropped.
struct HubProcess {
    child: Child,
    addr: std::net::SocketAddr,
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_hub(data: &Path) -> Result<HubProcess, CliError> {
    spawn_hub_on(data, None)
}

/// [`spawn_hub`] with its data in PostgreSQL at `database`.
fn spawn_hub_on(data: &Path, database: Option<&str>) -> Result<HubProcess, CliError> {
    let exe = std::env::current_exe().map_err(|e| fail(ErrorCode::BenchHub, e))?;
    let mut command = Command::new(exe);
    command
        .args([
            "hub",
            "serve",
            "--quiet",
            "--listen",
            "127.0.0.1:0",
            "--data",
        ])
        .arg(data)
        .env_remove("HOTLINE_DATABASE_URL");
    if let Some(url) = database {
        command.env("HOTLINE_DATABASE_URL", url);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| fail(ErrorCode::BenchHub, e))?;
    let out = child
        .stdout
        .take()
        .ok_or_else(|| fail(ErrorCode::BenchHub, "no stdout"))?;
    let mut line = String::new();
    BufReader::new(out)
        .read_line(&mut line)
        .map_err(|e| fail(ErrorCode::BenchHub, e))?;
    let addr = line
        .trim()
        .rsplit(' ')
        .next()
        .and_then(|a| a.parse().ok())
        .ok_or_else(|| {
            fail(
                ErrorCode::BenchHub,
                format!("unexpected hub output `{}`", line.trim()),
            )
        })?;
    Ok(HubProcess { child, addr })
}

pub fn run(cmd: BenchCommand, json: bool) -> Result<(), CliError> {
    match cmd {
        BenchCommand::Sync(args) => reported(json, |put| sync::run(args, put)),
        BenchCommand::Attack(args) => run_attack(args, json),
        BenchCommand::Ingest(args) => reported(json, |put| ingest::run(args, put)),
        BenchCommand::Status(args) => reported(json, |put| status::run(args, put)),
        BenchCommand::Memory(args) => reported(json, |put| memory::run(args, put)),
        BenchCommand::Center(args) => reported(json, |put| center::run(args, put)),
        BenchCommand::Kb(args) => reported(json, |put| kb::run(args, put)),
        BenchCommand::Api(args) => reported(json, |put| api::run(args, put)),
    }
}

/// Runs a bench that reports `key=value` as it goes: printed line by line, or with `--json`
/// gathered into one object printed at the end.
fn reported(
    json: bool,
    bench: impl FnOnce(&mut dyn FnMut(&str, Value)) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let mut out = Map::new();
    bench(&mut |k, v| {
        if !json {
            crate::outln!("{k}={v}");
        }
        out.insert(k.to_string(), v);
    })?;
    if json {
        print_json(&Value::Object(out))?;
    }
    Ok(())
}

fn run_attack(args: AttackArgs, json: bool) -> Result<(), CliError> {
    let tmp = tempfile_dir(args.dir.as_deref())?;
    let dir = tmp.path.clone();
    let now = Utc::now();
    let mut authority = Authority::create(&dir.join("hub"), preset("turpan")?)?;
    let mut enrol = |person: &str| -> Result<Device, CliError> {
        let cred = authority.enrol(
            &EnrolRequest {
                role: Role::Kiosk,
                unit: UnitId::new("center"),
                person: PersonId::new(person),
                display_name: "基准测试自助终端".into(),
                area: "4109".into(),
                not_before: now - Duration::days(1),
                valid_days: 30,
            },
            None,
            now,
        )?;
        Ok(Device::init(&dir.join(person), &cred, now)?)
    };
    let kiosk = enrol("bench-kiosk")?;
    let attacker = enrol("bench-attacker")?;
    drop(authority);
    let hub = spawn_hub(&dir.join("hub"))?;
    let rt = runtime()?;
    let mut out = Map::new();
    let mut put = |k: &str, v: Value| {
        if !json {
            crate::outln!("{k}={v}");
        }
        out.insert(k.to_string(), v);
    };
    rt.block_on(async {
        attack::Attack {
            hub: &hub,
            kiosk,
            attacker,
            lookups: args.lookups,
            idle: args.idle,
        }
        .run(&mut put)
        .await
    })?;
    drop(hub);
    if json {
        print_json(&Value::Object(out))?;
    }
    Ok(())
}

/// An intake desk of the center enrolled by `authority`, its store in `dir`.
fn intake_desk(
    authority: &mut Authority,
    person: &str,
    dir: &Path,
    base: DateTime<Utc>,
) -> Result<Device, CliError> {
    center_device(authority, Role::Intake, person, dir, base)
}

/// A device of the center's `role` enrolled by `authority` (valid from 30 days before `base`
/// for a year), its store in `dir`.
fn center_device(
    authority: &mut Authority,
    role: Role,
    person: &str,
    dir: &Path,
    base: DateTime<Utc>,
) -> Result<Device, CliError> {
    let cred = authority.enrol(
        &EnrolRequest {
            role,
            unit: UnitId::new("center"),
            person: PersonId::new(person),
            display_name: "基准测试受理员".into(),
            area: "4109".into(),
            not_before: base - Duration::days(30),
            valid_days: 365,
        },
        None,
        base,
    )?;
    Ok(Device::init(dir, &cred, base)?)
}

/// The shared workload (or `file`) and the instant the benchmark's devices start from.
fn workload_at_base(
    file: Option<&Path>,
) -> Result<(Vec<workload::BenchOrder>, DateTime<Utc>), CliError> {
    let orders = workload::load(&file.map_or_else(workload::default_path, Path::to_path_buf))?;
    let base = DateTime::parse_from_rfc3339("2026-03-02T09:00:00+08:00")
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| fail(ErrorCode::Bench, e))?;
    Ok((orders, base))
}

/// A work folder that is removed at the end unless the user named it.
struct WorkDir {
    path: PathBuf,
    remove: bool,
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if self.remove {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn tempfile_dir(given: Option<&Path>) -> Result<WorkDir, CliError> {
    match given {
        Some(p) => {
            std::fs::create_dir_all(p).map_err(|e| fail(ErrorCode::FileIo, e))?;
            Ok(WorkDir {
                path: p.to_path_buf(),
                remove: false,
            })
        }
        None => tempfile_dir_in(&std::env::temp_dir()),
    }
}

/// A new folder of this run's in `parent`, removed at the end.
fn tempfile_dir_in(parent: &Path) -> Result<WorkDir, CliError> {
    let p = parent.join(format!("hotline-bench-{}", std::process::id()));
    std::fs::create_dir_all(&p).map_err(|e| fail(ErrorCode::FileIo, e))?;
    Ok(WorkDir {
        path: p,
        remove: true,
    })
}
