//! Property tests over random workflows (issue 5): parallel runs equal the sequential
//! reference, branch globals never leak, and a workflow survives a trip through YAML.
//!
//! Case counts are set so each property takes seconds in CI; `PROPTEST_CASES=N` runs more.
//! Failures are saved under `engine/proptest-regressions/` and replayed first on later runs.

mod build;
mod conditions;
mod coverage;
mod isolation;
mod lua;
mod parallel;
mod round_trip;
mod spec;

use proptest::test_runner::{Config, FileFailurePersistence};

/// A proptest config with `default` cases (or `PROPTEST_CASES` when set) that saves failing
/// cases to `engine/proptest-regressions/<name>.txt` (tests run in the crate directory).
pub fn config(default: u32, name: &'static str) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    Config {
        cases,
        // Shrinking re-runs whole workflows; bound it so a failure reports in seconds.
        max_shrink_iters: 2048,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(name))),
        ..Config::default()
    }
}
