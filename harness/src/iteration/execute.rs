//! One iteration: run the scenario's workflow with the iteration's seed and knobs, then
//! judge what it did through the outcome layer.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use engine::sync::{Runtime, StdRuntime};
use engine::{NodeWatch, Run, RunError, RunOptions, Trace, Workflow};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::knobs::Knobs;
use crate::mutants::plant::Mutant;
use crate::outcome::{Fingerprint, Outcome, evaluate};
use crate::scenario::Scenario;

/// Runs `workflow` once with `seed` and `knobs`, on a thread of its own when the knobs say
/// so (TEA-PY-006 only broke off the main thread). A panic escaping the engine becomes a
/// `panic` outcome instead of taking the soak down. `watch`, when given, is told about
/// every node (for hard deadlines).
pub fn execute(
    workflow: &Workflow,
    input: &Value,
    seed: u64,
    knobs: &Knobs,
    watch: Option<Arc<dyn NodeWatch>>,
) -> Run {
    let mut options = options(seed, knobs);
    if let Some(watch) = watch {
        options = options.with_watch(watch);
    }
    let run = || run_on::<StdRuntime>(workflow, input, &options, knobs.mutant);
    if !knobs.spawn_thread {
        return run();
    }
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("soak-engine".into())
            .spawn_scoped(scope, run)
            .map_or_else(
                |e| {
                    engine_failed(RunError::BranchPanic {
                        branch: "__engine__".into(),
                        message: format!("could not spawn the iteration's thread: {e}"),
                    })
                },
                |handle| handle.join().expect("the closure catches panics"),
            )
    })
}

/// The engine's options for the iteration with `seed` and `knobs`.
pub fn options(seed: u64, knobs: &Knobs) -> RunOptions {
    let mut options = RunOptions::seeded(seed)
        .with_chaos(knobs.chaos)
        .with_hash_seed(knobs.hash_seed);
    if let Some(workers) = knobs.workers {
        options = options.with_max_parallel(workers);
    }
    options
}

/// Runs `workflow` with `mutant`'s engine on runtime `R` (on the calling thread, or task
/// under shuttle); a panic escaping the engine is a `panic` outcome.
pub fn run_on<R: Runtime>(
    workflow: &Workflow,
    input: &Value,
    options: &RunOptions,
    mutant: Mutant,
) -> Run {
    catch_unwind(AssertUnwindSafe(|| {
        mutant.run::<R>(workflow, input.clone(), options)
    }))
    .unwrap_or_else(|payload| engine_failed(RunError::panicked("__engine__", payload.as_ref())))
}

/// Runs one iteration of `scenario` on runtime `R` (no thread of its own, no watch: how the
/// explorer runs it under shuttle) and judges it.
pub fn run_iteration_on<R: Runtime>(
    scenario: &Scenario,
    seed: u64,
    knobs: &Knobs,
) -> (Run, Outcome) {
    let options = options(seed, knobs);
    let run = run_on::<R>(&scenario.workflow, &scenario.input, &options, knobs.mutant);
    let rerun = |other: Option<&Workflow>| {
        let workflow = other.unwrap_or(&scenario.workflow);
        Fingerprint::of(&run_on::<R>(
            workflow,
            &scenario.input,
            &options,
            knobs.mutant,
        ))
    };
    let outcome = evaluate(scenario, &run, &rerun);
    (run, outcome)
}

/// Runs one iteration of `scenario` and judges it; `watch` sees every node it runs.
pub fn run_iteration(
    scenario: &Scenario,
    seed: u64,
    knobs: &Knobs,
    watch: Option<Arc<dyn NodeWatch>>,
) -> (Run, Outcome) {
    let run = execute(
        &scenario.workflow,
        &scenario.input,
        seed,
        knobs,
        watch.clone(),
    );
    let rerun = |other: Option<&Workflow>| {
        let workflow = other.unwrap_or(&scenario.workflow);
        Fingerprint::of(&execute(
            workflow,
            &scenario.input,
            seed,
            knobs,
            watch.clone(),
        ))
    };
    let outcome = evaluate(scenario, &run, &rerun);
    (run, outcome)
}

/// A run as a replay shows it (and as a worker sends it to its supervisor).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireRun {
    /// The final state, when it succeeded.
    pub state: Option<serde_json::Value>,
    /// `failed to ...`, when it failed.
    pub error: Option<String>,
    /// The trace.
    pub trace: engine::Trace,
}

impl From<Run> for WireRun {
    fn from(run: Run) -> Self {
        WireRun {
            state: run.result.as_ref().ok().cloned(),
            error: run.result.as_ref().err().map(|e| format!("failed to {e}")),
            trace: run.trace,
        }
    }
}

fn engine_failed(error: RunError) -> Run {
    Run {
        result: Err(error),
        trace: Trace::default(),
    }
}
