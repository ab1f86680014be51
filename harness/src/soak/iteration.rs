//! One iteration: run the scenario's workflow with the iteration's seed and knobs, then
//! check every invariant against what it did.

use std::panic::{AssertUnwindSafe, catch_unwind};

use engine::{Run, RunError, RunOptions, Trace, Workflow};
use serde_json::Value;

use super::fingerprint::{Fingerprint, summary};
use super::seed::Knobs;
use super::tally::Outcome;
use crate::scenario::Scenario;
use crate::scenario::invariants::Observed;

/// Runs `workflow` once with `seed` and `knobs`, on a thread of its own when the knobs say
/// so (TEA-PY-006 only broke off the main thread). A panic escaping the engine becomes a
/// `panic` outcome instead of taking the soak down.
pub fn execute(workflow: &Workflow, input: &Value, seed: u64, knobs: &Knobs) -> Run {
    let mut options = RunOptions::seeded(seed).with_chaos(knobs.chaos);
    if let Some(workers) = knobs.workers {
        options = options.with_max_parallel(workers);
    }
    let run = || {
        catch_unwind(AssertUnwindSafe(|| workflow.run(input.clone(), &options)))
            .unwrap_or_else(|payload| escaped_panic(payload.as_ref()))
    };
    if !knobs.spawn_thread {
        return run();
    }
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("soak-engine".into())
            .spawn_scoped(scope, run)
            .map_or_else(
                |e| failed_spawn(&e),
                |handle| handle.join().expect("the closure catches panics"),
            )
    })
}

/// Runs one iteration of `scenario` and checks its invariants.
pub fn run_iteration(scenario: &Scenario, seed: u64, knobs: &Knobs) -> (Run, Outcome) {
    let run = execute(&scenario.workflow, &scenario.input, seed, knobs);
    let outcome = evaluate(scenario, &run, seed, knobs);
    (run, outcome)
}

/// Checks `run` (the iteration with `seed`) against the scenario's invariants.
pub fn evaluate(scenario: &Scenario, run: &Run, seed: u64, knobs: &Knobs) -> Outcome {
    let fingerprint = Fingerprint::of(run);
    let seen = Observed { run, fingerprint };
    let rerun = |other: Option<&Workflow>| {
        let workflow = other.unwrap_or(&scenario.workflow);
        Fingerprint::of(&execute(workflow, &scenario.input, seed, knobs))
    };
    let violations = scenario
        .invariants
        .iter()
        .enumerate()
        .filter_map(|(i, inv)| {
            inv.check(&seen, &rerun)
                .err()
                .map(|why| (i, format!("{}: {why}", inv.label)))
        })
        .collect();
    Outcome {
        fingerprint,
        summary: summary(run),
        violations,
    }
}

fn escaped_panic(payload: &(dyn std::any::Any + Send)) -> Run {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a non-string panic".into());
    Run {
        result: Err(RunError::BranchPanic {
            branch: "__engine__".into(),
            message,
        }),
        trace: Trace::default(),
    }
}

fn failed_spawn(e: &std::io::Error) -> Run {
    Run {
        result: Err(RunError::BranchPanic {
            branch: "__engine__".into(),
            message: format!("could not spawn the iteration's thread: {e}"),
        }),
        trace: Trace::default(),
    }
}
