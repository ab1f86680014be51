//! The executor: runs a workflow's main path on one VM and its fan-outs through the seams.
//!
//! A run gets one VM for its main path, created lazily on the calling thread and shared by
//! the main path's nodes. Each branch of a fan-out gets its own fresh VM, created on the
//! worker thread that runs it, and its own copy of the state. The fan-in runs on the main
//! path with `state.parallel_results`, one entry per branch in declared order: `{branch,
//! success, state, error, error_type, timeout, timing_ms, retry_count}`. Branch states are
//! not merged into the main state: the fan-in decides.

use std::marker::PhantomData;

use serde_json::Value;

use super::deadline::{Deadlines, PerNode};
use super::fan::Fan;
use super::guard::routing;
use super::options::{Run, RunOptions};
use super::pool::{Collector, Slots};
use super::state::{Copies, States};
use super::walk::{MainPolicy, Path, RunFanOut};
use crate::chaos::mix;
use crate::error::RunError;
use crate::lua::convert::{MAX_STATE_DEPTH, depth};
use crate::lua::vm::{SandboxFactory, VmFactory};
use crate::sync::pool::{HandOff, Helpers};
use crate::sync::{Runtime, StdRuntime};
use crate::trace::{FanOutRun, Step, Trace};
use crate::workflow::{Route, Target, Workflow};

impl Workflow {
    /// Runs the workflow on real threads with the engine's own seams. `input` (an object,
    /// or null) is merged over `initial_state`.
    pub fn run(&self, input: Value, options: &RunOptions) -> Run {
        Executor::<StdRuntime>::default().run(self, input, options)
    }
}

/// Runs workflows with runtime `R` through the seams: VM factory `F`, collector `C`,
/// deadlines `D`, branch states `S` and the helper pool's hand-off `H`. The defaults are the
/// engine's own; model tests pick `ShuttleRuntime`/`LoomRuntime`, mutation tests plug in
/// broken seams.
#[derive(Debug)]
pub struct Executor<
    R: Runtime,
    F: VmFactory<R> = SandboxFactory,
    C: Collector<R> = Slots<R>,
    D: Deadlines<R> = PerNode,
    S: States<R> = Copies,
    H: HandOff = Helpers,
> {
    factory: F,
    _seams: PhantomData<Seams<R, C, D, S, H>>,
}

/// The seams an executor only names (they are made per fan-out, or are types only).
type Seams<R, C, D, S, H> = fn() -> (R, C, D, S, H);

impl<R, F, C, D, S, H> Default for Executor<R, F, C, D, S, H>
where
    R: Runtime,
    F: VmFactory<R> + Default,
    C: Collector<R>,
    D: Deadlines<R>,
    S: States<R>,
    H: HandOff,
{
    fn default() -> Self {
        Executor::with_factory(F::default())
    }
}

impl<R, F, C, D, S, H> Executor<R, F, C, D, S, H>
where
    R: Runtime,
    F: VmFactory<R>,
    C: Collector<R>,
    D: Deadlines<R>,
    S: States<R>,
    H: HandOff,
{
    /// An executor with this VM factory.
    pub fn with_factory(factory: F) -> Self {
        Executor {
            factory,
            _seams: PhantomData,
        }
    }

    /// Runs `workflow` from `input` merged over its `initial_state`.
    pub fn run(&self, workflow: &Workflow, input: Value, options: &RunOptions) -> Run {
        // The nodes' budget timers stay set from node to node; the caller's thread is left
        // with none when the run ends, or unwinds.
        let _timers = R::REAL_TIME.then(crate::lua::alarm::RunScope::enter);
        let mut path = Path {
            wf: workflow,
            factory: &self.factory,
            branch: None,
            worker: None,
            seed: mix(options.seed, 0),
            hash_seed: options.run_hash_seed(),
            vm: None,
            steps: Vec::new(),
            watch: options.watch.as_deref(),
        };
        let mut fan_outs = Vec::new();
        let result = self.run_main(&mut path, input, options, &mut fan_outs);
        Run {
            result,
            trace: Trace {
                steps: path.steps,
                fan_outs,
            },
        }
    }

    fn run_main(
        &self,
        path: &mut Path<'_, R, F>,
        input: Value,
        opts: &RunOptions,
        records: &mut Vec<FanOutRun>,
    ) -> Result<Value, RunError> {
        let wf = path.wf;
        check_input(&input).map_err(|why| routing("__start__", why))?;
        let mut state = wf.initial_state.clone();
        if let (Value::Object(map), Value::Object(target)) = (input, &mut state) {
            target.extend(map);
        }
        let policy = MainPolicy::<R>(PhantomData);
        let mut fan_outs = 0;
        let fan_out: &mut RunFanOut<'_> = &mut |fan_out, state, steps: &mut Vec<Step>| {
            fan_outs += 1;
            let fan = Fan::<R, F, D, S> {
                wf,
                factory: &self.factory,
                fan_out,
                state: &*state,
                opts,
                ordinal: fan_outs,
                deadlines: D::new(fan_out.branches.len()),
                states: S::new(fan_out.branches.len()),
                _runtime: PhantomData,
            };
            let (results, record) = fan.run::<C, H>(steps);
            records.push(record);
            let Fan { states, .. } = fan;
            let results = results?;
            // The fan-in sees the state at the fan-out (and `parallel_results`): the
            // engine's states seam leaves it alone.
            states.join(state, &results);
            Ok(results)
        };
        let first = match &wf.start {
            Route::FanOut(f) => {
                let results = fan_out(f, &mut state, &mut path.steps)?;
                (Target::Node(f.fan_in), Some(results))
            }
            route => (path.choose(route, "__start__", &state)?, None),
        };
        path.walk(&mut state, first, Target::End, &policy, fan_out)?;
        Ok(state)
    }
}

/// Whether `input` can start a run: an object (or null) nested at most
/// [`MAX_STATE_DEPTH`] levels. The message says why not.
pub fn check_input(input: &Value) -> Result<(), String> {
    match input {
        Value::Null | Value::Object(_) => {}
        other => {
            return Err(format!(
                "the initial state must be a JSON object, got {}",
                json_type(other)
            ));
        }
    }
    let levels = depth(input);
    if levels > MAX_STATE_DEPTH {
        return Err(format!(
            "the initial state nests {levels} levels deep; a state may nest {MAX_STATE_DEPTH} \
             (a fan-in sees each branch's state 3 levels deeper)"
        ));
    }
    Ok(())
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
