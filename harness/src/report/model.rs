//! The soak report's data model: what `report.json` holds, and what the Markdown, JUnit and
//! terminal views are drawn from. The schema is documented in [`super::json`].

use serde::{Deserialize, Serialize};

use crate::campaign::Shard;
use crate::outcome::stats::Rate;
use crate::outcome::{Class, Tally};

/// Version of the `report.json` schema; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 3;

/// A whole soak run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `soak` or `explore`.
    pub mode: String,
    /// False when the run was interrupted (Ctrl-C) or stopped by `--fail-fast`.
    pub complete: bool,
    /// Whether Ctrl-C (SIGINT) or SIGTERM stopped it.
    pub interrupted: bool,
    /// A later second signal ended the process before the run wrote its own final report:
    /// this is the last checkpoint's, finished by the signal thread.
    #[serde(default)]
    pub forced: bool,
    /// Why it stopped before its end, when it did: the signal, `--fail-fast`, or an
    /// iteration stuck in a thread.
    pub stopped: Option<String>,
    /// The run seed, as a decimal string (u64 does not fit a JSON double).
    pub run_seed: String,
    /// The harness's version (`CARGO_PKG_VERSION`).
    #[serde(default)]
    pub harness: String,
    /// Its build id (a hash of the engine's and harness's sources): shards of one run must
    /// share it.
    #[serde(default)]
    pub build: String,
    /// The shard this run was (`--shard K/N`), or null for a whole run.
    #[serde(default)]
    pub shard: Option<Shard>,
    /// A merge of shard reports: what it merged (null for a run).
    #[serde(default)]
    pub merged: Option<Merged>,
    /// The command line, as a shell would take it.
    pub command: String,
    /// RFC 3339 UTC.
    pub started_at: String,
    /// RFC 3339 UTC.
    pub finished_at: String,
    /// Wall time of the whole run, in seconds.
    pub elapsed_s: f64,
    /// The options in force.
    pub options: Options,
    /// What the run cost the host.
    pub host: Host,
    /// Counts over all scenarios.
    pub totals: Totals,
    /// The exit code the run ended with.
    pub exit_code: u8,
    /// One entry per scenario file, in run order.
    pub scenarios: Vec<ScenarioReport>,
}

/// What `harness report merge` put together.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Merged {
    /// The shard report folders, in shard order.
    pub shards: Vec<String>,
    /// Those whose run did not complete (the merge is then incomplete too).
    pub incomplete: Vec<String>,
}

/// The options in force.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Options {
    /// `--iterations`, when given.
    pub iterations: Option<u64>,
    /// Iterations run at once.
    pub jobs: usize,
    /// `--chaos`, when given.
    pub chaos: Option<String>,
    /// `--fail-fast`.
    pub fail_fast: bool,
    /// `--include-canary`.
    pub include_canary: bool,
    /// `process` or `thread`.
    pub isolation: String,
    /// `--hard-deadline`, when given (seconds).
    pub hard_deadline_s: Option<f64>,
    /// `--hash-seed`: `vary` or `fixed`.
    #[serde(default)]
    pub hash_seed: String,
    /// `--mutant`, when one was planted (`none` otherwise).
    #[serde(default)]
    pub mutant: String,
    /// Explore's scheduler and its parameters (`pct depth 3`), null for soak.
    #[serde(default)]
    pub scheduler: Option<String>,
    /// The worker cap of scenarios that name none (soak: this host's cores), null under
    /// explore (its model has its own).
    #[serde(default)]
    pub workers: Option<usize>,
    /// Explore's `--check-determinism`.
    #[serde(default)]
    pub check_determinism: bool,
}

/// What the run cost the host, from `/proc/self/status` (null where unavailable).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Host {
    /// Peak resident set size (`VmHWM`), KiB.
    pub peak_rss_kib: Option<u64>,
    /// Threads when the soak started.
    pub threads_start: Option<u64>,
    /// Threads when it ended (after every worker was joined).
    pub threads_end: Option<u64>,
    /// Live Lua VMs when it ended (must be 0).
    pub live_vms_end: usize,
    /// The worker processes (process isolation), or null.
    pub workers: Option<WorkersReport>,
    /// What the host was doing around the run, to judge its timing by (null in a merge:
    /// each shard's report has its own).
    #[serde(default)]
    pub load: Option<HostLoad>,
}

/// What the host was doing: its CPUs, its load at the start and the end, and the CPU time a
/// hypervisor took from it (steal).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostLoad {
    /// CPUs this process may use.
    pub cpus: usize,
    /// The 1, 5 and 15 minute load averages when the run started (`/proc/loadavg`; null
    /// where there is none).
    pub load_start: Option<[f64; 3]>,
    /// The same when the report was written (the run's end, or the checkpoint's time).
    pub load_end: Option<[f64; 3]>,
    /// Steal: the share of the host's CPU time a hypervisor gave to others while the run
    /// went, in percent (`/proc/stat`; null where the kernel does not count it, or no tick
    /// passed).
    pub steal_percent: Option<f64>,
}

/// What the worker processes went through and the largest figures they reported.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WorkersReport {
    /// Worker processes started.
    pub spawned: u64,
    /// Iterations that hung.
    pub hangs: u64,
    /// Workers that died on their own.
    pub crashes: u64,
    /// The most Lua VMs alive in a worker between batches (must be 0).
    pub live_vms_max: usize,
    /// The most threads a worker had between batches.
    pub threads_max: Option<u64>,
    /// The largest peak resident set of a worker, KiB.
    pub peak_rss_kib_max: Option<u64>,
}

/// Counts over all scenarios.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Totals {
    /// Scenario files.
    pub scenarios: usize,
    /// Clean.
    pub clean: usize,
    /// Failing (expected failures excluded).
    pub failing: usize,
    /// Flaky.
    pub flaky: usize,
    /// Could not be loaded or run.
    pub error: usize,
    /// Not started.
    pub not_run: usize,
    /// `expect_failure` scenarios that failed every iteration, as they must.
    pub expected_failures: usize,
    /// `expect_failure` scenarios that passed (the harness missed a failure).
    pub unexpected_passes: usize,
    /// Iterations run, all scenarios together.
    pub iterations: u64,
    /// Iterations per second over the whole run.
    pub iterations_per_s: f64,
}

/// One scenario.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScenarioReport {
    /// Its name (the file stem when it did not load).
    pub name: String,
    /// Its file.
    pub file: String,
    /// A hash of its content and its workflow file's (16 hex digits): shards of one run
    /// must have run the same scenario.
    #[serde(default)]
    pub content_hash: Option<String>,
    /// Its seed story.
    pub story: Option<String>,
    /// What it checks.
    pub description: Option<String>,
    /// `clean`, `failing`, `flaky`, `error` or `not_run`.
    pub status: Class,
    /// Whether it is the canary (must fail every iteration).
    pub expect_failure: bool,
    /// Whether the result counts as a pass: clean, or failing when expected to.
    pub ok: bool,
    /// Whether every planned iteration ran.
    pub complete: bool,
    /// Iterations planned and run.
    pub iterations: Iterations,
    /// The chaos level it ran at.
    pub chaos: String,
    /// The worker caps (`max_parallel_branches`) its iterations ran with: those its tally
    /// counted by value when `chaos.workers` lists several, else the one soak fixed (the
    /// cores, at most the workflow's own ceiling); empty for the engine's default.
    #[serde(default)]
    pub workers: Vec<usize>,
    /// Wall time, seconds.
    pub elapsed_s: f64,
    /// Iterations per second.
    pub iterations_per_s: f64,
    /// Failing iterations with the rate and its 95% bounds.
    pub failures: Rate,
    /// Iterations whose outcome fingerprint was not the usual one (deterministic only).
    pub divergent: u64,
    /// Whether every iteration must share one fingerprint.
    pub deterministic: bool,
    /// The distinct outcomes.
    pub fingerprints: Fingerprints,
    /// Per invariant.
    pub invariants: Vec<InvariantReport>,
    /// The first bad iteration (the one the replay command reproduces).
    pub first_bad: Option<BadReport>,
    /// Every way its iterations failed, with how many failed that way, most first.
    pub failure_signatures: Vec<SignatureRow>,
    /// Iterations that hung (passed a hard deadline).
    pub hangs: u64,
    /// The command that replays `first_bad`: `harness replay <token>`.
    pub replay: Option<String>,
    /// The same with a long token read from a file: `harness replay @FILE`.
    pub replay_file: Option<String>,
    /// How well the replay reproduces it: soak reruns the seed; explore shrinks the schedule.
    pub reproduction: Option<String>,
    /// Explore only: how it explored, and what it found besides outcomes.
    pub explore: Option<ExploreReport>,
    /// Why it could not be loaded or run.
    pub error: Option<String>,
    /// What the flaky iterations have in common (flaky scenarios only).
    #[serde(default)]
    pub flake_causes: Option<crate::outcome::flake_causes::FlakeCauses>,
    /// Every count the class, rates and tables come from, exact (`harness report merge`
    /// adds these); null for a scenario that did not run.
    #[serde(default)]
    pub tally: Option<Tally>,
}

/// Iterations planned and run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Iterations {
    /// What this run was to run: the whole count, or a shard's part of it.
    pub planned: u64,
    /// The first of them (0, or where a shard's part starts).
    #[serde(default)]
    pub start: u64,
    /// What the command line (or the scenario) asked for, after the cap: the whole run's
    /// count, of which a shard runs `planned` from `start`.
    #[serde(default)]
    pub total: u64,
    /// How many ran.
    pub run: u64,
    /// The scenario's `max_iterations`, when it has one.
    pub cap: Option<u64>,
    /// Whether the cap lowered the count asked for.
    pub capped: bool,
}

/// The distinct outcome fingerprints: exact counts, the most common shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fingerprints {
    /// Distinct fingerprints (exact up to the tally's bound of 100,000).
    pub distinct: usize,
    /// Iterations whose fingerprint came past that bound: more than 100,000 distinct
    /// outcomes, "too many outcomes" to say which is usual.
    pub overflow: u64,
    /// Whether there were too many outcomes to count each.
    #[serde(default)]
    pub too_many: bool,
    /// The most common first (ties: the lowest first iteration), at most
    /// [`SHOWN_FINGERPRINTS`] of them; `tally.fingerprints` has every one.
    pub table: Vec<FingerprintRow>,
}

/// Most fingerprint rows a report shows.
pub const SHOWN_FINGERPRINTS: usize = 64;

/// One distinct outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FingerprintRow {
    /// 16 hex digits.
    pub fingerprint: String,
    /// `ok`, or the error kind and node.
    pub outcome: String,
    /// Iterations that ended this way.
    pub count: u64,
    /// Of those, how many violated an invariant.
    pub violating: u64,
    /// The lowest such iteration.
    pub example_iteration: u64,
    /// Its seed (decimal string).
    pub example_seed: String,
}

/// How a scenario was explored.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExploreReport {
    /// `random`, `pct` or `dfs`.
    pub scheduler: String,
    /// PCT's depth.
    pub depth: usize,
    /// PCT's step count, measured.
    pub max_steps: u64,
    /// Schedules per second.
    pub schedules_per_s: f64,
    /// DFS: whether it went through every schedule (never when a worker died on the way).
    pub exhaustive: Option<bool>,
    /// The first failure's schedule: preemptions as found and after shrinking.
    pub preemptions: Option<[usize; 2]>,
    /// `--check-determinism`: schedules whose outcome differed when run twice, and how.
    pub nondeterministic: Vec<String>,
    /// How many schedules differed when run twice (`nondeterministic` shows the first ones).
    pub nondeterministic_count: u64,
}

/// One way of failing.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignatureRow {
    /// `#1 final_state / ok`, `hang`, `crash`, or an outcome other than the usual one.
    pub signature: String,
    /// Iterations that failed this way.
    pub count: u64,
}

/// One invariant.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InvariantReport {
    /// `#2 lua`.
    pub label: String,
    /// Iterations that violated it.
    pub violations: u64,
    /// Its first violation.
    pub first: Option<BadReport>,
}

/// One bad iteration.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BadReport {
    /// Its index.
    pub iteration: u64,
    /// Its seed (decimal string).
    pub seed: String,
    /// What went wrong.
    pub message: String,
}

impl ScenarioReport {
    /// The fixed-width label of the status line: CLEAN, FAILING, FLAKY, ERROR, SKIP, and for
    /// the canary XFAIL (failed as it must) or XPASS (passed: the harness missed a failure).
    pub fn label(&self) -> &'static str {
        match (self.status, self.expect_failure) {
            (Class::Error, _) => "ERROR",
            (Class::NotRun, _) => "SKIP",
            (Class::Flaky, _) => "FLAKY",
            (Class::Failing, true) => "XFAIL",
            (Class::Clean, true) => "XPASS",
            (Class::Failing, false) => "FAILING",
            (Class::Clean, false) => "CLEAN",
        }
    }
}
