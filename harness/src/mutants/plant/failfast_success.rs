//! `failfast-success` (issue 19, planted by hand): under `fail_fast` a failed branch still
//! cancels its siblings, but the run goes on to the fan-in and succeeds, as if nothing had
//! failed.

use engine::RunError;
use engine::seams::{BranchResult, Collector, Slots};
use engine::sync::Runtime;

use super::{About, Seam};

/// What `failfast-success` is.
pub(super) const ABOUT: About = About {
    name: "failfast-success",
    seam: Seam::Collector,
    story: "issue 19",
    class: "fail_fast cancels, yet the run succeeds",
};

/// The engine's slots, with no failure that ends the run.
pub struct GoesOn<R: Runtime>(Slots<R>);

impl<R: Runtime> std::fmt::Debug for GoesOn<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GoesOn")
    }
}

impl<R: Runtime> Collector<R> for GoesOn<R> {
    type Claim = usize;

    fn new(branches: usize) -> Self {
        GoesOn(Slots::new(branches))
    }

    fn claim(&self, index: usize) -> usize {
        self.0.claim(index)
    }

    fn store(&self, index: usize, result: BranchResult) {
        self.0.store(index, result);
    }

    fn finish(self) -> Vec<BranchResult> {
        self.0.finish()
    }

    fn failure(_results: &[BranchResult]) -> Option<RunError> {
        None
    }
}
