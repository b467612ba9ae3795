//! `hotline bench memory`: the hub's resident memory with N orders stored, at several N, to
//! show it flat in the number of orders. For each N, in turn: the store is grown to N orders
//! ([`StoreBuilder`], the hub's own sync in process), then the real hub process is started on
//! it and made to work — status lookups of receipts spread over the whole store, a center
//! desk's sync pulling `pull_rounds` full answers of orders it has not seen (thousands), that
//! desk's edit of `edits` orders it received, a new kiosk pushing `push` requests — and its
//! VmRSS (after start and after the work) and VmHWM (the peak over both) are read. The work is
//! the same at every N, so what changes between the readings is the number of orders stored.
//! A `--dir` that holds a store from an earlier run is grown further, not built again.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use hotline_core::device::Device;
use hotline_core::model::{Action, Channel, Role};
use hotline_core::store::InboxQuery;
use hotline_core::sync::SyncError;
use hotline_core::sync::http::{CancelToken, HttpOptions, HubClient, sync_with_hub};
use hotline_core::workflow::Status;
use serde_json::{Value, json};

use super::lookup::timed_lookups;
use super::store_builder::StoreBuilder;
use super::{
    HubProcess, WorkDir, Workplace, procstat, runtime, spawn_hub, stats, tempfile_dir,
    tempfile_dir_in, workload_at_base,
};
use crate::output::CliError;

#[derive(Args, Debug)]
pub struct MemoryArgs {
    /// Numbers of orders stored at which the hub's memory is read, ascending (the store grows
    /// from one to the next), e.g. 10000,100000,1000000.
    #[arg(long, value_delimiter = ',', default_values_t = [2_000, 20_000])]
    pub orders: Vec<usize>,
    /// Answers of 512 KiB the desk pulls at each N (each some 400 orders).
    #[arg(long, default_value_t = 10)]
    pub pull_rounds: u32,
    /// Orders the desk edits (of those it pulled, not yet registered).
    #[arg(long, default_value_t = 1_000)]
    pub edits: u32,
    /// Requests a new kiosk pushes.
    #[arg(long, default_value_t = 1_000)]
    pub push: usize,
    /// Status lookups, of receipts spread over the store.
    #[arg(long, default_value_t = 200)]
    pub lookups: usize,
    /// Where the scratch device stores go (default: /dev/shm when there is one).
    #[arg(long)]
    pub scratch: Option<PathBuf>,
    #[command(flatten)]
    pub work: Workplace,
}

/// The scratch folder for device stores: the one given (kept), or one of this run's on tmpfs
/// (removed at the end, however the run ends).
fn scratch_dir(given: Option<&Path>, work: &Path) -> Result<WorkDir, CliError> {
    let tmpfs = Path::new("/dev/shm");
    match given {
        Some(p) => tempfile_dir(Some(p)),
        None if tmpfs.is_dir() => tempfile_dir_in(tmpfs),
        None => tempfile_dir_in(&work.join("scratch")),
    }
}

/// The devices that make the hub work: a kiosk and a pusher enrolled afresh for each N, and one
/// center desk for all, whose sync goes on from where it stopped at the last N (so each N's
/// pull brings orders it has not seen).
struct Workers {
    kiosk: Device,
    desk: Device,
    pusher: Device,
}

fn workers(
    builder: &mut StoreBuilder,
    n: usize,
    push: usize,
    desk: Device,
) -> Result<Workers, CliError> {
    let mut pusher = builder.enrol(Role::Kiosk, &format!("bench-pusher-at-{n}"))?;
    let base = builder.base;
    for (i, o) in builder.orders.iter().cycle().take(push).enumerate() {
        let mut req = o.request.clone();
        req.channel = Channel::Kiosk;
        pusher.submit(
            None,
            req,
            base + chrono::Duration::milliseconds(i64::try_from(i).unwrap_or(0)),
        )?;
    }
    Ok(Workers {
        kiosk: builder.enrol(Role::Kiosk, &format!("bench-kiosk-at-{n}"))?,
        desk,
        pusher,
    })
}

/// A sync of the desk, stopped after `rounds` answers (a sync that ends sooner is fine).
async fn pull_some(url: &str, desk: &mut Device, rounds: u32) -> Result<(), CliError> {
    let client = HubClient::new(
        url,
        HttpOptions {
            max_rounds: rounds,
            blobs: false,
            ..HttpOptions::default()
        },
    )?;
    match client
        .sync(&mut *desk, None, &mut |_| {}, &CancelToken::new())
        .await
    {
        Ok(_) | Err(SyncError::TooManyRounds(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// An edit (受理 with a note) of `edits` orders the desk holds not yet registered, pushed in
/// one sync that again stops after `rounds` answers.
async fn edit_some(
    url: &str,
    desk: &mut Device,
    edits: u32,
    rounds: u32,
) -> Result<usize, CliError> {
    let held = desk.inbox(&InboxQuery {
        statuses: vec![Status::Submitted],
        limit: edits,
        ..InboxQuery::default()
    })?;
    let at = chrono::Utc::now();
    for row in &held {
        desk.act(
            None,
            &row.order,
            Action::Register {
                note: "基准测试受理".into(),
            },
            at,
        )?;
    }
    pull_some(url, desk, rounds).await?;
    Ok(held.len())
}

/// Starts the hub on the store, makes it work, reads its memory. Gives the desk back.
fn measure(
    builder: &mut StoreBuilder,
    desk: Device,
    args: &MemoryArgs,
    put: &mut dyn FnMut(&str, Value),
) -> Result<Device, CliError> {
    let n = builder.held;
    let mut w = workers(builder, n, args.push, desk)?;
    let receipts = builder.receipts_spread(args.lookups)?;
    let hub = spawn_hub(&builder.hub_dir)?;
    let pid = hub.child.id();
    let rss_started = procstat::rss_kb(pid);
    let url = format!("http://{}", hub.addr);
    let rt = runtime()?;
    let t = Instant::now();
    let (lookups, edited, steps) = rt.block_on(exercise(&hub, &url, &mut w, &receipts, args))?;
    put(
        &format!("hub_at_{n}"),
        json!({
            "orders": n,
            "vmrss_kb_after_start": rss_started,
            "vmrss_kb_after_each_step": steps,
            "vmrss_kb_after_work": procstat::rss_kb(pid),
            "vmhwm_kb": procstat::peak_kb(pid),
            "store_bytes": procstat::dir_bytes(&builder.hub_dir.join(hotline_hub::STORE_DIR)),
            "status_lookups": stats::latencies(lookups),
            "desk_edits": edited,
            "work_s": (t.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        }),
    );
    drop(hub);
    for d in [&w.kiosk, &w.pusher] {
        let _ = std::fs::remove_dir_all(d.store().dir());
    }
    Ok(w.desk)
}

async fn exercise(
    hub: &HubProcess,
    url: &str,
    w: &mut Workers,
    receipts: &[String],
    args: &MemoryArgs,
) -> Result<(Vec<f64>, usize, Value), CliError> {
    // The hub's memory after each step, to see which work it grows with.
    let rss = || procstat::rss_kb(hub.child.id());
    let n = args.lookups;
    let lookups = timed_lookups(hub.addr, &w.kiosk, receipts, |i| i < n).await?;
    let after_lookups = rss();
    pull_some(url, &mut w.desk, args.pull_rounds).await?;
    let after_pull = rss();
    let edited = edit_some(url, &mut w.desk, args.edits, args.pull_rounds).await?;
    let after_edits = rss();
    sync_with_hub(&mut w.pusher, url, None, &mut |_| {}, &CancelToken::new()).await?;
    let steps = json!({
        "lookups": after_lookups,
        "desk_pull": after_pull,
        "desk_edits": after_edits,
        "kiosk_push": rss(),
    });
    Ok((lookups, edited, steps))
}

pub fn run(args: MemoryArgs, put: &mut dyn FnMut(&str, Value)) -> Result<(), CliError> {
    let tmp = tempfile_dir(args.work.dir.as_deref())?;
    let scratch = scratch_dir(args.scratch.as_deref(), &tmp.path)?;
    let (orders, base) = workload_at_base(args.work.orders_file.as_deref())?;
    let mut builder = StoreBuilder::open(&tmp.path.join("hub"), &scratch.path, orders, base)?;
    let mut desk = builder.enrol(Role::Intake, "bench-desk")?;
    let mut targets = args.orders.clone();
    targets.sort_unstable();
    for target in targets {
        let t = Instant::now();
        let from = builder.grow_to(target)?;
        put(
            &format!("built_to_{target}"),
            json!({
                "from_orders": from,
                "seconds": (t.elapsed().as_secs_f64()).round(),
            }),
        );
        desk = measure(&mut builder, desk, &args, put)?;
    }
    Ok(())
}
