//! `hotline bench sync`: the sync numbers in one run, on the shared workload — a 1,000-order
//! push over loopback HTTP, one edit per order, bytes per edit (bodies and raw TCP), hub ingest
//! against the machine's limit for verifying and applying the same changes, idle-reconnect
//! bytes at 10,000 orders, and the hub's memory after 100,000 orders.

mod attack;
mod ingest;
mod limit;
mod proxy;
mod workload;

use chrono::{DateTime, Duration, Utc};
use clap::{Args, Subcommand};
use hotline_core::authority::{Authority, EnrolRequest};
use hotline_core::device::Device;
use hotline_core::error::ErrorCode;
use hotline_core::model::{Action, OrderId, PersonId, Role, UnitId};
use hotline_core::policy::preset;
use hotline_core::sync::http::{CancelToken, SyncReport, sync_with_hub};
use serde_json::{Map, Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use crate::output::{CliError, print_json};

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Sync and hub numbers on shared/bench/work-orders-1000.jsonl.
    Sync(SyncArgs),
    /// A citizen's status lookups while the hub is attacked, and its memory under the memory
    /// attacks (issue 8).
    Attack(AttackArgs),
    /// Hub ingest per second on SQLite, PostgreSQL with one hub process and with two.
    Ingest(ingest::IngestArgs),
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

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// The shared workload (used unchanged).
    #[arg(long)]
    pub orders_file: Option<PathBuf>,
    /// Orders held by the device when the idle reconnect is measured.
    #[arg(long, default_value_t = 10_000)]
    pub idle_orders: usize,
    /// Orders stored at the hub when its memory is read.
    #[arg(long, default_value_t = 100_000)]
    pub rss_orders: usize,
    /// Work folder (default: a new temporary folder, removed afterwards).
    #[arg(long)]
    pub dir: Option<PathBuf>,
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

fn proc_status_kb(pid: u32, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

fn dir_bytes(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        dir_bytes(&p)
                    } else {
                        e.metadata().map_or(0, |m| m.len())
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

struct Bench {
    device: Device,
    url: String,
    counters: std::sync::Arc<proxy::Counters>,
    base: DateTime<Utc>,
    clock: i64,
}

impl Bench {
    fn now(&mut self) -> DateTime<Utc> {
        self.clock += 1;
        self.base + Duration::milliseconds(self.clock)
    }

    async fn sync(&mut self) -> Result<SyncReport, CliError> {
        Ok(sync_with_hub(
            &mut self.device,
            &self.url,
            None,
            &mut |_| {},
            &CancelToken::new(),
        )
        .await?)
    }

    fn submit(&mut self, orders: &[workload::BenchOrder], i: usize) -> Result<OrderId, CliError> {
        let at = self.now();
        let req = orders[i % orders.len()].request.clone();
        Ok(self.device.submit(None, req, at)?.order)
    }
}

pub fn run(cmd: BenchCommand, json: bool) -> Result<(), CliError> {
    match cmd {
        BenchCommand::Sync(args) => run_sync(args, json),
        BenchCommand::Attack(args) => run_attack(args, json),
        BenchCommand::Ingest(args) => {
            let mut out = Map::new();
            ingest::run(args, &mut |k, v| {
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
    }
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
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(ErrorCode::Runtime, e))?;
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
    let cred = authority.enrol(
        &EnrolRequest {
            role: Role::Intake,
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

fn run_sync(args: SyncArgs, json: bool) -> Result<(), CliError> {
    let tmp = tempfile_dir(args.dir.as_deref())?;
    let dir = tmp.path.clone();
    let (orders, base) = workload_at_base(args.orders_file.as_deref())?;
    let mut authority = Authority::create(&dir.join("hub"), preset("turpan")?)?;
    let device = intake_desk(&mut authority, "bench-intake", &dir.join("device"), base)?;
    drop(authority);
    let hub = spawn_hub(&dir.join("hub"))?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| fail(ErrorCode::Runtime, e))?;
    let mut out = Map::new();
    let mut put = |k: &str, v: Value| {
        if !json {
            crate::outln!("{k}={v}");
        }
        out.insert(k.to_string(), v);
    };
    put("workload", json!(format!("{} orders", orders.len())));
    rt.block_on(async {
        let (proxy_addr, counters) = proxy::start(hub.addr)
            .await
            .map_err(|e| fail(ErrorCode::BenchProxy, e))?;
        let mut b = Bench {
            device,
            url: format!("http://{proxy_addr}"),
            counters,
            base,
            clock: 0,
        };

        // 1. Push: from the first order created until the hub acknowledged the last.
        b.counters.take();
        let t = Instant::now();
        let mut ids = Vec::new();
        for i in 0..orders.len() {
            ids.push(b.submit(&orders, i)?);
        }
        let r = b.sync().await?;
        let push_s = t.elapsed().as_secs_f64();
        let (up, down) = b.counters.take();
        put("push_orders", json!(orders.len()));
        put("push_ms", json!((push_s * 1000.0).round()));
        put(
            "push_orders_per_s",
            json!((orders.len() as f64 / push_s).round()),
        );
        put(
            "push_http_body_bytes",
            json!(r.bytes_sent + r.bytes_received),
        );
        put("push_tcp_bytes", json!(up + down));

        // 2. One edit per order, pushed together.
        let t = Instant::now();
        let mut change_bytes = 0usize;
        for (i, id) in ids.iter().enumerate() {
            let at = b.now();
            let note = orders[i].edit_note.clone();
            b.device.act(None, id, Action::Register { note }, at)?;
            change_bytes += b
                .device
                .export_changes(id)?
                .last()
                .map_or(0, |c| c.bytes.len());
        }
        let r = b.sync().await?;
        let edit_s = t.elapsed().as_secs_f64();
        let (up, down) = b.counters.take();
        let n = ids.len() as f64;
        let change = change_bytes as f64 / n;
        let body = (r.bytes_sent + r.bytes_received) as f64 / n;
        let tcp = (up + down) as f64 / n;
        put("edit_ms", json!((edit_s * 1000.0).round()));
        put("edit_change_bytes_avg", json!(change.round()));
        put("edit_http_body_bytes_per_edit", json!(body.round()));
        put("edit_tcp_bytes_per_edit", json!(tcp.round()));
        put(
            "edit_body_ratio_to_change_plus_sig",
            json!(((body / (change + 64.0)) * 100.0).round() / 100.0),
        );
        put(
            "edit_tcp_ratio_to_change_plus_sig",
            json!(((tcp / (change + 64.0)) * 100.0).round() / 100.0),
        );

        // 3. Ingest at the hub against the limit of verifying + applying the same changes.
        let before = b.device.store().last_change_seq()?;
        let extra = args.idle_orders.saturating_sub(ids.len());
        for i in 0..extra {
            b.submit(&orders, i)?;
        }
        let t = Instant::now();
        b.sync().await?;
        let ingest_s = t.elapsed().as_secs_f64();
        let ingest_rate = extra as f64 / ingest_s.max(1e-9);
        let limit_rate = limit::verify_and_apply_rate(b.device.store(), before)?;
        put("ingest_changes", json!(extra));
        put("ingest_changes_per_s", json!(ingest_rate.round()));
        put(
            "limit_verify_apply_changes_per_s",
            json!(limit_rate.round()),
        );
        put(
            "ingest_ratio_to_limit",
            json!(((ingest_rate / limit_rate.max(1e-9)) * 100.0).round() / 100.0),
        );

        // 4. An idle reconnect of a device holding `idle_orders` orders.
        b.counters.take();
        let r = b.sync().await?;
        let (up, down) = b.counters.take();
        put(
            "idle_orders_on_device",
            json!(b.device.store().order_count()?),
        );
        put(
            "idle_http_body_bytes",
            json!(r.bytes_sent + r.bytes_received),
        );
        put("idle_tcp_bytes", json!(up + down));

        // 5. Hub memory after storing `rss_orders` orders.
        let mut held = args.idle_orders.max(ids.len());
        while held < args.rss_orders {
            let step = (args.rss_orders - held).min(10_000);
            for i in 0..step {
                b.submit(&orders, i)?;
            }
            b.sync().await?;
            held += step;
            eprintln!("hub holds {held} orders");
        }
        let pid = hub.child.id();
        put("hub_orders", json!(held));
        put("hub_vmrss_kb", json!(proc_status_kb(pid, "VmRSS:")));
        put("hub_vmhwm_kb", json!(proc_status_kb(pid, "VmHWM:")));
        put(
            "hub_store_bytes",
            json!(dir_bytes(&dir.join("hub").join("store"))),
        );
        Ok::<(), CliError>(())
    })?;
    drop(hub);
    if json {
        print_json(&Value::Object(out))?;
    }
    Ok(())
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
        None => {
            let p = std::env::temp_dir().join(format!("hotline-bench-{}", std::process::id()));
            std::fs::create_dir_all(&p).map_err(|e| fail(ErrorCode::FileIo, e))?;
            Ok(WorkDir {
                path: p,
                remove: true,
            })
        }
    }
}
