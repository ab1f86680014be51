//! One soak iteration, as the benches time it: run a workflow with a seed, then fingerprint
//! the outcome the way a soak compares iterations (canonical state JSON, the trace's
//! branch/node order, and the distinct-VM check).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use engine::{RunOptions, Workflow};
use serde_json::json;

/// Runs `workflow` once with `seed` and returns the outcome's fingerprint. Panics if the
/// run fails or two branches shared a VM: a bench must not time a broken run.
pub fn iteration(workflow: &Workflow, seed: u64) -> u64 {
    let run = workflow.run(json!({}), &RunOptions::seeded(seed));
    let state = run.result.expect("the soak scenario runs");
    run.trace
        .check_distinct_vms()
        .expect("every branch ran on its own VM");
    let mut hasher = DefaultHasher::new();
    serde_json::to_string(&state)
        .expect("JSON values serialize")
        .hash(&mut hasher);
    for step in &run.trace.steps {
        (&step.node, step.branch, step.ok).hash(&mut hasher);
    }
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{TRIVIAL_BRANCH, fan_out};

    #[test]
    fn the_same_seed_gives_the_same_fingerprint() {
        let wf = fan_out(4, TRIVIAL_BRANCH);
        assert_eq!(iteration(&wf, 7), iteration(&wf, 7));
    }
}
