//! Fixtures and probes for branchproof's overhead benches.
//!
//! `cargo bench -p benches` runs the criterion benches (`benches/overhead/`);
//! `harness overhead` runs them, adds the deterministic figures from [`probe`] and the
//! callgrind probe (`src/bin/callgrind_probe.rs`), and checks everything against
//! `benches/budgets.yaml`.
#![deny(missing_docs, missing_debug_implementations)]

pub mod fixtures;
pub mod probe;
