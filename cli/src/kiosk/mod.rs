//! `hotline kiosk serve`: the kiosk's touch-screen app, served on loopback to a browser in
//! kiosk mode. The page is one embedded file (`app.html`: no build step, nothing from the
//! network) that keeps no draft in the browser and wipes itself when idle; the server does every
//! step through the device (`api.rs`), so the app can do nothing the device would refuse.

mod api;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use clap::{Args, Subcommand};
use hotline_core::error::ErrorCode;
use sha2::{Digest, Sha256};

use crate::ctx::Ctx;
use crate::output::CliError;

/// The page, embedded in the binary.
const APP: &str = include_str!("app.html");

#[derive(Subcommand, Debug)]
pub enum KioskCommand {
    /// Serve the kiosk app on loopback for the hall's browser. 启动自助终端界面。
    Serve(ServeArgs),
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Where to listen: a loopback address only (the app is for this machine's browser).
    #[arg(long, default_value = "127.0.0.1:8790")]
    listen: SocketAddr,
    /// The city hub: the kiosk syncs with it (submissions up, the knowledge base down) and
    /// asks it for a receipt's status. Without it the kiosk works offline.
    #[arg(long, value_name = "URL")]
    hub: Option<String>,
    /// Seconds a draft may sit untouched before the app wipes it.
    #[arg(long, default_value_t = 90)]
    idle_seconds: u32,
    /// The administrative division code of the hall (every request here is about it).
    #[arg(long)]
    division: Option<String>,
    /// The hall's name, shown in the header and used as the place of an inquiry answered here.
    #[arg(long, default_value = "便民服务大厅")]
    hall_zh: String,
    #[arg(long, default_value = "Service hall")]
    hall_en: String,
    /// Seconds between background syncs with `--hub`.
    #[arg(long, default_value_t = 60)]
    sync_every: u64,
}

/// What every request handler shares.
#[derive(Debug)]
pub(crate) struct Kiosk {
    device: Arc<Mutex<hotline_core::device::Device>>,
    who: Option<String>,
    hub: Option<String>,
    division: Option<String>,
    hall_zh: String,
    hall_en: String,
    idle_seconds: u32,
    /// The instant the command was given with `--now` (tests), else the clock.
    fixed_now: Option<hotline_core::model::Timestamp>,
}

impl Kiosk {
    fn now(&self) -> hotline_core::model::Timestamp {
        self.fixed_now.unwrap_or_else(chrono::Utc::now)
    }
}

pub fn run(command: KioskCommand, ctx: &Ctx) -> Result<(), CliError> {
    match command {
        KioskCommand::Serve(a) => serve(a, ctx),
    }
}

fn serve(a: ServeArgs, ctx: &Ctx) -> Result<(), CliError> {
    if !a.listen.ip().is_loopback() {
        return Err(CliError::new(
            ErrorCode::KioskNotLoopback,
            format!(
                "自助终端界面只在本机回环地址上提供：{} 不是回环地址",
                a.listen
            ),
            format!(
                "the kiosk app listens on loopback only: {} is not",
                a.listen
            ),
        ));
    }
    let device = ctx.open()?;
    let explicit_now = std::env::args().any(|x| x == "--now" || x.starts_with("--now="));
    let kiosk = Arc::new(Kiosk {
        device: Arc::new(Mutex::new(device)),
        who: ctx.who.clone(),
        hub: a.hub,
        division: a.division,
        hall_zh: a.hall_zh,
        hall_en: a.hall_en,
        idle_seconds: a.idle_seconds,
        fixed_now: explicit_now.then_some(ctx.now),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(crate::hub_serve::runtime_error)?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(a.listen).await.map_err(|e| {
            CliError::new(
                ErrorCode::HubListen,
                format!("无法监听 {}：{e}", a.listen),
                format!("cannot listen on {}: {e}", a.listen),
            )
        })?;
        let bound = listener
            .local_addr()
            .map_err(|e| CliError::new(ErrorCode::HubListen, e.to_string(), e.to_string()))?;
        if kiosk.hub.is_some() {
            tokio::spawn(api::sync_loop(
                Arc::clone(&kiosk),
                Duration::from_secs(a.sync_every.max(5)),
            ));
        }
        crate::outln!("自助终端界面 / kiosk app: http://{bound}/");
        let app = api::router(kiosk, content_security_policy(APP));
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| CliError::new(ErrorCode::HubListen, e.to_string(), e.to_string()))
    })
}

/// The page may run only its own script (pinned by hash), reach only this server, and show
/// only its own photos and the QR code it is given; nothing may frame it.
fn content_security_policy(page: &str) -> String {
    let script = page
        .split_once("<script>")
        .and_then(|(_, rest)| rest.split_once("</script>"))
        .map_or("", |(script, _)| script);
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()));
    format!(
        "default-src 'none'; script-src 'sha256-{hash}'; style-src 'unsafe-inline'; \
         img-src blob: data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'"
    )
}
