//! `timeout-leak` (seed TEA-RUST-030): once one branch of a fan-out times out, its charge
//! leaks into its siblings: every node a sibling starts afterwards gets a budget that is
//! already spent, so one branch's timeout takes down its siblings.

use std::sync::atomic::Ordering;
use std::time::Duration;

use engine::seams::{Budget, Deadlines};
use engine::sync::{RtAtomicBool, Runtime};

use super::{About, Seam};

/// What `timeout-leak` is.
pub(super) const ABOUT: About = About {
    name: "timeout-leak",
    seam: Seam::Deadlines,
    story: "TEA-RUST-030",
    class: "a timeout that cancels siblings",
};

/// Budgets that a sibling's timeout spends.
#[derive(Debug)]
pub struct LeakyDeadlines<R: Runtime> {
    tripped: R::AtomicBool,
}

impl<R: Runtime> Deadlines<R> for LeakyDeadlines<R> {
    fn new(_branches: usize) -> Self {
        LeakyDeadlines {
            tripped: R::AtomicBool::new(false),
        }
    }

    fn budget(&self, _index: usize, length: Duration) -> Budget {
        if self.tripped.load(Ordering::SeqCst) {
            Budget::after::<R>(Duration::ZERO)
        } else {
            Budget::after::<R>(length)
        }
    }

    fn ended(&self, _index: usize, _budget: &Budget, timed_out: bool) {
        if timed_out {
            self.tripped.store(true, Ordering::SeqCst);
        }
    }
}
