//! `hotline demo`: the main job. On a fresh machine it stands up a city — a hub on an embedded
//! SQLite store in a local folder, eight enrolled people with their own devices — and plays a
//! realistic day through real HTTP sync and an offline bundle, then prints every order's final
//! state and leaves the folder to inspect.

mod cast;
mod narrate;
mod net;
mod report;
mod script;

use clap::Args;
use hotline_core::authority::Authority;
use hotline_core::error::ErrorCode;
use hotline_core::policy::preset;
use std::path::{Path, PathBuf};

use crate::output::CliError;

/// Marks a folder as the demo's own, so a rerun may replace it and nothing else.
const MARKER: &str = ".hotline-demo";

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Where the city is created (replaced if it holds an earlier demo).
    #[arg(long, default_value = "hotline-demo")]
    pub dir: PathBuf,
    /// Where the hub listens (loopback; port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: String,
}

fn prepare(dir: &Path) -> Result<(), CliError> {
    let fail = |e: std::io::Error| {
        CliError::new(
            ErrorCode::FileIo,
            format!("无法准备目录 {}：{e}", dir.display()),
            format!("cannot prepare {}: {e}", dir.display()),
        )
    };
    if dir.exists() {
        if !dir.join(MARKER).exists() {
            return Err(CliError::new(
                ErrorCode::DemoDirInUse,
                format!(
                    "{} 已存在且不是演示目录；请用 --dir 指定其他目录",
                    dir.display()
                ),
                format!(
                    "{} exists and is not a demo folder; choose another with --dir",
                    dir.display()
                ),
            ));
        }
        std::fs::remove_dir_all(dir).map_err(fail)?;
    }
    std::fs::create_dir_all(dir).map_err(fail)?;
    std::fs::write(dir.join(MARKER), b"hotline demo\n").map_err(fail)
}

pub fn run(args: DemoArgs, json: bool) -> Result<(), CliError> {
    prepare(&args.dir)?;
    let start = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00+08:00")
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_default();
    let mut authority = Authority::create(&args.dir.join("hub"), preset("turpan")?)?;
    let mut cast = cast::enrol_all(&mut authority, &args.dir.join("devices"), start)?;
    drop(authority);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            CliError::new(
                ErrorCode::Runtime,
                format!("无法启动运行时：{e}"),
                format!("cannot start the runtime: {e}"),
            )
        })?;
    rt.block_on(async {
        let hub = hotline_hub::start(&args.dir.join("hub"), &args.listen).await?;
        let net = net::Net {
            url: format!("http://{}", hub.addr()),
        };
        let mut say = narrate::Narrator::new(json);
        if !json {
            crate::outln!("市级平台已启动 / city hub listening on {}", net.url);
            crate::outln!("演示目录 / demo folder: {}\n", args.dir.display());
        }
        let outcome = script::play(&mut cast, &net, &args.dir, &mut say).await;
        let result = match outcome {
            Ok(o) => report::print(&cast, &o, &say, &args.dir, json),
            Err(e) => Err(e),
        };
        hub.shutdown().await?;
        result
    })
}
