//! How a soak runs (its plan), and what can stop a scenario's soak or its workers.

use std::time::Duration;

use engine::ChaosLevel;

use super::protocol::WorkerHost;

/// Where iterations run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Isolation {
    /// Supervised worker processes: a hang or a crash costs one iteration, not the run.
    #[default]
    Process,
    /// Threads of this process: quicker to start, but a stuck iteration stops the run.
    Thread,
}

/// How to soak.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The run seed every iteration seed is derived from.
    pub run_seed: u64,
    /// Iterations in flight at once (at least 1).
    pub jobs: usize,
    /// Overrides every scenario's chaos level.
    pub chaos: Option<ChaosLevel>,
    /// Stop at the first bad iteration of a scenario that should pass.
    pub fail_fast: bool,
    /// Where iterations run.
    pub isolation: Isolation,
    /// Overrides every scenario's `hard_deadline`.
    pub hard_deadline: Option<Duration>,
}

/// Why a scenario's soak stopped before its end (besides `--fail-fast`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Halt {
    /// SIGINT or SIGTERM.
    Signal(i32),
    /// The run cannot go on: an iteration stuck in a thread, or no worker could start.
    Abandoned(String),
}

/// What the worker processes went through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkerStats {
    /// Worker processes started.
    pub spawned: u64,
    /// Iterations that hung (their worker was killed, or reported a node past its
    /// deadline and exited).
    pub hangs: u64,
    /// Workers that died on their own.
    pub crashes: u64,
    /// The largest figures any worker reported.
    pub host: WorkerHost,
}
