//! VM lifecycle: create, drop, one branch end to end, and the thread spawn the floor uses.

use std::hint::black_box;

use benches::fixtures::{
    BenchVm, MEMORY_LIMIT, TRIVIAL_BRANCH, branch_spec, budget, chunk, small_state,
};
use criterion::{BatchSize, Criterion, criterion_group};
use engine::seams::VmSpec;
use engine::sync::{LUA_STACK_SIZE, Runtime, StdRuntime};

fn vm(c: &mut Criterion) {
    let mut group = c.benchmark_group("vm");
    let spec = VmSpec::new(7, MEMORY_LIMIT);
    group.bench_function("create", |b| {
        b.iter_with_large_drop(|| BenchVm::new(black_box(&spec)).expect("a VM"))
    });
    group.bench_function("drop", |b| {
        b.iter_batched(
            || BenchVm::new(&spec).expect("a VM"),
            drop,
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn branch(c: &mut Criterion) {
    let chunk = &chunk(TRIVIAL_BRANCH);
    let state = small_state();
    let spec = branch_spec(7);
    c.benchmark_group("branch")
        .bench_function("end_to_end", |b| {
            b.iter(|| {
                let vm = BenchVm::new(&spec).expect("a branch VM");
                let out = vm.run_node(chunk, black_box(&state), None, budget());
                drop(vm);
                out.expect("the trivial branch runs")
            })
        });
}

fn thread(c: &mut Criterion) {
    // What the engine pays to hand one worker its share through its runtime seam and wait for
    // it, back to back (a helper kept from the call before; the caller is the other worker),
    // with the stack size Lua threads get.
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
