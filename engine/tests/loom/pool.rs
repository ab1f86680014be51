//! What every pool model shares: counting loom's executions (reported with `--no-capture`),
//! running a call and checking that every worker ran exactly once.

// A count kept across the checker's executions, outside them.
#[allow(clippy::disallowed_types)]
use std::sync::atomic::{AtomicUsize as StdAtomicUsize, Ordering as StdOrdering};

use engine::sync::{LoomRuntime, Runtime};
use loom::sync::atomic::{AtomicUsize, Ordering};

/// Stack for the pool's helpers in these models (no Lua runs on them).
pub const STACK: usize = 1 << 16;

/// Runs `model` under loom, counting its executions; prints the count as `name`.
pub fn model<F: Fn() + Sync + Send + 'static>(name: &'static str, model: F) {
    #[allow(clippy::disallowed_types)]
    static RUNS: StdAtomicUsize = StdAtomicUsize::new(0);
    let before = RUNS.load(StdOrdering::Relaxed);
    loom::model(move || {
        RUNS.fetch_add(1, StdOrdering::Relaxed);
        model();
    });
    eprintln!(
        "loom model `{name}`: {} executions",
        RUNS.load(StdOrdering::Relaxed) - before
    );
}

/// One call of `workers` workers; asserts each ran exactly once.
pub fn call_once_each(workers: usize) {
    let ran: Vec<AtomicUsize> = (0..workers).map(|_| AtomicUsize::new(0)).collect();
    LoomRuntime::run_workers(workers, STACK, |w| {
        ran[w].fetch_add(1, Ordering::Relaxed);
    });
    for (w, count) in ran.iter().enumerate() {
        assert_eq!(count.load(Ordering::Relaxed), 1, "worker {w} ran once");
    }
}
