//! branchproof's overhead benches: `cargo bench -p benches`.
//!
//! Bench ids are `group/function[/N]`; `harness overhead` reads their results from
//! criterion's `new/estimates.json` files by these ids, so renaming one is a change to
//! `harness/src/overhead/metrics.rs` too. Pass criterion's own flags after `--`, e.g.
//! `cargo bench -p benches -- --warm-up-time 0.3 --measurement-time 1 fanout`.

mod fanout;
mod lua;
mod memory;
mod node;
mod vm;
mod workflow;

criterion::criterion_main!(
    vm::benches,
    node::benches,
    fanout::benches,
    workflow::benches,
    memory::benches,
    lua::benches
);
