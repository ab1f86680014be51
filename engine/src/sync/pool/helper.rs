//! A helper's life: run the job it was handed, go back on the idle list, wait for the next,
//! and leave once idle for [`IDLE`](super::IDLE) (or when the pool shuts down).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::job::Job;
use super::state::pool;
use super::steps::HandOff;
use super::{IDLE, call::spin_until};
use crate::sync::{RtAtomicBool, RtCondvar, RtMutex, Runtime};

/// What a waiting helper finds in its slot.
pub(super) enum Slot<R: Runtime> {
    /// Nothing yet.
    Empty,
    /// Its next job.
    Job(Job<R>),
    /// The pool is shutting down: leave.
    Stop,
}

/// A helper between jobs: its next job, and the stack it was spawned with.
pub(super) struct Helper<R: Runtime> {
    /// Set with the slot's job, under the slot's lock; polled by the helper's spin.
    has_job: R::AtomicBool,
    slot: R::Mutex<Slot<R>>,
    wake: R::Condvar,
    pub(super) stack_size: usize,
}

impl<R: Runtime> Helper<R> {
    pub(super) fn new(stack_size: usize) -> Self {
        Helper {
            has_job: R::AtomicBool::new(false),
            slot: R::Mutex::new(Slot::Empty),
            wake: R::Condvar::new(),
            stack_size,
        }
    }

    /// Gives a waiting helper (taken off the idle list) its next job.
    pub(super) fn give(&self, mut job: Job<R>) {
        job.handed();
        let mut slot = self.slot.lock();
        *slot = Slot::Job(job);
        // Under the lock: a helper that takes the job clears the flag after this.
        self.has_job.store(true, Ordering::Release);
        drop(slot);
        self.wake.notify_one();
    }

    /// Tells a waiting helper to leave (the pool is shutting down; it is off the list).
    pub(super) fn stop(&self) {
        *self.slot.lock() = Slot::Stop;
        self.wake.notify_one();
    }

    /// Its job, if it has one: `Some(None)` means stop.
    fn take(&self, slot: &mut Slot<R>) -> Option<Option<Job<R>>> {
        match std::mem::replace(slot, Slot::Empty) {
            Slot::Empty => None,
            Slot::Stop => Some(None),
            Slot::Job(job) => {
                self.has_job.store(false, Ordering::Relaxed);
                Some(Some(job))
            }
        }
    }
}

/// A helper thread's body: `first`, then every job it is handed until it leaves.
pub(super) fn serve<R: Runtime, H: HandOff>(helper: &Arc<Helper<R>>, first: Job<R>) {
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
