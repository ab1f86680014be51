//! Memory per VM. criterion times the creation of 1,000 live VMs; the memory figures
//! themselves (`used_memory`, RSS growth per live VM) are deterministic and come from
//! `benches::probe::memory`, printed here and checked by `harness overhead`.

use benches::fixtures::{BenchVm, MEMORY_LIMIT};
use benches::probe;
use criterion::{Criterion, criterion_group};
use engine::seams::VmSpec;

const LIVE: usize = 1000;

fn memory(c: &mut Criterion) {
    let m = probe::memory(LIVE);
    eprintln!(
        "memory per VM: used_memory {} B fresh, {} B after a chunk; RSS growth {} with {} live VMs",
        m.fresh_used,
        m.after_chunk_used,
        m.rss_per_live_vm
            .map_or("unavailable".to_string(), |b| format!("{b:.0} B per VM")),
        m.live_vms
    );
    let spec = VmSpec::new(7, MEMORY_LIMIT);
    let mut group = c.benchmark_group("memory");
    group.sample_size(10);
    group.bench_function("live_1000", |b| {
        // Vm is !Send: the 1,000 VMs live in a Vec on this thread.
        b.iter_with_large_drop(|| {
            (0..LIVE)
                .map(|_| BenchVm::new(&spec).expect("a VM"))
                .collect::<Vec<_>>()
        })
    });
    group.finish();
}

criterion_group!(benches, memory);
