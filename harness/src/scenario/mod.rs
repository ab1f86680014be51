//! Scenarios: a workflow plus the invariants it must keep, loaded from `scenarios/*.yaml`.

pub mod format;
pub mod invariants;
pub mod load;

pub use load::{Entry, Scenario, load_paths};
