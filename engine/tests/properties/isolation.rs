//! Property "isolation": a global written in any branch is never visible in a sibling, in
//! the parent, or in a later run.
//!
//! Every node of a probe workflow first lists the marker globals it can see (`lua.rs`),
//! then writes its own. What it may see is exactly what the nodes before it *on its own
//! path* wrote: the main path is one VM, each branch is a fresh one. The path comes from
//! the trace, so the check holds whichever way conditions routed the run.

use std::collections::BTreeSet;

use engine::{RunOptions, Trace, Workflow};
use proptest::prelude::*;
use serde_json::Value;

use crate::build::{Built, build};
use crate::spec::spec;

/// Markers node `i` of the trace may see: those written earlier on the same path. Branch
/// steps of one fan-out come out grouped by branch, between their head and fan-in.
fn expected(trace: &Trace, built: &Built, i: usize) -> BTreeSet<String> {
    let step = &trace.steps[i];
    let same_path = |s: &engine::Step| s.branch == step.branch && s.branch_name == step.branch_name;
    let earlier: Vec<&engine::Step> = match step.branch {
        None => trace.steps[..i]
            .iter()
            .filter(|s| s.branch.is_none())
            .collect(),
        Some(_) => trace.steps[..i]
            .iter()
            .rev()
            .take_while(|s| same_path(s))
            .collect(),
    };
    earlier
        .iter()
        .flat_map(|s| {
            built
                .writes
                .iter()
                .find(|(name, _)| *name == s.node)
                .map(|(_, w)| w.clone())
                .unwrap_or_default()
        })
        .collect()
}

fn seen(state: &Value, node: &str) -> Result<BTreeSet<String>, TestCaseError> {
    let text = state[format!("seen_{node}")].as_str().ok_or_else(|| {
        TestCaseError::fail(format!("node `{node}` ran but left no probe result"))
    })?;
    Ok(text
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect())
}

proptest! {
    #![proptest_config(crate::config(256, "proptest-regressions/isolation.txt"))]

    #[test]
    fn proptest_isolation(spec in spec(), seed in any::<u64>()) {
        let built = build(&spec, true);
        let wf = Workflow::from_raw(built.raw.clone(), "", None)
            .map_err(|e| TestCaseError::fail(format!("a generated workflow failed to load: {e}")))?;
        // The same compiled workflow twice: the second run is "a later run".
        for (run_no, workers) in [(1, 1), (2, 3)] {
            let run = wf.run(Value::Null, &RunOptions::seeded(seed).with_max_parallel(workers));
            let state = run.result.map_err(|e| TestCaseError::fail(format!("run {run_no}: a probe workflow failed to {e}")))?;
            run.trace.check_distinct_vms().map_err(TestCaseError::fail)?;
            prop_assert!(!run.trace.steps.is_empty());
            for (i, step) in run.trace.steps.iter().enumerate() {
                prop_assert_eq!(
                    seen(&state, &step.node)?,
                    expected(&run.trace, &built, i),
                    "run {}: node `{}` (branch {:?}) saw other paths' globals, or missed its own path's",
                    run_no, step.node, step.branch_name
                );
            }
        }
    }
}
