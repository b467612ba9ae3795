//! `hotline bench center`: the center's monthly assessment and warnings scan over a hub store
//! of N orders — on the hub's SQLite store and, with `--database`, on PostgreSQL (the same
//! store copied by `hotline hub migrate`). Each pass reads every order through the hub's read
//! side, verifies every change, folds the order and reads its facts and warnings; the baseline
//! measured in the same run is the read-and-verify pass alone, so what the center's rules add
//! shows apart from what reading a city costs. Time (median of the runs) and the process's
//! peak resident memory (VmHWM, reset before each phase) are printed.
//!
//! The store: N − H requests from kiosks (the shared workload), and H orders with a whole life
//! in March 2026 at U towns — dispatched, signed for, replied, reviewed, called back; some late,
//! some reopened, some still open — so every rule has something to count.

use std::ops::ControlFlow;
use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use clap::Args;
use hotline_core::center::assessment::{AssessmentInputs, Method, assess};
use hotline_core::center::{Period, WarningConfig, scan, walk_orders};
use hotline_core::device::Device;
use hotline_core::error::ErrorCode;
use hotline_core::model::{
    Action, CaseInfo, ReplyContent, RequestKind, Role, Satisfaction, UnitId,
};
use serde_json::{Value, json};

use super::ingest::ScratchDb;
use super::store_builder::StoreBuilder;
use super::{Workplace, fail, procstat, stats, tempfile_dir, workload_at_base};
use crate::output::CliError;

#[derive(Args, Debug)]
pub struct CenterArgs {
    /// Orders the hub store holds.
    #[arg(long, default_value_t = 20_000)]
    pub orders: usize,
    /// Of those, orders with a whole life in the month (the rest are new requests).
    #[arg(long, default_value_t = 1_000)]
    pub handled: usize,
    /// Handling units the handled orders go to.
    #[arg(long, default_value_t = 20)]
    pub units: usize,
    /// Timed runs of each pass (the median is reported).
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// PostgreSQL server to measure on too (a scratch database is made and dropped).
    #[arg(long, env = "HOTLINE_DATABASE_URL")]
    pub database: Option<String>,
    /// (internal) One pass on the store already in --dir, in this process, so that its peak
    /// memory is the pass's own: `read` or `scan`.
    #[arg(long, hide = true)]
    pub measure: Option<String>,
    /// (internal) The database of that pass.
    #[arg(long, hide = true)]
    pub measure_database: Option<String>,
    #[command(flatten)]
    pub work: Workplace,
}

pub fn run(args: CenterArgs, put: &mut dyn FnMut(&str, Value)) -> Result<(), CliError> {
    if args.handled > args.orders || args.units == 0 || args.runs == 0 {
        return Err(fail(
            ErrorCode::BadInput,
            "--handled must not exceed --orders; --units and --runs must be at least 1",
        ));
    }
    let tmp = tempfile_dir(args.work.dir.as_deref())?;
    if let Some(pass) = &args.measure {
        put(
            "pass",
            one_pass(&tmp.path.join("hub"), args.measure_database.clone(), pass)?,
        );
        return Ok(());
    }
    let (orders, base) = workload_at_base(args.work.orders_file.as_deref())?;
    let hub_dir = tmp.path.join("hub");
    let scratch = tmp.path.join("scratch");
    let mut builder = StoreBuilder::open(&hub_dir, &scratch, orders, base)?;
    let built = Instant::now();
    if builder.held < args.orders {
        builder.grow_to(args.orders - args.handled)?;
        let device = handled_orders(&mut builder, &scratch, args.handled, args.units, base)?;
        builder.push(device)?;
    }
    put(
        "store",
        json!({
            "orders": builder.held,
            "handled_in_month": args.handled,
            "units": args.units,
            "built_s": stats::ms2(built.elapsed().as_secs_f64() * 1000.0) / 1000.0,
        }),
    );
    put("sqlite", measure(&tmp.path, None, args.runs)?);
    if let Some(url) = &args.database {
        let db = ScratchDb::create(url, builder.held)?;
        let copied = Instant::now();
        hotline_hub::postgres::migrate::from_sqlite(&hub_dir, &db.url, &mut |_| {
            ControlFlow::Continue(())
        })?;
        let copied_s = copied.elapsed().as_secs_f64();
        let mut pg = measure(&tmp.path, Some(db.url.clone()), args.runs)?;
        pg["copied_s"] = json!(copied_s);
        put("postgres", pg);
    }
    Ok(())
}

/// One device holding every person of the center and the towns, and `n` orders lived through
/// March 2026 on it.
fn handled_orders(
    builder: &mut StoreBuilder,
    scratch: &Path,
    n: usize,
    units: usize,
    base: DateTime<Utc>,
) -> Result<Device, CliError> {
    let dir = scratch.join("center-and-towns");
    let _ = std::fs::remove_dir_all(&dir);
    let mut people = vec![
        (
            Role::Intake,
            "bench-intake".to_string(),
            "center".to_string(),
        ),
        (
            Role::Dispatcher,
            "bench-dispatcher".to_string(),
            "center".to_string(),
        ),
        (
            Role::Callback,
            "bench-callback".to_string(),
            "center".to_string(),
        ),
    ];
    for u in 0..units {
        people.push((
            Role::Staff,
            format!("bench-staff-{u}"),
            format!("bench-town-{u:02}"),
        ));
    }
    let mut device = None;
    for (role, person, unit) in &people {
        let cred = builder.credential(*role, person, unit)?;
        device = Some(Device::init(&dir, &cred, base)?);
    }
    let Some(mut device) = device else {
        return Err(fail(ErrorCode::Bench, "no people enrolled"));
    };
    let requests: Vec<_> = builder.orders.iter().map(|o| o.request.clone()).collect();
    for i in 0..n {
        let unit = format!("bench-town-{:02}", i % units);
        let staff = format!("bench-staff-{}", i % units);
        // Spread over the first fortnight of March, so deadlines fall in the month.
        let t = base + Duration::minutes(i64::try_from(i % 14_000).unwrap_or(0));
        let mut req = requests[i % requests.len().max(1)].clone();
        req.kind = RequestKind::Complaint;
        // Called back: the confidential ones of the workload are not.
        req.confidential = false;
        let order = device.submit(Some("bench-intake"), req, t)?.order;
        let mut act = |who: &str, action: Action, at: DateTime<Utc>| -> Result<(), CliError> {
            device.act(Some(who), &order, action, at)?;
            Ok(())
        };
        act(
            "bench-intake",
            Action::Register {
                note: String::new(),
            },
            t + Duration::minutes(5),
        )?;
        act(
            "bench-dispatcher",
            dispatch(&unit),
            t + Duration::minutes(10),
        )?;
        act(
            &staff,
            Action::SignFor {
                note: String::new(),
            },
            t + Duration::hours(1),
        )?;
        let shape = i % 10;
        if shape == 9 {
            continue; // still being handled at the month's end
        }
        // Turpan: 15 working days for a complaint; shape 7 replies after 24 days, late.
        let replied = t + if shape == 7 {
            Duration::days(24)
        } else {
            Duration::days(2)
        };
        // Shape 8 is rated dissatisfied, reopened, and satisfied the second time.
        let ratings: &[Satisfaction] = if shape == 8 {
            &[Satisfaction::Dissatisfied, Satisfaction::Satisfied]
        } else {
            &[Satisfaction::Satisfied]
        };
        for (round, rating) in ratings.iter().enumerate() {
            let at = replied + Duration::days(i64::try_from(round).unwrap_or(0));
            act(&staff, Action::Reply(reply(&unit, at)), at)?;
            act(
                "bench-dispatcher",
                Action::Review {
                    approve: true,
                    note: String::new(),
                },
                at + Duration::hours(1),
            )?;
            let callback = Action::Callback {
                rating: *rating,
                note: String::new(),
                service_rating: Some(Satisfaction::Satisfied),
                unit_contacted: Some(i % 23 != 0),
            };
            act("bench-callback", callback, at + Duration::hours(2))?;
            if rating.is_dissatisfied() {
                act(
                    "bench-dispatcher",
                    Action::Reopen {
                        reason: "不满意".into(),
                    },
                    at + Duration::hours(3),
                )?;
            }
        }
    }
    Ok(device)
}

fn dispatch(unit: &str) -> Action {
    Action::Dispatch {
        lead: UnitId::new(unit),
        co_units: Vec::new(),
        leader_approval: false,
        note: String::new(),
        duty_report: None,
        coordination: None,
        statutory_limit: None,
        separate_units: Vec::new(),
        override_reason: None,
    }
}

fn reply(unit: &str, at: DateTime<Utc>) -> ReplyContent {
    ReplyContent {
        handled_at: at,
        unit: UnitId::new(unit),
        handler: "基准测试".into(),
        result: "已处理".into(),
        legal_basis: "《城市市容和环境卫生管理条例》".into(),
        citizen_informed_how: "电话".into(),
        case: Some(CaseInfo::NotFiled {
            reason: "已当场整改".into(),
        }),
        responsible_leader: None,
    }
}

/// The two passes over the hub in `dir` (`database`: on PostgreSQL), each `runs` times, each in
/// a process of its own (this binary again), so that a pass's peak memory is its own and not
/// what building the store left behind.
fn measure(dir: &Path, database: Option<String>, runs: usize) -> Result<Value, CliError> {
    let exe = std::env::current_exe().map_err(|e| fail(ErrorCode::Bench, e))?;
    let pass = |name: &str| -> Result<Value, CliError> {
        let mut cmd = std::process::Command::new(&exe);
        cmd.args(["bench", "center", "--json", "--measure", name, "--dir"])
            .arg(dir);
        if let Some(url) = &database {
            cmd.args(["--measure-database", url]);
        }
        let out = cmd.output().map_err(|e| fail(ErrorCode::Bench, e))?;
        if !out.status.success() {
            return Err(fail(ErrorCode::Bench, String::from_utf8_lossy(&out.stderr)));
        }
        let v: Value =
            serde_json::from_slice(&out.stdout).map_err(|e| fail(ErrorCode::Bench, e))?;
        Ok(v["pass"].clone())
    };
    let mut reads = Vec::new();
    let mut scans = Vec::new();
    for _ in 0..runs {
        reads.push(pass("read")?);
        scans.push(pass("scan")?);
    }
    let median = |v: &[Value], key: &str| {
        let mut xs: Vec<f64> = v.iter().filter_map(|x| x[key].as_f64()).collect();
        xs.sort_by(f64::total_cmp);
        xs.get(xs.len() / 2).copied().unwrap_or(0.0)
    };
    let peak = |v: &[Value]| {
        v.iter()
            .filter_map(|x| x["peak_rss_kb"].as_u64())
            .max()
            .unwrap_or(0)
    };
    let (read, scanned) = (median(&reads, "seconds"), median(&scans, "seconds"));
    let mut summary = scans.last().cloned().unwrap_or_default();
    if let Some(m) = summary.as_object_mut() {
        m.remove("seconds");
        m.remove("peak_rss_kb");
        m.remove("assess_seconds");
    }
    summary["read_and_verify_s"] = json!(read);
    summary["scan_s"] = json!(scanned);
    summary["assess_three_methods_s"] = json!(median(&scans, "assess_seconds"));
    summary["scan_to_read"] = json!(scanned / read.max(1e-9));
    summary["orders_per_s_scan"] =
        json!(summary["orders_read"].as_f64().unwrap_or(0.0) / scanned.max(1e-9));
    summary["peak_rss_mb_read"] = json!(peak(&reads) / 1024);
    summary["peak_rss_mb_scan_and_assess"] = json!(peak(&scans) / 1024);
    Ok(summary)
}

/// One pass in this process: `read` (read and verify every order: the baseline) or `scan`
/// (the same, folded, with facts and warnings, then the three methods' assessment).
fn one_pass(hub_dir: &Path, database: Option<String>, pass: &str) -> Result<Value, CliError> {
    let month = Period::month("2026-03")?;
    let now = DateTime::parse_from_rfc3339("2026-05-01T09:00:00+08:00")
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| fail(ErrorCode::Bench, e))?;
    let config = WarningConfig::default();
    let t = Instant::now();
    let mut out = match pass {
        "read" => {
            let read = hotline_hub::center::with_orders(hub_dir, database, |r| {
                walk_orders(r.log, r.trust, &mut |_, _| Ok(()))
            })?;
            json!({ "orders_read": read })
        }
        _ => {
            let scanned = hotline_hub::center::with_orders(hub_dir, database, |r| {
                scan(r.log, r.trust, r.policy, r.calendar, now, &config)
            })?;
            let seconds = t.elapsed().as_secs_f64();
            let inputs = AssessmentInputs::default();
            let assessed: Vec<_> = [Method::Puyang, Method::Linshu, Method::Rates]
                .into_iter()
                .map(|m| assess(m, &scanned.facts, &inputs, &month, now))
                .collect();
            let by_rule = scanned.warnings.iter().fold(
                std::collections::BTreeMap::<&str, usize>::new(),
                |mut m, w| {
                    *m.entry(w.rule.as_str()).or_default() += 1;
                    m
                },
            );
            json!({
                "orders_read": scanned.orders,
                "warnings": scanned.warnings.len(),
                "warnings_by_rule": by_rule,
                "units_assessed": assessed[1].units.len(),
                "ranked_linshu": assessed[1].units.iter().filter(|u| u.rank.is_some()).count(),
                "scan_seconds": seconds,
            })
        }
    };
    out["seconds"] = json!(
        out["scan_seconds"]
            .as_f64()
            .unwrap_or_else(|| t.elapsed().as_secs_f64())
    );
    out["assess_seconds"] =
        json!(t.elapsed().as_secs_f64() - out["seconds"].as_f64().unwrap_or(0.0));
    if let Some(m) = out.as_object_mut() {
        m.remove("scan_seconds");
    }
    out["peak_rss_kb"] = json!(procstat::peak_kb(std::process::id()).unwrap_or(0));
    Ok(out)
}
