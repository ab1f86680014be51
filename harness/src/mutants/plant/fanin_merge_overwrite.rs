//! `fanin-merge-overwrite` (issue 19, planted by hand): before the fan-in runs, each branch's final
//! state is merged into the state the fan-in sees, every key, the parent's values overwritten in declared order. The fan-in should see the parent's
//! state and `parallel_results` only.

use engine::seams::{BranchEntry, States};
use engine::sync::Runtime;
use serde_json::Value;

use super::{About, Seam};

/// What `fanin-merge-overwrite` is.
pub(super) const ABOUT: About = About {
    name: "fanin-merge-overwrite",
    seam: Seam::States,
    story: "issue 19",
    class: "branch keys overwriting the fan-in's state",
};

/// Deep copies for the branches; their states merged into the parent's at the fan-in.
#[derive(Debug, Clone, Copy, Default)]
pub struct MergeAll;

impl<R: Runtime> States<R> for MergeAll {
    fn new(_branches: usize) -> Self {
        MergeAll
    }

    fn fork(&self, _index: usize, state: &Value) -> Value {
        state.clone()
    }

    fn join(&self, parent: &mut Value, branches: &[BranchEntry]) {
        super::fanin_merge_add::merge_into(parent, branches, true);
    }
}
