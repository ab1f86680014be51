//! The state seam: where a branch gets its copy of the state.
//!
//! Every branch starts from a deep copy of the state at the fan-out and never sees a
//! sibling's writes. The engine's own [`Copies`] does exactly that; mutation tests plug in a
//! broken one (branches aliasing one state, a shallow copy in TEA-Python's terms) to prove
//! the harness catches it.

use serde_json::Value;

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
