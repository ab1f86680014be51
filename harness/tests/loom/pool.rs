//! loom models of the helper pool's mutants (`pool-latch`, `pool-lost-job`): two calls of two
//! workers with an idle timeout racing the second (the model of `engine/tests/loom/pool_idle.rs`),
//! on the pool with each mutant's hand-off. loom must find an execution where the pool's
//! contract assertion fails for each, and none for the engine's own hand-off.

use std::panic::{AssertUnwindSafe, catch_unwind};

use engine::seams::{CONTRACT, HandOff, Helpers, run_workers_with};
use engine::sync::LoomRuntime;
use harness::mutants::plant::{EarlyLatch, LeavesWhenTaken};
use loom::sync::atomic::{AtomicUsize, Ordering};

fn call<H: HandOff>() {
    let ran = [AtomicUsize::new(0), AtomicUsize::new(0)];
    run_workers_with::<LoomRuntime, H, _>(2, 1 << 16, |w| {
        ran[w].fetch_add(1, Ordering::Relaxed);
    });
    for (w, count) in ran.iter().enumerate() {
        assert_eq!(count.load(Ordering::Relaxed), 1, "worker {w} ran once");
    }
}

fn model<H: HandOff>() {
    loom::model(|| {
        call::<H>();
        let timer = loom::thread::spawn(LoomRuntime::fire_idle_timers);
        call::<H>();
        timer.join().unwrap();
        LoomRuntime::shutdown();
    });
}

/// Whether loom finds an execution that fails the pool's contract assertion (and not some
/// other panic).
fn breaks_the_contract<H: HandOff>() -> bool {
    match catch_unwind(AssertUnwindSafe(model::<H>)) {
        Ok(()) => false,
        Err(payload) => {
            let text = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            assert!(
                text.starts_with(CONTRACT),
                "loom failed for another reason: {text}"
            );
            true
        }
    }
}

#[test]
fn loom_finds_no_broken_contract_in_the_engine_s_hand_off() {
    model::<Helpers>();
}

#[test]
fn loom_catches_pool_latch_through_the_contract_assertion() {
    assert!(breaks_the_contract::<EarlyLatch>());
}

#[test]
fn loom_catches_pool_lost_job_through_the_contract_assertion() {
    assert!(breaks_the_contract::<LeavesWhenTaken>());
}
