//! How an exploration chooses its schedules.

use serde::{Deserialize, Serialize};

/// The scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum SchedulerKind {
    /// A uniformly random runnable task at every point.
    Random,
    /// PCT (Burckhardt et al., ASPLOS 2010): random priorities, `depth − 1` change points.
    Pct,
    /// Depth-first over every schedule, up to the schedule count.
    Dfs,
}

impl SchedulerKind {
    /// `random`, `pct` or `dfs`.
    pub fn as_str(self) -> &'static str {
        match self {
            SchedulerKind::Random => "random",
            SchedulerKind::Pct => "pct",
            SchedulerKind::Dfs => "dfs",
        }
    }
}

/// The scheduler and its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExploreParams {
    /// Which scheduler.
    pub scheduler: SchedulerKind,
    /// PCT's bug depth.
    pub depth: usize,
    /// PCT's step count (0 until measured).
    pub max_steps: u64,
}

impl ExploreParams {
    /// `pct depth 3`, `random`, `dfs`.
    pub fn describe(&self) -> String {
        match self.scheduler {
            SchedulerKind::Pct => format!("pct depth {}", self.depth),
            other => other.as_str().to_string(),
        }
    }
}
