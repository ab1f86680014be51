//! The commands: one file per verb, the CLI's arguments, and the error a verb ends with.
//! The top layer: it parses, runs a runner, prints and writes reports.

pub mod args;
pub mod campaign;
pub mod cli;
pub mod error;
pub mod explore;
pub mod mutants;
pub mod output;
pub mod overhead;
pub mod plan;
pub mod replay;
pub mod report;
pub mod run;
pub mod soak;

use cli::{Cli, Command};
use error::CmdError;

/// Runs the verb. `Ok` carries the exit code of a verb that ran to its end (0, or the
/// class of what it found); `Err` is why it could not, with [`CmdError::exit_code`].
pub fn dispatch(cli: Cli) -> Result<u8, CmdError> {
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Soak(args) => soak::run(&args),
        Command::Explore(args) => explore::run(&args),
        Command::Replay(args) => replay::run(&args),
        Command::Report(command) => report::run(&command),
        Command::Mutants(args) => mutants::run(&args),
        Command::Overhead(args) => overhead::run(&args),
        Command::Worker(args) => Ok(crate::campaign::worker::serve(&args)),
    }
}
