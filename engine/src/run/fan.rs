//! A fan-out: every branch on its own fresh VM and its own copy of the state, walked by
//! [`Path`] on the workers of [`run_fan_out`], collected into `parallel_results` in declared
//! order. The branch's deadline, state and collection come through the seams
//! ([`Deadlines`], [`States`], [`Collector`]).

use std::rc::Rc;
use std::time::Duration;

use serde_json::Value;

use super::adaptive;
use super::deadline::Deadlines;
use super::options::RunOptions;
use super::pool::{BranchResult, Collector, WorkQueue, run_fan_out};
use super::state::States;
use super::walk::{Path, PathPolicy, RunFanOut};
use crate::chaos::{Chaos, ChaosLevel, ChaosPoint, mix, perturb};
use crate::error::RunError;
use crate::fan_in::BranchEntry;
use crate::lua::vm::{Budget, VmFactory};
use crate::sync::pool::HandOff;
use crate::sync::{Arc, Runtime};
use crate::trace::{FanOutRun, Step};
use crate::workflow::{FanOut, Target, Workflow};

/// What every branch of one fan-out shares.
pub(crate) struct Fan<'a, R: Runtime, F, D, S> {
    pub(crate) wf: &'a Workflow,
    pub(crate) factory: &'a F,
    pub(crate) fan_out: &'a FanOut,
    /// The state at the fan-out; each branch gets its copy through `states`.
    pub(crate) state: &'a Value,
    pub(crate) opts: &'a RunOptions,
    /// This fan-out's ordinal in the run (1 for the first), mixed into its branches' seeds.
    pub(crate) ordinal: u64,
    pub(crate) deadlines: D,
    pub(crate) states: S,
    pub(crate) _runtime: std::marker::PhantomData<fn() -> R>,
}

/// A branch's policy: its deadlines and state through the seams, and cancellation.
struct BranchPolicy<'a, R: Runtime, D, S> {
    deadlines: &'a D,
    states: &'a S,
    index: usize,
    queue: &'a WorkQueue<R>,
    fail_fast: bool,
}

impl<R: Runtime, D: Deadlines<R>, S: States<R>> PathPolicy for BranchPolicy<'_, R, D, S> {
    fn budget(&self, length: std::time::Duration) -> Budget {
        self.deadlines.budget(self.index, length)
    }

    fn ended(&self, budget: &Budget, timed_out: bool) {
        self.deadlines.ended(self.index, budget, timed_out);
    }

    fn after_node(&self, state: &mut Value) {
        self.states.after_node(self.index, state);
    }

    fn cancelled(&self) -> bool {
        self.fail_fast && self.queue.is_cancelled()
    }
}

impl<'a, R, F, D, S> Fan<'a, R, F, D, S>
where
    R: Runtime,
    F: VmFactory<R>,
    D: Deadlines<R>,
    S: States<R>,
{
    /// Runs every branch and returns `parallel_results`, adding the branches' steps to
    /// `steps` in declared order. Under `fail_fast`, a failed branch fails the run with the
    /// first failure in declared order ([`Collector::failure`]), naming the siblings it
    /// cancelled.
    pub(crate) fn run<C: Collector<R>, H: HandOff>(
        &self,
        steps: &mut Vec<Step>,
    ) -> (Result<Vec<BranchEntry>, RunError>, FanOutRun) {
        let wf = self.wf;
        let branches = self.fan_out.branches.len();
        let (workers, decided_by) = self.workers(branches);
        let adaptive = decided_by == "adaptive";
        let record = FanOutRun {
            fan_in: wf.nodes[self.fan_out.fan_in].name.clone(),
            branches,
            workers,
            decided_by: decided_by.into(),
        };
        (self.run_on::<C, H>(workers, adaptive, steps), record)
    }

    /// The workers and what decided them: an explicit cap, else the cores under chaos or a
    /// model checker, else the adaptive policy.
    fn workers(&self, branches: usize) -> (usize, &'static str) {
        if let Some(w) = self.opts.max_parallel_branches {
            return (w, "options");
        }
        if let Some(w) = self.wf.settings.max_parallel_branches {
            return (w, "workflow");
        }
        let cores = R::available_parallelism();
        if !R::REAL_TIME {
            return (cores, "model");
        }
        if self.opts.chaos != ChaosLevel::Off {
            return (cores, "chaos");
        }
        if cores.min(branches) <= 1 {
            // Nothing to decide (and nothing to measure a spawn for).
            return (1, "adaptive");
        }
        let predicted = self.fan_out.cost.predicted();
        let spawn = adaptive::spawn_cost::<R>().max(adaptive::Overhead::process().learned());
        let workers = adaptive::workers(predicted, branches, spawn, cores);
        if workers < cores.min(branches) {
            adaptive::Overhead::process().fade();
        }
        (workers, "adaptive")
    }

    fn run_on<C: Collector<R>, H: HandOff>(
        &self,
        workers: usize,
        adaptive: bool,
        steps: &mut Vec<Step>,
    ) -> Result<Vec<BranchEntry>, RunError> {
        let wf = self.wf;
        let name = |i: usize| wf.nodes[self.fan_out.branches[i]].name.clone();
        let run_branch = |index: usize, worker: usize, queue: &Arc<WorkQueue<R>>| {
            self.run_branch(index, worker, queue)
        };
        let chaos = Chaos {
            level: self.opts.chaos,
            seed: mix(self.opts.seed, self.ordinal),
        };
        let started = R::now();
        let results = run_fan_out::<R, C, H>(
            self.fan_out.branches.len(),
            workers,
            wf.settings.fail_fast,
            chaos,
            &name,
            &run_branch,
        );
        let total = R::now().saturating_sub(started);
        let used = workers.min(results.len());
        let mut work = Duration::ZERO;
        let mut entries = Vec::with_capacity(results.len());
        let failed = if wf.settings.fail_fast {
            C::failure(&results).map(|error| RunError::failed_fast(error, cancelled(&results)))
        } else {
            None
        };
        for r in results {
            work += r.elapsed;
            // A cancelled branch never ran: it says nothing of what branches cost.
            if adaptive && !r.elapsed.is_zero() {
                self.fan_out.cost.record(r.elapsed);
            }
            steps.extend(r.steps);
            entries.push(entry(r.name, r.outcome, r.elapsed));
        }
        if adaptive {
            adaptive::Overhead::process().observe(total, work, used);
        }
        match failed {
            Some(err) => Err(err),
            None => Ok(entries),
        }
    }

    fn run_branch(&self, index: usize, worker: usize, queue: &Arc<WorkQueue<R>>) -> BranchResult {
        let started = R::now();
        let start = self.fan_out.branches[index];
        let name = self.wf.nodes[start].name.as_str();
        let (chaos, seed) = (self.opts.chaos, self.opts.seed);
        perturb::<R>(chaos, seed, index, ChaosPoint::BranchStart);
        let mut path = Path {
            wf: self.wf,
            factory: self.factory,
            branch: Some((index, name)),
            worker: Some(worker),
            // Every fan-out of a run seeds its branches differently (a loop back through a
            // fan-out must not replay the same `math.random` draws).
            seed: mix(mix(self.opts.seed, self.ordinal), index as u64 + 1),
            hash_seed: mix(
                mix(self.opts.run_hash_seed(), self.ordinal),
                index as u64 + 1,
            ),
            vm: None,
            steps: Vec::new(),
            watch: self.opts.watch.as_deref(),
        };
        let outcome = self.branch_path(&mut path, index, queue);
        // The collection steps and their chaos points are `run_fan_out`'s.
        BranchResult {
            index,
            name: name.to_string(),
            outcome,
            elapsed: R::now().saturating_sub(started),
            steps: std::mem::take(&mut path.steps),
        }
    }

    /// Walks branch `index` from its first node to the fan-in, on a fresh VM and its own
    /// state.
    fn branch_path(
        &self,
        path: &mut Path<'a, R, F>,
        index: usize,
        queue: &Arc<WorkQueue<R>>,
    ) -> Result<Value, RunError> {
        let start = self.fan_out.branches[index];
        let name = self.wf.nodes[start].name.as_str();
        let fail_fast = self.wf.settings.fail_fast;
        let vm = path.vm(name)?;
        if fail_fast {
            let queue = queue.clone();
            vm.set_cancel(Some(Rc::new(move || queue.is_cancelled())));
        }
        perturb::<R>(
            self.opts.chaos,
            self.opts.seed,
            index,
            ChaosPoint::AfterVmCreate,
        );
        let mut state = self.states.fork(index, self.state);
        let policy = BranchPolicy {
            deadlines: &self.deadlines,
            states: &self.states,
            index,
            queue,
            fail_fast,
        };
        let nested: &mut RunFanOut<'_> =
            &mut |_, _, _| unreachable!("nested fan-outs are rejected at load");
        path.walk(
            &mut state,
            (Target::Node(start), None),
            Target::Node(self.fan_out.fan_in),
            &policy,
            nested,
        )?;
        Ok(state)
    }
}

/// The branches a `fail_fast` failure cancelled, in declared order.
fn cancelled(results: &[BranchResult]) -> Vec<String> {
    results
        .iter()
        .filter(|r| matches!(r.outcome, Err(RunError::Cancelled { .. })))
        .map(|r| r.name.clone())
        .collect()
}

/// One `parallel_results` entry, TEA's shape.
fn entry(branch: String, outcome: Result<Value, RunError>, elapsed: Duration) -> BranchEntry {
    let timeout = matches!(outcome, Err(RunError::Timeout { .. }));
    let (state, error) = match outcome {
        Ok(state) => (Some(state), None),
        Err(e) => (None, Some((format!("failed to {e}"), e.kind().tea_name()))),
    };
    BranchEntry {
        branch,
        state,
        error,
        timeout,
        timing_ms: elapsed.as_secs_f64() * 1000.0,
    }
}
