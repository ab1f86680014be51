//! `harness overhead` end to end: budgets, verdicts, `--check`, the report files.
//!
//! These run the real binary with `--no-bench` (criterion's results come from a directory
//! the test fills in criterion's own file format) and `--no-callgrind`, so they take
//! seconds; the memory probe always runs for real. No test asserts on a time measured
//! here: timing figures only ever come from the fixture files.

mod check;
mod common;
mod report;
