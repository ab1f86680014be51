//! The hand-off seam: the steps of the pool's protocol a broken pool changes.

/// The decisions of the pool's protocol that a test or mutant may replace; the engine's own
/// is [`Helpers`]. Static (no `self`): the steps of one call and of every helper it spawns are
/// fixed by the type, as a collector's are.
pub trait HandOff: 'static {
    /// Of the `helpers` a call handed jobs to, how many the caller waits for on the latch
    /// before it may return: all of them.
    fn awaited(helpers: usize) -> usize {
        helpers
    }

    /// A helper idle past its timeout tried to take itself off the idle list: `listed` is
    /// whether it was still on it. One that was not was just taken by a caller, which is
    /// handing it a job: it must stay for that job. Whether the helper leaves.
    fn leaves_idle(listed: bool) -> bool {
        listed
    }
}

/// The engine's hand-off: every helper awaited, a helper taken off the idle list stays.
#[derive(Debug, Clone, Copy, Default)]
pub struct Helpers;

impl HandOff for Helpers {}
