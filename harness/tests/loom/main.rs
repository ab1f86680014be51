//! loom models of the collector mutants: the fan-out core with each broken collector, two
//! branches on two workers, checked against the engine's promises (every branch once, in
//! declared order, a failed branch reported). loom must find an execution that breaks each
//! mutant's promise, and none for the engine's own collector. The helper pool's mutants are
//! in [`pool`].
//!
//! Run with `LOOM_MAX_PREEMPTIONS=2 cargo nextest run -p harness --features loom --test loom`
//! (what `.ci/run` does). Without the `loom` feature this binary is empty.
#![cfg(feature = "loom")]

mod pool;

use std::time::Duration;

use engine::RunError;
use engine::seams::{BranchResult, Chaos, Collector, Helpers, Slots, WorkQueue, run_fan_out};
use engine::sync::{Arc, LoomRuntime};
use harness::mutants::plant::{ArrivalOrder, PrematureSlots, SuccessesOnly, UnlockedSlots};
use serde_json::json;

/// Branch 1 fails (so a collector that drops failures shows), the others succeed.
fn result(index: usize) -> BranchResult {
    BranchResult {
        index,
        name: format!("b{index}"),
        outcome: if index == 1 {
            Err(RunError::Lua {
                node: "b1".into(),
                branch: Some("b1".into()),
                message: "failed on purpose".into(),
            })
        } else {
            Ok(json!(index))
        },
        elapsed: Duration::ZERO,
        steps: vec![],
    }
}

/// The engine's promises on what reaches the fan-in, checked in every execution loom tries.
fn model<C: Collector<LoomRuntime>>(branches: usize) {
    loom::model(move || {
        let run = |i: usize, _w: usize, _q: &Arc<WorkQueue<LoomRuntime>>| result(i);
        let name = |i: usize| format!("b{i}");
        let results =
            run_fan_out::<LoomRuntime, C, Helpers>(branches, 2, false, Chaos::OFF, &name, &run);
        LoomRuntime::shutdown();
        let order: Vec<usize> = results.iter().map(|r| r.index).collect();
        assert_eq!(
            order,
            (0..branches).collect::<Vec<_>>(),
            "every branch once, in declared order"
        );
        assert!(results[1].outcome.is_err(), "the failed branch is reported");
    });
}

/// Whether loom finds an execution that breaks one of the promises (and not some other
/// panic: loom's own, say).
fn breaks<C: Collector<LoomRuntime>>(branches: usize) -> bool {
    match std::panic::catch_unwind(|| model::<C>(branches)) {
        Ok(()) => false,
        Err(payload) => {
            let text = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            assert!(
                text.contains("every branch once, in declared order")
                    || text.contains("the failed branch is reported"),
                "loom failed for another reason: {text}"
            );
            true
        }
    }
}

#[test]
fn loom_finds_no_broken_promise_in_the_engine_s_collector() {
    model::<Slots<LoomRuntime>>(2);
    model::<Slots<LoomRuntime>>(3);
}

#[test]
fn loom_catches_unlocked_fanin() {
    assert!(breaks::<UnlockedSlots<LoomRuntime>>(2));
}

#[test]
fn loom_catches_premature_fanin() {
    assert!(breaks::<PrematureSlots<LoomRuntime>>(2));
}

#[test]
fn loom_catches_completion_order() {
    assert!(breaks::<ArrivalOrder<LoomRuntime>>(2));
}

#[test]
fn loom_catches_swallowed_error() {
    assert!(breaks::<SuccessesOnly<LoomRuntime>>(2));
}
