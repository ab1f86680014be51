//! The helper pool under loom: one call of 2 and of 3 workers runs every worker exactly once
//! and returns only after all of them (the pool's own contract assertion holds in every
//! execution), and shutdown joins every helper.

use engine::sync::LoomRuntime;

use crate::pool::{call_once_each, model};

#[test]
fn loom_pool_runs_two_workers_once_each() {
    model("two workers", || {
        call_once_each(2);
        LoomRuntime::shutdown();
    });
}

#[test]
fn loom_pool_runs_three_workers_once_each() {
    model("three workers", || {
        call_once_each(3);
        LoomRuntime::shutdown();
    });
}
