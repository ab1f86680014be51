//! Soaking one scenario: its iterations in supervised worker processes (the default) or on
//! threads of this process, into one aggregator ([`super::sink::Sink`]).

use std::sync::Arc;
use std::time::Duration;

use super::plan::{ExploreStats, Halt, Isolation, Plan, WorkerStats};
use super::sink::{Checkpoint, Sink};
use super::stop::Stop;
use crate::outcome::Tally;
use crate::scenario::Scenario;

/// What soaking one scenario measured.
#[derive(Debug)]
pub struct Soaked {
    /// The statistics.
    pub tally: Tally,
    /// Wall time of the iterations.
    pub elapsed: Duration,
    /// Whether `--fail-fast` stopped it early.
    pub failed_fast: bool,
    /// Why it stopped early otherwise.
    pub halt: Option<Halt>,
    /// The workers' figures (process isolation).
    pub workers: WorkerStats,
    /// What exploring found besides outcomes (explore only).
    pub explore: ExploreStats,
}

/// Runs the iterations `range` of `scenario` (all of them, `0..planned`, or a shard's part),
/// calling `progress` after each and `checkpoint` at least every two seconds.
pub fn soak<'a>(
    scenario: &Arc<Scenario>,
    range: std::ops::Range<u64>,
    plan: &Plan,
    stop: &Stop,
    progress: &'a (dyn Fn() + Sync),
    checkpoint: &'a mut Checkpoint<'a>,
) -> Soaked {
    let mut sink = Sink::new(
        scenario,
        plan.overrides,
        plan.fail_fast,
        progress,
        checkpoint,
    );
    let hard_deadline = plan.hard_deadline.unwrap_or(scenario.hard_deadline);
    // Explore always runs in workers: shuttle's tasks, and any hang, stay there.
    let (halt, workers, explore) = match plan.isolation {
        Isolation::Thread if plan.explore.is_none() => (
            super::threads::soak(scenario, range, plan, hard_deadline, stop, &mut sink),
            WorkerStats::default(),
            ExploreStats::default(),
        ),
        _ => super::processes::soak(scenario, range, plan, hard_deadline, stop, &mut sink),
    };
    Soaked {
        elapsed: sink.elapsed(),
        failed_fast: sink.failed_fast,
        halt,
        workers,
        explore,
        tally: sink.tally,
    }
}
