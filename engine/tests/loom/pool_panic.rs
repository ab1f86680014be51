//! A share that panics: the caller re-raises it only after every worker returned (a helper's
//! panic, and the caller's own), and the helper that panicked serves the next call.

use std::panic::{AssertUnwindSafe, catch_unwind};

use engine::sync::{LoomRuntime, Runtime};
use loom::sync::atomic::{AtomicUsize, Ordering};

use crate::pool::{STACK, call_once_each, model};

fn panics_in(worker: usize) {
    let finished = AtomicUsize::new(0);
    let caught = catch_unwind(AssertUnwindSafe(|| {
        LoomRuntime::run_workers(2, STACK, |w| {
            if w == worker {
                panic!("share {w} fails");
            }
            finished.fetch_add(1, Ordering::Relaxed);
        })
    }));
    let payload = caught.expect_err("the share's panic is re-raised");
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some(format!("share {worker} fails").as_str())
    );
    assert_eq!(
        finished.load(Ordering::Relaxed),
        1,
        "the other worker finished before the panic reached the caller"
    );
}

#[test]
fn loom_pool_a_helpers_panic_reaches_the_caller_after_every_worker_and_the_helper_serves_again() {
    model("a helper's share panics", || {
        panics_in(1);
        call_once_each(2);
        LoomRuntime::shutdown();
    });
}

#[test]
fn loom_pool_the_callers_panic_waits_for_its_helper() {
    model("the caller's share panics", || {
        panics_in(0);
        LoomRuntime::shutdown();
    });
}
