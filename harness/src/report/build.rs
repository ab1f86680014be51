//! Building the report from what the soak measured, and the exit code it implies.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};

use super::model::{
    BadReport, FingerprintRow, Fingerprints, Host, HostLoad, InvariantReport, Iterations, Options,
    Report, SCHEMA_VERSION, SHOWN_FINGERPRINTS, ScenarioReport, SignatureRow, Totals,
    WorkersReport,
};
use crate::campaign::WorkerStats;
use crate::iteration::knobs::{Overrides, worker_caps};
use crate::outcome::classify::ReplayTarget;
use crate::outcome::flake_causes;
use crate::outcome::stats::Rate;
use crate::outcome::tally::BadIteration;
use crate::outcome::{Class, Tally, classify};
use crate::scenario::Scenario;
use crate::util::exit;

/// Makes the command that replays an iteration (or schedule): its token, for the runner.
pub type ReplayCommand<'a> = dyn Fn(&ReplayTarget) -> crate::replay::token::ReplayCommand + 'a;

/// What a scenario's report says about the scenario itself: from the scenario, or, in a
/// merge, from a shard's report of it.
#[derive(Debug, Clone)]
pub struct Meta {
    /// Its name.
    pub name: String,
    /// Its file.
    pub file: String,
    /// Its content hash (16 hex digits).
    pub content_hash: Option<String>,
    /// Its seed story.
    pub story: Option<String>,
    /// What it checks.
    pub description: Option<String>,
    /// Whether every iteration must share one outcome.
    pub deterministic: bool,
    /// The canary.
    pub expect_failure: bool,
    /// Its `max_iterations`.
    pub cap: Option<u64>,
    /// The chaos level it ran at.
    pub chaos: String,
    /// The worker caps its iterations may run with ([`worker_caps`]).
    pub workers: Vec<usize>,
}

impl Meta {
    /// Of a loaded scenario, run with the command line's `overrides`.
    pub fn of(scenario: &Scenario, overrides: &Overrides) -> Meta {
        Meta {
            name: scenario.name.clone(),
            file: scenario.file.display().to_string(),
            content_hash: Some(format!("{:016x}", scenario.content_hash)),
            story: scenario.story.clone(),
            description: scenario.description.clone(),
            deterministic: scenario.deterministic,
            expect_failure: scenario.expect_failure,
            cap: scenario.max_iterations,
            chaos: overrides
                .chaos
                .unwrap_or(scenario.chaos)
                .as_str()
                .to_string(),
            workers: worker_caps(scenario, overrides),
        }
    }

    /// From a report of the scenario.
    pub fn of_report(report: &ScenarioReport) -> Meta {
        Meta {
            name: report.name.clone(),
            file: report.file.clone(),
            content_hash: report.content_hash.clone(),
            story: report.story.clone(),
            description: report.description.clone(),
            deterministic: report.deterministic,
            expect_failure: report.expect_failure,
            cap: report.iterations.cap,
            chaos: report.chaos.clone(),
            workers: report.workers.clone(),
        }
    }
}

/// The worker caps iterations ran with: those the tally counted by value (`workers=N`, when
/// `chaos.workers` lists several), else the one the scenario's iterations all had.
fn workers_run(meta: &Meta, tally: &Tally) -> Vec<usize> {
    let mut counted: Vec<usize> = tally
        .knobs
        .iter()
        .filter(|(_, c)| c.run > 0)
        .filter_map(|(k, _)| k.strip_prefix("workers=")?.parse().ok())
        .collect();
    counted.sort_unstable();
    if counted.is_empty() || tally.run == 0 {
        meta.workers.clone()
    } else {
        counted
    }
}

/// Which iterations a run of a scenario was to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The first.
    pub start: u64,
    /// How many.
    pub planned: u64,
    /// The whole run's count (a shard runs part of it).
    pub total: u64,
    /// What was asked for before the scenario's cap.
    pub asked: u64,
}

/// The report of a scenario that ran (completely or not, or is running): its class, rates,
/// outcomes and the command that replays its first failure (from `replay`).
pub fn ran(
    meta: &Meta,
    span: Span,
    tally: &Tally,
    elapsed: Duration,
    replay: &ReplayCommand<'_>,
) -> ScenarioReport {
    let verdict = classify(tally, meta.deterministic);
    let (replay, replay_file) = verdict
        .replay
        .as_ref()
        .map(replay)
        .map_or((None, None), |r| (Some(r.command), r.file));
    let secs = elapsed.as_secs_f64();
    let mut table: Vec<FingerprintRow> = tally
        .fingerprints
        .iter()
        .map(|(f, c)| FingerprintRow {
            fingerprint: f.to_string(),
            outcome: c.summary.clone(),
            count: c.count,
            violating: c.violating,
            example_iteration: c.example_iteration,
            example_seed: c.example_seed.to_string(),
        })
        .collect();
    table.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.example_iteration.cmp(&b.example_iteration))
    });
    table.truncate(SHOWN_FINGERPRINTS);
    let invariants = tally
        .labels
        .iter()
        .zip(&tally.invariants)
        .map(|(label, count)| InvariantReport {
            label: label.clone(),
            violations: count.violations,
            first: count.first.as_ref().map(bad),
        })
        .collect();
    let ok = match verdict.class {
        Class::Clean => !meta.expect_failure,
        Class::Failing => meta.expect_failure,
        _ => false,
    };
    let flake_causes =
        (verdict.class == Class::Flaky).then(|| flake_causes::breakdown(tally, meta.deterministic));
    ScenarioReport {
        name: meta.name.clone(),
        file: meta.file.clone(),
        content_hash: meta.content_hash.clone(),
        story: meta.story.clone(),
        description: meta.description.clone(),
        status: verdict.class,
        expect_failure: meta.expect_failure,
        ok,
        complete: tally.run == span.planned,
        iterations: Iterations {
            planned: span.planned,
            start: span.start,
            total: span.total,
            run: tally.run,
            cap: meta.cap,
            capped: span.total < span.asked,
        },
        chaos: meta.chaos.clone(),
        workers: workers_run(meta, tally),
        elapsed_s: secs,
        iterations_per_s: per_second(tally.run, secs),
        failures: Rate::new(verdict.failures, tally.run),
        divergent: verdict.divergent,
        deterministic: meta.deterministic,
        fingerprints: Fingerprints {
            distinct: tally.fingerprints.len(),
            overflow: tally.overflow,
            too_many: tally.too_many_outcomes(),
            table,
        },
        invariants,
        first_bad: verdict.replay.as_ref().map(|t| BadReport {
            iteration: t.iteration,
            seed: t.seed.to_string(),
            message: t.reason.clone(),
        }),
        reproduction: None,
        explore: None,
        failure_signatures: verdict
            .signatures
            .iter()
            .map(|(signature, count)| SignatureRow {
                signature: signature.clone(),
                count: *count,
            })
            .collect(),
        hangs: tally.hangs,
        replay,
        replay_file,
        error: None,
        flake_causes,
        tally: Some(tally.clone()),
    }
}

/// The report of a scenario that could not be loaded, or was never started.
pub fn not_ran(name: String, file: &Path, class: Class, error: Option<String>) -> ScenarioReport {
    ScenarioReport {
        name,
        file: file.display().to_string(),
        story: None,
        description: None,
        status: class,
        expect_failure: false,
        ok: false,
        complete: false,
        content_hash: None,
        iterations: Iterations {
            planned: 0,
            start: 0,
            total: 0,
            run: 0,
            cap: None,
            capped: false,
        },
        chaos: "off".into(),
        workers: Vec::new(),
        elapsed_s: 0.0,
        iterations_per_s: 0.0,
        failures: Rate::new(0, 0),
        divergent: 0,
        deterministic: true,
        fingerprints: Fingerprints {
            distinct: 0,
            overflow: 0,
            too_many: false,
            table: Vec::new(),
        },
        invariants: Vec::new(),
        first_bad: None,
        failure_signatures: Vec::new(),
        hangs: 0,
        replay: None,
        replay_file: None,
        reproduction: None,
        explore: None,
        error,
        flake_causes: None,
        tally: None,
    }
}

fn bad(b: &BadIteration) -> BadReport {
    BadReport {
        iteration: b.iteration,
        seed: b.seed.to_string(),
        message: b.message.clone(),
    }
}

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
