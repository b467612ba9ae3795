//! `hotline bundle export|import`: records on a USB stick for a village with no network. The
//! file carries everything the other node lacks, checked whole before anything is applied;
//! importing the same file twice changes nothing.

use clap::Subcommand;
use hotline_core::error::ErrorCode;
use hotline_core::sync::bundle::{self, BundleReport};
use serde_json::json;
use std::path::PathBuf;

use crate::ctx::Ctx;
use crate::output::{CliError, print_json};

#[derive(Subcommand, Debug)]
pub enum BundleCommand {
    /// Write everything the node PEER lacks into FILE (PEER: its node id from
    /// `hotline device list`, or the hub's from `hotline hub serve`). 导出离线数据包。
    Export {
        #[arg(long = "for", value_name = "PEER")]
        peer: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Check a bundle file whole, then apply it to this store. 导入离线数据包。
    Import {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

pub fn run(cmd: BundleCommand, ctx: &Ctx) -> Result<(), CliError> {
    match cmd {
        BundleCommand::Export { peer, out } => {
            if out.exists() {
                return Err(CliError::new(
                    ErrorCode::FileExists,
                    format!("文件 {} 已存在，拒绝覆盖", out.display()),
                    format!("{} already exists; refusing to overwrite it", out.display()),
                ));
            }
            let device = ctx.open()?;
            let r = bundle::export(&device, peer.trim(), &out, ctx.now)?;
            if ctx.json {
                return print_json(&summary(&r, Some(&out)));
            }
            crate::outln!(
                "已导出离线数据包 / bundle written: {}（{} → {}）",
                out.display(),
                r.from,
                r.to
            );
            crate::outln!(
                "  变更 changes {}，附件 photos {}，{} 字节 bytes",
                r.changes,
                r.blobs,
                r.bytes
            );
            Ok(())
        }
        BundleCommand::Import { file } => {
            let mut device = ctx.open()?;
            let r = bundle::import(&mut device, &file, ctx.now)?;
            if ctx.json {
                return print_json(&summary(&r, None));
            }
            crate::outln!(
                "已导入离线数据包 / bundle imported: {}（来自 from {}）",
                file.display(),
                r.from
            );
            crate::outln!(
                "  新增 applied {}，已有 already had {}，拒收 refused {}，附件 photos {}",
                r.applied,
                r.already_had,
                r.refused.len(),
                r.blobs
            );
            for (order, code) in &r.refused {
                crate::outln!("  拒收 refused [{code}] {order}");
            }
            Ok(())
        }
    }
}

fn summary(r: &BundleReport, out: Option<&PathBuf>) -> serde_json::Value {
    json!({
        "from": r.from,
        "to": r.to,
        "out": out.map(|p| p.display().to_string()),
        "changes": r.changes,
        "applied": r.applied,
        "already_had": r.already_had,
        "refused": r.refused.iter().map(|(order, code)| json!({ "order": order, "code": code })).collect::<Vec<_>>(),
        "blobs": r.blobs,
        "bytes": r.bytes,
    })
}
