//! `premature-fanin`: the fan-in starts when the collector's own count says every branch is
//! done, and that count goes up when a result is claimed, before it is stored. The last
//! branch to publish takes the fan-in's snapshot; a sibling that claimed earlier but has not
//! stored yet is missing from it. The engine's chaos point between claim and store sits in
//! the window.

use std::sync::atomic::Ordering;

use engine::seams::{BranchResult, Collector};
use engine::sync::{RtAtomicUsize, RtMutex, Runtime};

use super::{About, Seam};

/// What `premature-fanin` is.
pub(super) const ABOUT: About = About {
    name: "premature-fanin",
    seam: Seam::Collector,
    story: "TD.4",
    class: "fan-in before the last result is stored",
};

/// The collector whose snapshot can come before the last store.
#[derive(Debug)]
pub struct PrematureSlots<R: Runtime> {
    branches: usize,
    claimed: R::AtomicUsize,
    slots: R::Mutex<Vec<Option<BranchResult>>>,
    snapshot: R::Mutex<Option<Vec<Option<BranchResult>>>>,
}

impl<R: Runtime> Collector<R> for PrematureSlots<R> {
    type Claim = usize;

    fn new(branches: usize) -> Self {
        PrematureSlots {
            branches,
            claimed: R::AtomicUsize::new(0),
            slots: R::Mutex::new(vec![None; branches]),
            snapshot: R::Mutex::new(None),
        }
    }

    fn claim(&self, index: usize) -> usize {
        self.claimed.fetch_add(1, Ordering::SeqCst);
        index
    }

    fn store(&self, index: usize, result: BranchResult) {
        self.slots.lock()[index] = Some(result);
    }

    fn publish(&self, _index: usize) {
        // "Everyone has checked in": the fan-in's results are taken now.
        if self.claimed.load(Ordering::SeqCst) == self.branches {
            let now = self.slots.lock().clone();
            self.snapshot.lock().get_or_insert(now);
        }
    }

    fn finish(self) -> Vec<BranchResult> {
        let slots = self.slots.into_inner();
        self.snapshot
            .into_inner()
            .unwrap_or(slots)
            .into_iter()
            .flatten()
            .collect()
    }
}
