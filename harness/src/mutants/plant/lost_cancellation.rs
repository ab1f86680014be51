//! `lost-cancellation` (issue 19): under `fail_fast` the collector decides whether a result
//! cancels the siblings from its own record of failures, and asks before the failure is
//! recorded. Only the next branch to finish after it raises the cancellation; siblings that
//! are still running, waiting to be cancelled, never hear of it.

use std::sync::atomic::Ordering;

use engine::seams::{BranchResult, Collector, Slots};
use engine::sync::{RtAtomicBool, Runtime};

use super::{About, Seam};

/// What `lost-cancellation` is.
pub(super) const ABOUT: About = About {
    name: "lost-cancellation",
    seam: Seam::Collector,
    story: "issue 19",
    class: "a fail_fast cancellation that is lost",
};

/// The engine's slots, cancelling from a record of failures read too early.
pub struct FailureSeenLate<R: Runtime> {
    slots: Slots<R>,
    failed: R::AtomicBool,
}

impl<R: Runtime> std::fmt::Debug for FailureSeenLate<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FailureSeenLate")
    }
}

impl<R: Runtime> Collector<R> for FailureSeenLate<R> {
    type Claim = usize;

    fn new(branches: usize) -> Self {
        FailureSeenLate {
            slots: Slots::new(branches),
            failed: R::AtomicBool::new(false),
        }
    }

    fn claim(&self, index: usize) -> usize {
        self.slots.claim(index)
    }

    fn store(&self, index: usize, result: BranchResult) {
        if result.outcome.is_err() {
            self.failed.store(true, Ordering::SeqCst);
        }
        self.slots.store(index, result);
    }

    fn finish(self) -> Vec<BranchResult> {
        self.slots.finish()
    }

    fn cancels(&self, _result: &BranchResult) -> bool {
        self.failed.load(Ordering::SeqCst)
    }
}
