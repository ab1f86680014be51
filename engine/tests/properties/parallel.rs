//! Property "parallel ≡ sequential": for every generated workflow and seed, each worker cap
//! from 2 to 8 gives exactly the final state, or exactly the error, of the sequential
//! reference (one worker), with and without seeded schedule perturbation. This is the
//! differential check of the fan-out core.

use engine::{ChaosLevel, RunError, RunOptions, Workflow};
use proptest::prelude::*;
use serde_json::Value;

use crate::build::build;
use crate::spec::{Segment, Spec, spec};

/// Under `fail_fast`, which sibling a failure cancels depends on timing, and a cancelled
/// branch never reports its own failure; the run's error is the first *reported* one.
/// Keeping at most one branch per fan-out able to fail makes that error unique.
fn one_failing_branch(mut spec: Spec) -> Spec {
    if !spec.fail_fast {
        return spec;
    }
    for segment in &mut spec.segments {
        if let Segment::FanOut { branches, .. } = segment {
            for chain in branches.iter_mut().skip(1) {
                for node in chain {
                    if let crate::spec::Body::Lua { ops, .. } = &mut node.body {
                        ops.retain(|op| !op.fails());
                    }
                }
            }
        }
    }
    spec
}

/// The result without what timing decides: which siblings a `fail_fast` failure caught still
/// running (and so cancelled) depends on the schedule; the failure itself does not.
fn timeless(result: Result<Value, RunError>) -> Result<Value, RunError> {
    result.map_err(|e| match e {
        RunError::FailedFast { error, .. } => *error,
        e => e,
    })
}

proptest! {
    #![proptest_config(crate::config(256, "proptest-regressions/parallel.txt"))]

    #[test]
    fn proptest_parallel_equals_sequential(spec in spec().prop_map(one_failing_branch), seed in any::<u64>()) {
        let built = build(&spec, false);
        let wf = Workflow::from_raw(built.raw, "", None)
            .map_err(|e| TestCaseError::fail(format!("a generated workflow failed to load: {e}")))?;
        let sequential = timeless(wf.run(Value::Null, &RunOptions::seeded(seed).with_max_parallel(1)).result);
        for workers in 2..=8 {
            // Odd caps also shake the schedule (seeded delays at branch start, after VM
            // creation and before collection): timing must change nothing either.
            let chaos = if workers % 2 == 1 { ChaosLevel::Light } else { ChaosLevel::Off };
            let options = RunOptions::seeded(seed).with_max_parallel(workers).with_chaos(chaos);
            let parallel = timeless(wf.run(Value::Null, &options).result);
            prop_assert_eq!(&parallel, &sequential, "{} workers differ from 1", workers);
        }
    }
}
