//! Streaming statistics for one scenario: bounded memory whatever the iteration count.
//!
//! Nothing per iteration is kept. A [`Tally`] holds counters, the first violation of each
//! invariant, the first bad iteration, the exact count of every distinct outcome fingerprint
//! up to [`FINGERPRINT_CAP`] of them (past that bound the run has "too many outcomes", and
//! later newcomers are counted together as overflow), and per value of each knob the harness
//! varied (worker cap, engine thread) the same counts again, so a flake's rate can be split by
//! knob once the usual outcome is known. Tallies merge ([`Tally::merge`]): the same counts as
//! one tally of both, whichever worker or shard counted what. "First" always means the lowest
//! iteration index, so results do not depend on which worker happened to finish first. A
//! tally is serialized whole into `report.json`, which is what `harness report merge` adds.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::evaluate::{Outcome, Stopped};
use super::fingerprint::Fingerprint;

/// Most distinct fingerprints counted exactly; a run with more has "too many outcomes".
pub const FINGERPRINT_CAP: usize = 100_000;
/// Most distinct failure signatures kept with their own counts.
pub const SIGNATURE_CAP: usize = 1_000;

/// One iteration that went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadIteration {
    /// Its index in the scenario.
    pub iteration: u64,
    /// Its seed (`--replay` takes it).
    #[serde(with = "crate::util::serde_u64")]
    pub seed: u64,
    /// Why.
    pub message: String,
}

/// Counts for one distinct fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FingerprintCount {
    /// Iterations that ended this way.
    pub count: u64,
    /// Of those, how many violated an invariant.
    pub violating: u64,
    /// The lowest iteration that ended this way, and its seed.
    pub example_iteration: u64,
    /// Seed of the example iteration.
    #[serde(with = "crate::util::serde_u64")]
    pub example_seed: u64,
    /// `ok`, or the error kind and node.
    pub summary: String,
}

/// Counts for one invariant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvariantCount {
    /// Iterations that violated it.
    pub violations: u64,
    /// Iterations in which it was the first invariant violated.
    pub first_violated: u64,
    /// Its lowest violating iteration.
    pub first: Option<BadIteration>,
}

/// Counts for one way of failing (see [`Outcome::signature`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureCount {
    /// Iterations that failed this way.
    pub count: u64,
    /// The lowest of them.
    pub first: BadIteration,
}

/// Counts for one value of one knob (`workers=1`): iterations, and how they ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnobCount {
    /// Iterations that ran with this value.
    pub run: u64,
    /// Of those, how many failed on their own.
    pub violating: u64,
    /// Per fingerprint of the tally's table: iterations, and how many failed on their own.
    pub fingerprints: BTreeMap<Fingerprint, [u64; 2]>,
    /// Iterations whose fingerprint did not fit in the table, and how many failed.
    pub overflow: [u64; 2],
}

/// The streaming statistics of one scenario.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// The invariants' labels (`#1 lua`), in `expect:` order.
    pub labels: Vec<String>,
    /// Iterations recorded.
    pub run: u64,
    /// Iterations that failed on their own: violated an invariant, hung or crashed.
    pub violating: u64,
    /// Of those, how many hung or crashed.
    pub stopped: u64,
    /// Of those, how many hung.
    pub hangs: u64,
    /// Failing iterations by the way they failed (at most [`SIGNATURE_CAP`] ways).
    pub signatures: BTreeMap<String, SignatureCount>,
    /// Per invariant, in `expect:` order.
    pub invariants: Vec<InvariantCount>,
    /// Distinct fingerprints (at most [`FINGERPRINT_CAP`]).
    pub fingerprints: BTreeMap<Fingerprint, FingerprintCount>,
    /// Iterations whose fingerprint did not fit in the table.
    pub overflow: u64,
    /// Of those, how many failed on their own.
    pub overflow_violating: u64,
    /// Failing iterations whose way of failing did not fit in the signature table.
    pub signature_overflow: u64,
    /// The lowest iteration that failed on its own.
    pub first_bad: Option<BadIteration>,
    /// Per knob value (`workers=1`, `engine_thread=spawned`), what its iterations did.
    #[serde(default)]
    pub knobs: BTreeMap<String, KnobCount>,
    /// Whether knob values count their iterations per outcome too: only a deterministic
    /// scenario needs it (an outcome other than the usual one fails there), and a scenario
    /// whose every iteration ends its own way would otherwise keep a table per knob value.
    #[serde(default)]
    pub knob_outcomes: bool,
}

impl Tally {
    /// An empty tally for a scenario whose per-iteration invariants have these labels.
    pub fn new(labels: Vec<String>) -> Tally {
        Tally {
            invariants: vec![InvariantCount::default(); labels.len()],
            labels,
            ..Tally::default()
        }
    }

    /// Records one iteration, which ran with these knob values (`workers=1`).
    pub fn record(&mut self, iteration: u64, seed: u64, outcome: &Outcome, knobs: &[String]) {
        self.run += 1;
        let violated = outcome.failed();
        if violated {
            self.violating += 1;
        }
        if let Some(stopped) = &outcome.stopped {
            self.stopped += 1;
            self.hangs += u64::from(matches!(stopped, Stopped::Hang(_)));
        }
        for (n, (index, message)) in outcome.violations.iter().enumerate() {
            // An index this tally does not know (a worker that loaded another scenario)
            // is not counted rather than taking the run down.
            let Some(count) = self.invariants.get_mut(*index) else {
                continue;
            };
            count.violations += 1;
            if n == 0 {
                count.first_violated += 1;
            }
            keep_lowest(
                &mut count.first,
                BadIteration {
                    iteration,
                    seed,
                    message: message.clone(),
                },
            );
        }
        if let (Some(message), Some(signature)) =
            (outcome.failure(), outcome.signature(&self.labels))
        {
            let bad = BadIteration {
                iteration,
                seed,
                message,
            };
            self.add_signature(
                signature,
                SignatureCount {
                    count: 1,
                    first: bad.clone(),
                },
            );
            keep_lowest(&mut self.first_bad, bad);
        }
        let entry = FingerprintCount {
            count: 1,
            violating: u64::from(violated),
            example_iteration: iteration,
            example_seed: seed,
            summary: outcome.summary.clone(),
        };
        let fits = self.add_fingerprint(outcome.fingerprint, entry);
        let failed = u64::from(violated);
        for knob in knobs {
            let count = self.knobs.entry(knob.clone()).or_default();
            count.run += 1;
            count.violating += failed;
            if !self.knob_outcomes {
                continue;
            }
            let slot = if fits {
                count.fingerprints.entry(outcome.fingerprint).or_default()
            } else {
                &mut count.overflow
            };
            slot[0] += 1;
            slot[1] += failed;
        }
    }

    /// Why the tally cannot be what a run counted (a report edited or damaged by hand):
    /// its iterations are not those of its outcomes, a count exceeds its whole, a table
    /// holds more entries than its cap, or an entry counts nothing (a tally only makes an
    /// entry for an iteration).
    pub fn inconsistency(&self) -> Option<String> {
        if self.fingerprints.len() > FINGERPRINT_CAP || self.signatures.len() > SIGNATURE_CAP {
            return Some(format!(
                "it holds {} outcomes and {} ways of failing, past the caps of \
                 {FINGERPRINT_CAP} and {SIGNATURE_CAP}",
                self.fingerprints.len(),
                self.signatures.len()
            ));
        }
        if self.fingerprints.values().any(|c| c.count == 0)
            || self.signatures.values().any(|c| c.count == 0)
            || self.knobs.values().any(|k| k.run == 0)
        {
            return Some("an outcome, a way of failing or a knob value counts 0 iterations".into());
        }
        let outcomes = self
            .fingerprints
            .values()
            .try_fold(self.overflow, |sum, c| sum.checked_add(c.count));
        if outcomes != Some(self.run) {
            return Some(format!(
                "its {} iterations are not the sum of its outcomes' counts",
                self.run
            ));
        }
        let signatures = self
            .signatures
            .values()
            .try_fold(self.signature_overflow, |sum, c| sum.checked_add(c.count));
        if self.violating > self.run
            || self.stopped > self.violating
            || self.hangs > self.stopped
            || signatures.is_none_or(|n| n > self.violating)
            || self
                .invariants
                .iter()
                .any(|c| c.violations > self.violating)
            || self.fingerprints.values().any(|c| c.violating > c.count)
            || self
                .knobs
                .values()
                .any(|k| k.run > self.run || k.violating > k.run)
        {
            return Some("a count exceeds the iterations it is part of".into());
        }
        None
    }

    /// Whether more distinct outcomes came than the table counts exactly.
    pub fn too_many_outcomes(&self) -> bool {
        self.overflow > 0
    }

    fn add_signature(&mut self, signature: String, entry: SignatureCount) {
        let full = self.signatures.len() >= SIGNATURE_CAP;
        match self.signatures.get_mut(&signature) {
            Some(known) => {
                known.count += entry.count;
                if entry.first.iteration < known.first.iteration {
                    known.first = entry.first;
                }
            }
            None if full => self.signature_overflow += entry.count,
            None => {
                self.signatures.insert(signature, entry);
            }
        }
    }

    /// Counts `entry` under `fingerprint`; false when the table is full and it went to the
    /// overflow.
    fn add_fingerprint(&mut self, fingerprint: Fingerprint, entry: FingerprintCount) -> bool {
        let full = self.fingerprints.len() >= FINGERPRINT_CAP;
        match self.fingerprints.get_mut(&fingerprint) {
            Some(known) => {
                known.count += entry.count;
                known.violating += entry.violating;
                if entry.example_iteration < known.example_iteration {
                    known.example_iteration = entry.example_iteration;
                    known.example_seed = entry.example_seed;
                }
                true
            }
            None if full => {
                self.overflow += entry.count;
                self.overflow_violating += entry.violating;
                false
            }
            None => {
                self.fingerprints.insert(fingerprint, entry);
                true
            }
        }
    }

    /// Adds another worker's tally of the same scenario into this one.
    pub fn merge(&mut self, other: Tally) {
        self.knob_outcomes |= other.knob_outcomes;
        self.run += other.run;
        self.violating += other.violating;
        self.stopped += other.stopped;
        self.hangs += other.hangs;
        if self.labels.is_empty() {
            self.labels = other.labels.clone();
        }
        for (signature, entry) in other.signatures {
            self.add_signature(signature, entry);
        }
        self.signature_overflow += other.signature_overflow;
        if self.invariants.len() < other.invariants.len() {
            self.invariants
                .resize(other.invariants.len(), InvariantCount::default());
        }
        for (mine, theirs) in self.invariants.iter_mut().zip(other.invariants) {
            mine.violations += theirs.violations;
            mine.first_violated += theirs.first_violated;
            if let Some(bad) = theirs.first {
                keep_lowest(&mut mine.first, bad);
            }
        }
        if let Some(bad) = other.first_bad {
            keep_lowest(&mut self.first_bad, bad);
        }
        let mut spilled = std::collections::BTreeSet::new();
        for (fingerprint, entry) in other.fingerprints {
            if !self.add_fingerprint(fingerprint, entry) {
                spilled.insert(fingerprint);
            }
        }
        self.overflow += other.overflow;
        self.overflow_violating += other.overflow_violating;
        for (knob, theirs) in other.knobs {
            let mine = self.knobs.entry(knob).or_default();
            mine.run += theirs.run;
            mine.violating += theirs.violating;
            for (fingerprint, [count, violating]) in theirs.fingerprints {
                let slot = if spilled.contains(&fingerprint) {
                    &mut mine.overflow
                } else {
                    mine.fingerprints.entry(fingerprint).or_default()
                };
                slot[0] += count;
                slot[1] += violating;
            }
            mine.overflow[0] += theirs.overflow[0];
            mine.overflow[1] += theirs.overflow[1];
        }
    }

    /// The usual outcome: the fingerprint most iterations that did not fail on their own
    /// ended with (ties go to the one seen at the lowest iteration); `None` when every
    /// iteration failed on its own.
    pub fn usual(&self) -> Option<(Fingerprint, &FingerprintCount)> {
        self.fingerprints
            .iter()
            .filter(|(_, c)| c.count > c.violating)
            .max_by(|(_, a), (_, b)| {
                (a.count - a.violating)
                    .cmp(&(b.count - b.violating))
                    .then(b.example_iteration.cmp(&a.example_iteration))
            })
            .map(|(f, c)| (*f, c))
    }
}

fn keep_lowest(slot: &mut Option<BadIteration>, candidate: BadIteration) {
    if slot
        .as_ref()
        .is_none_or(|known| candidate.iteration < known.iteration)
    {
        *slot = Some(candidate);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(fingerprint: u64, violations: &[usize]) -> Outcome {
        Outcome {
            fingerprint: Fingerprint(fingerprint),
            summary: "ok".into(),
            violations: violations
                .iter()
                .map(|&i| (i, format!("inv {i}")))
                .collect(),
            stopped: None,
        }
    }

    fn labels(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("#{i} lua")).collect()
    }

    #[test]
    fn merged_worker_tallies_equal_one_sequential_tally() {
        let mut sequential = Tally::new(labels(2));
        let (mut even, mut odd) = (Tally::new(labels(2)), Tally::new(labels(2)));
        for i in 0..100u64 {
            let o = outcome(i % 3, if i % 7 == 3 { &[1, 0] } else { &[] });
            sequential.record(i, i * 10, &o, &[]);
            if i % 2 == 0 { &mut even } else { &mut odd }.record(i, i * 10, &o, &[]);
        }
        odd.merge(even);
        assert_eq!(odd.run, sequential.run);
        assert_eq!(odd.violating, sequential.violating);
        assert_eq!(odd.invariants, sequential.invariants);
        assert_eq!(odd.fingerprints, sequential.fingerprints);
        assert_eq!(odd.first_bad, sequential.first_bad);
        assert_eq!(sequential.first_bad.as_ref().unwrap().iteration, 3);
        assert_eq!(sequential.invariants[1].first_violated, 14);
        assert_eq!(sequential.invariants[0].first_violated, 0);
    }

    #[test]
    fn a_tally_edited_by_hand_is_found_out() {
        let mut tally = Tally::new(labels(1));
        for i in 0..10 {
            tally.record(i, i, &outcome(i % 2, if i == 3 { &[0] } else { &[] }), &[]);
        }
        assert_eq!(tally.inconsistency(), None, "a real tally is consistent");
        let mut huge = tally.clone();
        huge.signatures
            .values_mut()
            .for_each(|c| c.count = u64::MAX);
        assert!(
            huge.inconsistency().is_some(),
            "a signature count past the failures"
        );
        let mut huge = tally.clone();
        huge.invariants[0].violations = 11;
        assert!(
            huge.inconsistency().is_some(),
            "more violations than failures"
        );
        let mut short = tally.clone();
        short.run = 9;
        assert!(
            short.inconsistency().is_some(),
            "iterations not the sum of outcomes"
        );
        let mut overflow = tally;
        overflow.overflow = u64::MAX;
        assert!(overflow.inconsistency().is_some(), "a sum that overflows");
    }

    #[test]
    fn the_fingerprint_table_is_capped() {
        let mut tally = Tally::new(labels(0));
        let n = FINGERPRINT_CAP as u64 + 36;
        for i in 0..n {
            tally.record(i, i, &outcome(i, &[]), &[]);
        }
        assert_eq!(tally.fingerprints.len(), FINGERPRINT_CAP);
        assert_eq!(tally.overflow, 36);
        assert!(tally.too_many_outcomes());
        assert_eq!(tally.run, n);
    }

    #[test]
    fn the_usual_outcome_is_the_most_common_one_that_did_not_fail() {
        let mut tally = Tally::new(labels(1));
        for i in 0..10 {
            tally.record(i, i, &outcome(if i == 4 { 9 } else { 1 }, &[]), &[]);
        }
        let (f, c) = tally.usual().unwrap();
        assert_eq!((f, c.count), (Fingerprint(1), 9));
        // Iterations that violated an invariant do not make their outcome the usual one.
        let mut tally = Tally::new(labels(1));
        for i in 0..10 {
            let violations: &[usize] = if i < 7 { &[0] } else { &[] };
            tally.record(i, i, &outcome(if i < 7 { 5 } else { 6 }, violations), &[]);
        }
        assert_eq!(tally.usual().unwrap().0, Fingerprint(6));
        let mut all_bad = Tally::new(labels(1));
        all_bad.record(0, 0, &outcome(5, &[0]), &[]);
        assert_eq!(all_bad.usual(), None);
    }

    #[test]
    fn failures_are_counted_by_signature_with_their_first_iteration() {
        let mut tally = Tally::new(labels(2));
        for i in 0..6u64 {
            let violations: &[usize] = if i % 2 == 0 { &[1] } else { &[0, 1] };
            tally.record(10 - i, i, &outcome(1, violations), &[]);
        }
        tally.record(
            20,
            7,
            &Outcome::stopped(crate::outcome::evaluate::Stopped::Hang("x".into())),
            &[],
        );
        let rows: Vec<(&str, u64, u64)> = tally
            .signatures
            .iter()
            .map(|(s, c)| (s.as_str(), c.count, c.first.iteration))
            .collect();
        assert_eq!(
            rows,
            [
                ("#1 lua / ok", 3, 5),
                ("#2 lua / ok", 3, 6),
                ("hang", 1, 20)
            ]
        );
        assert_eq!((tally.violating, tally.stopped), (7, 1));
    }

    #[test]
    fn a_violation_of_an_invariant_the_tally_does_not_know_is_not_a_panic() {
        let mut tally = Tally::new(vec!["#1 lua".into()]);
        tally.record(0, 1, &outcome(7, &[0, 3]), &[]);
        assert_eq!(tally.invariants[0].violations, 1);
        assert_eq!(tally.violating, 1);
    }

    #[test]
    fn hangs_are_counted_past_the_signature_table() {
        let mut tally = Tally::new(vec!["#1 lua".into()]);
        // A different way of failing each time fills the signature table first.
        let cap = SIGNATURE_CAP as u64;
        for i in 0..cap + 5 {
            let mut o = outcome(i, &[0]);
            o.summary = format!("lua error {i}");
            tally.record(i, i, &o, &[]);
        }
        assert!(tally.signature_overflow > 0);
        for i in 0..3 {
            tally.record(
                cap + 5 + i,
                i,
                &Outcome::stopped(Stopped::Hang("late".into())),
                &[],
            );
        }
        assert_eq!(tally.hangs, 3);
    }
}
