//! Whole workflows: YAML load and compile, one soak iteration of the 4-branch scenario,
//! and one run of the peer-comparable workflow.

use std::hint::black_box;
use std::path::Path;

use benches::fixtures::{PEER_WORKFLOW, PEER_WORKFLOW_PATH, TRIVIAL_BRANCH, fan_out, peer};
use criterion::{Criterion, criterion_group};
use engine::{RunOptions, Workflow};
use harness::outcome::Fingerprint;
use serde_json::json;

fn yaml(c: &mut Criterion) {
    let file = Path::new(PEER_WORKFLOW_PATH);
    c.benchmark_group("yaml")
        .bench_function("load_compile", |b| {
            b.iter(|| Workflow::from_yaml(black_box(PEER_WORKFLOW), Some(file)).expect("loads"))
        });
}

fn soak(c: &mut Criterion) {
    let wf = fan_out(4, TRIVIAL_BRANCH);
    let mut seed = 0u64;
    c.benchmark_group("soak")
        .bench_function("iteration_4", |b| {
            b.iter(|| {
                seed += 1;
                iteration(&wf, seed)
            })
        });
}

/// One soak iteration as the benches time it: run with a seed, check that no VM was
/// shared, and fingerprint the outcome the way soak compares iterations.
fn iteration(workflow: &Workflow, seed: u64) -> Fingerprint {
    let run = workflow.run(json!({}), &RunOptions::seeded(seed));
    run.trace
        .check_distinct_vms()
        .expect("every branch ran on its own VM");
    assert!(run.result.is_ok(), "a bench must not time a broken run");
    Fingerprint::of(&run)
}

fn peer_run(c: &mut Criterion) {
    let wf = peer();
    let options = RunOptions::seeded(7);
    c.benchmark_group("peer").bench_function("run", |b| {
        b.iter(|| wf.run(black_box(json!({})), &options).result.expect("runs"))
    });
}

criterion_group!(benches, yaml, soak, peer_run);
