//! The concurrent core alone, with trivial branches: every index is run exactly once, every
//! result lands in its declared slot, and cancellation stops branches that had not started.

use std::time::Duration;

use engine::seams::{BranchResult, Chaos, Helpers, Slots, WorkQueue, run_fan_out};
use engine::sync::{Arc, LoomRuntime};
use engine::{ErrorKind, RunError};
use serde_json::json;

fn ok(index: usize) -> BranchResult {
    BranchResult {
        index,
        name: format!("b{index}"),
        outcome: Ok(json!(index)),
        elapsed: Duration::ZERO,
        steps: vec![],
    }
}

fn name(index: usize) -> String {
    format!("b{index}")
}

fn check_all_collected(branches: usize, workers: usize) {
    loom::model(move || {
        let run = |i: usize, _w: usize, _q: &Arc<WorkQueue<LoomRuntime>>| ok(i);
        let results = run_fan_out::<LoomRuntime, Slots<LoomRuntime>, Helpers>(
            branches,
            workers,
            false,
            Chaos::OFF,
            &name,
            &run,
        );
        LoomRuntime::shutdown();
        let got: Vec<usize> = results.iter().map(|r| r.index).collect();
        assert_eq!(
            got,
            (0..branches).collect::<Vec<_>>(),
            "every branch once, in declared order"
        );
        for r in &results {
            assert_eq!(r.outcome.as_ref().unwrap(), &json!(r.index));
        }
    });
}

#[test]
fn loom_two_workers_collect_three_branches_in_declared_order() {
    check_all_collected(3, 2);
}

#[test]
fn loom_three_workers_collect_three_branches_in_declared_order() {
    check_all_collected(3, 3);
}

#[test]
fn loom_a_panicking_branch_is_collected_as_a_panic_and_siblings_go_on() {
    loom::model(|| {
        let run = |i: usize, _w: usize, _q: &Arc<WorkQueue<LoomRuntime>>| {
            if i == 1 {
                panic!("branch exploded")
            } else {
                ok(i)
            }
        };
        let results = run_fan_out::<LoomRuntime, Slots<LoomRuntime>, Helpers>(
            3,
            2,
            false,
            Chaos::OFF,
            &name,
            &run,
        );
        LoomRuntime::shutdown();
        assert_eq!(results.len(), 3);
        assert_eq!(
            results[1].outcome.as_ref().unwrap_err().kind(),
            ErrorKind::Panic
        );
        assert!(results[0].outcome.is_ok() && results[2].outcome.is_ok());
    });
}

/// Branch 0 fails; any other branch records whether its closure ran.
fn fail_first(i: usize, _w: usize, _q: &Arc<WorkQueue<LoomRuntime>>) -> BranchResult {
    if i == 0 {
        let error = RunError::Lua {
            node: "b0".into(),
            branch: None,
            message: "boom".into(),
        };
        return BranchResult {
            outcome: Err(error),
            ..ok(0)
        };
    }
    ok(i)
}

#[test]
fn loom_fail_fast_cancels_every_branch_taken_after_the_failure_with_one_worker() {
    loom::model(|| {
        let results = run_fan_out::<LoomRuntime, Slots<LoomRuntime>, Helpers>(
            3,
            1,
            true,
            Chaos::OFF,
            &name,
            &fail_first,
        );
        LoomRuntime::shutdown();
        let kinds: Vec<_> = results
            .iter()
            .map(|r| r.outcome.as_ref().err().map(|e| e.kind()))
            .collect();
        assert_eq!(
            kinds,
            [
                Some(ErrorKind::Lua),
                Some(ErrorKind::Cancelled),
                Some(ErrorKind::Cancelled)
            ]
        );
    });
}

#[test]
fn loom_fail_fast_with_two_workers_fills_every_slot_once_and_never_runs_after_the_cancel() {
    loom::model(|| {
        let results = run_fan_out::<LoomRuntime, Slots<LoomRuntime>, Helpers>(
            3,
            2,
            true,
            Chaos::OFF,
            &name,
            &fail_first,
        );
        LoomRuntime::shutdown();
        assert_eq!(
            results.iter().map(|r| r.index).collect::<Vec<_>>(),
            [0, 1, 2]
        );
        assert_eq!(
            results[0].outcome.as_ref().unwrap_err().kind(),
            ErrorKind::Lua
        );
        // Branch 2 can only be taken after the failure by the worker that failed branch 0
        // (then it is cancelled), or by the other worker, which may have taken it first.
        for r in &results[1..] {
            if let Err(e) = &r.outcome {
                assert_eq!(e.kind(), ErrorKind::Cancelled);
            }
        }
    });
}
