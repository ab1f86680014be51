//! A CPU-bound node: sandboxed (a one-node workflow, as the engine runs it) against a plain
//! mlua VM running the same chunk with no sandbox and no hook.

use std::hint::black_box;

use benches::fixtures::{CPU_ROUNDS, cpu_workflow, plain_cpu};
use criterion::{Criterion, criterion_group};
use engine::RunOptions;
use serde_json::json;

fn cpu(c: &mut Criterion) {
    let wf = cpu_workflow(CPU_ROUNDS);
    let options = RunOptions::seeded(3);
    let (_lua, plain) = plain_cpu(CPU_ROUNDS);
    let mut group = c.benchmark_group("lua");
    group.sample_size(20);
    group.bench_function("sandboxed", |b| {
        b.iter(|| wf.run(black_box(json!({})), &options).result.expect("runs"))
    });
    group.bench_function("plain", |b| {
        b.iter(|| plain.call::<mlua::Table>(()).expect("runs"))
    });
    group.finish();
}

criterion_group!(benches, cpu);
