//! The concurrent core alone, with trivial branches: every index is run exactly once, every
//! result lands in its declared slot, and cancellation stops branches that had not started.

use std::time::Duration;

use engine::fanout::{BranchResult, Slots, WorkQueue, run_fan_out};
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
        let run = |i: usize, _q: &Arc<WorkQueue<LoomRuntime>>| ok(i);
        let results =
            run_fan_out::<LoomRuntime, Slots<LoomRuntime>>(branches, workers, false, &name, &run);
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
        let run = |i: usize, _q: &Arc<WorkQueue<LoomRuntime>>| {
            if i == 1 {
                panic!("branch exploded")
            } else {
                ok(i)
            }
        };
        let results = run_fan_out::<LoomRuntime, Slots<LoomRuntime>>(3, 2, false, &name, &run);
        assert_eq!(results.len(), 3);
        assert_eq!(
            results[1].outcome.as_ref().unwrap_err().kind(),
            ErrorKind::Panic
        );
        assert!(results[0].outcome.is_ok() && results[2].outcome.is_ok());
    });
}

#[test]
fn loom_fail_fast_cancels_every_branch_that_starts_after_the_failure() {
    loom::model(|| {
        // Branch 0 fails. A branch that starts after the cancel is observed must be cancelled;
        // one that started before may finish. Either way every slot is filled exactly once.
        let run = |i: usize, q: &Arc<WorkQueue<LoomRuntime>>| {
            if i == 0 {
                return BranchResult {
                    outcome: Err(RunError::Lua {
                        node: "b0".into(),
                        branch: None,
                        message: "boom".into(),
                    }),
                    ..ok(0)
                };
            }
            if q.is_cancelled() {
                return BranchResult {
                    outcome: Err(RunError::Cancelled { branch: name(i) }),
                    ..ok(i)
                };
            }
            ok(i)
        };
        let results = run_fan_out::<LoomRuntime, Slots<LoomRuntime>>(3, 2, true, &name, &run);
        assert_eq!(
            results.iter().map(|r| r.index).collect::<Vec<_>>(),
            [0, 1, 2]
        );
        assert_eq!(
            results[0].outcome.as_ref().unwrap_err().kind(),
            ErrorKind::Lua
        );
        for r in &results[1..] {
            match &r.outcome {
                Ok(_) => {}
                Err(e) => assert_eq!(e.kind(), ErrorKind::Cancelled),
            }
        }
    });
}

/// Seed TD.4's bug: fan-in bookkeeping read under the lock but written back after it was
/// released, so two workers can overwrite each other's result.
struct RacyCollector(loom::sync::Mutex<Vec<Option<BranchResult>>>);

impl engine::fanout::Collector<LoomRuntime> for RacyCollector {
    fn new(branches: usize) -> Self {
        RacyCollector(loom::sync::Mutex::new(vec![None; branches]))
    }
    fn put(&self, index: usize, result: BranchResult) {
        let mut copy = self.0.lock().unwrap().clone();
        copy[index] = Some(result);
        *self.0.lock().unwrap() = copy;
    }
    fn finish(self) -> Vec<BranchResult> {
        self.0.into_inner().unwrap().into_iter().flatten().collect()
    }
}

#[test]
fn loom_finds_the_lost_update_of_a_collector_that_writes_back_without_its_lock() {
    let found = std::panic::catch_unwind(|| {
        loom::model(|| {
            let run = |i: usize, _q: &Arc<WorkQueue<LoomRuntime>>| ok(i);
            let results = run_fan_out::<LoomRuntime, RacyCollector>(2, 2, false, &name, &run);
            assert_eq!(results.len(), 2, "a result was lost");
        });
    });
    assert!(
        found.is_err(),
        "loom must find the interleaving that loses a result"
    );
}
