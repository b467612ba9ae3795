//! `hotline`: the terminal device (kiosk, staff, supervisor) and hub admin.
//! Every command takes `--json`; errors go to stderr with a non-zero exit.

mod output;
mod policy_cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "hotline",
    version,
    about = "12345 政务服务便民热线 · offline-first hotline device and hub"
)]
struct Cli {
    /// Print machine-readable JSON (errors as JSON on stderr).
    #[arg(long, global = true)]
    json: bool,
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Policy { command } => policy_cmd::run(command, cli.json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            e.print(cli.json);
            ExitCode::from(1)
        }
    }
}
