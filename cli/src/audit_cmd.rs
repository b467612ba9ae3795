//! `hotline audit`: the access log — who opened which citizen's contact, when, why, and where
//! (a device, or the hub's API for a named system) — from this store or from the hub, with
//! every break in a signer's chain and every entry that no longer verifies. Exits 1 when
//! anything is broken, so a scheduled check can alert.

use std::path::PathBuf;

use hotline_core::audit::{AccessVia, AuditFilter, AuditReport, read_all, report};
use hotline_core::center::Period;
use hotline_core::error::ErrorCode;

use crate::ctx::Ctx;
use crate::output::{CliError, print_json};
use crate::time::local;

#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    /// Entries about this order.
    #[arg(long)]
    order: Option<String>,
    /// Entries by this person (the enrolled person id).
    #[arg(long)]
    person: Option<String>,
    /// Entries of this month (YYYY-MM).
    #[arg(long)]
    month: Option<String>,
    /// The hub's data folder (its store, or its PostgreSQL database with --database): the
    /// city's whole log. Without it, this device's store.
    #[arg(long)]
    data: Option<PathBuf>,
    /// The hub's PostgreSQL database (with --data).
    #[arg(long, value_name = "URL", requires = "data")]
    database: Option<String>,
}

pub fn run(a: AuditArgs, ctx: &Ctx) -> Result<(), CliError> {
    let period = a.month.as_deref().map(Period::month).transpose()?;
    let filter = AuditFilter {
        order: a.order,
        person: a.person,
        period,
    };
    let r = match &a.data {
        Some(dir) => {
            let (all, trust) = hotline_hub::center::access_log(dir, a.database.clone())?;
            report(&all, &trust, &filter)
        }
        None => {
            let device = ctx.open()?;
            let all = read_all(|o, n| device.store().access_entries(o, n))?;
            report(&all, device.trust(), &filter)
        }
    };
    let intact = r.intact();
    if ctx.json {
        print_json(&r)?;
    } else {
        print(&r);
    }
    if intact {
        Ok(())
    } else {
        Err(CliError::new(
            ErrorCode::AccessLogBroken,
            format!(
                "访问记录不完整：{} 处断链，{} 条记录校验不通过",
                r.problems.len(),
                r.altered.len()
            ),
            format!(
                "the access log is not whole: {} break(s) in a chain, {} entr(ies) that do not verify",
                r.problems.len(),
                r.altered.len()
            ),
        ))
    }
}

fn print(r: &AuditReport) {
    crate::outln!("访问记录 / access log: {} 条 entries", r.entries.len());
    for e in &r.entries {
        let via = match &e.via {
            AccessVia::Device => "设备 device".to_string(),
            AccessVia::Api { system } => format!("接口 API（{system}）"),
        };
        crate::outln!(
            "  {}  {}  {}（{} / {}）  {}  用途 purpose: {}{}",
            local(e.at),
            e.order,
            e.person,
            e.role.zh(),
            e.unit,
            via,
            e.purpose,
            if e.revoked {
                "  [证书已吊销 certificate revoked since]"
            } else {
                ""
            }
        );
    }
    for p in &r.problems {
        match p {
            hotline_core::audit::ChainProblem::Gap { cert, after, next } => crate::outln!(
                "  ✗ 缺失 gap: {cert} 第 {after} 条之后直到第 {next} 条之前缺失 / entries {}–{} missing",
                after + 1,
                next - 1
            ),
            hotline_core::audit::ChainProblem::Altered { cert, seq } => crate::outln!(
                "  ✗ 篡改 altered: {cert} 第 {seq} 条与前一条衔接不上 / entry {seq} does not link to the one before"
            ),
            hotline_core::audit::ChainProblem::Forked { cert, seq } => crate::outln!(
                "  ✗ 分叉 forked: {cert} 第 {seq} 条有两个不同版本 / two entries claim place {seq}"
            ),
        }
    }
    for u in &r.altered {
        crate::outln!(
            "  ✗ 校验失败 does not verify: {} {}：{} / {}",
            u.cert,
            u.hash,
            u.message_zh,
            u.message_en
        );
    }
    if r.intact() {
        crate::outln!("  ✓ 各签名人记录链完整 / every signer's chain is whole");
    }
}
