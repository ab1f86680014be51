//! `shared-deadline` (seed TEA-RUST-030, "each branch's timeout is independent"): the first
//! node of a fan-out to start sets one deadline for every node of every branch, so branches
//! that each stay within their own budget time out once they add up past it.

use std::time::Duration;

use engine::seams::Deadlines;
use engine::sync::{RtMutex, Runtime};

use super::{About, Seam};

/// What `shared-deadline` is.
pub(super) const ABOUT: About = About {
    name: "shared-deadline",
    seam: Seam::Deadlines,
    story: "TEA-RUST-030",
    class: "one deadline for a whole fan-out",
};

/// One deadline for a whole fan-out.
#[derive(Debug)]
pub struct SharedDeadline<R: Runtime> {
    at: R::Mutex<Option<Duration>>,
}

impl<R: Runtime> Deadlines<R> for SharedDeadline<R> {
    fn new(_branches: usize) -> Self {
        SharedDeadline {
            at: R::Mutex::new(None),
        }
    }

    fn deadline(&self, _index: usize, length: Duration) -> Duration {
        *self
            .at
            .lock()
            .get_or_insert_with(|| R::now().saturating_add(length))
    }
}
