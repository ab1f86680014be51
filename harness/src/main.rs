//! `harness`: runs and soaks branchproof workflows and scenarios, replays an iteration, and
//! measures the engine's overhead.
//!
//! Exit codes (stable, for CI): 0 success, 1 a run failed or an invariant was violated,
//! 2 flaky, 3 bad input or usage, 130 interrupted.

use std::process::ExitCode;

use clap::Parser;
use harness::cmd::{self, cli::Cli};
use harness::util::exit;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
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
    match cmd::dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // Errors quote paths and names from inputs: no terminal control gets through.
            eprintln!(
                "error: failed to {}",
                harness::report::escape::console(&e.to_string())
            );
            ExitCode::from(e.exit_code())
        }
    }
}
