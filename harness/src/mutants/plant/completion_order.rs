//! `completion-order` (seeds TEA-RUST-030 and TD.4): the fan-in gets the results in the
//! order branches finished, not in declared order.

use engine::seams::{BranchResult, Collector};
use engine::sync::{RtMutex, Runtime};

use super::{About, Seam};

/// What `completion-order` is.
pub(super) const ABOUT: About = About {
    name: "completion-order",
    seam: Seam::Collector,
    story: "TEA-RUST-030",
    class: "results in completion order",
};

/// Results in arrival order.
#[derive(Debug)]
pub struct ArrivalOrder<R: Runtime> {
    results: R::Mutex<Vec<BranchResult>>,
}

impl<R: Runtime> Collector<R> for ArrivalOrder<R> {
    type Claim = ();

    fn new(branches: usize) -> Self {
        ArrivalOrder {
            results: R::Mutex::new(Vec::with_capacity(branches)),
        }
    }

    fn claim(&self, _index: usize) {}

    fn store(&self, (): (), result: BranchResult) {
        self.results.lock().push(result);
    }

    fn finish(self) -> Vec<BranchResult> {
        self.results.into_inner()
    }
}
