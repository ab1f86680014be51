//! The harness behind the `harness` CLI: soak, replay and measure branchproof workflows.
//!
//! Layers, each using only the ones below it (a test checks there is no cycle):
//!
//! | layer | modules | job |
//! |---|---|---|
//! | cmd | [`cmd`], [`progress`] | parse arguments, run a runner, print, write reports; one error type with its exit code |
//! | report | [`report`], [`overhead`] | the report models and their views (terminal, JSON, Markdown, JUnit, HTML) |
//! | replay | [`replay`] | replay tokens, and replaying one (soak or explore) |
//! | runners | [`soak`], [`explore`] | run scenario iterations: soak on real threads (in supervised worker processes), explore under shuttle's schedules |
//! | outcome | [`outcome`] | what an iteration ended with (fingerprint, invariants) and what many add up to (tally, classes, rates) |
//! | scenario | [`scenario`], [`mutant`] | scenario files: format, loading, compiled invariants; the engine variants a run may use |
//! | util | [`util`] | exit codes, host figures, shell quoting |
//!
//! `main.rs` is a thin shell over [`cmd::dispatch`].
#![deny(missing_docs, missing_debug_implementations)]

pub mod campaign;
pub mod cmd;
pub mod detect;
pub mod explore;
pub mod iteration;
pub mod mutant;
pub mod outcome;
pub mod overhead;
pub mod progress;
pub mod replay;
pub mod report;
pub mod scenario;

pub mod util;
