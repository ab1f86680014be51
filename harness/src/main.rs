//! `harness`: runs and soaks branchproof workflows and scenarios, replays an iteration, and
//! measures the engine's overhead.
//!
//! Exit codes (stable, for CI): 0 success, 1 a run failed or an invariant was violated,
//! 2 flaky, 3 bad input or usage, 130 interrupted (SIGINT), 143 terminated (SIGTERM).
//!
//! SIGINT and SIGTERM are handled from the start ([`Stop::install`]): a signal while the
//! arguments or scenarios load exits at once with 130 or 143.

use std::process::ExitCode;

use clap::Parser;
use harness::campaign::Stop;
use harness::cmd;
use harness::cmd::cli::{Cli, Command};
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
    // A worker leaves SIGINT and SIGTERM to its supervisor (it ignores them).
    if !matches!(cli.command, Command::Worker(_))
        && let Err(e) = Stop::install()
    {
        eprintln!("error: failed to install the signal handlers: {e}");
        return ExitCode::from(exit::USAGE);
    }
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
