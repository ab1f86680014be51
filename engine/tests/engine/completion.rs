//! Declared order when completion order is forced to differ: the first-declared branch
//! waits until the last one's result was collected, and the collector records the order
//! results arrived in, so the test knows completion order really was reversed.
// The test's own synchronisation and recording live outside the engine's seam.
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use engine::seams::{BranchResult, Collector, Slots};
use engine::seams::{Fault, Vm, VmFactory, VmSpec};
use engine::sync::StdRuntime;
use engine::{Executor, RunOptions};
use serde_json::json;

use crate::common::*;

/// Order in which the collector received results, for the run in progress, and a signal
/// for each arrival.
static PUT_ORDER: (Mutex<Vec<usize>>, Condvar) = (Mutex::new(Vec::new()), Condvar::new());

/// The real collector, recording arrival order.
struct Recording(Slots<StdRuntime>);

impl Collector<StdRuntime> for Recording {
    type Claim = usize;
    fn new(branches: usize) -> Self {
        PUT_ORDER.0.lock().unwrap().clear();
        Recording(Slots::new(branches))
    }
    fn claim(&self, index: usize) -> usize {
        index
    }
    fn store(&self, index: usize, result: BranchResult) {
        self.0.store(index, result);
        PUT_ORDER.0.lock().unwrap().push(index);
        PUT_ORDER.1.notify_all();
    }
    fn finish(self) -> Vec<BranchResult> {
        self.0.finish()
    }
}

/// The real VM plus `wait_for_result(i)`: blocks until branch `i` (1-based) was collected.
#[derive(Default)]
struct Rendezvous;

impl VmFactory<StdRuntime> for Rendezvous {
    fn create(&self, spec: &VmSpec<'_>) -> Result<Vm<StdRuntime>, Fault> {
        vm_with_global(spec, "wait_for_result", |_, index: usize| {
            let arrived = PUT_ORDER.0.lock().unwrap();
            let wait = Duration::from_secs(20);
            let (_arrived, timeout) = PUT_ORDER
                .1
                .wait_timeout_while(arrived, wait, |a| !a.contains(&(index - 1)))
                .unwrap();
            if timeout.timed_out() {
                Err(mlua::Error::runtime("the other branch was never collected"))
            } else {
                Ok(())
            }
        })
    }
}

#[test]
fn fan_in_gets_declared_order_when_the_first_branch_provably_finishes_last() {
    for dialect in BOTH {
        let branches = [
            ("first", "wait_for_result(3)\nreturn { v = 1 }"),
            ("middle", "return { v = 2 }"),
            ("last", "return { v = 3 }"),
        ];
        let settings = "{ max_parallel_branches: 3, lua_timeout_ms: 30000 }";
        let wf = load(&fan_out(
            dialect,
            "return {}",
            &branches,
            KEEP_RESULTS,
            settings,
        ));
        for seed in 0..5 {
            let exec = Executor::<StdRuntime, Rendezvous, Recording>::with_factory(Rendezvous);
            let state = exec
                .run(&wf, json!({}), &RunOptions::seeded(seed))
                .result
                .unwrap();
            let arrived = PUT_ORDER.0.lock().unwrap().clone();
            let first_at = arrived.iter().position(|&i| i == 0).unwrap();
            let last_at = arrived.iter().position(|&i| i == 2).unwrap();
            assert!(
                last_at < first_at,
                "{dialect:?}: `last` arrived before `first`: {arrived:?}"
            );
            let names: Vec<&str> = results(&state)
                .iter()
                .map(|r| r["branch"].as_str().unwrap())
                .collect();
            assert_eq!(
                names,
                ["first", "middle", "last"],
                "{dialect:?}: declared order"
            );
            let values: Vec<i64> = results(&state)
                .iter()
                .map(|r| r["state"]["v"].as_i64().unwrap())
                .collect();
            assert_eq!(values, [1, 2, 3]);
        }
    }
}
