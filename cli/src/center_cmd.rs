//! The center's desk commands: `hotline desk` (the queues of the person acting), `hotline
//! warnings` (the scan), `hotline center supervise` (automatic supervision, signed by the
//! center service identity).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use hotline_core::center::queues::{DeskQueues, Queue, desk_queues};
use hotline_core::center::{StoreLog, Warning, automatic};
use hotline_core::error::ErrorCode;
use serde_json::json;

use crate::ctx::{Ctx, unknown};
use crate::output::{CliError, print_json};
use crate::time::{local, local_rfc3339};

#[derive(Args, Debug)]
pub struct DeskArgs {
    /// Only this queue: to_dispatch returns extensions closures reviews reopen callbacks supervision.
    #[arg(long)]
    queue: Option<String>,
    /// Every queue, not only the acting person's role's.
    #[arg(long)]
    all_queues: bool,
    /// Warning settings (TOML): hours, cluster sizes, petition-risk phrases.
    #[arg(long, value_name = "FILE")]
    warnings_config: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct WarningsArgs {
    /// Only warnings for this unit.
    #[arg(long)]
    unit: Option<String>,
    /// Warning settings (TOML): hours, cluster sizes, petition-risk phrases.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum CenterCommand {
    /// Record the automatic supervision due now (overdue; reopened and still dissatisfied), as
    /// the center service identity on this store. 系统自动督办。
    Supervise,
}

pub fn desk(a: DeskArgs, ctx: &Ctx) -> Result<(), CliError> {
    let device = ctx.open()?;
    let role = device.identity(ctx.who())?.certificate.body.role;
    let only = a
        .queue
        .as_deref()
        .map(|q| {
            Queue::parse(q).ok_or_else(|| {
                let names: Vec<&str> = Queue::ALL.iter().map(|q| q.as_str()).collect();
                unknown(ErrorCode::BadInput, "队列", "queue", q, &names)
            })
        })
        .transpose()?;
    let mut queues = queues_of(&device, ctx, a.warnings_config.as_deref())?;
    if !a.all_queues {
        queues = queues.for_role(role);
    }
    if let Some(q) = only {
        queues.entries.retain(|e| e.queue == q);
    }
    if ctx.json {
        return print_json(&json!({
            "role": role,
            "entries": queues.entries.iter().map(|e| json!({
                "queue": e.queue, "order": e.order, "receipt": e.receipt, "kind": e.kind,
                "urgency": e.urgency, "status": e.status, "lead_unit": e.lead_unit,
                "since": e.since.map(local_rfc3339), "due": e.due.map(local_rfc3339),
            })).collect::<Vec<_>>(),
            "warnings": warnings_json(&queues.warnings),
        }));
    }
    for q in Queue::ALL {
        let entries: Vec<_> = queues.of(q).collect();
        if entries.is_empty() {
            continue;
        }
        crate::outln!("{} / {} ({})", q.zh(), q.as_str(), entries.len());
        for e in entries {
            crate::outln!(
                "  {}  {}  {}  {}{}",
                e.order,
                e.status.zh(),
                e.lead_unit.as_deref().unwrap_or("-"),
                e.since.map(local).unwrap_or_default(),
                e.due
                    .map(|d| format!("  期限 due {}", local(d)))
                    .unwrap_or_default()
            );
        }
    }
    print_warnings(&queues.warnings);
    Ok(())
}

pub fn warnings(a: WarningsArgs, ctx: &Ctx) -> Result<(), CliError> {
    let device = ctx.open()?;
    let mut found = queues_of(&device, ctx, a.config.as_deref())?.warnings;
    if let Some(u) = &a.unit {
        found.retain(|w| w.unit.as_deref() == Some(u.as_str()));
    }
    if ctx.json {
        return print_json(&json!({ "warnings": warnings_json(&found) }));
    }
    print_warnings(&found);
    Ok(())
}

/// Every queue and warning over what this store holds, at `--now`.
fn queues_of(
    device: &hotline_core::device::Device,
    ctx: &Ctx,
    config_file: Option<&std::path::Path>,
) -> Result<DeskQueues, CliError> {
    Ok(desk_queues(
        &mut StoreLog(device.store()),
        device.trust(),
        device.policy(),
        device.calendar(),
        ctx.now,
        &crate::report::warning_config(config_file)?,
    )?)
}

pub fn center(c: CenterCommand, ctx: &Ctx) -> Result<(), CliError> {
    match c {
        CenterCommand::Supervise => {
            let mut device = ctx.open()?;
            let done = automatic::record(&mut device, ctx.who(), ctx.now)?;
            if ctx.json {
                return print_json(&json!({ "recorded": done }));
            }
            crate::outln!(
                "自动督办 {} 件 / {} automatic supervisions recorded",
                done.len(),
                done.len()
            );
            for r in &done {
                crate::outln!("  {}  {}", r.order, r.trigger.zh());
            }
            Ok(())
        }
    }
}

fn warnings_json(w: &[Warning]) -> Vec<serde_json::Value> {
    w.iter()
        .map(|w| {
            json!({
                "rule": w.rule, "grade": w.grade, "order": w.order, "orders": w.orders,
                "unit": w.unit, "due": w.due.map(local_rfc3339), "clause": w.clause, "detail": w.detail,
            })
        })
        .collect()
}

fn print_warnings(w: &[Warning]) {
    if w.is_empty() {
        crate::outln!("没有预警 / no warnings");
        return;
    }
    crate::outln!("预警 / warnings ({})", w.len());
    for w in w {
        crate::outln!(
            "  [{}] {}  {}  {}  {}",
            w.grade.zh(),
            w.rule.zh(),
            w.order,
            w.unit.as_deref().unwrap_or("-"),
            w.detail
        );
        crate::outln!("      依据 / clause: {}", w.clause);
    }
}
