//! Seed TEA-PY-006: each branch runs on a VM serial different from the parent's and every
//! sibling's, also when the engine is driven from a non-main thread.

use std::collections::HashSet;

use crate::common::*;

const PROBE: &str = "return { name = branch.name, index = branch.index }";

fn check_distinct(wf: &engine::Workflow, seed: u64) {
    let run = run(wf, seed);
    run.result
        .as_ref()
        .unwrap_or_else(|e| panic!("failed to {e}"));
    run.trace.check_distinct_vms().unwrap();
    let main = run.trace.main_vms();
    assert_eq!(main.len(), 1, "the main path shares one VM: {main:?}");
    let mut all: HashSet<u64> = main.iter().copied().collect();
    for i in 0..3 {
        let vms = run.trace.branch_vms(i);
        assert_eq!(vms.len(), 1, "branch {i} ran on exactly one VM: {vms:?}");
        assert!(
            all.insert(vms[0]),
            "branch {i}'s VM #{} was already used",
            vms[0]
        );
    }
}

/// Three single-node branches `a`, `b`, `c` that report their name and index.
fn three_probes(dialect: Dialect) -> engine::Workflow {
    load(&fan_out(
        dialect,
        "return {}",
        &[("a", PROBE), ("b", PROBE), ("c", PROBE)],
        KEEP_RESULTS,
        "{}",
    ))
}

#[test]
fn each_branch_runs_on_its_own_vm_distinct_from_parent_and_siblings() {
    for dialect in BOTH {
        let wf = three_probes(dialect);
        for seed in 0..10 {
            check_distinct(&wf, seed);
        }
    }
}

#[test]
// The test plays a user who drives the engine from threads of their own, outside the seam.
#[allow(clippy::disallowed_methods)]
fn each_branch_gets_its_own_vm_when_run_from_a_non_main_thread() {
    for dialect in BOTH {
        let wf = three_probes(dialect);
        std::thread::scope(|s| {
            for t in 0..2u64 {
                let wf = &wf;
                s.spawn(move || {
                    for seed in 0..5 {
                        check_distinct(wf, t * 100 + seed);
                    }
                });
            }
        });
    }
}

#[test]
fn vm_serials_are_never_reused_across_runs() {
    let wf = load(&fan_out(
        Dialect::Rust,
        "return {}",
        &[("a", PROBE), ("b", PROBE)],
        KEEP_RESULTS,
        "{}",
    ));
    let mut earlier: HashSet<u64> = HashSet::new();
    for seed in 0..20 {
        let run = run(&wf, seed);
        let this: HashSet<u64> = run
            .trace
            .steps
            .iter()
            .map(|s| s.vm)
            .filter(|&vm| vm != 0)
            .collect();
        assert_eq!(this.len(), 3, "run {seed}: one main VM and two branch VMs");
        assert!(
            earlier.is_disjoint(&this),
            "run {seed} reused a VM serial from an earlier run"
        );
        earlier.extend(this);
    }
}

#[test]
fn branch_name_and_index_are_read_only_and_correct() {
    let probe = "local ok = pcall(function() branch.index = 99 end)\nreturn { name = branch.name, index = branch.index, write_ok = ok }";
    let wf = load(&fan_out(
        Dialect::Python,
        "return {}",
        &[("x", probe), ("y", probe)],
        KEEP_RESULTS,
        "{}",
    ));
    let state = ok_state(&wf, 0);
    let r = results(&state);
    assert_eq!(r[0]["state"]["name"], "x");
    assert_eq!(r[0]["state"]["index"], 1);
    assert_eq!(r[1]["state"]["name"], "y");
    assert_eq!(r[1]["state"]["index"], 2);
    assert_eq!(r[0]["state"]["write_ok"], false, "branch must be read-only");
}
