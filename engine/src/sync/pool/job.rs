//! One worker's share of a call: the call's closure with its lifetime erased, and the token
//! that says whether it may still be used.

use std::sync::Arc;
use std::time::Duration;

use super::CONTRACT;
use super::latch::{Latch, Panic};
use crate::sync::Runtime;

/// The closure every worker of one call runs, its lifetime erased (sound because the caller
/// waits for every token before it returns or unwinds: see the module doc).
pub(super) type Work = *const (dyn Fn(usize) + Sync + 'static);

/// One worker's share. Holds one of the call's tokens from [`Job::new`] until it has run
/// ([`Job::ran`]) or is dropped; a job a helper was given and dropped unrun is a contract
/// violation, reported to the caller as that helper's panic.
pub(super) struct Job<R: Runtime> {
    work: Work,
    worker: usize,
    /// The caller's clock when it handed the job out (virtual time only).
    handed_at: Duration,
    /// `None` once the job has told the latch it is finished.
    call: Option<Arc<Latch<R>>>,
    /// Whether the token is still out (the closure may still be used).
    holds: bool,
    /// Whether a helper was given it (a job that no thread could be spawned for was not).
    handed: bool,
}

// SAFETY: `work` points at a `Sync` closure that outlives the job's token (the caller waits
// for every token before it returns or unwinds); the rest is `Send`.
unsafe impl<R: Runtime> Send for Job<R> {}

impl<R: Runtime> Job<R> {
    /// Worker `worker`'s share of the call `call`, which lends `work` (and counted this
    /// job's token when it was made).
    pub(super) fn new(work: Work, worker: usize, call: Arc<Latch<R>>) -> Self {
        Job {
            work,
            worker,
            handed_at: if R::REAL_TIME {
                Duration::ZERO
            } else {
                R::now()
            },
            call: Some(call),
            holds: true,
            handed: false,
        }
    }

    /// A helper has it (an idle one's slot, or a new one's first job).
    pub(super) fn handed(&mut self) {
        self.handed = true;
    }

    /// Runs the share; `Err` is its panic.
    pub(super) fn run(&mut self) -> Result<(), Panic> {
        debug_assert!(self.holds, "a job runs once");
        let (work, worker) = (self.work, self.worker);
        R::worker_starts(self.handed_at);
        // SAFETY: the token is out, so the caller keeps the closure alive (module doc).
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| unsafe { (*work)(worker) }))
    }

    /// The share ran: its token goes back. Nothing may use the closure after this.
    pub(super) fn ran(&mut self) {
        if std::mem::replace(&mut self.holds, false)
            && let Some(call) = &self.call
        {
            call.release();
        }
    }

    /// Tells the caller this helper is done, with its panic if it had one.
    pub(super) fn finish(mut self, panic: Option<Panic>) {
        self.ran();
        if let Some(call) = self.call.take() {
            call.finished(panic);
        }
    }
}

impl<R: Runtime> Drop for Job<R> {
    /// A job dropped before it finished still counts on the latch, so the caller is never
    /// left waiting for it. Unrun and never handed to a helper (no thread could be spawned),
    /// its share is simply skipped: the shared work index gives it to the workers that run.
    /// Handed to a helper that left without running it, it is a contract violation.
    fn drop(&mut self) {
        let lost = self.holds && self.handed;
        let worker = self.worker;
        self.ran();
        if let Some(call) = self.call.take() {
            let panic: Option<Panic> = lost.then(|| {
                Box::new(format!(
                    "{CONTRACT}: the job of worker {worker} was dropped without being run \
                     (the helper it was handed to left)"
                )) as Panic
            });
            call.finished(panic);
        }
    }
}
