//! A helper between jobs: the slot a caller hands its next job through.

use std::sync::atomic::Ordering;

use super::job::Job;
use crate::sync::{RtAtomicBool, RtCondvar, RtMutex, Runtime};

/// What a waiting helper finds in its slot.
pub(super) enum Slot<R: Runtime> {
    /// Nothing yet.
    Empty,
    /// Its next job.
    Job(Job<R>),
    /// The pool is shutting down: leave.
    #[cfg(any(test, feature = "shuttle", feature = "loom"))]
    Stop,
}

/// A helper between jobs: its next job, and the stack it was spawned with.
pub(super) struct Helper<R: Runtime> {
    /// Set with the slot's job, under the slot's lock; polled by the helper's spin.
    pub(super) has_job: R::AtomicBool,
    pub(super) slot: R::Mutex<Slot<R>>,
    pub(super) wake: R::Condvar,
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

    #[cfg(any(test, feature = "shuttle", feature = "loom"))]
    /// Tells a waiting helper to leave (the pool is shutting down; it is off the list).
    pub(super) fn stop(&self) {
        *self.slot.lock() = Slot::Stop;
        self.wake.notify_one();
    }

    /// Its job, if it has one: `Some(None)` means stop.
    pub(super) fn take(&self, slot: &mut Slot<R>) -> Option<Option<Job<R>>> {
        match std::mem::replace(slot, Slot::Empty) {
            Slot::Empty => None,
            #[cfg(any(test, feature = "shuttle", feature = "loom"))]
            Slot::Stop => Some(None),
            Slot::Job(job) => {
                self.has_job.store(false, Ordering::Relaxed);
                Some(Some(job))
            }
        }
    }
}
