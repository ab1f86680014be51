//! `timeout-leak` (seed TEA-RUST-030): once one branch of a fan-out times out, every node a
//! sibling starts afterwards gets a deadline that has already passed: one branch's timeout
//! takes down its siblings.

use std::sync::atomic::Ordering;
use std::time::Duration;

use engine::seams::Deadlines;
use engine::sync::{RtAtomicBool, Runtime};

use super::{About, Seam};

/// What `timeout-leak` is.
pub(super) const ABOUT: About = About {
    name: "timeout-leak",
    seam: Seam::Deadlines,
    story: "TEA-RUST-030",
    class: "a timeout that cancels siblings",
};

/// Deadlines that a sibling's timeout expires.
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

    fn deadline(&self, _index: usize, length: Duration) -> Duration {
        if self.tripped.load(Ordering::SeqCst) {
            R::now()
        } else {
            R::now().saturating_add(length)
        }
    }

    fn timed_out(&self, _index: usize) {
        self.tripped.store(true, Ordering::SeqCst);
    }
}
