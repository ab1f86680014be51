//! loom models of the fan-out core: work distribution, result slots and cancellation, with
//! 2–3 workers, plus the real engine running a two-branch Lua workflow.
//!
//! Run with `LOOM_MAX_PREEMPTIONS=2 cargo nextest run -p engine --features loom --test loom`
//! (what `.ci/run` does). Without the `loom` feature this binary is empty.
#![cfg(feature = "loom")]

mod adaptive;
mod core;
mod workflow;
