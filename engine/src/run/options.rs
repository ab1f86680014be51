//! What a run takes (its options) and what it gives back (the result and the trace).

use serde_json::Value;

use crate::chaos::ChaosLevel;
use crate::error::RunError;
use crate::trace::Trace;

/// Options for one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunOptions {
    /// Seeds `math.random` in every VM (mixed with the branch index) and the chaos.
    pub seed: u64,
    /// Overrides the workflow's `max_parallel_branches` (1 runs branches sequentially).
    pub max_parallel_branches: Option<usize>,
    /// Schedule perturbation.
    pub chaos: ChaosLevel,
}

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
}

/// The outcome of a run: the final state or the error, and the trace either way.
#[derive(Debug, Clone)]
pub struct Run {
    /// The final state (a JSON object) or why the run failed.
    pub result: Result<Value, RunError>,
    /// Which node ran on which VM.
    pub trace: Trace,
}
