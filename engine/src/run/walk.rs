//! The one path walker: the main path and every branch run their nodes through [`Path`].
//!
//! A path has one VM, created lazily on the thread that walks it and shared by the path's
//! nodes (so a helper defined early can be used later), and its own state. It runs nodes
//! from a start target until it reaches its stop (`__end__` for the main path, the fan-in
//! for a branch), following routes. What differs between the main path and a branch (how a
//! node's deadline is set, what happens to the state after a node, cancellation) comes from
//! its [`PathPolicy`]; a fan-out route is handed to the caller.

use std::time::Duration;

use serde_json::{Map, Value};

use super::guard::{fault_error, guarded, routing};
use crate::error::RunError;
use crate::fan_in::BranchEntry;
use crate::lua::chunk::Chunk;
use crate::lua::vm::{Budget, Vm, VmFactory, VmSpec};
use crate::run::options::NodeWatch;
use crate::sync::Runtime;
use crate::trace::Step;
use crate::workflow::{FanOut, Node, Route, Target, Workflow};

/// What a path asks of the place it runs in.
pub(crate) trait PathPolicy {
    /// The budget of a node execution of `length` that starts now.
    fn budget(&self, length: Duration) -> Budget;

    /// Called after each node execution, on its thread, with the budget it ran under.
    fn ended(&self, budget: &Budget, timed_out: bool) {
        let _ = (budget, timed_out);
    }

    /// Called after each node with the path's state.
    fn after_node(&self, state: &mut Value);

    /// Whether the path must stop before its next node (a cancelled fan-out).
    fn cancelled(&self) -> bool;
}

/// The main path's policy: a node gets its whole budget from when it starts.
pub(crate) struct MainPolicy<R>(pub(crate) std::marker::PhantomData<fn() -> R>);

impl<R: Runtime> PathPolicy for MainPolicy<R> {
    fn budget(&self, length: Duration) -> Budget {
        Budget::after::<R>(length)
    }

    fn after_node(&self, _state: &mut Value) {}

    fn cancelled(&self) -> bool {
        false
    }
}

/// Runs a fan-out route for the main path: `(fan_out, state, steps) -> parallel_results`;
/// `state` is the state at the fan-out, which its fan-in will see.
pub(crate) type RunFanOut<'f> =
    dyn FnMut(&FanOut, &mut Value, &mut Vec<Step>) -> Result<Vec<BranchEntry>, RunError> + 'f;

/// One path of a run: where it is, its VM and its trace.
pub(crate) struct Path<'a, R: Runtime, F: VmFactory<R>> {
    pub(crate) wf: &'a Workflow,
    pub(crate) factory: &'a F,
    /// `(0-based index, name)` inside a branch; `None` on the main path.
    pub(crate) branch: Option<(usize, &'a str)>,
    /// The fan-out worker walking it; `None` on the main path.
    pub(crate) worker: Option<usize>,
    /// Seeds `math.random` in the path's VM.
    pub(crate) seed: u64,
    /// The path's string-hash seed (the run's, and for a branch its fan-out and index):
    /// independent of `seed`, so a fixed hash seed gives every iteration the same `pairs()`
    /// order.
    pub(crate) hash_seed: u64,
    pub(crate) vm: Option<Vm<R>>,
    pub(crate) steps: Vec<Step>,
    /// Told about every node execution, when the run has one.
    pub(crate) watch: Option<&'a dyn NodeWatch>,
}

impl<'a, R: Runtime, F: VmFactory<R>> Path<'a, R, F> {
    pub(crate) fn branch_name(&self) -> Option<&'a str> {
        self.branch.map(|(_, name)| name)
    }

    /// The path's VM, created on first use; `node` names the node that needs it, for errors.
    pub(crate) fn vm(&mut self, node: &str) -> Result<&Vm<R>, RunError> {
        if self.vm.is_none() {
            let spec = VmSpec {
                branch: self.branch.map(|(i, name)| (name, i + 1)),
                worker: self.worker,
                hash_seed: crate::lua::seed::fold(self.hash_seed),
                ..VmSpec::new(self.seed, self.wf.settings.lua_memory_limit)
            };
            let created = self
                .factory
                .create(&spec)
                .map_err(|f| fault_error(f, self.wf, node, self.branch_name()))?;
            self.vm = Some(created);
        }
        Ok(self.vm.as_ref().expect("just created"))
    }

    /// Runs nodes from `from` until the path reaches `stop`, merging what each returns into
    /// `state`. A fan-out route runs through `fan_out`, and its fan-in gets the results;
    /// `parallel_results` is for `from` when it is a fan-in already (a fan-out from
    /// `__start__`).
    pub(crate) fn walk(
        &mut self,
        state: &mut Value,
        (from, mut parallel_results): (Target, Option<Vec<BranchEntry>>),
        stop: Target,
        policy: &impl PathPolicy,
        fan_out: &mut RunFanOut<'_>,
    ) -> Result<(), RunError> {
        let wf = self.wf;
        let mut current = from;
        let mut executed = 0;
        while current != stop {
            let Target::Node(id) = current else {
                unreachable!("a path stops at `__end__` at the latest");
            };
            let node = &wf.nodes[id];
            if policy.cancelled() {
                let error = RunError::Cancelled {
                    branch: self.branch_name().unwrap_or("__main__").to_string(),
                };
                // The node it would have run shows in the trace as cancelled.
                self.step(&node.name, 0, Some(&error));
                return Err(error);
            }
            executed += 1;
            if executed > wf.settings.max_steps {
                return Err(routing(
                    &node.name,
                    format!(
                        "exceeded `max_steps` ({}); is there a loop with no exit?",
                        wf.settings.max_steps
                    ),
                ));
            }
            let results = parallel_results.take();
            self.exec_node(node, state, results.as_deref(), policy, &mut executed)?;
            policy.after_node(state);
            current = match &node.route {
                Route::FanOut(f) => {
                    parallel_results = Some(fan_out(f, state, &mut self.steps)?);
                    Target::Node(f.fan_in)
                }
                route => self.choose(route, &node.name, state)?,
            };
            if let (Target::End, Target::Node(fan_in)) = (current, stop) {
                return Err(routing(
                    &node.name,
                    format!(
                        "branch `{}` reached `__end__` before its fan-in `{}`",
                        self.branch_name().unwrap_or("__main__"),
                        wf.nodes[fan_in].name
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Runs one node (its Lua, or its while_loop) and merges what it returned into `state`.
    /// `executed` counts the path's node executions, a loop's body runs included.
    fn exec_node(
        &mut self,
        node: &Node,
        state: &mut Value,
        parallel_results: Option<&[BranchEntry]>,
        policy: &impl PathPolicy,
        executed: &mut usize,
    ) -> Result<(), RunError> {
        if let Some(while_loop) = &node.while_loop {
            let done = self.run_loop(
                node,
                while_loop,
                state,
                (parallel_results, executed),
                policy,
            );
            self.step(&node.name, 0, done.as_ref().err());
            return done;
        }
        self.exec_chunk(
            &node.name,
            node.chunk.as_ref(),
            state,
            parallel_results,
            policy,
        )
    }

    /// Runs `chunk` as node `name` (none: the state passes through), merges what it
    /// returned into `state`, and records the step.
    pub(crate) fn exec_chunk(
        &mut self,
        name: &str,
        chunk: Option<&Chunk>,
        state: &mut Value,
        parallel_results: Option<&[BranchEntry]>,
        policy: &impl PathPolicy,
    ) -> Result<(), RunError> {
        let Some(chunk) = chunk else {
            self.step(name, 0, None);
            return Ok(());
        };
        let (wf, branch) = (self.wf, self.branch_name());
        let watch = self.watch;
        let vm = self.vm(name)?;
        let serial = vm.serial();
        // The budget starts once the VM exists: creating it is not the node's time.
        let budget = policy.budget(Duration::from_millis(wf.settings.lua_timeout_ms));
        let merged = watched(watch, wf, name, branch, || {
            guarded(wf, name, branch, || {
                vm.run_node(chunk, state, parallel_results, budget)
            })
        });
        policy.ended(&budget, matches!(merged, Err(RunError::Timeout { .. })));
        let merged = merged.map(|result| {
            if let (Some(Value::Object(out)), Value::Object(target)) = (result, &mut *state) {
                merge(target, out);
            }
        });
        self.step(name, serial, merged.as_ref().err());
        merged
    }

    pub(crate) fn step(&mut self, node: &str, vm: u64, error: Option<&RunError>) {
        self.steps.push(Step {
            node: node.to_string(),
            vm,
            branch: self.branch.map(|(i, _)| i),
            branch_name: self.branch_name().map(str::to_string),
            ok: error.is_none(),
            error: error.map(|e| e.kind().as_str().to_string()),
        });
    }
}

/// Runs `f`, the execution of `node`, telling `watch` (if any) when it starts and ends.
fn watched<T>(
    watch: Option<&dyn NodeWatch>,
    wf: &Workflow,
    node: &str,
    branch: Option<&str>,
    f: impl FnOnce() -> T,
) -> T {
    let Some(watch) = watch else {
        return f();
    };
    let ticket = watch.enter(
        node,
        branch,
        Duration::from_millis(wf.settings.hard_timeout_ms),
    );
    let out = f();
    watch.leave(ticket);
    out
}

fn merge(target: &mut Map<String, Value>, update: Map<String, Value>) {
    target.extend(update);
}
