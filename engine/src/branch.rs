//! A fan-out: every branch on its own fresh VM and deep copy of the state, on the workers of
//! [`crate::fanout::run_fan_out`], collected into `parallel_results` in declared order.

use std::rc::Rc;
use std::time::Instant;

use serde_json::{Value, json};

use crate::chaos::{ChaosPoint, mix, perturb};
use crate::error::RunError;
use crate::exec::{Executor, PathCtx, RunOptions, max_steps};
use crate::fanout::{BranchResult, Collector, WorkQueue, run_fan_out};
use crate::sync::{Arc, Runtime};
use crate::trace::Step;
use crate::vm::VmFactory;
use crate::workflow::{FanOut, Target, Workflow};

impl<R: Runtime, F: VmFactory, C: Collector<R>> Executor<R, F, C> {
    /// Runs every branch of `fan_out` and returns `parallel_results`. Under `fail_fast`, a
    /// failed branch fails the run with the first failure in declared order.
    pub(crate) fn fan_out(
        &self,
        wf: &Workflow,
        fan_out: &FanOut,
        state: &Value,
        opts: &RunOptions,
        ordinal: u64,
        steps: &mut Vec<Step>,
    ) -> Result<Value, RunError> {
        let workers = opts
            .max_parallel_branches
            .unwrap_or(wf.settings.max_parallel_branches);
        let name = |i: usize| wf.nodes[fan_out.branches[i]].name.clone();
        // Every fan-out of a run seeds its branches differently (a loop back through a
        // fan-out must not replay the same `math.random` draws).
        let seed = mix(opts.seed, ordinal);
        let run_branch = |i: usize, queue: &Arc<WorkQueue<R>>| {
            self.run_branch(wf, fan_out, i, state, opts, seed, queue)
        };
        let results = run_fan_out::<R, C>(
            fan_out.branches.len(),
            workers,
            wf.settings.fail_fast,
            &name,
            &run_branch,
        );
        for r in &results {
            steps.extend(r.steps.iter().cloned());
        }
        if wf.settings.fail_fast
            && let Some(err) = results
                .iter()
                .filter_map(|r| r.outcome.as_ref().err())
                .find(|e| !matches!(e, RunError::Cancelled { .. }))
        {
            return Err(err.clone());
        }
        Ok(Value::Array(results.iter().map(result_entry).collect()))
    }

    #[allow(clippy::too_many_arguments)]
    fn run_branch(
        &self,
        wf: &Workflow,
        fan_out: &FanOut,
        index: usize,
        state: &Value,
        opts: &RunOptions,
        seed: u64,
        queue: &Arc<WorkQueue<R>>,
    ) -> BranchResult {
        let started = Instant::now();
        let start = fan_out.branches[index];
        let name = wf.nodes[start].name.as_str();
        let mut steps = Vec::new();
        perturb::<R>(opts.chaos, opts.seed, index, ChaosPoint::BranchStart);
        let outcome = self.branch_path(wf, fan_out, index, state, opts, seed, queue, &mut steps);
        // The result goes to the collector as soon as this returns: perturb right before.
        perturb::<R>(opts.chaos, opts.seed, index, ChaosPoint::BeforeCollect);
        BranchResult {
            index,
            name: name.to_string(),
            outcome,
            elapsed: started.elapsed(),
            steps,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn branch_path(
        &self,
        wf: &Workflow,
        fan_out: &FanOut,
        index: usize,
        state: &Value,
        opts: &RunOptions,
        seed: u64,
        queue: &Arc<WorkQueue<R>>,
        steps: &mut Vec<Step>,
    ) -> Result<Value, RunError> {
        let start = fan_out.branches[index];
        let name = wf.nodes[start].name.as_str();
        let ctx = PathCtx {
            branch: Some((index, name)),
            seed: mix(seed, index as u64 + 1),
        };
        let vm = self.new_vm(wf, ctx, name)?;
        if wf.settings.fail_fast {
            let queue = queue.clone();
            vm.set_cancel(Some(Rc::new(move || queue.is_cancelled())));
        }
        perturb::<R>(opts.chaos, opts.seed, index, ChaosPoint::AfterVmCreate);
        let mut vm = Some(vm);
        let mut state = state.clone();
        let mut current = start;
        let mut executed = 0;
        while current != fan_out.fan_in {
            // Between nodes too: a branch of many short nodes never trips the VM hook.
            if wf.settings.fail_fast && queue.is_cancelled() {
                return Err(RunError::Cancelled {
                    branch: name.to_string(),
                });
            }
            executed += 1;
            let node = &wf.nodes[current];
            if executed > wf.settings.max_steps {
                return Err(max_steps(wf, node));
            }
            self.exec_node(wf, node, &mut vm, &mut state, None, ctx, steps)?;
            current = match self.choose(wf, &node.route, &node.name, &mut vm, &state, ctx)? {
                Target::Node(next) => next,
                Target::End => {
                    return Err(RunError::Routing {
                        node: node.name.clone(),
                        message: format!(
                            "branch `{name}` reached `__end__` before its fan-in `{}`",
                            wf.nodes[fan_out.fan_in].name
                        ),
                    });
                }
            };
        }
        Ok(state)
    }
}

/// One `parallel_results` entry, TEA's shape.
fn result_entry(r: &BranchResult) -> Value {
    let (state, error, kind) = match &r.outcome {
        Ok(state) => (state.clone(), Value::Null, Value::Null),
        Err(e) => (
            Value::Null,
            Value::String(format!("failed to {e}")),
            Value::String(e.kind().as_str().into()),
        ),
    };
    json!({
        "branch": r.name,
        "success": r.outcome.is_ok(),
        "state": state,
        "error": error,
        "error_kind": kind,
        "timed_out": matches!(r.outcome, Err(RunError::Timeout { .. })),
        "elapsed_ms": r.elapsed.as_secs_f64() * 1000.0,
    })
}
