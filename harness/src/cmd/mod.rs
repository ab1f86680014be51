//! One file per verb; this module only dispatches.

mod overhead;
mod run;
mod soak;

use crate::cli::{Cli, Command};

/// Runs the verb and returns the process exit code.
pub fn dispatch(cli: Cli) -> u8 {
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Soak(args) => soak::run(&args),
        Command::Overhead(args) => overhead::run(&args),
    }
}
