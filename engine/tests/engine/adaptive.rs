//! The worker count: an explicit cap wins, chaos uses the cores, and otherwise the adaptive
//! policy decides from the fan-out's history; every decision is in the trace, and never
//! changes a result.

use engine::{ChaosLevel, RunOptions};
use serde_json::json;

use crate::common::*;

/// Four branches of about a million Lua instructions each.
const CPU: &str = "local n = 0\nfor i = 1, 300000 do n = n + i % 7 end\nreturn { n = n }";
const TRIVIAL: &str = "return { v = 1 }";

fn four(branch: &str, settings: &str) -> engine::Workflow {
    let branches: Vec<(&str, &str)> = ["a", "b", "c", "d"].iter().map(|n| (*n, branch)).collect();
    load(&fan_out(
        Dialect::Rust,
        "return {}",
        &branches,
        KEEP_RESULTS,
        settings,
    ))
}

fn cores() -> usize {
    <engine::sync::StdRuntime as engine::sync::Runtime>::available_parallelism()
}

#[test]
fn a_fan_out_without_history_uses_the_cores_and_later_runs_say_the_policy_decided() {
    // What the policy picks once it has a history depends on measured times, so on the host's
    // load: its arithmetic is unit-tested (`run::adaptive`); here, only what cannot move.
    let wf = four(CPU, "{}");
    for run in 0..3 {
        let out = wf.run(json!({}), &RunOptions::seeded(run));
        let fan = &out.trace.fan_outs[0];
        assert_eq!(fan.decided_by, "adaptive");
        assert_eq!(fan.branches, 4);
        if run == 0 {
            assert_eq!(fan.workers, cores().min(4), "no history yet: {fan:?}");
        } else {
            assert!(
                (1..=cores().min(4)).contains(&fan.workers),
                "run {run}: {fan:?}"
            );
        }
    }
}

#[test]
fn an_explicit_cap_or_chaos_decides_instead_of_the_policy() {
    let wf = four(TRIVIAL, "{ max_parallel_branches: 3 }");
    let fan = &wf.run(json!({}), &RunOptions::seeded(1)).trace.fan_outs[0];
    assert_eq!((fan.workers, fan.decided_by.as_str()), (3, "workflow"));
    let wf = four(TRIVIAL, "{}");
    let options = RunOptions::seeded(1).with_max_parallel(1);
    let fan = &wf.run(json!({}), &options).trace.fan_outs[0];
    assert_eq!((fan.workers, fan.decided_by.as_str()), (1, "options"));
    let options = RunOptions::seeded(1).with_chaos(ChaosLevel::Light);
    let fan = &wf.run(json!({}), &options).trace.fan_outs[0];
    assert_eq!(
        (fan.workers, fan.decided_by.as_str()),
        (cores().min(4), "chaos")
    );
}

#[test]
fn whatever_the_policy_decides_the_results_are_the_sequential_ones() {
    let wf = four("return { v = branch.index * 10 }", "{}");
    // Branch times are measured, not computed: they are the one thing that may differ.
    let timeless = |mut state: serde_json::Value| {
        for r in state["results"].as_array_mut().unwrap() {
            r.as_object_mut().unwrap().remove("timing_ms");
        }
        state
    };
    let sequential = timeless(
        wf.run(json!({}), &RunOptions::seeded(5).with_max_parallel(1))
            .result
            .unwrap(),
    );
    for run in 0..20 {
        let out = wf.run(json!({}), &RunOptions::seeded(5));
        let fan_outs = out.trace.fan_outs.clone();
        assert_eq!(
            timeless(out.result.unwrap()),
            sequential,
            "run {run}: {fan_outs:?}"
        );
    }
}
