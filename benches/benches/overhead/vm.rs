//! VM lifecycle: create, drop, one branch end to end, and the thread spawn the floor uses.

use std::hint::black_box;
use std::time::Duration;

use benches::fixtures::{
    MEMORY_LIMIT, TRIVIAL_BRANCH, branch_spec, first_chunk, single_node, small_state,
};
use criterion::{BatchSize, Criterion, criterion_group};
use engine::sync::{LUA_STACK_SIZE, Runtime, StdRuntime};
use engine::vm::{Vm, VmSpec};

fn vm(c: &mut Criterion) {
    let mut group = c.benchmark_group("vm");
    let spec = VmSpec::new(7, MEMORY_LIMIT);
    group.bench_function("create", |b| {
        b.iter_with_large_drop(|| Vm::new(black_box(&spec)).expect("a VM"))
    });
    group.bench_function("drop", |b| {
        b.iter_batched(
            || Vm::new(&spec).expect("a VM"),
            drop,
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn branch(c: &mut Criterion) {
    let workflow = single_node(TRIVIAL_BRANCH);
    let chunk = first_chunk(&workflow);
    let state = small_state();
    let spec = branch_spec(7);
    let budget = Duration::from_secs(30);
    c.benchmark_group("branch")
        .bench_function("end_to_end", |b| {
            b.iter(|| {
                let vm = Vm::new(&spec).expect("a branch VM");
                let out = vm.run_node(chunk, black_box(&state), None, budget);
                drop(vm);
                out.expect("the trivial branch runs")
            })
        });
}

fn thread(c: &mut Criterion) {
    // What the engine pays to spawn and join one worker through its runtime seam (the
    // caller is the other worker), with the stack size Lua threads get.
    c.benchmark_group("thread")
        .bench_function("spawn_one", |b| {
            b.iter(|| {
                StdRuntime::run_workers(2, LUA_STACK_SIZE, |w| {
                    black_box(w);
                })
            })
        });
}

criterion_group!(benches, vm, branch, thread);
