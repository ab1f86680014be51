//! A helper's life: run the job it was handed, go back on the idle list, wait for the next,
//! and leave once idle for [`IDLE`] (or when the pool shuts down).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::IDLE;
use super::helper::{Helper, Slot};
use super::job::Job;
use super::spin::spin_until;
use super::state::pool;
use super::steps::HandOff;
use crate::sync::{RtAtomicBool, RtCondvar, Runtime};

thread_local! {
    /// Whether this (real) thread is one of the helpers.
    static HELPER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the calling thread is one of the engine's helper threads (real threads only).
pub(crate) fn on_helper_thread() -> bool {
    HELPER.try_with(std::cell::Cell::get).unwrap_or(false)
}

/// A helper thread's body: `first`, then every job it is handed until it leaves.
pub(super) fn serve<R: Runtime, H: HandOff>(helper: &Arc<Helper<R>>, first: Job<R>) {
    if R::REAL_TIME {
        HELPER.with(|h| h.set(true));
    }
    let mut next = Some(first);
    while let Some(mut job) = next.take() {
        let result = job.run();
        // Its last use of the closure was the call above.
        job.ran();
        // Back on the list before the caller hears it is done, so the caller's next call
        // finds it there rather than spawning another.
        let listed = pool::<R>().push_idle(helper);
        job.finish(result.err());
        if !listed {
            return; // the pool is shutting down
        }
        next = next_job::<R, H>(helper);
    }
}

/// The helper's next job; `None` once it has been idle for [`IDLE`] and is off the list, or
/// was told to stop.
fn next_job<R: Runtime, H: HandOff>(helper: &Arc<Helper<R>>) -> Option<Job<R>> {
    spin_until::<R>(|| helper.has_job.load(Ordering::Acquire));
    let take = |slot: &mut Slot<R>| helper.take(slot);
    if let Some(next) = helper.wake.wait_until(&helper.slot, Some(IDLE), take) {
        return next;
    }
    // Idle for IDLE with nothing handed: leave, unless a caller took it off the list just now
    // and is handing it a job (or the pool, shutting down, took the list and will stop it).
    let listed = pool::<R>().remove_idle(helper);
    if H::leaves_idle(listed) {
        return None;
    }
    helper.wake.wait_until(&helper.slot, None, take).flatten()
}
