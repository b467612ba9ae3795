//! `hotline bench sync`: the sync numbers on the shared workload, made to compare with the peer
//! server measured on the same file. Each run is a new city, hub process and device; the
//! scenarios, in order:
//!
//! 1. **push**: the device makes the 1,000 orders (device time: signed changes in its store),
//!    then one sync sends them (sync time: until the hub acknowledged the last).
//! 2. **edit**: one edit per order, made, then pushed together — the same split.
//! 3. **idle reconnect** at those 1,000 orders: a new device process (`hotline sync`), nothing
//!    to exchange.
//! 4. **ingest**: the device grows to `idle_orders` orders and pushes them; the hub's rate
//!    against the machine's limit for verifying and applying the same changes.
//! 5. **idle reconnect** again, at `idle_orders`.
//!
//! Every scenario reports the hub's CPU (utime + stime) and peak memory (VmHWM, reset at the
//! scenario's start), and the bytes up and down apart — HTTP bodies (what the client counted)
//! and raw TCP (a counting relay between device and hub, headers and framing included). Timed
//! loops do only the work: everything else is read before or after them. Medians over `runs`.
//!
//! `--crypto sm` runs it all in cities of the national suite (SM2 signatures, SM3, SM4 sealed
//! contacts); `--crypto both` runs ed25519 first as the baseline, then SM, and prints the SM
//! figures over ed25519's (`sm_to_ed25519`): device intake, hub ingest against each suite's own
//! verify + apply limit, bytes per synced edit.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use clap::Args;
use hotline_core::authority::Authority;
use hotline_core::device::Device;
use hotline_core::error::ErrorCode;
use hotline_core::identity::CryptoSuite;
use hotline_core::model::{Action, OrderId};
use hotline_core::policy::preset;
use hotline_core::sync::http::{CancelToken, SyncReport, sync_with_hub};
use serde_json::{Map, Value, json};

use super::procstat::Mark;
use super::proxy::{self, Counters};
use super::workload::{self, BenchOrder};
use super::{
    HubProcess, Workplace, fail, intake_desk, limit, runtime, spawn_hub, stats, tempfile_dir,
    workload_at_base,
};
use crate::output::CliError;

/// Which crypto suites a bench measures.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuiteChoice {
    Ed25519,
    Sm,
    /// Both, ed25519 first (the baseline), each in cities of its own; prints their ratios.
    Both,
}

impl SuiteChoice {
    fn suites(self) -> Vec<CryptoSuite> {
        match self {
            SuiteChoice::Ed25519 => vec![CryptoSuite::Ed25519],
            SuiteChoice::Sm => vec![CryptoSuite::Sm],
            SuiteChoice::Both => CryptoSuite::ALL.to_vec(),
        }
    }
}

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// Orders held by the device for the ingest and the second idle reconnect.
    #[arg(long, default_value_t = 10_000)]
    pub idle_orders: usize,
    /// Runs, each on a new city, hub and device; medians (with min and max) are printed.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// The cities' crypto suite: `ed25519`, `sm` (SM2/SM3/SM4), or `both` side by side.
    #[arg(long, value_enum, default_value_t = SuiteChoice::Ed25519)]
    pub crypto: SuiteChoice,
    #[command(flatten)]
    pub work: Workplace,
}

/// Every value measured, by scenario and name, one per run.
#[derive(Default)]
struct Measured(BTreeMap<String, BTreeMap<&'static str, Vec<f64>>>);

impl Measured {
    fn add(&mut self, scenario: &str, name: &'static str, value: f64) {
        self.0
            .entry(scenario.to_string())
            .or_default()
            .entry(name)
            .or_default()
            .push(value);
    }

    fn add_opt<T: Into<f64>>(&mut self, scenario: &str, name: &'static str, value: Option<T>) {
        if let Some(v) = value {
            self.add(scenario, name, v.into());
        }
    }
}

/// What the hub spent and the relay carried during one scenario.
struct Watch {
    mark: Mark,
    counters: Arc<Counters>,
}

impl Watch {
    fn start(hub: &HubProcess, counters: &Arc<Counters>) -> Watch {
        counters.take();
        Watch {
            mark: Mark::start(hub.child.id()),
            counters: Arc::clone(counters),
        }
    }

    fn finish(self, scenario: &str, m: &mut Measured) {
        let (up, down) = self.counters.take();
        m.add(scenario, "tcp_up_bytes", up as f64);
        m.add(scenario, "tcp_down_bytes", down as f64);
        m.add_opt(scenario, "hub_cpu_s", self.mark.cpu_s());
        m.add_opt(
            scenario,
            "hub_peak_rss_kb",
            self.mark.peak_kb().map(|k| k as f64),
        );
    }
}

fn bodies(scenario: &str, r: &SyncReport, m: &mut Measured) {
    m.add(scenario, "body_up_bytes", r.bytes_sent as f64);
    m.add(scenario, "body_down_bytes", r.bytes_received as f64);
    m.add(scenario, "requests", f64::from(r.requests));
}

/// One run's device and hub, the relay between them.
struct Run<'a> {
    device: Device,
    hub: &'a HubProcess,
    url: String,
    counters: Arc<Counters>,
}

impl Run<'_> {
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

    /// Device time to make `orders` (at their own times), then the sync that pushes them.
    async fn push(
        &mut self,
        scenario: &str,
        orders: &[&BenchOrder],
        m: &mut Measured,
    ) -> Result<(Vec<OrderId>, f64), CliError> {
        let mut ids = Vec::with_capacity(orders.len());
        let t = Instant::now();
        for o in orders {
            ids.push(
                self.device
                    .submit(None, o.request.clone(), o.created_at)?
                    .order,
            );
        }
        m.add(scenario, "device_s", t.elapsed().as_secs_f64());
        let secs = self.timed_sync(scenario, m).await?;
        Ok((ids, secs))
    }

    /// The sync of what the device holds, timed and watched.
    async fn timed_sync(&mut self, scenario: &str, m: &mut Measured) -> Result<f64, CliError> {
        let watch = Watch::start(self.hub, &self.counters);
        let t = Instant::now();
        let r = self.sync().await?;
        let secs = t.elapsed().as_secs_f64();
        watch.finish(scenario, m);
        m.add(scenario, "sync_s", secs);
        bodies(scenario, &r, m);
        Ok(secs)
    }

    /// One edit per order as the file gives it, then the sync that pushes them.
    async fn edit(
        &mut self,
        ids: &[OrderId],
        orders: &[BenchOrder],
        m: &mut Measured,
    ) -> Result<(), CliError> {
        let t = Instant::now();
        for (id, o) in ids.iter().zip(orders) {
            let note = o.edit_note.clone();
            self.device
                .act(None, id, Action::Register { note }, o.edit_at)?;
        }
        m.add("edit", "device_s", t.elapsed().as_secs_f64());
        self.timed_sync("edit", m).await?;
        Ok(())
    }

    /// A new device process (`hotline sync`) reconnecting with nothing to exchange.
    fn idle_reconnect(&self, scenario: &str, m: &mut Measured) -> Result<(), CliError> {
        let exe = std::env::current_exe().map_err(|e| fail(ErrorCode::Bench, e))?;
        let mut command = std::process::Command::new(exe);
        command
            .arg("--json")
            .arg("--store")
            .arg(self.device.store().dir())
            .args(["sync", "--hub", &self.url]);
        let watch = Watch::start(self.hub, &self.counters);
        let t = Instant::now();
        let out = command.output().map_err(|e| fail(ErrorCode::Bench, e))?;
        let secs = t.elapsed().as_secs_f64();
        watch.finish(scenario, m);
        if !out.status.success() {
            return Err(fail(
                ErrorCode::Bench,
                format!(
                    "the device process failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            ));
        }
        let report: Value =
            serde_json::from_slice(&out.stdout).map_err(|e| fail(ErrorCode::Bench, e))?;
        m.add(scenario, "process_s", secs);
        m.add(
            scenario,
            "orders_on_device",
            self.device.store().order_count()? as f64,
        );
        for (key, name) in [
            ("bytes_sent", "body_up_bytes"),
            ("bytes_received", "body_down_bytes"),
            ("requests", "requests"),
            ("pushed", "pushed"),
            ("pulled", "pulled"),
        ] {
            m.add_opt(scenario, name, report[key].as_f64());
        }
        Ok(())
    }
}

/// Which of an order's peer byte counts.
type PeerBytes = fn(&BenchOrder) -> usize;

/// Bytes of each order's two changes in the hotline (its submission and its edit), and of the
/// peer's two (encoded as Automerge changes, and as the file's JSON), averaged. Read after the scenarios, outside every timed loop.
fn change_bytes(
    device: &Device,
    ids: &[OrderId],
    orders: &[BenchOrder],
    m: &mut Measured,
) -> Result<(), CliError> {
    let n = ids.len().max(1) as f64;
    let (mut submit, mut edit, mut signature) = (0usize, 0usize, 0usize);
    for id in ids {
        let changes = device.export_changes(id)?;
        submit += changes.first().map_or(0, |c| c.bytes.len());
        edit += changes.last().map_or(0, |c| c.bytes.len());
        // As stored and sent: an SM2 signature names its algorithm in one byte more.
        signature += changes.last().map_or(0, |c| c.signature.len());
    }
    let avg = |f: fn(&BenchOrder) -> usize| orders.iter().map(f).sum::<usize>() as f64 / n;
    m.add("change_bytes", "hotline_submit_avg", submit as f64 / n);
    m.add("change_bytes", "hotline_edit_avg", edit as f64 / n);
    m.add("change_bytes", "hotline_signature", signature as f64 / n);
    let peer: [(&'static str, PeerBytes); 4] = [
        ("peer_order_change_avg", |o| o.peer_order_change_bytes),
        ("peer_edit_change_avg", |o| o.peer_edit_change_bytes),
        ("peer_order_json_avg", |o| o.peer_order_json_bytes),
        ("peer_edit_json_avg", |o| o.peer_edit_json_bytes),
    ];
    for (name, bytes) in peer {
        m.add("change_bytes", name, avg(bytes));
    }
    Ok(())
}

/// Per edit, the bytes that crossed the wire for it and their ratio to the change it carried.
fn per_edit(m: &mut Measured, edits: usize) {
    let last = |m: &Measured, s: &str, k: &str| {
        m.0.get(s)
            .and_then(|x| x.get(k))
            .and_then(|v| v.last().copied())
            .unwrap_or(0.0)
    };
    let n = edits.max(1) as f64;
    let body = (last(m, "edit", "body_up_bytes") + last(m, "edit", "body_down_bytes")) / n;
    let tcp = (last(m, "edit", "tcp_up_bytes") + last(m, "edit", "tcp_down_bytes")) / n;
    let change =
        last(m, "change_bytes", "hotline_edit_avg") + last(m, "change_bytes", "hotline_signature");
    m.add("edit", "body_bytes_per_edit", body);
    m.add("edit", "tcp_bytes_per_edit", tcp);
    m.add("edit", "body_ratio_to_change_plus_sig", body / change);
    m.add("edit", "tcp_ratio_to_change_plus_sig", tcp / change);
}

fn one_run(
    dir: &Path,
    suite: CryptoSuite,
    orders: &[BenchOrder],
    base: chrono::DateTime<chrono::Utc>,
    idle_orders: usize,
    m: &mut Measured,
) -> Result<(), CliError> {
    let mut authority = Authority::create_in(
        suite,
        &dir.join("hub"),
        preset("turpan")?,
        chrono::Utc::now(),
    )?;
    let device = intake_desk(&mut authority, "bench-intake", &dir.join("device"), base)?;
    drop(authority);
    let hub = spawn_hub(&dir.join("hub"))?;
    let rt = runtime()?;
    rt.block_on(async {
        let (proxy_addr, counters) = proxy::start(hub.addr)
            .await
            .map_err(|e| fail(ErrorCode::BenchProxy, e))?;
        let mut run = Run {
            device,
            hub: &hub,
            url: format!("http://{proxy_addr}"),
            counters,
        };
        let all: Vec<&BenchOrder> = orders.iter().collect();
        let (ids, _) = run.push("push", &all, m).await?;
        run.edit(&ids, orders, m).await?;
        change_bytes(&run.device, &ids, orders, m)?;
        per_edit(m, ids.len());
        run.idle_reconnect(&format!("idle_reconnect_at_{}", orders.len()), m)?;

        let extra: Vec<&BenchOrder> = orders
            .iter()
            .cycle()
            .take(idle_orders.saturating_sub(orders.len()))
            .collect();
        let before = run.device.store().last_change_seq()?;
        let (_, secs) = run.push("ingest", &extra, m).await?;
        let rate = extra.len() as f64 / secs.max(1e-9);
        let limit = limit::verify_and_apply_rate(run.device.store(), before)?;
        m.add("ingest", "changes", extra.len() as f64);
        m.add("ingest", "changes_per_s", rate);
        m.add("ingest", "limit_verify_apply_changes_per_s", limit);
        m.add("ingest", "ratio_to_limit", rate / limit.max(1e-9));
        run.idle_reconnect(&format!("idle_reconnect_at_{idle_orders}"), m)?;
        Ok::<(), CliError>(())
    })
}

pub fn run(args: SyncArgs, put: &mut dyn FnMut(&str, Value)) -> Result<(), CliError> {
    let tmp = tempfile_dir(args.work.dir.as_deref())?;
    let (orders, base) = workload_at_base(args.work.orders_file.as_deref())?;
    put("workload", json!(format!("{} orders", orders.len())));
    put(
        "mapping",
        Value::Object(
            workload::MAPPING
                .iter()
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect(),
        ),
    );
    let runs = args.runs.max(1);
    put("runs", json!(runs));
    let suites = args.crypto.suites();
    let mut medians = Vec::new();
    for &suite in &suites {
        let mut m = Measured::default();
        for n in 1..=runs {
            let dir = tmp.path.join(format!("{suite}-run-{n}"));
            one_run(&dir, suite, &orders, base, args.idle_orders, &mut m)?;
            let _ = std::fs::remove_dir_all(&dir);
            eprintln!("{suite}: run {n} of {runs} done / {suite} 第 {n} 次完成");
        }
        medians.push(suite_medians(&m));
        // One suite prints as before; several print each under its name.
        let prefix = if suites.len() > 1 {
            format!("{suite}.")
        } else {
            String::new()
        };
        for (scenario, values) in m.0 {
            let summary: Map<String, Value> = values
                .into_iter()
                .map(|(k, v)| (k.to_string(), stats::runs(v, 3)))
                .collect();
            put(&format!("{prefix}{scenario}"), Value::Object(summary));
        }
    }
    if let [base_suite, other] = medians.as_slice() {
        put("sm_to_ed25519", compare(base_suite, other));
    }
    Ok(())
}

/// The figures a suite is judged by (issue 16): device intake, hub ingest against the suite's
/// own verify + apply limit, bytes per synced edit — medians over the runs.
const SUITE_FIGURES: [(&str, &str, &str); 6] = [
    ("push", "device_s", "device_intake_s"),
    ("edit", "device_s", "device_edit_s"),
    ("ingest", "changes_per_s", "hub_ingest_changes_per_s"),
    (
        "ingest",
        "limit_verify_apply_changes_per_s",
        "limit_verify_apply_changes_per_s",
    ),
    ("ingest", "ratio_to_limit", "ingest_ratio_to_limit"),
    ("edit", "tcp_bytes_per_edit", "tcp_bytes_per_edit"),
];

fn suite_medians(m: &Measured) -> BTreeMap<&'static str, f64> {
    SUITE_FIGURES
        .iter()
        .filter_map(|&(scenario, name, figure)| {
            let mut v = m.0.get(scenario)?.get(name)?.clone();
            v.sort_by(f64::total_cmp);
            Some((figure, *v.get(v.len() / 2)?))
        })
        .collect()
}

/// Each figure of the SM suite against ed25519's, measured in the same run.
fn compare(ed: &BTreeMap<&'static str, f64>, sm: &BTreeMap<&'static str, f64>) -> Value {
    let ratios: Map<String, Value> = SUITE_FIGURES
        .iter()
        .filter_map(|&(_, _, figure)| {
            let (a, b) = (ed.get(figure)?, sm.get(figure)?);
            Some((
                figure.to_string(),
                json!({"ed25519": a, "sm": b, "sm_over_ed25519": b / a.max(1e-12)}),
            ))
        })
        .collect();
    Value::Object(ratios)
}
