//! `pool-latch` (issue 19, a bug first planted by hand in the helper pool): the caller of
//! `run_workers` waits on its latch for one helper fewer than it handed jobs to
//! (`Latch::new(workers - 1)` became `workers - 2`). It may be let go, and free the closure it
//! lent, while a helper still runs it: a use-after-free, which on real threads showed as lost
//! branch results, hangs and crashes, and under explore as nothing at all. The pool's own
//! contract assertion (every job's token back before the caller returns) turns it into one
//! named failure, on real threads and under shuttle alike.

use engine::seams::HandOff;

use super::{About, Seam};

/// What `pool-latch` is.
pub(super) const ABOUT: About = About {
    name: "pool-latch",
    seam: Seam::HandOff,
    story: "issue 19",
    class: "a latch that waits for one helper too few",
};

/// The caller waits for every helper but one.
#[derive(Debug, Clone, Copy, Default)]
pub struct EarlyLatch;

impl HandOff for EarlyLatch {
    fn awaited(helpers: usize) -> usize {
        helpers.saturating_sub(1)
    }
}
