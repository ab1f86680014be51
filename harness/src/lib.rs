//! The harness behind the `harness` CLI: soak, replay and measure branchproof workflows.
//!
//! Layers, each using only the ones below it (`harness/tests/layers` checks it, and that no
//! two modules or folders use each other; this table is its list):
//!
//! | layer | modules | job |
//! |---|---|---|
//! | cmd | [`cmd`] | parse arguments, run a runner, print, write reports; one error type with its exit code |
//! | overhead | [`overhead`] | `harness overhead`: the engine's overhead measured against its budgets, and its report |
//! | mutants | [`mutants`] | `harness mutants`: the detection matrix (which method catches which planted bug, at what effort) and its views |
//! | report | [`report`], [`progress`] | the report models and their views (terminal, JSON, Markdown, JUnit, HTML); progress bars |
//! | replay | [`replay`] | replay tokens, and replaying one (soak or explore) |
//! | campaign | [`campaign`] | the campaign runner: plan, supervised worker processes, protocol, watchdog, stop, sink; soak and explore are its two modes |
//! | explore | [`explore`] | the shuttle side of explore: schedulers, one execution, a scenario's explorer, shrinking, schedule text |
//! | iteration | [`iteration`] | one iteration: its seed and knobs, run on a runtime and judged |
//! | outcome | [`outcome`] | what an iteration ended with (fingerprint, invariants) and what many add up to (tally, classes, rates) |
//! | scenario | [`scenario`], [`mutants::plant`] | scenario files: format, loading, compiled invariants; the engine variants a run may use |
//! | util | [`util`] | exit codes, host figures, shell quoting, input limits |
//!
//! `main.rs` is a thin shell over [`cmd::dispatch`].
#![deny(missing_docs, missing_debug_implementations)]

pub mod campaign;
pub mod cmd;
pub mod explore;
pub mod iteration;
pub mod mutants;
pub mod outcome;
pub(crate) mod overhead;
pub mod progress;
pub mod replay;
pub mod report;
pub mod scenario;

pub mod util;
