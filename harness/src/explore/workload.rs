//! A scenario iteration as a shuttle workload: the scenario's workflow on
//! [`ShuttleRuntime`] with the iteration's seed and knobs, judged by the same outcome layer as
//! a soak. The workload never panics on a violated invariant: it keeps its outcome for the
//! caller, which reads it with [`take_outcome`] once the execution is over.

use std::cell::RefCell;
use std::sync::Arc;

use engine::sync::ShuttleRuntime;

use super::run::Workload;
use crate::iteration::execute::WireRun;
use crate::iteration::execute::run_iteration_on;
use crate::iteration::knobs::Knobs;
use crate::outcome::Outcome;
use crate::scenario::Scenario;

thread_local! {
    /// What the last execution on this thread ended with. shuttle runs every task of an
    /// execution on the calling OS thread, so the workload's main task writes here and the
    /// runner's caller reads it.
    static LAST: RefCell<Option<(Outcome, WireRun)>> = const { RefCell::new(None) };
}

/// The workload of `scenario`'s iteration with `seed` and `knobs`.
pub fn workload(scenario: &Arc<Scenario>, seed: u64, knobs: Knobs) -> Workload {
    let scenario = scenario.clone();
    Arc::new(move || {
        let (run, outcome) = run_iteration_on::<ShuttleRuntime>(&scenario, seed, &knobs);
        // The execution's helpers (the production pool, explored like the rest) wait for
        // work until told to go; that teardown is not explored.
        super::schedulers::recording::judged();
        ShuttleRuntime::shutdown();
        let wire = WireRun::from(run);
        LAST.with(|l| *l.borrow_mut() = Some((outcome, wire)));
    })
}

/// The outcome (and run) of the execution that just ended on this thread, if it got as far
/// as judging it.
pub fn take_outcome() -> Option<(Outcome, WireRun)> {
    LAST.with(|l| l.borrow_mut().take())
}
