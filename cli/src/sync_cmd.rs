//! `hotline sync --hub URL`: this store's records to the city hub and back, over HTTP — the
//! changes first, then the photos. Progress on stderr while it runs (JSON lines with `--json`),
//! a summary on stdout. Ctrl-C stops it cleanly: what the hub acknowledged stays acknowledged.

use clap::Args;
use hotline_core::error::ErrorCode;
use hotline_core::store::RefusalRecord;
use hotline_core::sync::http::{CancelToken, HttpOptions, HubClient, SyncPhase, SyncReport};
use serde_json::json;

use crate::ctx::Ctx;
use crate::output::{CliError, print_json};

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// The hub's address, e.g. http://127.0.0.1:8080 (what `hotline hub serve` printed).
    #[arg(long)]
    hub: String,
    /// Changes only: leave photos for a better link.
    #[arg(long)]
    no_photos: bool,
    /// Tries per request before giving up (with back-off between them).
    #[arg(long, default_value_t = 6)]
    attempts: u32,
}

/// Prints a line when something a person would notice has moved.
struct ProgressLines {
    json: bool,
    last: Option<(SyncPhase, u32, u64, u64)>,
    phase: Option<SyncPhase>,
}

impl ProgressLines {
    fn show(&mut self, r: &SyncReport) {
        let key = (r.phase, r.progress.round, r.blobs_pushed, r.blobs_pulled);
        if self.last == Some(key) {
            return;
        }
        self.last = Some(key);
        if self.json {
            if let Ok(line) = serde_json::to_string(&json!({ "progress": r })) {
                eprintln!("{line}");
            }
            return;
        }
        let p = &r.progress;
        let new_phase = self.phase != Some(r.phase);
        self.phase = Some(r.phase);
        match r.phase {
            SyncPhase::Connecting => eprintln!("连接平台 / connecting to the hub…"),
            SyncPhase::Exchanging if p.round == 0 => {
                eprintln!("已连接平台 {} / connected to hub {}", r.hub, r.hub);
            }
            SyncPhase::Exchanging => eprintln!(
                "第 {} 轮 / round {}: 推送 pushed {}，拉取 pulled {}（{} 字节 bytes ↑ {} ↓）",
                p.round, p.round, p.pushed, p.pulled, r.bytes_sent, r.bytes_received
            ),
            SyncPhase::SendingPhotos if new_phase => {
                eprintln!("上传附件 / sending photos…");
            }
            SyncPhase::FetchingPhotos if new_phase => {
                eprintln!("下载附件 / fetching photos…");
            }
            SyncPhase::SendingPhotos | SyncPhase::FetchingPhotos => eprintln!(
                "附件 / photos: 上传 up {}，下载 down {}",
                r.blobs_pushed, r.blobs_pulled
            ),
            SyncPhase::Done => {}
        }
    }
}

pub fn sync(a: SyncArgs, ctx: &Ctx) -> Result<(), CliError> {
    let mut device = ctx.open()?;
    let options = HttpOptions {
        now: Some(ctx.now),
        blobs: !a.no_photos,
        max_attempts: a.attempts.max(1),
        ..HttpOptions::default()
    };
    let client = HubClient::new(&a.hub, options)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            CliError::new(
                ErrorCode::Runtime,
                format!("无法启动网络运行时：{e}"),
                format!("cannot start the network runtime: {e}"),
            )
        })?;
    let cancel = CancelToken::new();
    let mut lines = ProgressLines {
        json: ctx.json,
        last: None,
        phase: None,
    };
    let who = ctx.who();
    let report = runtime.block_on(async {
        let on_ctrl_c = cancel.clone();
        let watcher = tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                on_ctrl_c.cancel();
            }
        });
        let result = client
            .sync(&mut device, who, &mut |r| lines.show(r), &cancel)
            .await;
        watcher.abort();
        result
    })?;
    let p = &report.progress;
    // The refusals of this sync are the newest in the store's log.
    let refused = p.refused_by_hub + p.refused_here;
    let refusals: Vec<RefusalRecord> = if refused > 0 {
        device
            .store()
            .refusals(u32::try_from(refused.min(100)).unwrap_or(100))?
    } else {
        Vec::new()
    };
    if ctx.json {
        return print_json(&json!({
            "hub": report.hub,
            "rounds": p.round,
            "pushed": p.pushed,
            "pulled": p.pulled,
            "refused_by_hub": p.refused_by_hub,
            "refused_here": p.refused_here,
            "blobs_pushed": report.blobs_pushed,
            "blobs_pulled": report.blobs_pulled,
            "blobs_waiting": report.blobs_waiting,
            "blobs_refused": report.blobs_refused,
            "bytes_sent": report.bytes_sent,
            "bytes_received": report.bytes_received,
            "requests": report.requests,
            "retries": report.retries,
            "refusals": refusals,
        }));
    }
    crate::outln!(
        "同步完成 / sync done with hub {}: 推送 pushed {}，拉取 pulled {}，平台拒收 refused by the hub {}，本机拒收 refused here {}",
        report.hub,
        p.pushed,
        p.pulled,
        p.refused_by_hub,
        p.refused_here
    );
    crate::outln!(
        "  附件 photos: 上传 up {}，下载 down {}，平台尚无 not at the hub yet {}，失败 failed {}",
        report.blobs_pushed,
        report.blobs_pulled,
        report.blobs_waiting,
        report.blobs_refused
    );
    crate::outln!(
        "  流量 traffic: 发送 sent {} 字节 bytes，接收 received {} 字节 bytes，{} 次请求 requests（重试 retries {}）",
        report.bytes_sent,
        report.bytes_received,
        report.requests,
        report.retries
    );
    for r in &refusals {
        crate::outln!(
            "  拒收 refused [{}] {}：{} / {}",
            r.code,
            r.order.as_deref().unwrap_or("-"),
            r.message_zh,
            r.message_en
        );
    }
    Ok(())
}
