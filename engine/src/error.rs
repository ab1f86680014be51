//! Typed errors. Messages are lowercase fragments that read after "failed to ..." and name
//! the file, line, node or branch that failed.

use std::fmt;
use std::path::PathBuf;

/// Why a workflow could not be loaded. Carries file, line, column and node where known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("load workflow {}: {message}", self.location())]
pub struct LoadError {
    /// What went wrong, for matching in code.
    pub kind: LoadErrorKind,
    /// The file, when the workflow came from one.
    pub file: Option<PathBuf>,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// The node the error is about, when there is one.
    pub node: Option<String>,
    /// A lowercase fragment describing the problem.
    pub message: String,
}

/// The classes of load error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoadErrorKind {
    /// The file could not be read.
    Io,
    /// The YAML is malformed, has unknown keys or wrong types.
    Yaml,
    /// A node name is used twice.
    DuplicateNode,
    /// A reference to a node that does not exist.
    UnknownNode,
    /// A node has no route out.
    NoWayOut,
    /// A fan-out whose fan-in cannot be decided, or is unreachable.
    FanIn,
    /// A fan-out inside a branch (not supported).
    NestedFanOut,
    /// A node's language is not Lua.
    Language,
    /// Lua source (a node's `run`) does not compile.
    LuaSyntax,
    /// A condition that TEA would read differently from what it seems to say, or that Tera
    /// cannot parse (see `docs/tea-compatibility.md`).
    Condition,
    /// A TEA feature outside this engine (a node type, a `run` type, Prolog, Python).
    Unsupported,
    /// Any other invalid structure (settings out of range, conflicting routes).
    Invalid,
}

impl LoadError {
    pub(crate) fn new(kind: LoadErrorKind, message: impl Into<String>) -> Self {
        LoadError {
            kind,
            file: None,
            line: None,
            column: None,
            node: None,
            message: message.into(),
        }
    }

    pub(crate) fn node(mut self, node: &str) -> Self {
        self.node = Some(node.to_string());
        self
    }

    pub(crate) fn at(mut self, line: Option<usize>, column: Option<usize>) -> Self {
        self.line = line;
        self.column = column;
        self
    }

    /// `file:line:column, node `x``, with whatever parts are known.
    fn location(&self) -> String {
        let mut out = match &self.file {
            Some(file) => file.display().to_string(),
            None => "<inline>".to_string(),
        };
        if let Some(line) = self.line {
            out.push_str(&format!(":{line}"));
            if let Some(column) = self.column {
                out.push_str(&format!(":{column}"));
            }
        }
        if let Some(node) = &self.node {
            out.push_str(&format!(" (node `{node}`)"));
        }
        out
    }
}

/// Why a workflow run failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// A Lua error (syntax or runtime) in a node or condition.
    #[error("run node `{node}`{}: {message}", in_branch(branch))]
    Lua {
        /// The node.
        node: String,
        /// The branch, if the node ran in one.
        branch: Option<String>,
        /// Lua's message, with the line.
        message: String,
    },
    /// A node ran past its time budget.
    #[error(
        "run node `{node}`{} within its {budget_ms} ms budget (timeout{})",
        in_branch(branch),
        overran(took_ms)
    )]
    Timeout {
        /// The node.
        node: String,
        /// The branch, if the node ran in one.
        branch: Option<String>,
        /// The budget, in milliseconds.
        budget_ms: u64,
        /// When the node came back on its own long past its budget (code the time budget
        /// cannot interrupt), what it was charged (CPU time and sleeps), in milliseconds;
        /// `None` when it was stopped.
        took_ms: Option<u64>,
    },
    /// A node went over the VM's memory limit.
    #[error(
        "run node `{node}`{} within the {limit} byte memory limit",
        in_branch(branch)
    )]
    Memory {
        /// The node.
        node: String,
        /// The branch, if the node ran in one.
        branch: Option<String>,
        /// The limit, in bytes.
        limit: usize,
    },
    /// Host code panicked while running a branch.
    #[error("run branch `{branch}`: it panicked: {message}")]
    BranchPanic {
        /// The branch.
        branch: String,
        /// The panic payload, when it was a string.
        message: String,
    },
    /// No route out of a node, or `max_steps` exceeded.
    #[error("route from node `{node}`: {message}")]
    Routing {
        /// The node.
        node: String,
        /// What went wrong.
        message: String,
    },
    /// A node returned something other than a table or nil.
    #[error(
        "use the result of node `{node}`{}: expected a table or nil, got {found}",
        in_branch(branch)
    )]
    BadReturn {
        /// The node.
        node: String,
        /// The branch, if the node ran in one.
        branch: Option<String>,
        /// What it returned.
        found: String,
    },
    /// The branch was cancelled because a sibling failed under `fail_fast`.
    #[error("finish branch `{branch}`: cancelled because a sibling failed (fail_fast)")]
    Cancelled {
        /// The branch.
        branch: String,
    },
    /// A fan-out under `fail_fast` failed: its first failure in declared order (whose kind,
    /// node and branch this error has), and the siblings that failure cancelled.
    #[error("{error}; fail_fast cancelled {}", branch_list(cancelled))]
    FailedFast {
        /// The failure.
        error: Box<RunError>,
        /// The branches it cancelled, in declared order.
        cancelled: Vec<String>,
    },
}

fn branch_list(branches: &[String]) -> String {
    let names: Vec<String> = branches.iter().map(|b| format!("`{b}`")).collect();
    format!(
        "branch{} {}",
        if names.len() == 1 { "" } else { "es" },
        names.join(", ")
    )
}

fn overran(took_ms: &Option<u64>) -> String {
    match took_ms {
        Some(ms) => {
            format!(
                ": it came back having used {ms} ms, from code the time budget cannot interrupt"
            )
        }
        None => String::new(),
    }
}

fn in_branch(branch: &Option<String>) -> String {
    match branch {
        Some(branch) => format!(" in branch `{branch}`"),
        None => String::new(),
    }
}

/// The stable, machine-readable name of an error class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorKind {
    /// [`RunError::Lua`].
    Lua,
    /// [`RunError::Timeout`].
    Timeout,
    /// [`RunError::Memory`].
    Memory,
    /// [`RunError::BranchPanic`].
    Panic,
    /// [`RunError::Routing`].
    Routing,
    /// [`RunError::BadReturn`].
    BadReturn,
    /// [`RunError::Cancelled`].
    Cancelled,
}

impl ErrorKind {
    /// Every kind with its [`ErrorKind::as_str`] and [`ErrorKind::tea_name`] names.
    const NAMES: [(ErrorKind, &'static str, &'static str); 7] = [
        (ErrorKind::Lua, "lua", "LuaError"),
        (ErrorKind::Timeout, "timeout", "TimeoutError"),
        (ErrorKind::Memory, "memory", "MemoryError"),
        (ErrorKind::Panic, "panic", "PanicError"),
        (ErrorKind::Routing, "routing", "ExecutionError"),
        (ErrorKind::BadReturn, "bad_return", "ReturnError"),
        (ErrorKind::Cancelled, "cancelled", "CancelledError"),
    ];

    fn names(self) -> (&'static str, &'static str) {
        let (_, name, tea) = Self::NAMES[self as usize];
        (name, tea)
    }

    /// The snake_case name used in `parallel_results`, reports and scenarios.
    pub fn as_str(self) -> &'static str {
        self.names().0
    }

    /// The `error_type` of a `parallel_results` entry: TEA-Rust's names where it has one
    /// (`LuaError`, `TimeoutError`, `ExecutionError`), names of ours otherwise
    /// (`MemoryError`, `CancelledError`, `PanicError`, `ReturnError`). TEA reports its own
    /// Lua watchdog's timeout as `LuaError`; here a timeout is always `TimeoutError`.
    pub fn tea_name(self) -> &'static str {
        self.names().1
    }

    /// Parses [`ErrorKind::as_str`]'s names.
    pub fn parse(name: &str) -> Option<ErrorKind> {
        Self::NAMES
            .into_iter()
            .find_map(|(kind, n, _)| (n == name).then_some(kind))
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl RunError {
    /// The error for a panic in host code while running `branch` (`__main__` for the main
    /// path), with the payload's text when it has one.
    pub fn panicked(branch: impl Into<String>, payload: &(dyn std::any::Any + Send)) -> RunError {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a non-string panic payload".to_string());
        RunError::BranchPanic {
            branch: branch.into(),
            message,
        }
    }

    /// A fan-out's `fail_fast` failure `error`, with the siblings it cancelled (when there
    /// are any).
    pub(crate) fn failed_fast(error: RunError, cancelled: Vec<String>) -> Self {
        if cancelled.is_empty() {
            return error;
        }
        RunError::FailedFast {
            error: Box::new(error),
            cancelled,
        }
    }

    /// The branches a `fail_fast` failure cancelled (empty for any other error).
    pub fn cancelled(&self) -> &[String] {
        match self {
            RunError::FailedFast { cancelled, .. } => cancelled,
            _ => &[],
        }
    }

    /// The error's class.
    pub fn kind(&self) -> ErrorKind {
        match self {
            RunError::FailedFast { error, .. } => error.kind(),
            RunError::Lua { .. } => ErrorKind::Lua,
            RunError::Timeout { .. } => ErrorKind::Timeout,
            RunError::Memory { .. } => ErrorKind::Memory,
            RunError::BranchPanic { .. } => ErrorKind::Panic,
            RunError::Routing { .. } => ErrorKind::Routing,
            RunError::BadReturn { .. } => ErrorKind::BadReturn,
            RunError::Cancelled { .. } => ErrorKind::Cancelled,
        }
    }

    /// The node the error happened in, when there is one.
    pub fn node(&self) -> Option<&str> {
        match self {
            RunError::FailedFast { error, .. } => error.node(),
            RunError::Lua { node, .. }
            | RunError::Timeout { node, .. }
            | RunError::Memory { node, .. }
            | RunError::Routing { node, .. }
            | RunError::BadReturn { node, .. } => Some(node),
            RunError::BranchPanic { .. } | RunError::Cancelled { .. } => None,
        }
    }

    /// The branch the error happened in, when there is one.
    pub fn branch(&self) -> Option<&str> {
        match self {
            RunError::FailedFast { error, .. } => error.branch(),
            RunError::Lua { branch, .. }
            | RunError::Timeout { branch, .. }
            | RunError::Memory { branch, .. }
            | RunError::BadReturn { branch, .. } => branch.as_deref(),
            RunError::BranchPanic { branch, .. } | RunError::Cancelled { branch } => Some(branch),
            RunError::Routing { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorKind;

    #[test]
    fn every_kind_has_its_own_row_of_names_and_they_parse_back() {
        for (i, (kind, name, tea)) in ErrorKind::NAMES.into_iter().enumerate() {
            assert_eq!(kind as usize, i, "{kind:?} is not in declaration order");
            assert_eq!((kind.as_str(), kind.tea_name()), (name, tea));
            assert_eq!(ErrorKind::parse(name), Some(kind));
        }
        assert_eq!(ErrorKind::parse("LuaError"), None);
    }
}
