//! Fan-outs: N trivial branches on the engine's workers next to the same N on one thread,
//! the main path alone (the baseline the fan-out cost is taken from), 4 CPU-bound
//! branches for the speedup, and the speedup the host itself allows at the time.

use std::hint::black_box;

use benches::fixtures::{CPU_BRANCH, FAN_OUT_SIZES, TRIVIAL_BRANCH, fan_out};
use criterion::{BenchmarkId, Criterion, criterion_group};
use engine::RunOptions;
use engine::sync::{LUA_STACK_SIZE, Runtime, StdRuntime};
use serde_json::json;

fn trivial(c: &mut Criterion) {
    let parallel = RunOptions::seeded(7);
    let sequential = RunOptions::seeded(7).with_max_parallel(1);
    let mut group = c.benchmark_group("fanout");
    // The 32-branch sequential run takes milliseconds: fewer samples keep `--quick` quick.
    group.sample_size(30);
    let baseline = fan_out(0, TRIVIAL_BRANCH);
    group.bench_function("main_path", |b| {
        b.iter(|| {
            baseline
                .run(black_box(json!({})), &parallel)
                .result
                .expect("runs")
        })
    });
    for n in FAN_OUT_SIZES {
        let wf = fan_out(n, TRIVIAL_BRANCH);
        for (name, options) in [("parallel", &parallel), ("sequential", &sequential)] {
            group.bench_with_input(BenchmarkId::new(name, n), &wf, |b, wf| {
                b.iter(|| wf.run(black_box(json!({})), options).result.expect("runs"))
            });
        }
    }
    group.finish();
}

fn cpu_bound(c: &mut Criterion) {
    let wf = fan_out(4, CPU_BRANCH);
    let mut group = c.benchmark_group("cpu");
    group.sample_size(10);
    for (name, options) in [
        ("parallel_4", RunOptions::seeded(7)),
        ("sequential_4", RunOptions::seeded(7).with_max_parallel(1)),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| wf.run(black_box(json!({})), &options).result.expect("runs"))
        });
    }
    // What the host allows right now: the same pure-Rust spin on 2 workers against one
    // after the other. On a busy host this falls well short of 2x, and so does the engine.
    group.bench_function("machine_parallel_2", |b| {
        b.iter(|| {
            StdRuntime::run_workers(2, LUA_STACK_SIZE, |_| {
                spin();
            })
        })
    });
    group.bench_function("machine_sequential_2", |b| {
        b.iter(|| {
            spin();
            spin()
        })
    });
    group.finish();
}

/// A few milliseconds of arithmetic the optimiser cannot remove.
fn spin() -> u64 {
    let mut x = 0u64;
    for i in 0..4_000_000u64 {
        x = black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(i));
    }
    x
}

criterion_group!(benches, trivial, cpu_bound);
