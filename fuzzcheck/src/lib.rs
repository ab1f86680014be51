//! The checks behind branchproof's fuzz targets, as plain functions of the input bytes.
//!
//! `fuzz/fuzz_targets/*.rs` (cargo-fuzz) call them with generated inputs; `tests/replay.rs`
//! replays the committed seeds (`fuzz/seeds/<target>/`) and every crash ever found
//! (`fuzz/regressions/<target>/`) through the same functions on each `cargo nextest run`.
//! A function panics when the property it checks is broken: that is how libFuzzer sees a
//! finding, and how a replayed regression fails its test.

mod bridge_input;
mod leaks;
mod lua_bridge;
mod run_small;
mod yaml_load;

pub use leaks::{MOST_HELPERS, assert_helpers_exit, assert_nothing_left, worker_threads};
pub use lua_bridge::lua_bridge;
pub use run_small::run_small;
pub use yaml_load::yaml_load;
