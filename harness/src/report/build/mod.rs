//! Building the report from what the soak measured, and the exit code it implies.

mod run;
mod scenario;

pub use run::{RunInfo, force_final, host_load, per_second, report, workers};
// The HTML view's tests make their reports' totals and exit codes by hand.
#[cfg(test)]
pub use run::{exit_code, totals};
pub use scenario::{Meta, Span, not_ran, ran};
