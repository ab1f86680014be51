//! One call's bookkeeping: the latch the caller waits on, and the contract's tokens.

use std::any::Any;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::spin::spin_until;
use crate::sync::{RtAtomicUsize, RtCondvar, RtMutex, Runtime};

/// A helper's panic, carried back to the caller.
pub(super) type Panic = Box<dyn Any + Send>;

/// Counts a call's helpers as they finish, keeps the first panic among them, and counts the
/// jobs that still hold the call's closure.
pub(super) struct Latch<R: Runtime> {
    /// Helpers finished so far. It counts up to `awaited` rather than down to zero, so a
    /// latch told to wait for too few cannot be pushed past its mark into waiting forever:
    /// it lets the caller go early, and the contract check says so.
    finished: R::AtomicUsize,
    /// How many the caller waits for ([`HandOff::awaited`]).
    ///
    /// [`HandOff::awaited`]: super::HandOff::awaited
    awaited: usize,
    /// Jobs handed out that may still use the closure: the contract's tokens, counted apart
    /// from `left`, so that a latch that counts wrong is caught by what it was for.
    held: R::AtomicUsize,
    /// The first helper's panic; also the lock the caller sleeps under.
    panic: R::Mutex<Option<Panic>>,
    all_done: R::Condvar,
}

impl<R: Runtime> Latch<R> {
    /// A latch the caller passes once `awaited` helpers are done, for a call that hands out
    /// `jobs` jobs (each holding a token until [`Latch::release`]).
    pub(super) fn new(awaited: usize, jobs: usize) -> Self {
        Latch {
            finished: R::AtomicUsize::new(0),
            awaited,
            held: R::AtomicUsize::new(jobs),
            panic: R::Mutex::new(None),
            all_done: R::Condvar::new(),
        }
    }

    /// A job is done with the closure and will not touch it again: its token back.
    pub(super) fn release(&self) {
        self.held.fetch_sub(1, Ordering::Release);
    }

    /// A helper is done with its job (after [`Latch::release`]).
    pub(super) fn finished(&self, panic: Option<Panic>) {
        if let Some(panic) = panic {
            self.panic.lock().get_or_insert(panic);
        }
        if self.finished.fetch_add(1, Ordering::AcqRel) + 1 == self.awaited {
            // Under the lock: the caller checks the count under it before it sleeps.
            let _sleeping = self.panic.lock();
            self.all_done.notify_all();
        }
    }

    /// Waits until the awaited helpers are done; the first panic among them, if any.
    pub(super) fn wait(&self) -> Option<Panic> {
        let done = || self.finished.load(Ordering::Acquire) >= self.awaited;
        if spin_until::<R>(done) {
            return self.panic.lock().take();
        }
        self.all_done
            .wait_until(&self.panic, None, |panic| done().then(|| panic.take()))
            .flatten()
    }

    /// The contract: once the latch let the caller go, no job still holds the closure.
    /// `Err(tokens out)` when some did; it has waited for them to come back by then, so the
    /// caller may unwind without freeing what a helper still uses.
    pub(super) fn check_contract(&self) -> Result<(), usize> {
        let held = self.held.load(Ordering::Acquire);
        if held == 0 {
            return Ok(());
        }
        while self.held.load(Ordering::Acquire) != 0 {
            if R::REAL_TIME {
                R::sleep(Duration::from_micros(100));
            } else {
                R::yield_now();
            }
        }
        Err(held)
    }
}
