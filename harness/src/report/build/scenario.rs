//! A scenario's report from its tally: class, rates, outcomes, invariants and the command
//! that replays its first failure; or the report of one that never ran.

use std::path::Path;
use std::time::Duration;

use super::run::per_second;
use crate::iteration::knobs::{Overrides, worker_caps};
use crate::outcome::classify::ReplayTarget;
use crate::outcome::flake_causes;
use crate::outcome::stats::Rate;
use crate::outcome::tally::BadIteration;
use crate::outcome::{Class, Tally, classify};
use crate::report::model::{
    BadReport, FingerprintRow, Fingerprints, InvariantReport, Iterations, SHOWN_FINGERPRINTS,
    ScenarioReport, SignatureRow,
};
use crate::scenario::Scenario;

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
            table: fingerprint_table(tally),
        },
        invariants: invariant_reports(tally),
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

/// The most frequent outcomes (at most [`SHOWN_FINGERPRINTS`]), commonest first, ties by
/// first iteration.
fn fingerprint_table(tally: &Tally) -> Vec<FingerprintRow> {
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
    table
}

/// Each invariant's violations and its first violating iteration.
fn invariant_reports(tally: &Tally) -> Vec<InvariantReport> {
    tally
        .labels
        .iter()
        .zip(&tally.invariants)
        .map(|(label, count)| InvariantReport {
            label: label.clone(),
            violations: count.violations,
            first: count.first.as_ref().map(bad),
        })
        .collect()
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

/// A bad iteration as the report shows it.
fn bad(b: &BadIteration) -> BadReport {
    BadReport {
        iteration: b.iteration,
        seed: b.seed.to_string(),
        message: b.message.clone(),
    }
}
