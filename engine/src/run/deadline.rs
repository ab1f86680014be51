//! The deadline seam: the budget a branch's node gets.
//!
//! Each node execution has its own budget, charged to the thread that runs it (its CPU time
//! plus the sleeps it asked for, [`Runtime::charged`]), so one branch's time never shortens a
//! sibling's (seed TEA-RUST-030: "each branch's timeout is independent"). The engine's own
//! [`PerNode`] gives every node its whole budget from when it starts; mutation tests plug in
//! broken policies (one budget charged by every branch of the fan-out, a timeout that leaks
//! into siblings) to prove the harness catches them.

use std::time::Duration;

use crate::lua::vm::Budget;
use crate::sync::Runtime;

/// Budgets for the branches of one fan-out (one instance per fan-out, shared by its
/// workers).
pub trait Deadlines<R: Runtime>: Sync {
    /// For a fan-out of `branches` branches, created as it starts.
    fn new(branches: usize) -> Self;

    /// The budget of a node of branch `index` that starts now with a budget of `length`.
    /// Called on the thread that runs the node: the budget is on its charged clock.
    fn budget(&self, index: usize, length: Duration) -> Budget;

    /// A node of branch `index` ended, on its thread, after running under `budget`;
    /// `timed_out` when it ran out of it.
    fn ended(&self, index: usize, budget: &Budget, timed_out: bool) {
        let _ = (index, budget, timed_out);
    }
}

/// The engine's budgets: every node gets its whole budget from the moment it starts.
#[derive(Debug, Clone, Copy, Default)]
pub struct PerNode;

impl<R: Runtime> Deadlines<R> for PerNode {
    fn new(_branches: usize) -> Self {
        PerNode
    }

    #[inline]
    fn budget(&self, _index: usize, length: Duration) -> Budget {
        Budget::after::<R>(length)
    }
}
