//! Streaming statistics for one scenario: bounded memory whatever the iteration count.
//!
//! Nothing per iteration is kept. A [`Tally`] holds counters, the first violation of each
//! invariant, the first bad iteration, and a table of distinct outcome fingerprints capped at
//! [`FINGERPRINT_CAP`] entries (later newcomers are counted together as overflow). Each soak
//! worker keeps its own tally and they are merged at the end, so workers never contend.
//! "First" always means the lowest iteration index, so results do not depend on which
//! worker happened to finish first.

use std::collections::BTreeMap;

use super::evaluate::Outcome;
use super::fingerprint::Fingerprint;

/// Most distinct fingerprints kept with their own counts.
pub const FINGERPRINT_CAP: usize = 64;

/// One iteration that went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadIteration {
    /// Its index in the scenario.
    pub iteration: u64,
    /// Its seed (`--replay` takes it).
    pub seed: u64,
    /// Why.
    pub message: String,
}

/// Counts for one distinct fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FingerprintCount {
    /// Iterations that ended this way.
    pub count: u64,
    /// Of those, how many violated an invariant.
    pub violating: u64,
    /// The lowest iteration that ended this way, and its seed.
    pub example_iteration: u64,
    /// Seed of the example iteration.
    pub example_seed: u64,
    /// `ok`, or the error kind and node.
    pub summary: String,
}

/// Counts for one invariant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvariantCount {
    /// Iterations that violated it.
    pub violations: u64,
    /// Iterations in which it was the first invariant violated.
    pub first_violated: u64,
    /// Its lowest violating iteration.
    pub first: Option<BadIteration>,
}

/// The streaming statistics of one scenario.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Iterations recorded.
    pub run: u64,
    /// Iterations that violated at least one invariant.
    pub violating: u64,
    /// Per invariant, in `expect:` order.
    pub invariants: Vec<InvariantCount>,
    /// Distinct fingerprints (at most [`FINGERPRINT_CAP`]).
    pub fingerprints: BTreeMap<Fingerprint, FingerprintCount>,
    /// Iterations whose fingerprint did not fit in the table.
    pub overflow: u64,
    /// Of those, how many violated an invariant.
    pub overflow_violating: u64,
    /// The lowest iteration that violated an invariant.
    pub first_bad: Option<BadIteration>,
}

impl Tally {
    /// An empty tally for a scenario with `invariants` per-iteration invariants.
    pub fn new(invariants: usize) -> Tally {
        Tally {
            invariants: vec![InvariantCount::default(); invariants],
            ..Tally::default()
        }
    }

    /// Records one iteration.
    pub fn record(&mut self, iteration: u64, seed: u64, outcome: &Outcome) {
        self.run += 1;
        let violated = !outcome.violations.is_empty();
        if violated {
            self.violating += 1;
        }
        for (n, (index, message)) in outcome.violations.iter().enumerate() {
            let count = &mut self.invariants[*index];
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
        if let Some((_, message)) = outcome.violations.first() {
            let bad = BadIteration {
                iteration,
                seed,
                message: message.clone(),
            };
            keep_lowest(&mut self.first_bad, bad);
        }
        let entry = FingerprintCount {
            count: 1,
            violating: u64::from(violated),
            example_iteration: iteration,
            example_seed: seed,
            summary: outcome.summary.clone(),
        };
        self.add_fingerprint(outcome.fingerprint, entry);
    }

    fn add_fingerprint(&mut self, fingerprint: Fingerprint, entry: FingerprintCount) {
        let full = self.fingerprints.len() >= FINGERPRINT_CAP;
        match self.fingerprints.get_mut(&fingerprint) {
            Some(known) => {
                known.count += entry.count;
                known.violating += entry.violating;
                if entry.example_iteration < known.example_iteration {
                    known.example_iteration = entry.example_iteration;
                    known.example_seed = entry.example_seed;
                }
            }
            None if full => {
                self.overflow += entry.count;
                self.overflow_violating += entry.violating;
            }
            None => {
                self.fingerprints.insert(fingerprint, entry);
            }
        }
    }

    /// Adds another worker's tally of the same scenario into this one.
    pub fn merge(&mut self, other: Tally) {
        self.run += other.run;
        self.violating += other.violating;
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
        for (fingerprint, entry) in other.fingerprints {
            self.add_fingerprint(fingerprint, entry);
        }
        self.overflow += other.overflow;
        self.overflow_violating += other.overflow_violating;
    }

    /// The most common fingerprint (ties go to the one seen at the lowest iteration).
    pub fn modal(&self) -> Option<(Fingerprint, &FingerprintCount)> {
        self.fingerprints
            .iter()
            .max_by(|(_, a), (_, b)| {
                a.count
                    .cmp(&b.count)
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
        }
    }

    #[test]
    fn merged_worker_tallies_equal_one_sequential_tally() {
        let mut sequential = Tally::new(2);
        let (mut even, mut odd) = (Tally::new(2), Tally::new(2));
        for i in 0..100u64 {
            let o = outcome(i % 3, if i % 7 == 3 { &[1, 0] } else { &[] });
            sequential.record(i, i * 10, &o);
            if i % 2 == 0 { &mut even } else { &mut odd }.record(i, i * 10, &o);
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
    fn the_fingerprint_table_is_capped() {
        let mut tally = Tally::new(0);
        let n = FINGERPRINT_CAP as u64 + 36;
        for i in 0..n {
            tally.record(i, i, &outcome(i, &[]));
        }
        assert_eq!(tally.fingerprints.len(), FINGERPRINT_CAP);
        assert_eq!(tally.overflow, 36);
        assert_eq!(tally.run, n);
    }

    #[test]
    fn modal_is_the_most_common_fingerprint() {
        let mut tally = Tally::new(0);
        for i in 0..10 {
            tally.record(i, i, &outcome(if i == 4 { 9 } else { 1 }, &[]));
        }
        let (f, c) = tally.modal().unwrap();
        assert_eq!((f, c.count), (Fingerprint(1), 9));
    }
}
