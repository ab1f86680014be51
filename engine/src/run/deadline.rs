//! The deadline seam: where a branch's node gets its deadline.
//!
//! Each node execution has its own budget, measured on the clock of the worker that runs it
//! ([`Runtime::now`]), so one branch's time never shortens a sibling's (seed TEA-RUST-030:
//! "each branch's timeout is independent"). The engine's own [`PerNode`] gives every node
//! `now + budget`; mutation tests plug in broken policies (one deadline for the whole
//! fan-out, a timeout that leaks into siblings) to prove the harness catches them.

use std::time::Duration;

use crate::sync::Runtime;

/// Deadlines for the branches of one fan-out (one instance per fan-out, shared by its
/// workers).
pub trait Deadlines<R: Runtime>: Sync {
    /// For a fan-out of `branches` branches, created as it starts.
    fn new(branches: usize) -> Self;

    /// The deadline, on the runtime's clock, of a node of branch `index` that starts now with
    /// a budget of `length`.
    fn deadline(&self, index: usize, length: Duration) -> Duration;

    /// Branch `index` ended with a timeout.
    fn timed_out(&self, index: usize) {
        let _ = index;
    }
}

/// The engine's deadlines: every node gets its whole budget from the moment it starts.
#[derive(Debug, Clone, Copy, Default)]
pub struct PerNode;

impl<R: Runtime> Deadlines<R> for PerNode {
    fn new(_branches: usize) -> Self {
        PerNode
    }

    #[inline]
    fn deadline(&self, _index: usize, length: Duration) -> Duration {
        R::now().saturating_add(length)
    }
}
