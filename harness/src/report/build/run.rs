//! The whole run's report from its scenarios' reports: totals, host figures and the exit
//! code they imply.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::campaign::WorkerStats;
use crate::outcome::Class;
use crate::report::model::{
    Host, HostLoad, Options, Report, SCHEMA_VERSION, ScenarioReport, Totals, WorkersReport,
};
use crate::util::exit;

/// Iterations per second, 0 when no time passed.
pub fn per_second(iterations: u64, secs: f64) -> f64 {
    if secs > 0.0 {
        iterations as f64 / secs
    } else {
        0.0
    }
}

/// Totals over the scenarios.
pub fn totals(scenarios: &[ScenarioReport], elapsed_s: f64) -> Totals {
    let mut t = Totals {
        scenarios: scenarios.len(),
        ..Totals::default()
    };
    for s in scenarios {
        t.iterations += s.iterations.run;
        match (s.status, s.expect_failure) {
            (Class::Clean, false) => t.clean += 1,
            (Class::Clean, true) => t.unexpected_passes += 1,
            (Class::Failing, true) => t.expected_failures += 1,
            (Class::Failing, false) => t.failing += 1,
            (Class::Flaky, _) => t.flaky += 1,
            (Class::Error, _) => t.error += 1,
            (Class::NotRun, _) => t.not_run += 1,
        }
    }
    t.iterations_per_s = per_second(t.iterations, elapsed_s);
    t
}

/// What a whole run was, besides its scenarios.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// `soak` or `explore`.
    pub mode: &'static str,
    /// It is still going (a checkpoint).
    pub running: bool,
    /// The signal that stopped it (SIGINT 2, SIGTERM 15).
    pub signal: Option<i32>,
    /// Why it stopped before its end, when it did.
    pub stopped: Option<String>,
    /// The run seed.
    pub run_seed: u64,
    /// The shard it was (`--shard K/N`).
    pub shard: Option<crate::campaign::Shard>,
    /// The command line.
    pub command: String,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// Its wall time, seconds.
    pub elapsed_s: f64,
    /// The options in force.
    pub options: Options,
    /// What it cost the host.
    pub host: Host,
}

/// The whole run's report: totals and exit code from the scenarios' reports.
pub fn report(run: RunInfo, scenarios: Vec<ScenarioReport>) -> Report {
    let totals = totals(&scenarios, run.elapsed_s);
    let exit_code = exit_code(&totals, run.signal);
    Report {
        schema_version: SCHEMA_VERSION,
        mode: run.mode.to_string(),
        complete: !run.running && run.stopped.is_none(),
        interrupted: run.signal.is_some(),
        forced: false,
        stopped: run.stopped,
        run_seed: run.run_seed.to_string(),
        harness: env!("CARGO_PKG_VERSION").to_string(),
        build: crate::replay::token::BUILD_ID.to_string(),
        shard: run.shard,
        merged: None,
        command: run.command,
        started_at: run.started_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        finished_at: Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
        elapsed_s: run.elapsed_s,
        options: run.options,
        host: run.host,
        totals,
        exit_code,
        scenarios,
    }
}

/// Makes the last checkpoint `report` the final report of a run a later second `signal`
/// ended before it could write its own: incomplete, interrupted, stopped by the first signal
/// (`signal`), forced.
pub fn force_final(report: &mut Report, signal: i32) {
    let name = crate::util::host::signal_name(signal);
    report.complete = false;
    report.interrupted = true;
    report.forced = true;
    report.stopped = Some(format!(
        "by {name}, forced: a second signal ended the process while it was stopping; this is \
         its last checkpoint, from {}",
        report.finished_at
    ));
    report.exit_code = (128 + signal) as u8;
    report.finished_at = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
}

/// What the host was doing between `start` and now.
pub fn host_load(start: &crate::util::host::Sample) -> HostLoad {
    let end = crate::util::host::Sample::now();
    HostLoad {
        cpus: end.cpus,
        load_start: start.load,
        load_end: end.load,
        steal_percent: end.steal_percent_since(start),
    }
}

/// The exit code: 128 + the signal when one stopped the run (130 for SIGINT, 143 for
/// SIGTERM), else 3 when a scenario could not be loaded or run, else 1 for a deterministic
/// failure (including a canary that passed), else 2 for a flaky scenario, else 0. An
/// expected failure that failed is a success.
pub fn exit_code(totals: &Totals, signal: Option<i32>) -> u8 {
    if let Some(signal) = signal {
        (128 + signal) as u8
    } else if totals.error > 0 {
        exit::USAGE
    } else if totals.failing > 0 || totals.unexpected_passes > 0 {
        exit::FAILED
    } else if totals.flaky > 0 {
        exit::FLAKY
    } else {
        exit::OK
    }
}

/// The workers' part of the host report.
pub fn workers(stats: &WorkerStats) -> WorkersReport {
    WorkersReport {
        spawned: stats.spawned,
        hangs: stats.hangs,
        crashes: stats.crashes,
        live_vms_max: stats.host.live_vms,
        threads_max: stats.host.threads,
        peak_rss_kib_max: stats.host.peak_rss_kib,
    }
}
