//! One call of `run_workers`: hand each helper its job, run worker 0, wait, check the
//! contract.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;

use super::CONTRACT;
use super::helper::Helper;
use super::job::{Job, Work};
use super::latch::Latch;
use super::serve::serve;
use super::state::pool;
use super::steps::{HandOff, Helpers};
use crate::sync::Runtime;

/// Runs `work(0)` on the caller and `work(1)` .. `work(workers - 1)` on helpers with at
/// least `stack_size` bytes of stack; returns once all have returned, and re-raises the
/// caller's panic, else the first helper's. A helper that cannot be had (no thread could be
/// spawned) is left out: the caller's share covers for it when the work is shared out
/// dynamically.
pub(crate) fn run_workers<R: Runtime, F: Fn(usize) + Sync>(
    workers: usize,
    stack_size: usize,
    work: F,
) {
    run_workers_with::<R, Helpers, F>(workers, stack_size, work);
}

/// [`Runtime::run_workers`] with the hand-off steps of `H` (the engine's own are
/// [`Helpers`]): the seam `harness mutants` plants broken pools through.
///
/// # Panics
///
/// With a message starting with [`CONTRACT`] when the pool broke its contract: a helper still
/// held the closure when the caller was let go, or a helper left a job it was handed unrun.
pub fn run_workers_with<R: Runtime, H: HandOff, F: Fn(usize) + Sync>(
    workers: usize,
    stack_size: usize,
    work: F,
) {
    if workers <= 1 {
        work(0);
        return;
    }
    let helpers = workers - 1;
    let call = Arc::new(Latch::<R>::new(H::awaited(helpers), helpers));
    let borrowed: &(dyn Fn(usize) + Sync + '_) = &work;
    // SAFETY: only the lifetime changes; every job's token comes back before this function
    // returns or unwinds (`check_contract` waits for them), so `work` outlives every use.
    let erased: Work = unsafe { std::mem::transmute(borrowed as *const (dyn Fn(usize) + Sync)) };
    for worker in 1..workers {
        hand_out::<R, H>(Job::new(erased, worker, call.clone()), stack_size);
    }
    let caller = catch_unwind(AssertUnwindSafe(|| work(0)));
    let helper_panic = call.wait();
    if let Err(held) = call.check_contract() {
        panic!(
            "{CONTRACT}: run_workers was let go while {held} of its {helpers} helper(s) still \
             held the closure it lent them (it waited for them before raising this)"
        );
    }
    if let Err(panic) = caller {
        resume_unwind(panic);
    }
    if let Some(panic) = helper_panic {
        resume_unwind(panic);
    }
}

/// Gives `job` to a waiting helper, else to a new one. A job no thread could be spawned for
/// is dropped unrun, which counts it finished (see [`Job`]'s `Drop`).
fn hand_out<R: Runtime, H: HandOff>(job: Job<R>, stack_size: usize) {
    let pool = pool::<R>();
    if let Some(helper) = pool.take_idle(stack_size) {
        helper.give(job);
        return;
    }
    let helper = Arc::new(Helper::<R>::new(stack_size));
    let n = pool.next_number();
    let alive = R::REAL_TIME.then(crate::sync::counters::Alive::helper);
    let thread = R::spawn(format!("branchproof-worker-{n}"), stack_size, move || {
        let _alive = alive;
        let mut job = job;
        job.handed();
        serve::<R, H>(&helper, job);
    });
    if let Some(thread) = thread
        && !R::REAL_TIME
    {
        pool.keep(thread);
    }
}
