//! What only real threads have around the helper pool (`pool`): the fork handler (the
//! process-wide pool itself is `std_rt`'s); and the pool's tests on real threads.
//!
//! A child made by `fork` inherits the idle list but not its threads: a fork handler counts
//! forks, and a list from before the last one is dropped on its first use in the child.
//! (Not covered: a fork at the instant another thread holds the list's lock, a handful of
//! instructions, would leave the child's first fan-out waiting on it.) The model checkers
//! cannot model a fork at all: their pools pass a constant generation (`shuttle_rt`,
//! `loom_rt`), so this handler is never explored.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::sync::atomic::{AtomicU64, Ordering};

/// Children made by `fork` since this process started (counted in each child).
static FORKS: AtomicU64 = AtomicU64::new(0);

extern "C" fn count_fork() {
    FORKS.fetch_add(1, Ordering::SeqCst);
    super::counters::forget_helpers_after_fork();
}

/// Forks so far; registers the handler that counts them on first use.
pub(super) fn forks() -> u64 {
    static REGISTER: std::sync::Once = std::sync::Once::new();
    // SAFETY: registers a handler that only touches atomics.
    REGISTER.call_once(|| unsafe {
        libc::pthread_atfork(None, None, Some(count_fork));
    });
    FORKS.load(Ordering::SeqCst)
}

#[cfg(test)]
mod tests {
    use std::panic::{AssertUnwindSafe, catch_unwind};
    use std::sync::atomic::{AtomicBool, AtomicUsize};
    use std::time::Duration;

    use super::*;
    use crate::sync::{Runtime, StdRuntime};

    fn run_workers<F: Fn(usize) + Sync>(workers: usize, stack_size: usize, work: F) {
        StdRuntime::run_workers(workers, stack_size, work);
    }

    #[test]
    fn every_worker_runs_once_per_call_also_with_callers_racing() {
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for call in 0..300 {
                        let workers = 1 + call % 4;
                        let ran: Vec<AtomicUsize> =
                            (0..workers).map(|_| AtomicUsize::new(0)).collect();
                        run_workers(workers, 64 * 1024, |w| {
                            ran[w].fetch_add(1, Ordering::Relaxed);
                        });
                        for (w, count) in ran.iter().enumerate() {
                            assert_eq!(count.load(Ordering::Relaxed), 1, "worker {w}");
                        }
                    }
                });
            }
        });
    }

    #[test]
    fn a_call_from_inside_a_helpers_share_takes_another_helper_and_runs_every_worker_once() {
        for _ in 0..50 {
            let outer: Vec<AtomicUsize> = (0..3).map(|_| AtomicUsize::new(0)).collect();
            let inner: Vec<AtomicUsize> = (0..6).map(|_| AtomicUsize::new(0)).collect();
            run_workers(3, 64 * 1024, |w| {
                outer[w].fetch_add(1, Ordering::Relaxed);
                run_workers(2, 64 * 1024, |v| {
                    inner[w * 2 + v].fetch_add(1, Ordering::Relaxed);
                });
            });
            for count in outer.iter().chain(&inner) {
                assert_eq!(count.load(Ordering::Relaxed), 1);
            }
        }
    }

    #[test]
    fn shutdown_on_real_threads_sends_the_idle_helpers_away_and_the_pool_serves_again() {
        let ran = AtomicUsize::new(0);
        run_workers(3, 64 * 1024, |_| {
            ran.fetch_add(1, Ordering::SeqCst);
        });
        crate::sync::pool::shutdown::<StdRuntime>();
        run_workers(3, 64 * 1024, |_| {
            ran.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(ran.load(Ordering::SeqCst), 6);
    }

    #[test]
    fn a_helpers_panic_reaches_the_caller_after_every_worker_returned() {
        let finished = AtomicUsize::new(0);
        let caught = catch_unwind(AssertUnwindSafe(|| {
            run_workers(3, 64 * 1024, |w| {
                if w == 1 {
                    panic!("helper 1 fails");
                }
                std::thread::sleep(Duration::from_millis(20));
                finished.fetch_add(1, Ordering::SeqCst);
            })
        }));
        let payload = caught.expect_err("the helper's panic is re-raised");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"helper 1 fails"));
        assert_eq!(finished.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_child_made_by_fork_runs_a_fan_out_without_its_parents_helpers() {
        // Leave a helper idle, then fork: the child has the idle list but not the thread.
        run_workers(3, 64 * 1024, |_| {});
        // SAFETY: the child only runs fan-outs and exits.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            let ran = AtomicUsize::new(0);
            run_workers(3, 64 * 1024, |_| {
                ran.fetch_add(1, Ordering::SeqCst);
            });
            // SAFETY: leaving the child at once.
            unsafe { libc::_exit(i32::from(ran.load(Ordering::SeqCst) != 3)) };
        }
        assert_eq!(
            crate::lua::vm::tests::wait_for_child(pid),
            Some(0),
            "the child's fan-out hung or lost a worker"
        );
    }

    #[test]
    fn when_the_callers_share_panics_the_helpers_still_finish_first() {
        let finished = AtomicBool::new(false);
        let caught = catch_unwind(AssertUnwindSafe(|| {
            run_workers(2, 64 * 1024, |w| {
                if w == 0 {
                    panic!("the caller's share fails");
                }
                std::thread::sleep(Duration::from_millis(50));
                finished.store(true, Ordering::SeqCst);
            })
        }));
        assert!(caught.is_err());
        assert!(
            finished.load(Ordering::SeqCst),
            "run_workers unwound while a helper still used its closure"
        );
    }
}
