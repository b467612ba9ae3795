//! `hotline hub serve` and `hotline hub refusals`: the city hub as a running service, and what
//! it refused.

use hotline_core::device::Device;
use hotline_core::error::ErrorCode;
use hotline_core::store::DB_FILE;
use hotline_hub::{Clock, HubOptions, STORE_DIR, shutdown_signal, start_with};
use serde_json::json;
use std::io::Write;
use std::path::Path;

use crate::ctx::Ctx;
use crate::output::{CliError, print_json};
use crate::time::{from_millis, local};

/// A tokio runtime that could not be built (the CLI's servers and syncs share this message).
pub(crate) fn runtime_error(e: std::io::Error) -> CliError {
    CliError::new(
        ErrorCode::Runtime,
        format!("无法启动网络运行时：{e}"),
        format!("cannot start the network runtime: {e}"),
    )
}

pub fn serve(
    ctx: &Ctx,
    data: &Path,
    listen: &str,
    quiet: bool,
    database: Option<String>,
) -> Result<(), CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(runtime_error)?;
    let options = HubOptions {
        // `--now` sets the hub's day (demos); it then runs in real time.
        clock: Clock::starting_at(ctx.now),
        log: !quiet,
        database,
        ..HubOptions::default()
    };
    runtime.block_on(async {
        let hub = start_with(data, listen, options).await?;
        // The first stdout line is for scripts and tests, which wait for it to learn the port.
        let mut out = std::io::stdout().lock();
        let line = if ctx.json {
            json!({
                "listening": hub.addr().to_string(),
                "url": hub.url(),
                "node_id": hub.node_id(),
                "data": data.display().to_string(),
            })
            .to_string()
        } else {
            format!("listening on {}", hub.addr())
        };
        let _ = writeln!(out, "{line}").and_then(|()| out.flush());
        drop(out);
        if !ctx.json {
            eprintln!(
                "城市平台已启动 / hub running: {}（节点 node {}，数据 data {}）；Ctrl-C 停止 / to stop",
                hub.url(),
                hub.node_id(),
                data.display()
            );
        }
        hub.run_until(shutdown_signal()).await?;
        if !ctx.json {
            eprintln!("城市平台已停止 / hub stopped");
        }
        Ok(())
    })
}

pub fn refusals(ctx: &Ctx, data: &Path, limit: u32) -> Result<(), CliError> {
    let store = data.join(STORE_DIR);
    if !store.join(DB_FILE).is_file() {
        return Err(CliError::new(
            ErrorCode::StoreNotFound,
            format!(
                "{} 没有平台存储；请先运行 hotline hub serve --data {}",
                data.display(),
                data.display()
            ),
            format!(
                "{} has no hub store yet; run `hotline hub serve --data {}` first",
                data.display(),
                data.display()
            ),
        ));
    }
    let device = Device::open(&store)?;
    let list = device.store().refusals(limit)?;
    if ctx.json {
        return print_json(&json!({ "refusals": list }));
    }
    if list.is_empty() {
        crate::outln!("没有拒收记录 / no refusals");
    }
    for r in &list {
        let at = from_millis(r.at).map(local).unwrap_or_default();
        crate::outln!(
            "{at}  [{}]  来自 from {}  工单 order {}",
            r.code,
            r.peer.as_deref().unwrap_or("-"),
            r.order.as_deref().unwrap_or("-")
        );
        crate::outln!("    {} / {}", r.message_zh, r.message_en);
    }
    Ok(())
}
