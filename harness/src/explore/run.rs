//! One execution under a scheduler, recorded, in this process: whatever panics inside (a
//! deadlock shuttle found, a panic escaping the engine) comes back as a message, and the next
//! runner works normally.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Once};

use shuttle::scheduler::Scheduler;
use shuttle::{Config, FailurePersistence, MaxSteps, Runner};

use super::schedulers::fixed::NonPreemptive;
use super::schedulers::recording::{Recording, recorded};
use super::trace::Trace;

/// What one execution runs.
pub type Workload = Arc<dyn Fn() + Send + Sync + 'static>;

/// Scheduling points one execution may take before shuttle calls it a livelock.
pub const MAX_STEPS: usize = 2_000_000;

thread_local! {
    static IN_RUN: Cell<bool> = const { Cell::new(false) };
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// shuttle's configuration for the explorer: stacks for Lua, no schedule printed or written
/// (the explorer records its own), no warnings, and a step bound.
pub fn config() -> Config {
    let mut config = engine::sync::shuttle_config();
    config.failure_persistence = FailurePersistence::None;
    config.max_steps = MaxSteps::FailAfter(MAX_STEPS);
    config.silence_warnings = true;
    config
}

/// shuttle installs a panic hook once per process that prints every failing schedule; the
/// explorer records its own and runs thousands of schedules, so this replaces it with one
/// that stays quiet inside an execution. Call before any other shuttle use.
pub fn quiet_panics() {
    static DONE: Once = Once::new();
    DONE.call_once(|| {
        let original = panic::take_hook();
        Runner::new(Recording::new(NonPreemptive::new(0)), config()).run(|| {});
        let _shuttle = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if IN_RUN.get() {
                LOCATION.with(|l| {
                    l.borrow_mut().get_or_insert_with(|| {
                        info.location().map_or(String::new(), |l| l.to_string())
                    });
                });
            } else {
                original(info);
            }
        }));
    });
}

/// An execution's end: the panic that ended it, if any (with where it was raised), and the
/// schedule it followed.
#[derive(Debug, Clone)]
pub struct Executed {
    /// The panic's message and location.
    pub panic: Option<String>,
    /// The schedule.
    pub trace: Trace,
}

/// Runs `workload` once under `scheduler` (which must start one execution).
pub fn run_one<S: Scheduler + 'static>(scheduler: S, workload: &Workload) -> Executed {
    quiet_panics();
    let f = workload.clone();
    let runner = Runner::new(Recording::new(scheduler), config());
    IN_RUN.set(true);
    LOCATION.with(|l| *l.borrow_mut() = None);
    let result = panic::catch_unwind(AssertUnwindSafe(move || runner.run(move || f())));
    IN_RUN.set(false);
    let panic = result.err().map(|payload| {
        let text = payload_text(payload.as_ref());
        let _ = panic::catch_unwind(AssertUnwindSafe(move || drop(payload)));
        match LOCATION.with(|l| l.borrow_mut().take()) {
            Some(at) if !at.is_empty() => format!("{text} (at {at})"),
            _ => text,
        }
    });
    Executed {
        panic,
        trace: recorded(),
    }
}

/// The choice points of one non-preemptive execution: PCT's `max_steps`, a pure function of
/// the scenario.
pub fn measure_steps(workload: &Workload) -> u64 {
    run_one(NonPreemptive::new(0), workload)
        .trace
        .choice_points()
        .max(1) as u64
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a non-string panic".into())
}
