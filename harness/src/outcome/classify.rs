//! Classifying a scenario from its tally: clean, failing (deterministic), flaky.
//!
//! The classes follow the pass/fail split, never the failure text (seed 004's lesson: most
//! "concurrency failures" are test bugs that fail every time, and must not be reported as
//! flakes). An iteration **passes** when it kept every invariant, did not hang or crash,
//! and, in a `deterministic` scenario, ended with the usual outcome (the most common
//! fingerprint among iterations that did not fail on their own). Then:
//!
//! * **clean**: every iteration passed;
//! * **failing**: no iteration passed, even when the failures differ from one iteration to
//!   the next (their distinct signatures are listed with their counts);
//! * **flaky**: some passed and some failed.
//!
//! The usual outcome is only known at the end, which is why this runs on the finished tally.

use serde::{Deserialize, Serialize};

use super::fingerprint::Fingerprint;
use super::tally::{BadIteration, FingerprintCount, Tally};

/// A scenario's class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

impl ReplayTarget {
    /// An iteration that failed on its own.
    pub fn failed(bad: &BadIteration) -> ReplayTarget {
        ReplayTarget {
            iteration: bad.iteration,
            seed: bad.seed,
            reason: bad.message.clone(),
            expect_fingerprint: None,
        }
    }

    /// The example iteration of outcome `c`, which differs from the `usual` one.
    pub fn diverged(c: &FingerprintCount, usual: Fingerprint, reason: String) -> ReplayTarget {
        ReplayTarget {
            iteration: c.example_iteration,
            seed: c.example_seed,
            reason,
            expect_fingerprint: Some(usual),
        }
    }
}

/// The usual outcome and its count (see [`Tally::usual`]).
pub type Usual<'a> = (Fingerprint, &'a FingerprintCount);

/// In a `deterministic` scenario, the lowest iteration whose outcome was not the usual one
/// although it did not fail on its own: its outcome, and the usual one.
pub fn first_divergent(
    tally: &Tally,
    deterministic: bool,
) -> Option<(Fingerprint, &FingerprintCount, Usual<'_>)> {
    let (usual, usual_count) = tally.usual().filter(|_| deterministic)?;
    tally
        .fingerprints
        .iter()
        .filter(|(f, c)| **f != usual && c.count > c.violating)
        .min_by_key(|(_, c)| c.example_iteration)
        .map(|(f, c)| (*f, c, (usual, usual_count)))
}

/// A divergent outcome as a failure signature:
/// "outcome `X` (fingerprint f) instead of the usual `Y`".
pub fn divergence(f: Fingerprint, c: &FingerprintCount, usual: &FingerprintCount) -> String {
    format!(
        "outcome `{}` (fingerprint {f}) instead of the usual `{}`",
        c.summary, usual.summary
    )
}

/// The verdict on one scenario's tally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Its class.
    pub class: Class,
    /// Failing iterations (failed on their own, plus outcomes other than the usual one).
    pub failures: u64,
    /// Iterations whose outcome differed from the usual one (deterministic only).
    pub divergent: u64,
    /// The first bad iteration, when there is one.
    pub replay: Option<ReplayTarget>,
    /// Every way the iterations failed, with how many failed that way, most first.
    pub signatures: Vec<(String, u64)>,
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
            signatures: Vec::new(),
        };
    }
    let usual = tally.usual().filter(|_| deterministic);
    let mut signatures: Vec<(String, u64)> = tally
        .signatures
        .iter()
        .map(|(s, c)| (s.clone(), c.count))
        .collect();
    if tally.signature_overflow > 0 {
        signatures.push(("other ways".into(), tally.signature_overflow));
    }
    let mut divergent = 0;
    if let Some((usual_fp, usual_count)) = usual {
        for (f, c) in tally.fingerprints.iter().filter(|(f, _)| **f != usual_fp) {
            let clean = c.count - c.violating;
            if clean > 0 {
                divergent += clean;
                signatures.push((divergence(*f, c, usual_count), clean));
            }
        }
        let overflow = tally.overflow - tally.overflow_violating;
        if overflow > 0 {
            divergent += overflow;
            signatures.push(("outcomes past the fingerprint table".into(), overflow));
        }
    }
    signatures.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let failures = tally.violating + divergent;
    let class = if failures == 0 {
        Class::Clean
    } else if failures >= n {
        Class::Failing
    } else {
        Class::Flaky
    };
    let replay = replay_target(tally, deterministic, divergent > 0);
    Verdict {
        class,
        failures,
        divergent,
        replay,
        signatures,
    }
}

/// The iteration to replay: the first that violated an invariant, else (given `usual`, when
/// some outcomes diverged from it) the first whose outcome differs from the usual one.
fn replay_target(tally: &Tally, deterministic: bool, divergent: bool) -> Option<ReplayTarget> {
    if let Some(bad) = &tally.first_bad {
        return Some(ReplayTarget::failed(bad));
    }
    if !divergent {
        return None;
    }
    let n = tally.run;
    first_divergent(tally, deterministic).map(|(f, c, (usual_fp, usual_count))| {
        ReplayTarget::diverged(
            c,
            usual_fp,
            format!(
                "its outcome ({}, fingerprint {f}) differs from the usual one ({}, \
                 fingerprint {usual_fp}, {} of {n} iterations)",
                c.summary, usual_count.summary, usual_count.count
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Outcome;

    fn tally(outcomes: &[(u64, &[usize])]) -> Tally {
        let mut t = Tally::new(vec!["#1 lua".into(), "#2 lua".into()]);
        for (i, (f, v)) in outcomes.iter().enumerate() {
            let o = Outcome {
                fingerprint: Fingerprint(*f),
                summary: "ok".into(),
                violations: v.iter().map(|&k| (k, format!("inv {k}"))).collect(),
                stopped: None,
            };
            t.record(i as u64, 100 + i as u64, &o, &[]);
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
    fn different_failures_in_every_iteration_are_failing_with_their_signatures() {
        // A bug that breaks every iteration, with varying symptoms, is not a flake.
        let v = classify(&tally(&[(1, &[1]), (2, &[0]), (1, &[1])]), true);
        assert_eq!((v.class, v.failures), (Class::Failing, 3));
        assert_eq!(
            v.signatures,
            [
                ("#2 lua / ok".to_string(), 2),
                ("#1 lua / ok".to_string(), 1)
            ]
        );
    }

    #[test]
    fn some_failing_iterations_among_passing_ones_are_flaky() {
        // 11 iterations with a violation and 9 without: flaky, not failing.
        let mut outcomes: Vec<(u64, &[usize])> = vec![(7, &[0]); 11];
        outcomes.extend(vec![(8, &[] as &[usize]); 9]);
        let v = classify(&tally(&outcomes), true);
        assert_eq!((v.class, v.failures, v.divergent), (Class::Flaky, 11, 0));
    }

    #[test]
    fn a_hang_or_a_crash_is_a_failure() {
        let mut t = tally(&[(1, &[]), (1, &[])]);
        t.record(
            2,
            102,
            &Outcome::stopped(crate::outcome::evaluate::Stopped::Crash("SIGSEGV".into())),
            &[],
        );
        let v = classify(&t, true);
        assert_eq!((v.class, v.failures), (Class::Flaky, 1));
        assert_eq!(v.replay.unwrap().reason, "crash: SIGSEGV");
        let mut all = Tally::new(vec![]);
        all.record(
            0,
            1,
            &Outcome::stopped(crate::outcome::evaluate::Stopped::Hang("node `x`".into())),
            &[],
        );
        assert_eq!(classify(&all, true).class, Class::Failing);
    }

    #[test]
    fn some_violations_are_flaky_and_replay_the_first() {
        let v = classify(&tally(&[(1, &[]), (2, &[0]), (1, &[]), (2, &[0])]), true);
        // The violating iterations are failures once, not also divergent outcomes.
        assert_eq!((v.class, v.failures, v.divergent), (Class::Flaky, 2, 0));
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
        assert_eq!(classify(&Tally::new(vec![]), true).class, Class::NotRun);
    }
}
