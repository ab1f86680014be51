//! `swallowed-error` (seed TEA-RUST-030): a branch that failed is dropped from the fan-in's
//! results instead of being reported with its error, so the fan-in believes every branch it
//! sees succeeded, and never sees the one that did not.

use engine::seams::{BranchResult, Collector};
use engine::sync::{RtMutex, Runtime};

use super::{About, Seam};

/// What `swallowed-error` is.
pub(super) const ABOUT: About = About {
    name: "swallowed-error",
    seam: Seam::Collector,
    story: "TEA-RUST-030",
    class: "failed branch dropped from the results",
};

/// Successful results only.
#[derive(Debug)]
pub struct SuccessesOnly<R: Runtime> {
    slots: R::Mutex<Vec<Option<BranchResult>>>,
}

impl<R: Runtime> Collector<R> for SuccessesOnly<R> {
    type Claim = usize;

    fn new(branches: usize) -> Self {
        SuccessesOnly {
            slots: R::Mutex::new(vec![None; branches]),
        }
    }

    fn claim(&self, index: usize) -> usize {
        index
    }

    fn store(&self, index: usize, result: BranchResult) {
        if result.outcome.is_ok() {
            self.slots.lock()[index] = Some(result);
        }
    }

    fn finish(self) -> Vec<BranchResult> {
        self.slots.into_inner().into_iter().flatten().collect()
    }
}
