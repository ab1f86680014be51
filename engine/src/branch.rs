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

/// What every branch of one fan-out shares.
#[derive(Clone, Copy)]
struct Fan<'a> {
    wf: &'a Workflow,
    fan_out: &'a FanOut,
    /// The state at the fan-out; each branch deep-copies it.
    state: &'a Value,
    opts: &'a RunOptions,
    /// This fan-out's seed, mixed with each branch's index for its VM.
    seed: u64,
}

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
        let fan = Fan {
            wf,
            fan_out,
            state,
            opts,
            seed: mix(opts.seed, ordinal),
        };
        let run_branch = |i: usize, queue: &Arc<WorkQueue<R>>| self.run_branch(&fan, i, queue);
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

    fn run_branch(&self, fan: &Fan, index: usize, queue: &Arc<WorkQueue<R>>) -> BranchResult {
        let started = Instant::now();
        let name = fan.wf.nodes[fan.fan_out.branches[index]].name.as_str();
        let (chaos, seed) = (fan.opts.chaos, fan.opts.seed);
        let mut steps = Vec::new();
        perturb::<R>(chaos, seed, index, ChaosPoint::BranchStart);
        let outcome = self.branch_path(fan, index, queue, &mut steps);
        // The result goes to the collector as soon as this returns: perturb right before.
        perturb::<R>(chaos, seed, index, ChaosPoint::BeforeCollect);
        BranchResult {
            index,
            name: name.to_string(),
            outcome,
            elapsed: started.elapsed(),
            steps,
        }
    }

    /// Runs branch `index` from its first node until it reaches the fan-in, on a fresh VM
    /// and a deep copy of the state.
    fn branch_path(
        &self,
        fan: &Fan,
        index: usize,
        queue: &Arc<WorkQueue<R>>,
        steps: &mut Vec<Step>,
    ) -> Result<Value, RunError> {
        let Fan {
            wf,
            fan_out,
            state,
            opts,
            seed,
        } = *fan;
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
