//! `fanin-merge-add` (issue 19, planted by hand): before the fan-in runs, each branch's final
//! state is merged into the state the fan-in sees, adding only the keys the parent lacks. The fan-in should see the parent's
//! state and `parallel_results` only.

use engine::seams::{BranchEntry, States};
use engine::sync::Runtime;
use serde_json::Value;

use super::{About, Seam};

/// What `fanin-merge-add` is.
pub(super) const ABOUT: About = About {
    name: "fanin-merge-add",
    seam: Seam::States,
    story: "issue 19",
    class: "branch keys added to the fan-in's state",
};

/// Deep copies for the branches; their states merged into the parent's at the fan-in.
#[derive(Debug, Clone, Copy, Default)]
pub struct MergeMissing;

impl<R: Runtime> States<R> for MergeMissing {
    fn new(_branches: usize) -> Self {
        MergeMissing
    }

    fn fork(&self, _index: usize, state: &Value) -> Value {
        state.clone()
    }

    fn join(&self, parent: &mut Value, branches: &[BranchEntry]) {
        merge_into(parent, branches, false);
    }
}

/// Merges every branch's state into `parent`: each key the parent lacks, and with
/// `overwrite` each key it has too (`fanin-merge-overwrite`).
pub(super) fn merge_into(parent: &mut Value, branches: &[BranchEntry], overwrite: bool) {
    let Some(parent) = parent.as_object_mut() else {
        return;
    };
    for entry in branches {
        if let Some(Value::Object(branch)) = &entry.state {
            for (key, value) in branch {
                if overwrite || !parent.contains_key(key) {
                    parent.insert(key.clone(), value.clone());
                }
            }
        }
    }
}
