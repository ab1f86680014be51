//! Running a workflow: the main path on one VM, fan-outs on fresh VMs per branch.
//!
//! A run gets one VM for its main path, created lazily on the calling thread and shared by
//! the main path's nodes (so helpers defined early can be used later). Each branch of a
//! fan-out gets its own fresh VM, created on the worker thread that runs it, and a deep copy
//! of the state. The fan-in runs on the main path with `state.parallel_results`, one entry
//! per branch in declared order: `{branch, success, state, error, error_kind, timed_out,
//! elapsed_ms}`. Branch states are not merged into the main state: the fan-in decides.

use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use serde_json::{Map, Value};

use crate::chaos::{ChaosLevel, mix};
use crate::error::RunError;
use crate::fanout::{Collector, Slots, panic_message};
use crate::sync::{Runtime, StdRuntime};
use crate::trace::{Step, Trace};
use crate::vm::{Fault, SandboxFactory, Vm, VmFactory, VmSpec};
use crate::workflow::{Node, Route, Target, Workflow};

/// Options for one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RunOptions {
    /// Seeds `math.random` in every VM (mixed with the branch index) and the chaos.
    pub seed: u64,
    /// Overrides the workflow's `max_parallel_branches` (1 runs branches sequentially).
    pub max_parallel_branches: Option<usize>,
    /// Schedule perturbation.
    pub chaos: ChaosLevel,
}

impl RunOptions {
    /// Options with this seed.
    pub fn seeded(seed: u64) -> Self {
        RunOptions {
            seed,
            ..Self::default()
        }
    }

    /// Sets the worker cap.
    pub fn with_max_parallel(mut self, workers: usize) -> Self {
        self.max_parallel_branches = Some(workers);
        self
    }

    /// Sets the chaos level.
    pub fn with_chaos(mut self, chaos: ChaosLevel) -> Self {
        self.chaos = chaos;
        self
    }
}

/// The outcome of a run: the final state or the error, and the trace either way.
#[derive(Debug, Clone)]
pub struct Run {
    /// The final state (a JSON object) or why the run failed.
    pub result: Result<Value, RunError>,
    /// Which node ran on which VM.
    pub trace: Trace,
}

impl Workflow {
    /// Runs the workflow on real threads with the real VM factory and collector.
    /// `input` (an object, or null) is merged over `initial_state`.
    pub fn run(&self, input: Value, options: &RunOptions) -> Run {
        Executor::<StdRuntime>::default().run(self, input, options)
    }
}

/// Runs workflows with runtime `R`, VM factory `F` and collector `C`. The defaults are the
/// production ones; model tests pick `ShuttleRuntime`/`LoomRuntime`, mutation tests plug in
/// broken factories and collectors.
#[derive(Debug)]
pub struct Executor<R: Runtime, F: VmFactory = SandboxFactory, C: Collector<R> = Slots<R>> {
    pub(crate) factory: F,
    _marker: PhantomData<fn() -> (R, C)>,
}

impl<R: Runtime, F: VmFactory + Default, C: Collector<R>> Default for Executor<R, F, C> {
    fn default() -> Self {
        Executor {
            factory: F::default(),
            _marker: PhantomData,
        }
    }
}

/// Where a path runs: the main path or a branch.
#[derive(Clone, Copy)]
pub(crate) struct PathCtx<'a> {
    /// `(0-based index, name)` inside a branch.
    pub(crate) branch: Option<(usize, &'a str)>,
    /// Seeds `math.random` in the path's VM.
    pub(crate) seed: u64,
}

impl PathCtx<'_> {
    pub(crate) fn branch_name(&self) -> Option<String> {
        self.branch.map(|(_, n)| n.to_string())
    }
}

impl<R: Runtime, F: VmFactory, C: Collector<R>> Executor<R, F, C> {
    /// An executor with this VM factory.
    pub fn with_factory(factory: F) -> Self {
        Executor {
            factory,
            _marker: PhantomData,
        }
    }

    /// Runs `workflow` from `input` merged over its `initial_state`.
    pub fn run(&self, workflow: &Workflow, input: Value, options: &RunOptions) -> Run {
        let mut steps = Vec::new();
        let result = self.run_main(workflow, input, options, &mut steps);
        Run {
            result,
            trace: Trace { steps },
        }
    }

    fn run_main(
        &self,
        wf: &Workflow,
        input: Value,
        opts: &RunOptions,
        steps: &mut Vec<Step>,
    ) -> Result<Value, RunError> {
        let mut state = wf.initial_state.clone();
        match input {
            Value::Null => {}
            Value::Object(map) => merge(&mut state, map),
            other => {
                return Err(RunError::Routing {
                    node: "__start__".into(),
                    message: format!(
                        "the initial state must be a JSON object, got {}",
                        json_type(&other)
                    ),
                });
            }
        }
        let main = PathCtx {
            branch: None,
            seed: mix(opts.seed, 0),
        };
        let mut fan_outs = 0;
        let mut vm: Option<Vm> = None;
        let mut current = self.choose(wf, &wf.start, "__start__", &mut vm, &state, main)?;
        let mut parallel_results: Option<Value> = None;
        let mut executed = 0;
        while let Target::Node(id) = current {
            executed += 1;
            if executed > wf.settings.max_steps {
                return Err(max_steps(wf, &wf.nodes[id]));
            }
            let node = &wf.nodes[id];
            let results = parallel_results.take();
            self.exec_node(wf, node, &mut vm, &mut state, results.as_ref(), main, steps)?;
            current = match &node.route {
                Route::FanOut(fan_out) => {
                    fan_outs += 1;
                    let results = self.fan_out(wf, fan_out, &state, opts, fan_outs, steps)?;
                    parallel_results = Some(results);
                    Target::Node(fan_out.fan_in)
                }
                route => self.choose(wf, route, &node.name, &mut vm, &state, main)?,
            };
        }
        Ok(state)
    }

    /// A VM for the path `ctx`, seeded with the path's seed. `node` names the node that needs
    /// it, for errors.
    pub(crate) fn new_vm(&self, wf: &Workflow, ctx: PathCtx, node: &str) -> Result<Vm, RunError> {
        let branch = ctx.branch.map(|(i, n)| (n, i + 1));
        let spec = VmSpec {
            seed: ctx.seed,
            memory_limit: wf.settings.lua_memory_limit,
            branch,
            sleep: R::sleep,
            real_time: R::REAL_TIME,
        };
        self.factory
            .create(&spec)
            .map_err(|f| fault_error(f, wf, node, ctx))
    }

    /// Runs one node and merges what it returned into `state`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn exec_node(
        &self,
        wf: &Workflow,
        node: &Node,
        vm: &mut Option<Vm>,
        state: &mut Value,
        parallel_results: Option<&Value>,
        ctx: PathCtx,
        steps: &mut Vec<Step>,
    ) -> Result<(), RunError> {
        let Some(chunk) = &node.chunk else {
            steps.push(step(node, 0, ctx, None));
            return Ok(());
        };
        let vm = self.vm(wf, vm, ctx, &node.name)?;
        let budget = Duration::from_millis(wf.settings.lua_timeout_ms);
        let outcome = guarded(wf, &node.name, ctx, || {
            vm.run_node(chunk, state, parallel_results, budget)
        })
        .map(|result| {
            if let Some(Value::Object(out)) = result {
                merge(state, out);
            }
        });
        steps.push(step(node, vm.serial(), ctx, outcome.as_ref().err()));
        outcome
    }

    /// The path's VM, created on first use.
    fn vm<'v>(
        &self,
        wf: &Workflow,
        vm: &'v mut Option<Vm>,
        ctx: PathCtx,
        node: &str,
    ) -> Result<&'v Vm, RunError> {
        if vm.is_none() {
            *vm = Some(self.new_vm(wf, ctx, node)?);
        }
        Ok(vm.as_ref().expect("just created"))
    }

    /// Picks the next target of `route` (not a fan-out).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn choose(
        &self,
        wf: &Workflow,
        route: &Route,
        from: &str,
        vm: &mut Option<Vm>,
        state: &Value,
        ctx: PathCtx,
    ) -> Result<Target, RunError> {
        match route {
            Route::Go(target) => Ok(*target),
            Route::FanOut(_) => {
                unreachable!("fan-outs are handled by the caller; nested ones are rejected at load")
            }
            Route::Choose(rules) => {
                let budget = Duration::from_millis(wf.settings.lua_timeout_ms);
                for (condition, target) in rules {
                    let Some(condition) = condition else {
                        return Ok(*target);
                    };
                    let vm = self.vm(wf, vm, ctx, from)?;
                    if guarded(wf, from, ctx, || {
                        vm.eval_condition(condition, state, budget)
                    })? {
                        return Ok(*target);
                    }
                }
                Err(RunError::Routing {
                    node: from.to_string(),
                    message: "no condition matched and there is no fallback".into(),
                })
            }
        }
    }
}

pub(crate) fn step(node: &Node, vm: u64, ctx: PathCtx, error: Option<&RunError>) -> Step {
    Step {
        node: node.name.clone(),
        vm,
        branch: ctx.branch.map(|(i, _)| i),
        branch_name: ctx.branch_name(),
        ok: error.is_none(),
        error: error.map(|e| e.kind().as_str().to_string()),
    }
}

pub(crate) fn max_steps(wf: &Workflow, node: &Node) -> RunError {
    RunError::Routing {
        node: node.name.clone(),
        message: format!(
            "exceeded `max_steps` ({}); is there a loop with no exit?",
            wf.settings.max_steps
        ),
    }
}

/// Runs VM work, turning a fault into a [`RunError`] for `node` and a panic in host code into
/// [`RunError::BranchPanic`].
fn guarded<T>(
    wf: &Workflow,
    node: &str,
    ctx: PathCtx,
    f: impl FnOnce() -> Result<T, Fault>,
) -> Result<T, RunError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(fault)) => Err(fault_error(fault, wf, node, ctx)),
        Err(payload) => Err(RunError::BranchPanic {
            branch: ctx.branch_name().unwrap_or_else(|| "__main__".into()),
            message: panic_message(&payload),
        }),
    }
}

pub(crate) fn fault_error(fault: Fault, wf: &Workflow, node: &str, ctx: PathCtx) -> RunError {
    let (node, branch) = (node.to_string(), ctx.branch_name());
    match fault {
        Fault::Lua(message) => RunError::Lua {
            node,
            branch,
            message,
        },
        Fault::Timeout => RunError::Timeout {
            node,
            branch,
            budget_ms: wf.settings.lua_timeout_ms,
        },
        Fault::Memory => RunError::Memory {
            node,
            branch,
            limit: wf.settings.lua_memory_limit,
        },
        Fault::Cancelled => RunError::Cancelled {
            branch: branch.unwrap_or_else(|| "__main__".into()),
        },
        Fault::BadReturn(found) => RunError::BadReturn {
            node,
            branch,
            found,
        },
    }
}

fn merge(state: &mut Value, update: Map<String, Value>) {
    if let Value::Object(target) = state {
        target.extend(update);
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
