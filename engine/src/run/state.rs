//! The state seam: where a branch gets its copy of the state.
//!
//! Every branch starts from a deep copy of the state at the fan-out and never sees a
//! sibling's writes, and the fan-in sees the state at the fan-out unchanged (plus
//! `parallel_results`): branch states reach it only through `parallel_results`. The engine's
//! own [`Copies`] does exactly that; mutation tests plug in broken ones (branches aliasing one
//! state, a shallow copy in TEA-Python's terms; branch states merged into the parent's) to
//! prove the harness catches them.

use serde_json::Value;

use crate::fan_in::BranchEntry;
use crate::sync::Runtime;

/// The branch states of one fan-out (one instance per fan-out, shared by its workers).
pub trait States<R: Runtime>: Sync {
    /// For a fan-out of `branches` branches.
    fn new(branches: usize) -> Self;

    /// Branch `index`'s state as it starts, from `state`, the state at the fan-out.
    fn fork(&self, index: usize, state: &Value) -> Value;

    /// Called after every node of branch `index` with the branch's state.
    fn after_node(&self, index: usize, state: &mut Value) {
        let _ = (index, state);
    }

    /// Called once the fan-out is collected, before its fan-in runs, with the state the
    /// fan-in will see (the state at the fan-out) and the branches' entries. The engine's
    /// leaves it alone: the fan-in decides what to keep.
    fn join(&self, parent: &mut Value, branches: &[BranchEntry]) {
        let _ = (parent, branches);
    }
}

/// The engine's states: a deep copy per branch.
#[derive(Debug, Clone, Copy, Default)]
pub struct Copies;

impl<R: Runtime> States<R> for Copies {
    fn new(_branches: usize) -> Self {
        Copies
    }

    fn fork(&self, _index: usize, state: &Value) -> Value {
        state.clone()
    }
}
