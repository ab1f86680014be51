//! `harness`: runs, soaks, explores and replays branchproof workflows and scenarios.
//!
//! Exit codes (stable, for CI): 0 success, 1 a run failed or an invariant was violated,
//! 2 flaky, 3 bad input or usage, 130 interrupted.

mod cli;
mod cmd;
mod exit;
mod overhead;
mod progress;
mod report;
mod scenario;
mod soak;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    ExitCode::from(cmd::dispatch(cli))
}
