//! What the supervisor and its worker processes say to each other: one JSON object per line,
//! requests on the worker's stdin, replies on its stdout.

use serde::{Deserialize, Serialize};

use crate::iteration::execute::WireRun;
use crate::iteration::knobs::Knobs;
use crate::outcome::evaluate::Stopped;
use crate::outcome::{Fingerprint, Outcome};

/// How long a worker may take to load its scenario (and, exploring, measure it) before it
/// is given up on: loading is not an iteration, and does not count against one's deadline.
pub const LOAD_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

/// A request to a worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Run iterations `start..end` of the scenario, in order, then report the host.
    Iterations {
        /// The first iteration index.
        start: u64,
        /// One past the last.
        end: u64,
    },
    /// Run the iteration with this seed (a replay), twice, and send the run back.
    Replay {
        /// The iteration seed.
        seed: u64,
        /// The knobs to run it with (a token's); derived from the seed when absent.
        knobs: Option<Knobs>,
    },
    /// Explore: run the schedule with this seed and knobs along `steps` exactly, and send
    /// the run back.
    ReplaySchedule {
        /// Its index.
        index: u64,
        /// Its seed.
        seed: u64,
        /// Its knobs.
        knobs: Knobs,
        /// The schedule ([`crate::explore::steps::steps_text`]).
        steps: String,
    },
    /// Explore: shrink schedule `index` (which ran along `steps`) to its fewest preemptions,
    /// keeping the failure it had: the same failure signature, or for an outcome that only
    /// differed, the same fingerprint.
    Shrink {
        /// Its index.
        index: u64,
        /// The schedule it ran.
        steps: String,
        /// The failure to keep.
        keep: Keep,
    },
}

/// What a shrunk schedule must keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Keep {
    /// This failure signature ([`crate::outcome::Outcome::signature`]).
    Signature(String),
    /// This outcome fingerprint (16 hex digits).
    Fingerprint(String),
}

/// A worker's reply.
// Replies are read one at a time off a pipe: a `Done`'s size costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    /// An iteration finished.
    Done {
        /// Its index (`None` for a replay).
        index: Option<u64>,
        /// Its seed.
        seed: u64,
        /// How it was judged.
        outcome: WireOutcome,
        /// For a replay: the final state or error, and the trace.
        run: Option<WireRun>,
        /// For a replay: the fingerprint of running the seed once more.
        again: Option<String>,
        /// Explore: the schedule it followed, when it may be a failure (steps text).
        schedule: Option<String>,
        /// Explore: that schedule's preemptions.
        preemptions: Option<usize>,
        /// Explore `--check-determinism`: what differed when the same schedule ran twice.
        nondeterminism: Option<String>,
    },
    /// Explore: the scenario's facts, once per worker before its first reply.
    Explore {
        /// PCT's step count, measured.
        max_steps: u64,
        /// The fingerprint of the schedule without preemptions.
        baseline: Option<String>,
    },
    /// Explore `dfs`: no schedule is left.
    Exhausted,
    /// Explore: a shrunk schedule.
    Shrunk {
        /// Preemptions before.
        before: usize,
        /// Preemptions after.
        after: usize,
        /// Executions spent.
        runs: usize,
        /// The shrunk schedule (steps text).
        steps: String,
    },
    /// A node of the running iteration passed its hard deadline; the worker exits next.
    Overdue {
        /// The iteration's index (`None` for a replay).
        index: Option<u64>,
        /// Its seed.
        seed: u64,
        /// What passed which deadline.
        what: String,
    },
    /// A batch is done: the worker's own figures.
    Host(WorkerHost),
    /// The worker loaded its scenario (and, exploring, measured it): the hard deadline of
    /// its first iteration starts now, not when it was started.
    Ready,
    /// The worker could not start (the scenario did not load, or changed since the run
    /// started).
    Failed {
        /// Why.
        message: String,
    },
}

impl Reply {
    /// An iteration's reply with its outcome alone (the rest is filled in by who needs it).
    pub fn done(index: Option<u64>, seed: u64, outcome: &Outcome) -> Reply {
        Reply::Done {
            index,
            seed,
            outcome: WireOutcome::from(outcome),
            run: None,
            again: None,
            schedule: None,
            preemptions: None,
            nondeterminism: None,
        }
    }
}

/// An [`Outcome`] on the wire (fingerprints as hex strings).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireOutcome {
    fingerprint: String,
    summary: String,
    violations: Vec<(usize, String)>,
}

impl From<&Outcome> for WireOutcome {
    fn from(o: &Outcome) -> Self {
        WireOutcome {
            fingerprint: o.fingerprint.to_string(),
            summary: o.summary.clone(),
            violations: o.violations.clone(),
        }
    }
}

impl WireOutcome {
    /// Back to an [`Outcome`].
    pub fn outcome(self) -> Outcome {
        Outcome {
            fingerprint: Fingerprint::parse(&self.fingerprint).unwrap_or(Fingerprint(0)),
            summary: self.summary,
            violations: self.violations,
            stopped: None::<Stopped>,
        }
    }
}

/// A worker's own figures after a batch (leak checks read these, not only the supervisor's).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerHost {
    /// Lua VMs alive in the worker (must be 0 between iterations).
    pub live_vms: usize,
    /// The worker's threads (its main thread, stdin reader, hard-deadline watchdog and pause
    /// clock).
    pub threads: Option<u64>,
    /// The worker's peak resident set, KiB.
    pub peak_rss_kib: Option<u64>,
}

impl WorkerHost {
    /// This process's figures now; the thread count, besides the engine's helper threads
    /// (idle ones exit a moment after the last fan-out), once threads just joined have left
    /// the kernel's count (waiting for at most `threads_baseline`).
    pub fn now(threads_baseline: Option<u64>) -> WorkerHost {
        WorkerHost {
            live_vms: engine::sync::counters::live_vms(),
            threads: crate::util::host::settled_threads_besides_helpers(threads_baseline),
            peak_rss_kib: crate::util::host::peak_rss_kib(),
        }
    }

    /// The larger of each figure.
    pub fn max(self, other: WorkerHost) -> WorkerHost {
        WorkerHost {
            live_vms: self.live_vms.max(other.live_vms),
            threads: self.threads.max(other.threads),
            peak_rss_kib: self.peak_rss_kib.max(other.peak_rss_kib),
        }
    }
}
