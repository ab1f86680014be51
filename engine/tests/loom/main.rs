//! loom models of the fan-out core (work distribution, result slots and cancellation, with
//! 2–3 workers), of the helper pool that lends it its threads (`pool_*`), of the adaptive
//! policy's shared averages, plus the real engine running a two-branch Lua workflow.
//!
//! Run with `LOOM_MAX_PREEMPTIONS=2 cargo nextest run -p engine --features loom --test loom`
//! (what `.ci/run` does); add `--no-capture` to see each pool model's execution count.
//! Without the `loom` feature this binary is empty.
#![cfg(feature = "loom")]

mod adaptive;
mod core;
mod pool;
mod pool_callers;
mod pool_idle;
mod pool_nested;
mod pool_panic;
mod pool_workers;
mod workflow;
