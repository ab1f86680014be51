//! End-to-end tests of `harness explore` and `harness replay`: the real binary on the shipped
//! scenarios and on fixtures in `harness/tests/fixtures/explore/` (the planted race, a
//! `pairs()`-order flake, uncontrolled nondeterminism). Tests run from the workspace root.

#[allow(dead_code)]
#[path = "../soak/common.rs"]
mod common;

mod catch;
mod determinism;
mod handoff;
mod roundtrip;
mod scenarios;
mod snapshot;
mod tokens;

/// The planted race fixture.
pub const PLANTED: &str = "harness/tests/fixtures/explore/planted-race.yaml";
/// The `pairs()`-order flake.
pub const PAIRS: &str = "harness/tests/fixtures/explore/pairs-order.yaml";
