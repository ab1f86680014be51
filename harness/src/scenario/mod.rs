//! Scenarios: a workflow plus the invariants it must keep, loaded from `scenarios/*.yaml`.
//! The bottom layer of the harness: it knows nothing of how scenarios are run.

pub mod error;
pub mod expect;
pub mod format;
pub mod load;
pub mod named;
pub mod project;

pub use error::ScenarioError;
pub use load::{Entry, Scenario, load_paths};
