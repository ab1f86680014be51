//! The helper threads behind [`StdRuntime::run_workers`](super::StdRuntime): a fan-out's
//! extra workers are threads that finished an earlier fan-out moments ago, or new ones.
//!
//! Why not a fresh scoped thread per fan-out: on this project's 2-core VMs a spawn and join
//! cost ~30 us, and a thread woken from sleep started its first branch ~35 us after it was
//! asked (its idle vCPU has to be scheduled again): together more than a trivial branch.
//! So a helper that finishes its share polls for the next one for [`SPIN`] (yielding the
//! CPU to anything else runnable), then sleeps, and exits once idle for [`IDLE`]: no
//! thread outlives the last fan-out that used it by more than `SPIN + IDLE`, and there are
//! never more helpers than the fan-outs running at one time asked for. The caller, done with
//! its own share, polls for its helpers the same way before it sleeps.
//!
//! `run_workers` returns only when every helper has finished `work` (a guard waits for them
//! even when the caller's own share panics), which is what makes lending helpers a borrowed
//! closure sound: the contract of `std::thread::scope`.
//!
//! A child made by `fork` inherits the idle list but not its threads: a fork handler counts
//! forks, and a list from before the last one is dropped on its first use in the child.
//! (Not covered: a fork at the instant another thread holds the list's lock, a handful of
//! instructions, would leave the child's first fan-out waiting on it.)
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How long a helper with nothing to do sleeps before it exits.
pub const IDLE: Duration = Duration::from_millis(20);

/// How long a waiter polls before it sleeps.
pub const SPIN: Duration = Duration::from_micros(200);

/// The closure every worker of one `run_workers` call runs, its lifetime erased (see the
/// module doc for why that is sound).
type Work = *const (dyn Fn(usize) + Sync + 'static);

/// One worker's share of a `run_workers` call.
struct Job {
    work: Work,
    worker: usize,
    done: Arc<Latch>,
}

// SAFETY: `work` points at a `Sync` closure that outlives the job (its caller waits on
// `done` before returning); the rest is `Send`.
unsafe impl Send for Job {}

/// Counts a call's helpers down and keeps the first panic among them.
struct Latch {
    left: AtomicUsize,
    panic: Mutex<Option<Box<dyn Any + Send>>>,
    sleeping: Mutex<()>,
    all_done: Condvar,
}

impl Latch {
    fn new(helpers: usize) -> Self {
        Latch {
            left: AtomicUsize::new(helpers),
            panic: Mutex::new(None),
            sleeping: Mutex::new(()),
            all_done: Condvar::new(),
        }
    }

    /// A helper is done with the call's closure (and will not touch it again).
    fn finished(&self, panic: Option<Box<dyn Any + Send>>) {
        if let Some(panic) = panic {
            lock(&self.panic).get_or_insert(panic);
        }
        if self.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            // Under the lock: the caller checks `left` under it before it sleeps.
            let _sleeping = lock(&self.sleeping);
            self.all_done.notify_all();
        }
    }

    /// Waits until every helper is done; the first panic among them, if any.
    fn wait(&self) -> Option<Box<dyn Any + Send>> {
        let done = || self.left.load(Ordering::Acquire) == 0;
        if !spin_until(done) {
            let mut sleeping = lock(&self.sleeping);
            while !done() {
                sleeping = self
                    .all_done
                    .wait(sleeping)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        }
        lock(&self.panic).take()
    }
}

/// A helper between jobs: its next job, and the stack it was spawned with.
struct Helper {
    has_job: AtomicBool,
    job: Mutex<Option<Job>>,
    wake: Condvar,
    stack_size: usize,
}

/// Helpers waiting for work, as of fork generation `.0`.
static IDLE_HELPERS: Mutex<(u64, Vec<Arc<Helper>>)> = Mutex::new((0, Vec::new()));

/// Children made by `fork` since this process started (counted in each child): a child
/// inherits the idle list, but not its threads.
static FORKS: AtomicU64 = AtomicU64::new(0);

extern "C" fn count_fork() {
    FORKS.fetch_add(1, Ordering::SeqCst);
    super::counters::forget_helpers_after_fork();
}

/// The idle helpers of this process (a child made by `fork` finds the list empty).
fn idle_helpers() -> MutexGuard<'static, (u64, Vec<Arc<Helper>>)> {
    static REGISTER: std::sync::Once = std::sync::Once::new();
    // SAFETY: registers a handler that only touches atomics.
    REGISTER.call_once(|| unsafe {
        libc::pthread_atfork(None, None, Some(count_fork));
    });
    let mut idle = lock(&IDLE_HELPERS);
    let forks = FORKS.load(Ordering::SeqCst);
    if idle.0 != forks {
        idle.1.clear();
        idle.0 = forks;
    }
    idle
}

thread_local! {
    /// Whether this thread is one of the helpers.
    static HELPER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the calling thread is one of the engine's helper threads.
pub(crate) fn on_helper_thread() -> bool {
    HELPER.try_with(std::cell::Cell::get).unwrap_or(false)
}

/// Helpers spawned so far, to name them.
static SPAWNED: AtomicUsize = AtomicUsize::new(0);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Polls `done` for up to [`SPIN`], yielding the CPU after the first few polls; whether it
/// became true.
fn spin_until(done: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    for poll in 0u32.. {
        if done() {
            return true;
        }
        if poll < 64 {
            std::hint::spin_loop();
        } else if start.elapsed() >= SPIN {
            return false;
        } else {
            std::thread::yield_now();
        }
    }
    false
}

/// Runs `work(0)` on the caller and `work(1)` .. `work(workers - 1)` on helpers with at
/// least `stack_size` bytes of stack; returns once all have returned, and re-raises the
/// first helper's panic. A helper that cannot be had (no thread could be spawned) is left
/// out: the caller's share covers for it when the work is shared out dynamically.
pub(crate) fn run_workers<F: Fn(usize) + Sync>(workers: usize, stack_size: usize, work: F) {
    if workers <= 1 {
        work(0);
        return;
    }
    let done = Arc::new(Latch::new(workers - 1));
    let borrowed: &(dyn Fn(usize) + Sync + '_) = &work;
    // SAFETY: only the lifetime changes; `wait` below keeps `work` alive until every
    // helper is done with it, also when `work(0)` unwinds.
    let erased: Work = unsafe { std::mem::transmute(borrowed as *const (dyn Fn(usize) + Sync)) };
    /// Waits for the helpers while `work(0)` unwinds: they may still be using `work`.
    struct WaitOnUnwind<'a>(&'a Latch);
    impl Drop for WaitOnUnwind<'_> {
        fn drop(&mut self) {
            self.0.wait();
        }
    }
    let wait = WaitOnUnwind(&done);
    for worker in 1..workers {
        let job = Job {
            work: erased,
            worker,
            done: done.clone(),
        };
        if !hand_out(job, stack_size) {
            done.finished(None);
        }
    }
    work(0);
    std::mem::forget(wait);
    if let Some(panic) = done.wait() {
        resume_unwind(panic);
    }
}

/// Gives `job` to a waiting helper, else to a new one; `false` when no thread could be
/// spawned (the job was dropped unrun).
fn hand_out(job: Job, stack_size: usize) -> bool {
    let waiting = {
        let mut idle = idle_helpers();
        let at = idle.1.iter().rposition(|h| h.stack_size >= stack_size);
        at.map(|at| idle.1.swap_remove(at))
    };
    if let Some(helper) = waiting {
        let mut slot = lock(&helper.job);
        *slot = Some(job);
        // Under the lock: a helper that takes the job clears the flag after this.
        helper.has_job.store(true, Ordering::Release);
        drop(slot);
        helper.wake.notify_one();
        return true;
    }
    let helper = Arc::new(Helper {
        has_job: AtomicBool::new(false),
        job: Mutex::new(None),
        wake: Condvar::new(),
        stack_size,
    });
    let n = SPAWNED.fetch_add(1, Ordering::Relaxed) + 1;
    let alive = super::counters::Alive::helper();
    std::thread::Builder::new()
        .name(format!("branchproof-worker-{n}"))
        .stack_size(stack_size)
        .spawn(move || {
            let _alive = alive;
            serve(&helper, job);
        })
        .is_ok()
}

/// A helper's life: run the job, wait on the idle list for the next, exit once idle for
/// [`IDLE`].
fn serve(helper: &Arc<Helper>, first: Job) {
    HELPER.with(|h| h.set(true));
    let mut next = Some(first);
    while let Some(job) = next.take() {
        // SAFETY: the caller of `run_workers` keeps the closure alive until `finished`.
        let result = catch_unwind(AssertUnwindSafe(|| unsafe { (*job.work)(job.worker) }));
        // Back on the list before the caller hears it is done, so the caller's next fan-out
        // finds it there rather than spawning another.
        idle_helpers().1.push(helper.clone());
        job.done.finished(result.err());
        drop(job);
        next = next_job(helper);
    }
}

/// The helper's next job; `None` once it has been idle for [`IDLE`] and is off the list.
fn next_job(helper: &Arc<Helper>) -> Option<Job> {
    spin_until(|| helper.has_job.load(Ordering::Acquire));
    let mut job = lock(&helper.job);
    loop {
        if let Some(next) = job.take() {
            helper.has_job.store(false, Ordering::Relaxed);
            return Some(next);
        }
        let (guard, waited) = helper
            .wake
            .wait_timeout(job, IDLE)
            .unwrap_or_else(PoisonError::into_inner);
        job = guard;
        if waited.timed_out() && job.is_none() {
            drop(job);
            let mut idle = idle_helpers();
            if let Some(at) = idle.1.iter().position(|h| Arc::ptr_eq(h, helper)) {
                idle.1.swap_remove(at);
                return None;
            }
            // Off the list already: a caller took it and is handing it a job right now.
            drop(idle);
            job = lock(&helper.job);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;

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
