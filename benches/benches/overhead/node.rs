//! One node execution on a warm VM, with a small and a large state: state to Lua, the
//! chunk, and the returned table back to JSON.

use std::hint::black_box;
use std::time::Duration;

use benches::fixtures::{
    MEMORY_LIMIT, ROUND_TRIP_NODE, first_chunk, large_state, single_node, small_state,
};
use criterion::{Criterion, criterion_group};
use engine::vm::{Vm, VmSpec};

fn node(c: &mut Criterion) {
    let workflow = single_node(ROUND_TRIP_NODE);
    let chunk = first_chunk(&workflow);
    let vm = Vm::new(&VmSpec::new(7, MEMORY_LIMIT)).expect("a VM");
    let budget = Duration::from_secs(30);
    let mut group = c.benchmark_group("node");
    for (name, state) in [
        ("small_state", small_state()),
        ("large_state", large_state()),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                vm.run_node(chunk, black_box(&state), None, budget)
                    .expect("the node runs")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, node);
