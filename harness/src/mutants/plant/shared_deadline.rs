//! `shared-deadline` (seed TEA-RUST-030, "each branch's timeout is independent"): one budget
//! for a whole fan-out, charged by every node of every branch, so branches that each stay
//! within their own budget time out once their charges add up past it.

use std::time::Duration;

use engine::seams::{Budget, Deadlines};
use engine::sync::{RtMutex, Runtime};

use super::{About, Seam};

/// What `shared-deadline` is.
pub(super) const ABOUT: About = About {
    name: "shared-deadline",
    seam: Seam::Deadlines,
    story: "TEA-RUST-030",
    class: "one deadline for a whole fan-out",
};

/// One budget for a whole fan-out.
#[derive(Debug)]
pub struct SharedDeadline<R: Runtime> {
    /// What the fan-out's nodes have been charged so far.
    spent: R::Mutex<Duration>,
}

impl<R: Runtime> Deadlines<R> for SharedDeadline<R> {
    fn new(_branches: usize) -> Self {
        SharedDeadline {
            spent: R::Mutex::new(Duration::ZERO),
        }
    }

    fn budget(&self, _index: usize, length: Duration) -> Budget {
        let left = length.saturating_sub(*self.spent.lock());
        Budget::after::<R>(left)
    }

    fn ended(&self, _index: usize, budget: &Budget, _timed_out: bool) {
        let used = R::charged().saturating_sub(budget.start);
        *self.spent.lock() += used;
    }
}
