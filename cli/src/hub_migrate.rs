//! `hotline hub migrate --from DIR --to postgres://…`: an SQLite hub copied into PostgreSQL,
//! every change verified, resumable (run it again after an interruption), with progress on
//! stderr. Stop the hub first: a copy of a hub that is still taking changes misses the newest.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;

use hotline_hub::postgres::migrate::{self, Progress};
use serde_json::json;

use crate::ctx::Ctx;
use crate::output::{CliError, print_json};

fn show(p: Progress, json: bool) -> ControlFlow<()> {
    let pct = (p.changes_copied * 100)
        .checked_div(p.changes_total)
        .unwrap_or(100);
    let mut err = std::io::stderr().lock();
    let _ = if json {
        writeln!(
            err,
            "{}",
            json!({ "progress": { "copied": p.changes_copied, "total": p.changes_total } })
        )
    } else {
        let filled = usize::try_from(pct / 5).unwrap_or(20).min(20);
        write!(
            err,
            "\r迁移 migrating [{}{}] {pct:>3}%  {}/{} 条变更 changes",
            "#".repeat(filled),
            " ".repeat(20 - filled),
            p.changes_copied,
            p.changes_total
        )
    };
    let _ = err.flush();
    ControlFlow::Continue(())
}

pub fn migrate(ctx: &Ctx, from: &Path, to: &str) -> Result<(), CliError> {
    let done = migrate::from_sqlite(from, to, &mut |p| show(p, ctx.json))?;
    if ctx.json {
        return print_json(&json!({
            "changes": done.changes,
            "orders": done.orders,
            "photos": done.photos,
            "resumed_after": done.resumed_after,
        }));
    }
    eprintln!();
    crate::outln!(
        "已迁移 migrated: {} 条变更 changes, {} 个工单 orders, {} 张照片 photos{}",
        done.changes,
        done.orders,
        done.photos,
        if done.resumed_after > 0 {
            format!(
                "（从第 {} 条续传 resumed after change {}）",
                done.resumed_after, done.resumed_after
            )
        } else {
            String::new()
        }
    );
    crate::outln!(
        "启动 start: hotline hub serve --data {} --database …",
        from.display()
    );
    Ok(())
}
