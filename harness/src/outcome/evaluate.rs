//! One iteration's outcome: its fingerprint, a summary, and every invariant it violated.

use engine::Run;

use super::check::{Observed, Rerun, check};
use super::fingerprint::{Fingerprint, summary};
use crate::scenario::Scenario;

/// What one iteration ended with.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Its fingerprint.
    pub fingerprint: Fingerprint,
    /// `ok`, or the error kind and node.
    pub summary: String,
    /// `(invariant index, why)` for every invariant it violated, in `expect:` order.
    pub violations: Vec<(usize, String)>,
}

/// Checks `run` against the scenario's invariants; `rerun` reruns the same iteration (for
/// `reproducible` and `equivalent_to`).
pub fn evaluate(scenario: &Scenario, run: &Run, rerun: &Rerun<'_>) -> Outcome {
    let fingerprint = Fingerprint::of(run);
    let seen = Observed { run, fingerprint };
    let violations = scenario
        .invariants
        .iter()
        .enumerate()
        .filter_map(|(i, inv)| {
            check(inv, &seen, rerun)
                .err()
                .map(|why| (i, format!("{}: {why}", inv.label)))
        })
        .collect();
    Outcome {
        fingerprint,
        summary: summary(run),
        violations,
    }
}
