//! The one error a command can end with, and the exit code it maps to (nextest's
//! `ExpectedError` style). Messages read after "failed to ...", and name the file, line,
//! node or path that failed.

use std::path::PathBuf;

use engine::{LoadError, RunError};

use crate::overhead::error::OverheadError;
use crate::replay::run::ReplayError;
use crate::replay::token::TokenError;
use crate::scenario::ScenarioError;
use crate::util::exit;

/// Why a command stopped before it had a result.
#[derive(Debug, thiserror::Error)]
pub enum CmdError {
    /// A workflow did not load.
    #[error("{0}")]
    Workflow(#[from] LoadError),
    /// A scenario did not load.
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// The arguments or an input make no sense; the message says why.
    #[error("{0}")]
    Usage(String),
    /// A file could not be read or written.
    #[error("{what} {}: {source}", path.display())]
    Io {
        /// What was being done (`read state file`, `write the report under`).
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// `harness run`: the workflow ran and failed.
    #[error("{0}")]
    Run(RunError),
    /// `harness overhead` could not make its report.
    #[error(transparent)]
    Overhead(#[from] OverheadError),
    /// `harness replay`: the token cannot be used.
    #[error(transparent)]
    Replay(#[from] ReplayError),
}

impl From<TokenError> for CmdError {
    fn from(e: TokenError) -> Self {
        CmdError::Replay(ReplayError::Token(e))
    }
}

impl CmdError {
    /// The process exit code: 1 for a run that failed (or an overhead step that did), 3 for
    /// bad input or usage.
    pub fn exit_code(&self) -> u8 {
        match self {
            CmdError::Run(_) => exit::FAILED,
            CmdError::Overhead(e) => e.exit_code(),
            CmdError::Workflow(_)
            | CmdError::Scenario(_)
            | CmdError::Usage(_)
            | CmdError::Replay(_)
            | CmdError::Io { .. } => exit::USAGE,
        }
    }
}
