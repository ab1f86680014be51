//! What a run takes (its options) and what it gives back (the result and the trace).

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::chaos::ChaosLevel;
use crate::error::RunError;
use crate::trace::Trace;

/// Watches node executions from outside the VM: what stops a process whose node never
/// comes back (Lua's pattern matcher runs C code no hook can interrupt). The engine tells it
/// when each node execution starts, on the node's own thread (so a watch can take that
/// thread's charged clock, [`crate::sync::ThreadCharge::current`]), with the time it must end
/// within (the node's hard deadline: `settings.hard_timeout_ms`, or twice its budget plus
/// 5 s; the harness's watchdog measures it on the node's charged clock), and when it ends.
pub trait NodeWatch: Send + Sync + std::fmt::Debug {
    /// Node `node` (in `branch`, if any) starts; it must end within `hard`. Returns a
    /// ticket for [`NodeWatch::leave`].
    fn enter(&self, node: &str, branch: Option<&str>, hard: Duration) -> u64;

    /// The node execution with `ticket` ended.
    fn leave(&self, ticket: u64);
}

/// Mixed into the run seed for the default hash seed (ASCII "HASH").
const HASH_STREAM: u64 = 0x4841_5348;

/// Options for one run.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RunOptions {
    /// Seeds `math.random` in every VM (mixed with the branch index) and the chaos.
    pub seed: u64,
    /// Overrides the workflow's `max_parallel_branches` (1 runs branches sequentially).
    pub max_parallel_branches: Option<usize>,
    /// Schedule perturbation.
    pub chaos: ChaosLevel,
    /// Told about every node execution, when set.
    pub watch: Option<Arc<dyn NodeWatch>>,
    /// Lua's string-hash seed for the run (every VM's is derived from it and its path), which
    /// decides the order `pairs()` visits string keys in; `None` derives it from `seed`.
    pub hash_seed: Option<u64>,
}

impl PartialEq for RunOptions {
    fn eq(&self, other: &Self) -> bool {
        self.seed == other.seed
            && self.max_parallel_branches == other.max_parallel_branches
            && self.chaos == other.chaos
            && self.hash_seed == other.hash_seed
            && match (&self.watch, &other.watch) {
                (None, None) => true,
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                _ => false,
            }
    }
}

impl Eq for RunOptions {}

impl RunOptions {
    /// Options with this seed.
    pub fn seeded(seed: u64) -> Self {
        RunOptions {
            seed,
            ..Self::default()
        }
    }

    /// Sets the worker cap.
    pub fn with_max_parallel(mut self, workers: usize) -> Self {
        self.max_parallel_branches = Some(workers);
        self
    }

    /// Sets the chaos level.
    pub fn with_chaos(mut self, chaos: ChaosLevel) -> Self {
        self.chaos = chaos;
        self
    }

    /// Sets the string-hash seed.
    pub fn with_hash_seed(mut self, hash_seed: u64) -> Self {
        self.hash_seed = Some(hash_seed);
        self
    }

    /// The run's string-hash seed: as set, or derived from the seed.
    pub fn run_hash_seed(&self) -> u64 {
        self.hash_seed
            .unwrap_or_else(|| crate::chaos::mix(self.seed, HASH_STREAM))
    }

    /// Sets the node watch.
    pub fn with_watch(mut self, watch: Arc<dyn NodeWatch>) -> Self {
        self.watch = Some(watch);
        self
    }
}

/// The outcome of a run: the final state or the error, and the trace either way.
#[derive(Debug, Clone)]
pub struct Run {
    /// The final state (a JSON object) or why the run failed.
    pub result: Result<Value, RunError>,
    /// Which node ran on which VM.
    pub trace: Trace,
}
