//! One node execution on a warm VM, with a small and a large state: state to Lua, the
//! chunk, and the returned table back to JSON.

use std::hint::black_box;

use benches::fixtures::{
    BenchVm, MEMORY_LIMIT, ROUND_TRIP_NODE, budget, chunk, large_state, small_state,
};
use criterion::{Criterion, criterion_group};
use engine::seams::VmSpec;

fn node(c: &mut Criterion) {
    let chunk = &chunk(ROUND_TRIP_NODE);
    let vm = BenchVm::new(&VmSpec::new(7, MEMORY_LIMIT)).expect("a VM");
    let mut group = c.benchmark_group("node");
    for (name, state) in [
        ("small_state", small_state()),
        ("large_state", large_state()),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                vm.run_node(chunk, black_box(&state), None, budget())
                    .expect("the node runs")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, node);
