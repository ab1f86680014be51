//! One iteration's outcome: its fingerprint, a summary, and every invariant it violated, or
//! why it never finished (a hang or a crash, seen from outside the process that ran it).

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
    /// Why it never finished, when it did not: a hang or a crash. Always a failure.
    pub stopped: Option<Stopped>,
}

/// How an iteration that never finished ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    /// It passed a hard deadline (what, and which deadline).
    Hang(String),
    /// The process running it died (how).
    Crash(String),
}

impl Stopped {
    /// `hang` or `crash`.
    pub fn kind(&self) -> &'static str {
        match self {
            Stopped::Hang(_) => "hang",
            Stopped::Crash(_) => "crash",
        }
    }

    /// The hang of an iteration that passed the hard deadline of a whole iteration; `killed`
    /// when its worker process was killed for it.
    pub fn past_deadline(deadline: std::time::Duration, killed: bool) -> Stopped {
        Stopped::Hang(format!(
            "the iteration did not finish within its hard deadline of {}{}",
            humantime::format_duration(deadline),
            if killed {
                " (its worker was killed)"
            } else {
                ""
            }
        ))
    }

    /// What happened, without the kind.
    pub fn describe_cause(self) -> String {
        match self {
            Stopped::Hang(why) | Stopped::Crash(why) => why,
        }
    }

    /// `hang: node `x` did not come back within ...`.
    pub fn describe(&self) -> String {
        match self {
            Stopped::Hang(why) | Stopped::Crash(why) => format!("{}: {why}", self.kind()),
        }
    }
}

impl Outcome {
    /// The outcome of an iteration that never finished.
    pub fn stopped(stopped: Stopped) -> Outcome {
        Outcome {
            fingerprint: Fingerprint(xxhash_rust::xxh3::xxh3_64(stopped.kind().as_bytes())),
            summary: stopped.kind().to_string(),
            violations: Vec::new(),
            stopped: Some(stopped),
        }
    }

    /// Whether it failed on its own: an invariant violated, a hang or a crash. (An outcome
    /// other than the usual one is a failure too, but only the tally knows the usual one.)
    pub fn failed(&self) -> bool {
        !self.violations.is_empty() || self.stopped.is_some()
    }

    /// What failed, as one line: why it stopped, or the first invariant it violated.
    pub fn failure(&self) -> Option<String> {
        match (&self.stopped, self.violations.first()) {
            (Some(stopped), _) => Some(stopped.describe()),
            (None, Some((_, why))) => Some(why.clone()),
            (None, None) => None,
        }
    }

    /// A stable name for the way it failed, to count failures by: `hang`, `crash`, or the
    /// first invariant violated with the outcome (`#1 final_state / lua error at node `a``).
    pub fn signature(&self, labels: &[String]) -> Option<String> {
        match (&self.stopped, self.violations.first()) {
            (Some(stopped), _) => Some(stopped.kind().to_string()),
            (None, Some((index, _))) => Some(format!(
                "{} / {}",
                labels.get(*index).map_or("invariant", String::as_str),
                self.summary
            )),
            (None, None) => None,
        }
    }
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
        stopped: None,
    }
}
