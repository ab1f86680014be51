//! A call inside a call: a helper running its share starts a fan-out of its own, which takes
//! another helper from the same pool (or spawns one) while the outer call waits.

use engine::sync::{LoomRuntime, Runtime};
use loom::sync::atomic::{AtomicUsize, Ordering};

use crate::pool::{STACK, model};

#[test]
fn loom_pool_a_nested_call_runs_every_inner_and_outer_worker_once() {
    model("nested call", || {
        let inner = [AtomicUsize::new(0), AtomicUsize::new(0)];
        let outer = [AtomicUsize::new(0), AtomicUsize::new(0)];
        LoomRuntime::run_workers(2, STACK, |w| {
            outer[w].fetch_add(1, Ordering::Relaxed);
            if w == 1 {
                LoomRuntime::run_workers(2, STACK, |v| {
                    inner[v].fetch_add(1, Ordering::Relaxed);
                });
            }
        });
        for counts in [&outer, &inner] {
            for c in counts {
                assert_eq!(c.load(Ordering::Relaxed), 1);
            }
        }
        LoomRuntime::shutdown();
    });
}
