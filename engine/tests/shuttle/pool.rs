//! The helper pool under shuttle: two calls of two workers, so the second hands its job to
//! the helper the first left idle while that helper's idle timeout may fire (a choice of the
//! schedule). The engine's hand-off keeps its contract on every schedule; one that waits for
//! a helper too few, or whose helper leaves a job it was handed, fails the pool's contract
//! assertion on some schedule, and never hangs.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
// A count kept across the checker's executions, outside them.
#[allow(clippy::disallowed_types)]
use std::sync::atomic::{AtomicUsize as StdAtomicUsize, Ordering as StdOrdering};

use engine::seams::{CONTRACT, HandOff, Helpers, run_workers_with};
use engine::sync::{ShuttleRuntime, shuttle_config};
use shuttle::scheduler::{PctScheduler, RandomScheduler};
use shuttle::sync::atomic::{AtomicUsize, Ordering};

/// Waits for every helper but one (`pool-latch`).
struct EarlyLatch;
impl HandOff for EarlyLatch {
    fn awaited(helpers: usize) -> usize {
        helpers - 1
    }
}

/// Leaves on an idle timeout even when just handed a job (`pool-lost-job`).
struct LeavesWhenTaken;
impl HandOff for LeavesWhenTaken {
    fn leaves_idle(_listed: bool) -> bool {
        true
    }
}

/// Two calls; `Err(message)` for a panic out of one. Each worker runs once per call.
fn two_calls<H: HandOff>() -> Result<(), String> {
    for _ in 0..2 {
        let ran = [AtomicUsize::new(0), AtomicUsize::new(0)];
        catch_unwind(AssertUnwindSafe(|| {
            run_workers_with::<ShuttleRuntime, H, _>(2, 1 << 16, |w| {
                ran[w].fetch_add(1, Ordering::Relaxed);
            })
        }))
        .map_err(|payload| {
            payload
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| "a non-string panic".into())
        })?;
        for (w, count) in ran.iter().enumerate() {
            assert_eq!(count.load(Ordering::Relaxed), 1, "worker {w} ran once");
        }
    }
    Ok(())
}

/// Runs `two_calls::<H>` under 300 PCT and 300 random schedules; how many broke the pool's
/// contract (any other panic, or a deadlock, fails the test).
fn contract_violations<H: HandOff>() -> usize {
    #[allow(clippy::disallowed_types)]
    let violations = Arc::new(StdAtomicUsize::new(0));
    let count = violations.clone();
    let check = move || {
        if let Err(message) = two_calls::<H>() {
            assert!(message.starts_with(CONTRACT), "{message}");
            count.fetch_add(1, StdOrdering::Relaxed);
        }
        ShuttleRuntime::shutdown();
    };
    shuttle::Runner::new(PctScheduler::new(3, 300), shuttle_config()).run(check.clone());
    shuttle::Runner::new(RandomScheduler::new(300), shuttle_config()).run(check);
    violations.load(StdOrdering::Relaxed)
}

#[test]
fn shuttle_the_engine_pool_keeps_its_contract_on_every_schedule() {
    assert_eq!(contract_violations::<Helpers>(), 0);
}

#[test]
fn shuttle_a_latch_that_waits_for_a_helper_too_few_fails_the_contract_and_never_hangs() {
    assert!(contract_violations::<EarlyLatch>() > 0);
}

#[test]
fn shuttle_a_helper_that_leaves_a_job_it_was_handed_fails_the_contract() {
    assert!(contract_violations::<LeavesWhenTaken>() > 0);
}
