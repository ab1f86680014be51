//! How a soak runs (its plan), and what can stop a scenario's soak or its workers.

use std::time::Duration;

use std::collections::BTreeMap;

use super::knobs::Overrides;
use super::protocol::WorkerHost;
use crate::explore::params::{ExploreParams, SchedulerKind};

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
    /// What the command line overrides in every iteration's knobs.
    pub overrides: Overrides,
    /// Stop at the first bad iteration of a scenario that should pass.
    pub fail_fast: bool,
    /// Where iterations run.
    pub isolation: Isolation,
    /// Overrides every scenario's `hard_deadline`.
    pub hard_deadline: Option<Duration>,
    /// Explore under shuttle instead of soaking on real threads.
    pub explore: Option<ExplorePlan>,
}

/// How to explore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExplorePlan {
    /// The scheduler and its parameters (`max_steps` 0: each worker measures it).
    pub params: ExploreParams,
    /// Run every schedule twice and report any whose outcome differs.
    pub check_determinism: bool,
}

impl ExplorePlan {
    /// Whether schedules must run in order, on one worker, none twice (DFS).
    pub fn sequential(&self) -> bool {
        self.params.scheduler == SchedulerKind::Dfs
    }
}

/// Most ways of failing (signatures, or outcomes other than the usual one) whose lowest
/// schedule is kept.
pub const KEPT_SCHEDULES: usize = 64;

/// What exploring a scenario found besides the outcomes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExploreStats {
    /// PCT's step count, as the workers measured it.
    pub max_steps: u64,
    /// The outcome fingerprint of the schedule without preemptions.
    pub baseline: Option<String>,
    /// A DFS ran out of schedules (and no worker died on the way).
    pub exhausted: bool,
    /// A worker died on the way (a DFS cannot then say it was exhaustive).
    pub worker_died: bool,
    /// The schedules kept: for each way of failing (its key), the lowest index seen, with its
    /// steps text and preemptions.
    pub schedules: BTreeMap<u64, (String, usize)>,
    /// The key each kept schedule was kept for.
    pub kept_for: BTreeMap<String, u64>,
    /// `--check-determinism`: the lowest schedules whose outcome differed when run twice,
    /// and how (at most [`KEPT_SCHEDULES`]).
    pub nondeterministic: Vec<(u64, String)>,
    /// How many schedules did.
    pub nondeterministic_count: u64,
}

impl ExploreStats {
    /// Notes that schedule `index` differed when run twice.
    pub fn differed(&mut self, index: u64, what: String) {
        self.nondeterministic_count += 1;
        self.nondeterministic.push((index, what));
        self.nondeterministic.sort_by_key(|(i, _)| *i);
        self.nondeterministic.truncate(KEPT_SCHEDULES);
    }

    /// Keeps the schedule of `index` when it is the lowest seen for `key` (a failure
    /// signature, or `fp:` and an outcome fingerprint), for at most [`KEPT_SCHEDULES`] keys:
    /// the first failure of every kind keeps its schedule, however many others there are.
    pub fn keep(&mut self, key: String, index: u64, steps: String, preemptions: usize) {
        match self.kept_for.get(&key) {
            Some(&kept) if kept <= index => return,
            Some(&kept) => {
                self.schedules.remove(&kept);
            }
            None if self.kept_for.len() >= KEPT_SCHEDULES => return,
            None => {}
        }
        self.kept_for.insert(key, index);
        self.schedules.insert(index, (steps, preemptions));
    }
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
