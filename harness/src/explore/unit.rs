//! Exploring one scenario, one schedule at a time: schedule i is a function of (run seed,
//! scenario, i) alone, so any worker can run any i, alone, in any order; except `dfs`, whose
//! schedule i follows from the ones before it (one worker runs them all, in order).

use std::sync::Arc;

use engine::mix;

use super::params::{ExploreParams, SchedulerKind};
use super::run::{Executed, measure_steps, run_one};
use super::schedulers::dfs::BoundedDfs;
use super::schedulers::pct::SeededPct;
use super::schedulers::random::SeededRandom;
use super::schedulers::replay::Replay;
use super::trace::{Step, Trace};
use super::workload::{take_outcome, workload};
use crate::iteration::execute::WireRun;
use crate::iteration::knobs::{Knobs, Overrides, iteration_seed};
use crate::outcome::evaluate::Stopped;
use crate::outcome::{Fingerprint, Outcome};
use crate::scenario::Scenario;

/// Mixed into a schedule's seed for the scheduler's own choices (ASCII "SCHD").
const SCHEDULER_STREAM: u64 = 0x5343_4844;

/// What one schedule did.
#[derive(Debug, Clone)]
pub struct Explored {
    /// Its index.
    pub index: u64,
    /// Its seed (the iteration's: `math.random`, knobs).
    pub seed: u64,
    /// The knobs it ran with.
    pub knobs: Knobs,
    /// How it was judged (a panic inside shuttle, a deadlock say, is a crash).
    pub outcome: Outcome,
    /// The run, when it got that far.
    pub run: Option<WireRun>,
    /// The schedule it followed.
    pub trace: Trace,
}

/// A scenario's explorer, in one process.
#[derive(Debug)]
pub struct Explorer {
    scenario: Arc<Scenario>,
    run_seed: u64,
    overrides: Overrides,
    /// The scheduler and its parameters, `max_steps` measured.
    pub params: ExploreParams,
    /// The outcome fingerprint of the schedule without preemptions.
    pub baseline: Option<Fingerprint>,
    dfs: Option<BoundedDfs>,
}

impl Explorer {
    /// An explorer; measures the scenario's steps (one execution without preemptions).
    pub fn new(
        scenario: Arc<Scenario>,
        run_seed: u64,
        overrides: Overrides,
        mut params: ExploreParams,
        schedules: u64,
    ) -> Explorer {
        let seed = iteration_seed(run_seed, &scenario.name, 0);
        let knobs = Knobs::derive(&scenario, seed, &overrides);
        let work = workload(&scenario, seed, knobs);
        if params.max_steps == 0 {
            params.max_steps = measure_steps(&work);
        }
        let baseline = take_outcome().map(|(o, _)| o.fingerprint);
        let dfs = (params.scheduler == SchedulerKind::Dfs)
            .then(|| BoundedDfs::new(schedules, params.depth));
        Explorer {
            scenario,
            run_seed,
            overrides,
            params,
            baseline,
            dfs,
        }
    }

    /// Runs schedule `index`. `None` when a DFS has run out of schedules.
    pub fn run(&mut self, index: u64) -> Option<Explored> {
        let (seed, knobs) = self.knobs(index);
        let work = workload(&self.scenario, seed, knobs);
        let executed = match self.params.scheduler {
            SchedulerKind::Random => run_one(SeededRandom::new(mix(seed, SCHEDULER_STREAM)), &work),
            SchedulerKind::Pct => run_one(
                SeededPct::new(
                    mix(seed, SCHEDULER_STREAM),
                    self.params.depth,
                    self.params.max_steps,
                ),
                &work,
            ),
            SchedulerKind::Dfs => {
                let dfs = self.dfs.as_ref().expect("made for dfs");
                let before = dfs.started();
                let out = run_one(dfs.one_more(), &work);
                if dfs.started() == before {
                    return None;
                }
                out
            }
        };
        Some(self.explored(index, seed, knobs, executed))
    }

    /// Whether a DFS ran out of schedules.
    pub fn exhausted(&self) -> bool {
        self.dfs.as_ref().is_some_and(BoundedDfs::exhausted)
    }

    /// Runs schedule `index` (its seed and knobs) along `steps` exactly; the second value is
    /// where the replay left them, if it did.
    pub fn replay(&self, index: u64, steps: Vec<Step>) -> (Explored, Option<usize>) {
        let (seed, knobs) = self.knobs(index);
        self.replay_with(index, seed, knobs, steps)
    }

    /// Runs the schedule along `steps` exactly with the given seed and knobs (a token's).
    pub fn replay_with(
        &self,
        index: u64,
        seed: u64,
        knobs: Knobs,
        steps: Vec<Step>,
    ) -> (Explored, Option<usize>) {
        let (scheduler, diverged) = Replay::new(steps);
        let executed = run_one(scheduler, &workload(&self.scenario, seed, knobs));
        (self.explored(index, seed, knobs, executed), diverged.get())
    }

    /// The workload of schedule `index`: to shrink or check it.
    pub fn workload(&self, index: u64) -> super::run::Workload {
        let (seed, knobs) = self.knobs(index);
        workload(&self.scenario, seed, knobs)
    }

    /// The seed and knobs of schedule `index` (DFS explores one program: schedule 0's).
    pub fn knobs(&self, index: u64) -> (u64, Knobs) {
        let index = if self.params.scheduler == SchedulerKind::Dfs {
            0
        } else {
            index
        };
        let seed = iteration_seed(self.run_seed, &self.scenario.name, index);
        (seed, Knobs::derive(&self.scenario, seed, &self.overrides))
    }

    fn explored(&self, index: u64, seed: u64, knobs: Knobs, executed: Executed) -> Explored {
        let kept = take_outcome();
        let (outcome, run) = match (executed.panic, kept) {
            (Some(panic), _) => (
                Outcome::stopped(Stopped::Crash(format!("under shuttle: {panic}"))),
                None,
            ),
            (None, Some((outcome, run))) => (outcome, Some(run)),
            (None, None) => (
                Outcome::stopped(Stopped::Crash(
                    "under shuttle: the execution stopped before its end".into(),
                )),
                None,
            ),
        };
        Explored {
            index,
            seed,
            knobs,
            outcome,
            run,
            trace: executed.trace,
        }
    }
}

/// An executed schedule's outcome, for shrinking: what the workload kept (or the panic).
pub fn outcome_of(executed: &Executed) -> Option<Outcome> {
    match &executed.panic {
        Some(panic) => Some(Outcome::stopped(Stopped::Crash(format!(
            "under shuttle: {panic}"
        )))),
        None => take_outcome().map(|(o, _)| o),
    }
}
