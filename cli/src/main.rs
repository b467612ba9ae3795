//! `hotline`: the terminal device (kiosk, staff, supervisor) and hub admin.
//! Every command takes `--json`; errors go to stderr with a stable code and exit status 1.
// Product code never unwraps, expects or panics on anything it is given: a bad input is a
// typed error. Declared here, at the crate root, so test code needs no allowances.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod act_cmd;
mod api_key_cmd;
mod audit_cmd;
mod bench;
mod bundle_cmd;
mod catalogue_cmd;
mod center_cmd;
mod ctx;
mod demo;
mod device_cmd;
mod hub_cmd;
mod hub_migrate;
mod hub_serve;
mod kb_cmd;
mod kiosk;
mod orders_cmd;
mod output;
mod policy_cmd;
mod report;
mod sync_cmd;
mod time;

use clap::{Parser, Subcommand};
use hotline_core::error::ErrorCode;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::ctx::Ctx;
use crate::output::CliError;

#[derive(Parser, Debug)]
#[command(
    name = "hotline",
    version,
    about = "12345 政务服务便民热线 · offline-first hotline device and hub",
    after_help = "\
一次完整的体验 / A first session:
  hotline hub init --data city
  hotline hub enroll --data city --role kiosk --person kiosk-01 --out kiosk.json
  hotline device init --store kiosk --credential kiosk.json
  hotline intake --store kiosk --kind complaint --text '夜间施工噪音' --address '古城路 8 号'
  hotline orders --store kiosk
  hotline status --store kiosk RECEIPT"
)]
struct Cli {
    /// Print machine-readable JSON (errors as JSON on stderr).
    #[arg(long, global = true)]
    json: bool,
    /// The device store directory (default: $HOTLINE_STORE).
    #[arg(long, global = true, value_name = "DIR")]
    store: Option<PathBuf>,
    /// Who acts, on a store shared by several people: person id or certificate id.
    #[arg(long = "as", global = true, value_name = "PERSON")]
    as_person: Option<String>,
    /// The current instant, RFC 3339 (default: the clock) — for reproducible demos and tests.
    #[arg(long, global = true, value_name = "RFC3339")]
    now: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Jurisdiction policies: show presets, check a policy file, compute deadlines.
    Policy {
        #[command(subcommand)]
        command: policy_cmd::PolicyCommand,
    },
    /// Measurements that print numbers (sync, hub ingest, bytes, memory). 性能基准。
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
    /// The main job: a whole city and a realistic day in a local folder. 完整演示。
    Demo(demo::DemoArgs),
    /// The city's enrolment authority: init, enroll, revoke. 市级根密钥：建立、签发、吊销。
    Hub {
        #[command(subcommand)]
        command: hub_cmd::HubCommand,
    },
    /// Set up this device's store, install revocations, list its people. 设备设置。
    Device {
        #[command(subcommand)]
        command: device_cmd::DeviceCommand,
    },
    /// Record a citizen's request (kiosk, intake agent); prints the receipt code. 提交诉求。
    Intake(device_cmd::IntakeArgs),
    /// Work orders from the index: inbox, overdue, due soon. 工单列表。
    Orders(orders_cmd::OrdersArgs),
    /// One work order: details, status, deadlines, history. 工单详情。
    Show {
        /// The work order id (wo-…).
        order: String,
    },
    /// Take a workflow action on an order: `hotline act ORDER ACTION [flags]`. 办理操作。
    Act(act_cmd::ActArgs),
    /// On-site evidence photos. 现场核实照片。
    Evidence {
        #[command(subcommand)]
        command: device_cmd::EvidenceCommand,
    },
    /// What a citizen sees for a receipt code: status and next deadline only. 凭查询码查询进度。
    Status {
        /// The receipt code (dashes and case do not matter).
        receipt: String,
        /// Ask the city hub for the current status (a kiosk keeps only what it submitted).
        #[arg(long, value_name = "URL")]
        hub: Option<String>,
    },
    /// The citizen's contact details, if this person may see them. 查看诉求人联系方式。
    Contact {
        /// The work order id (wo-…).
        order: String,
        /// Why (回访, 核实现场…): recorded, signed, in the access log that syncs to the hub.
        #[arg(long)]
        purpose: String,
    },
    /// The access log: who opened which citizen's contact, when and why, with every break in a
    /// signer's chain (a gap, an altered entry). From this store, or the hub's with --data.
    /// 个人信息访问记录（含缺失、篡改检测）。
    Audit(audit_cmd::AuditArgs),
    /// Re-check every stored change, certificate and photo; exit 1 if anything failed. 校验。
    Verify,
    /// Sync this store with the city hub over HTTP: changes both ways, then photos. 与平台同步。
    Sync(sync_cmd::SyncArgs),
    /// Offline bundle files for a USB stick: export for a peer, import. 离线数据包。
    Bundle {
        #[command(subcommand)]
        command: bundle_cmd::BundleCommand,
    },
    /// The city's categories and their intake forms: list, show, check a file. 事项分类。
    Category {
        #[command(subcommand)]
        command: catalogue_cmd::CategoryCommand,
    },
    /// The dispatch catalogue: show, check a file, issue one (authority). 派单目录。
    Catalogue {
        #[command(subcommand)]
        command: catalogue_cmd::CatalogueCommand,
    },
    /// Unit assessment (Puyang, Linshu, rates), weekly report, on-site forms: text, JSON, CSV,
    /// HTML with charts. 考核与报表。
    Report(report::ReportArgs),
    /// The acting person's work queues and the warnings of the moment. 工作台待办。
    Desk(center_cmd::DeskArgs),
    /// Warnings (prompt → warning) on the orders this store holds. 预警。
    Warnings(center_cmd::WarningsArgs),
    /// The center service: automatic supervision. 热线中心自动服务。
    Center {
        #[command(subcommand)]
        command: center_cmd::CenterCommand,
    },
    /// The knowledge base: publish, update, search, list, update duty. 知识库。
    Kb {
        #[command(subcommand)]
        command: kb_cmd::KbCommand,
    },
    /// The kiosk's touch-screen app in a local browser. 自助终端。
    Kiosk {
        #[command(subcommand)]
        command: kiosk::KioskCommand,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
                || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            {
                let _ = e.print();
                return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    ExitCode::from(1)
                } else {
                    ExitCode::SUCCESS
                };
            }
            let json = std::env::args_os().any(|a| a == "--json");
            let text = e.render().to_string();
            if !json {
                let _ = e.print();
            }
            // The message up to clap's usage block, on one line.
            let first = text
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ");
            let first = first.trim_start_matches("error: ");
            let err = CliError::new(
                ErrorCode::Usage,
                format!("命令行参数有误：{first}（用 --help 查看用法）"),
                format!("bad command line: {first} (see --help)"),
            );
            err.print(json);
            return ExitCode::from(1);
        }
    };
    let result = run(cli);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err((e, json)) => {
            e.print(json);
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<(), (CliError, bool)> {
    let json = cli.json;
    let now = time::now_or_clock(cli.now.as_deref()).map_err(|e| (e, json))?;
    let ctx = Ctx {
        json,
        now,
        who: cli.as_person,
        store: cli
            .store
            .or_else(|| std::env::var_os("HOTLINE_STORE").map(PathBuf::from)),
    };
    let r = match cli.command {
        Command::Policy { command } => policy_cmd::run(command, json),
        Command::Demo(a) => demo::run(a, json),
        Command::Bench { command } => bench::run(command, json),
        Command::Hub { command } => hub_cmd::run(command, &ctx),
        Command::Device { command } => device_cmd::run_device(command, &ctx),
        Command::Intake(a) => device_cmd::intake(a, &ctx),
        Command::Orders(a) => orders_cmd::orders(a, &ctx),
        Command::Show { order } => orders_cmd::show(&order, &ctx),
        Command::Act(a) => act_cmd::run(a, &ctx),
        Command::Evidence { command } => device_cmd::run_evidence(command, &ctx),
        Command::Status { receipt, hub } => device_cmd::status(&receipt, hub.as_deref(), &ctx),
        Command::Contact { order, purpose } => device_cmd::contact(&order, &purpose, &ctx),
        Command::Audit(a) => audit_cmd::run(a, &ctx),
        Command::Verify => device_cmd::verify(&ctx),
        Command::Sync(a) => sync_cmd::sync(a, &ctx),
        Command::Bundle { command } => bundle_cmd::run(command, &ctx),
        Command::Category { command } => catalogue_cmd::run_category(command, &ctx),
        Command::Catalogue { command } => catalogue_cmd::run_catalogue(command, &ctx),
        Command::Report(a) => report::report(a, &ctx),
        Command::Desk(a) => center_cmd::desk(a, &ctx),
        Command::Warnings(a) => center_cmd::warnings(a, &ctx),
        Command::Center { command } => center_cmd::center(command, &ctx),
        Command::Kb { command } => kb_cmd::run(command, &ctx),
        Command::Kiosk { command } => kiosk::run(command, &ctx),
    };
    r.map_err(|e| (e, json))
}
