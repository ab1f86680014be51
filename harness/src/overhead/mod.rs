//! `harness overhead`: runs the criterion benches, the memory probe and the callgrind
//! probe, and turns one run's figures into a report with budgets and verdicts.

pub mod alternate;
pub mod args;
pub mod budgets;
pub mod build;
pub mod callgrind;
pub mod chart;
pub mod criterion;
pub mod error;
pub mod fanout;
pub mod html;
pub mod json;
pub mod markdown;
pub mod metrics;
pub mod report;
pub mod runner;
pub mod span;
pub mod summary;
pub mod write;
