//! The explore mode: what its workers are told ([`ExploreWorkerArgs`], which
//! [`crate::campaign::ExplorePlan::worker_args`] writes), and a worker's side ([`Explore`]):
//! schedules under shuttle through [`crate::explore`], a DFS's in order, each failure's
//! schedule sent back with it, a token's schedule replayed step by step, a failing one shrunk.

use std::sync::Arc;

use super::Mode;
use crate::campaign::protocol::{Keep, Reply, Request};
use crate::campaign::watch::Watch;
use crate::explore::params::{ExploreParams, SchedulerKind};
use crate::explore::run::Executed;
use crate::explore::shrink::shrink;
use crate::explore::steps::{parse_steps, steps_text};
use crate::explore::unit::{Explored, Explorer, outcome_of};
use crate::iteration::knobs::{Knobs, Overrides};
use crate::scenario::Scenario;

/// A worker's explore arguments (none: it soaks).
#[derive(Debug, Clone, clap::Args)]
pub struct ExploreWorkerArgs {
    /// Explore with this scheduler instead of soaking.
    #[arg(long, value_enum)]
    pub explore: Option<SchedulerKind>,
    /// PCT's depth.
    #[arg(long, default_value_t = 3)]
    pub depth: usize,
    /// PCT's step count (measured when absent).
    #[arg(long)]
    pub max_steps: Option<u64>,
    /// DFS's schedule bound (the supervisor's batch ends it first).
    #[arg(long, default_value_t = u64::MAX)]
    pub schedules: u64,
    /// Run each schedule twice and say what differed.
    #[arg(long)]
    pub check_determinism: bool,
}

/// An explore worker: its explorer, the next schedule a DFS runs, and the scenario's facts.
#[derive(Debug)]
pub struct Explore {
    explorer: Explorer,
    scenario: Arc<Scenario>,
    run_seed: u64,
    overrides: Overrides,
    check_determinism: bool,
    /// The next schedule a DFS runs (it runs them in order).
    next: u64,
}

impl Explore {
    /// The explore worker `args` ask for (`None`: soak instead); measures the scenario (one
    /// run without preemptions).
    pub fn new(
        args: &ExploreWorkerArgs,
        scenario: &Arc<Scenario>,
        run_seed: u64,
        overrides: Overrides,
    ) -> Option<Explore> {
        let params = ExploreParams {
            scheduler: args.explore?,
            depth: args.depth,
            max_steps: args.max_steps.unwrap_or(0),
        };
        let explorer = Explorer::new(
            scenario.clone(),
            run_seed,
            overrides,
            params,
            args.schedules,
        );
        Some(Explore {
            explorer,
            scenario: scenario.clone(),
            run_seed,
            overrides,
            check_determinism: args.check_determinism,
            next: 0,
        })
    }

    /// `ReplaySchedule`: the schedule along `steps`, with a token's seed and knobs.
    fn replay_schedule(&self, index: u64, seed: u64, knobs: Knobs, steps: &str) -> Reply {
        let replayer = Explorer::new(
            self.scenario.clone(),
            self.run_seed,
            self.overrides,
            ExploreParams {
                scheduler: SchedulerKind::Random,
                depth: 1,
                max_steps: 1,
            },
            1,
        );
        let steps = parse_steps(steps).unwrap_or_default();
        let (explored, diverged) = replayer.replay_with(index, seed, knobs, steps);
        let mut answer = explored_reply(&replayer, &explored, self.scenario.deterministic, true);
        if let (Reply::Done { nondeterminism, .. }, Some(at)) = (&mut answer, diverged) {
            *nondeterminism = Some(format!(
                "the replay left the recorded schedule at step {at}"
            ));
        }
        answer
    }

    /// `Shrink`: schedule `index`, which ran along `steps`, shrunk keeping `keep`.
    fn shrink(&self, index: u64, steps: &str, keep: &Keep) -> Reply {
        let steps = parse_steps(steps).unwrap_or_default();
        let (found, _) = self.explorer.replay(index, steps);
        let labels: Vec<String> = self
            .scenario
            .invariants
            .iter()
            .map(|i| i.label.clone())
            .collect();
        let mut same = |executed: &Executed| {
            outcome_of(executed).is_some_and(|o| match keep {
                Keep::Signature(s) => o.signature(&labels).as_deref() == Some(s),
                Keep::Fingerprint(f) => o.fingerprint.to_string() == *f,
            })
        };
        let shrunk = shrink(&self.explorer.workload(index), &found.trace, &mut same);
        Reply::Shrunk {
            before: shrunk.before,
            after: shrunk.after,
            runs: shrunk.runs,
            steps: steps_text(&shrunk.trace.steps),
        }
    }
}

impl Mode for Explore {
    fn loaded(&self) -> Option<Reply> {
        Some(Reply::Explore {
            max_steps: self.explorer.params.max_steps,
            baseline: self.explorer.baseline.map(|f| f.to_string()),
        })
    }

    fn run(&mut self, index: u64, _: &Watch) -> Option<Reply> {
        // A DFS goes through its schedules in order, also the ones before `index` (another
        // worker's, before it died). Every other schedule stands alone.
        let dfs = self.explorer.params.scheduler == SchedulerKind::Dfs;
        while dfs && self.next < index {
            if self.explorer.run(self.next).is_none() {
                break;
            }
            self.next += 1;
        }
        let explored = self.explorer.run(index)?;
        self.next = index + 1;
        let mut reply = explored_reply(
            &self.explorer,
            &explored,
            self.scenario.deterministic,
            false,
        );
        if self.check_determinism
            && let Reply::Done { nondeterminism, .. } = &mut reply
        {
            *nondeterminism = differs(&self.explorer, &explored);
        }
        Some(reply)
    }

    fn answer(&mut self, request: Request, _: &Watch) -> Reply {
        match request {
            Request::ReplaySchedule {
                index,
                seed,
                knobs,
                steps,
            } => self.replay_schedule(index, seed, knobs, &steps),
            Request::Shrink { index, steps, keep } => self.shrink(index, &steps, &keep),
            Request::Iterations { .. } | Request::Replay { .. } => Reply::Failed {
                message: "an explore worker replays and shrinks schedules only".into(),
            },
        }
    }
}

/// An explored schedule's reply: its schedule goes along when it may be a failure (it
/// failed on its own, or, in a deterministic scenario, its outcome is not the one without
/// preemptions); its run too, or always with `with_run` (a replay shows it).
fn explored_reply(
    explorer: &Explorer,
    explored: &Explored,
    deterministic: bool,
    with_run: bool,
) -> Reply {
    let maybe_failure = explored.outcome.failed()
        || (deterministic
            && explorer
                .baseline
                .is_some_and(|b| b != explored.outcome.fingerprint));
    let mut reply = Reply::done(Some(explored.index), explored.seed, &explored.outcome);
    if let Reply::Done {
        schedule,
        preemptions,
        run,
        ..
    } = &mut reply
    {
        // In a deterministic scenario any outcome may turn out not to be the usual one (that
        // is only known at the end, and need not be this worker's baseline): its schedule
        // goes along, for the supervisor to keep the lowest of each outcome.
        if maybe_failure || deterministic {
            *schedule = Some(steps_text(&explored.trace.steps));
            *preemptions = Some(explored.trace.preemptions());
        }
        *run = explored.run.clone().filter(|_| maybe_failure || with_run);
    }
    reply
}

/// Runs the same schedule again and says what differed, if anything did.
fn differs(explorer: &Explorer, first: &Explored) -> Option<String> {
    let (again, diverged) = explorer.replay(first.index, first.trace.steps.clone());
    if let Some(at) = diverged {
        return Some(format!(
            "the same schedule could not be followed again: it left it at step {at} (the \
             workload reached a scheduling point it had not before)"
        ));
    }
    if again.outcome.fingerprint != first.outcome.fingerprint {
        return Some(format!(
            "the same schedule and seed gave outcome {} ({}) then {} ({})",
            first.outcome.summary,
            first.outcome.fingerprint,
            again.outcome.summary,
            again.outcome.fingerprint
        ));
    }
    None
}
