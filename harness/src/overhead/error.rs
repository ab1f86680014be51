//! What can stop `harness overhead` before it has a report.

use std::path::PathBuf;

/// Why the overhead report could not be made. Messages read after "failed to ...".
#[derive(Debug, thiserror::Error)]
pub enum OverheadError {
    /// The budgets file is missing or malformed.
    #[error("load budgets {}: {message}", file.display())]
    Budgets {
        /// The file, with `:line:column` where known.
        file: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A metric in the budgets file is unknown, or in the wrong unit.
    #[error("use budget `{id}` from {}: {message}", file.display())]
    Metric {
        /// The budgets file.
        file: PathBuf,
        /// The metric id.
        id: String,
        /// What is wrong.
        message: String,
    },
    /// A command (cargo, valgrind) could not run or failed.
    #[error("run `{command}`: {message}")]
    Command {
        /// The command line.
        command: String,
        /// What happened.
        message: String,
    },
    /// A report file could not be written.
    #[error("write {}: {message}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        message: String,
    },
}

impl OverheadError {
    /// 3 for a bad budgets file (bad input), 1 when a step of the measurement failed.
    pub fn exit_code(&self) -> u8 {
        match self {
            OverheadError::Budgets { .. } | OverheadError::Metric { .. } => {
                crate::util::exit::USAGE
            }
            OverheadError::Command { .. } | OverheadError::Write { .. } => {
                crate::util::exit::FAILED
            }
        }
    }
}
