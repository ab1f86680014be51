//! Classifying a scenario from its tally: clean, failing (deterministic), flaky.
//!
//! Seed 004's lesson is that most "concurrency failures" are test bugs that fail every time,
//! and they must not be reported as flakes. So:
//!
//! * **clean**: no iteration violated an invariant and (when `deterministic`) every iteration
//!   had the same outcome fingerprint;
//! * **failing**: every iteration violated, and the same invariant was the first one violated
//!   in all of them;
//! * **flaky**: anything in between: some iterations violated, or the fingerprints differ.
//!
//! A failing iteration is one that violated an invariant or, for a `deterministic` scenario,
//! ended with a fingerprint other than the most common one. The most common one is only
//! known at the end, which is why this runs on the finished tally.

use serde::Serialize;

use super::fingerprint::Fingerprint;
use super::tally::Tally;

/// A scenario's class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Every iteration kept every invariant, with one outcome.
    Clean,
    /// Every iteration violated the same invariant.
    Failing,
    /// Some iterations went wrong and others did not.
    Flaky,
    /// The scenario could not be loaded or run.
    Error,
    /// Not started (`--fail-fast`, or interrupted).
    NotRun,
}

impl Class {
    /// The snake_case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Clean => "clean",
            Class::Failing => "failing",
            Class::Flaky => "flaky",
            Class::Error => "error",
            Class::NotRun => "not_run",
        }
    }
}

/// The iteration a replay command should reproduce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayTarget {
    /// Its index.
    pub iteration: u64,
    /// Its seed.
    pub seed: u64,
    /// What went wrong in it.
    pub reason: String,
    /// For an outcome that only differs from the usual one: the usual fingerprint, which the
    /// replay compares against (`--expect-fingerprint`).
    pub expect_fingerprint: Option<Fingerprint>,
}

/// The verdict on one scenario's tally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Its class.
    pub class: Class,
    /// Failing iterations (violations, plus outcomes other than the usual one).
    pub failures: u64,
    /// Iterations whose outcome differed from the most common one (deterministic only).
    pub divergent: u64,
    /// The first bad iteration, when there is one.
    pub replay: Option<ReplayTarget>,
}

/// Classifies a tally. `deterministic` is the scenario's `expect: deterministic`.
pub fn classify(tally: &Tally, deterministic: bool) -> Verdict {
    let n = tally.run;
    if n == 0 {
        return Verdict {
            class: Class::NotRun,
            failures: 0,
            divergent: 0,
            replay: None,
        };
    }
    let modal = tally.modal();
    let (failures, divergent) = match (deterministic, modal) {
        (true, Some((usual, usual_count))) => {
            let others: u64 = tally
                .fingerprints
                .iter()
                .filter(|(f, _)| **f != usual)
                .map(|(_, c)| c.count)
                .sum::<u64>()
                + tally.overflow;
            (usual_count.violating + others, others)
        }
        _ => (tally.violating, 0),
    };
    let same_invariant_every_time =
        tally.violating == n && tally.invariants.iter().any(|c| c.first_violated == n);
    let class = if failures == 0 {
        Class::Clean
    } else if same_invariant_every_time {
        Class::Failing
    } else {
        Class::Flaky
    };
    let replay = if let Some(bad) = &tally.first_bad {
        Some(ReplayTarget {
            iteration: bad.iteration,
            seed: bad.seed,
            reason: bad.message.clone(),
            expect_fingerprint: None,
        })
    } else if divergent > 0 {
        let (usual, usual_count) = modal.expect("divergent outcomes imply a table");
        tally
            .fingerprints
            .iter()
            .filter(|(f, _)| **f != usual)
            .min_by_key(|(_, c)| c.example_iteration)
            .map(|(f, c)| ReplayTarget {
                iteration: c.example_iteration,
                seed: c.example_seed,
                reason: format!(
                    "its outcome ({}, fingerprint {f}) differs from the usual one ({}, \
                     fingerprint {usual}, {} of {n} iterations)",
                    c.summary, usual_count.summary, usual_count.count
                ),
                expect_fingerprint: Some(usual),
            })
    } else {
        None
    };
    Verdict {
        class,
        failures,
        divergent,
        replay,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Outcome;

    fn tally(outcomes: &[(u64, &[usize])]) -> Tally {
        let mut t = Tally::new(2);
        for (i, (f, v)) in outcomes.iter().enumerate() {
            let o = Outcome {
                fingerprint: Fingerprint(*f),
                summary: "ok".into(),
                violations: v.iter().map(|&k| (k, format!("inv {k}"))).collect(),
            };
            t.record(i as u64, 100 + i as u64, &o);
        }
        t
    }

    #[test]
    fn one_outcome_and_no_violation_is_clean() {
        let v = classify(&tally(&[(1, &[]), (1, &[]), (1, &[])]), true);
        assert_eq!((v.class, v.failures, v.replay), (Class::Clean, 0, None));
    }

    #[test]
    fn the_same_violation_every_time_is_failing_not_flaky() {
        let v = classify(&tally(&[(1, &[1]), (1, &[1, 0]), (1, &[1])]), true);
        assert_eq!((v.class, v.failures), (Class::Failing, 3));
        assert_eq!(v.replay.unwrap().seed, 100);
    }

    #[test]
    fn different_violations_every_time_are_flaky() {
        let v = classify(&tally(&[(1, &[1]), (1, &[0])]), true);
        assert_eq!(v.class, Class::Flaky);
    }

    #[test]
    fn some_violations_are_flaky_and_replay_the_first() {
        let v = classify(&tally(&[(1, &[]), (2, &[0]), (1, &[]), (2, &[0])]), true);
        assert_eq!((v.class, v.failures, v.divergent), (Class::Flaky, 2, 2));
        let target = v.replay.unwrap();
        assert_eq!((target.iteration, target.seed), (1, 101));
        assert_eq!(target.expect_fingerprint, None);
    }

    #[test]
    fn differing_outcomes_alone_are_flaky_with_the_usual_fingerprint_to_compare() {
        let v = classify(&tally(&[(7, &[]), (7, &[]), (8, &[]), (7, &[])]), true);
        assert_eq!((v.class, v.failures, v.divergent), (Class::Flaky, 1, 1));
        let target = v.replay.unwrap();
        assert_eq!(target.iteration, 2);
        assert_eq!(target.expect_fingerprint, Some(Fingerprint(7)));
    }

    #[test]
    fn differing_outcomes_are_fine_when_not_deterministic() {
        let v = classify(&tally(&[(7, &[]), (8, &[]), (9, &[])]), false);
        assert_eq!(v.class, Class::Clean);
    }

    #[test]
    fn nothing_run_is_not_run() {
        assert_eq!(classify(&Tally::new(1), true).class, Class::NotRun);
    }
}
