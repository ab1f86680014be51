//! Soaking one scenario: its iterations spread over `--jobs` std threads.
//!
//! Workers take iteration indices from a shared counter and keep their own [`Tally`]; the
//! tallies are merged when all have stopped, so memory stays bounded and workers never wait
//! on each other. The caller's thread works too (as in the engine's fan-out). Workers stop
//! between iterations when `stop` is set (Ctrl-C) or, under `--fail-fast`, when an
//! iteration goes wrong; whatever was measured until then is kept.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use engine::ChaosLevel;

use super::iteration::run_iteration;
use super::knobs::{Knobs, iteration_seed};
use crate::outcome::{Fingerprint, Outcome, Tally};
use crate::scenario::Scenario;

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
}

/// What soaking one scenario measured.
#[derive(Debug)]
pub struct Soaked {
    /// The merged statistics.
    pub tally: Tally,
    /// Wall time of the iterations.
    pub elapsed: Duration,
    /// Whether `--fail-fast` stopped it early.
    pub failed_fast: bool,
}

/// Runs up to `iterations` iterations of `scenario`, calling `progress` after each.
pub fn soak(
    scenario: &Scenario,
    iterations: u64,
    plan: &Plan,
    stop: &AtomicBool,
    progress: &(dyn Fn() + Sync),
) -> Soaked {
    let next = AtomicU64::new(0);
    let bail = AtomicBool::new(false);
    let first_fingerprint = OnceLock::new();
    let worker = || {
        let mut tally = Tally::new(scenario.invariants.len());
        while !stop.load(Ordering::Relaxed) && !bail.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= iterations {
                break;
            }
            let seed = iteration_seed(plan.run_seed, &scenario.name, i);
            let knobs = Knobs::derive(scenario, seed, plan.chaos);
            let (_, outcome) = run_iteration(scenario, seed, &knobs);
            if plan.fail_fast
                && !scenario.expect_failure
                && went_wrong(scenario, &outcome, &first_fingerprint)
            {
                bail.store(true, Ordering::Relaxed);
            }
            tally.record(i, seed, &outcome);
            progress();
        }
        tally
    };
    let started = Instant::now();
    let jobs = plan
        .jobs
        .clamp(1, iterations.max(1).min(usize::MAX as u64) as usize);
    let tally = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..jobs)
            .map(|j| {
                std::thread::Builder::new()
                    .name(format!("soak-{j}"))
                    .spawn_scoped(scope, worker)
                    .expect("spawn a soak worker")
            })
            .collect();
        let mut tally = worker();
        for helper in helpers {
            tally.merge(helper.join().expect("soak workers do not panic"));
        }
        tally
    });
    Soaked {
        elapsed: started.elapsed(),
        failed_fast: bail.load(Ordering::Relaxed),
        tally,
    }
}

/// A violation, or (for a deterministic scenario) an outcome other than the first one seen.
fn went_wrong(scenario: &Scenario, outcome: &Outcome, first: &OnceLock<Fingerprint>) -> bool {
    let first = *first.get_or_init(|| outcome.fingerprint);
    !outcome.violations.is_empty() || (scenario.deterministic && first != outcome.fingerprint)
}
