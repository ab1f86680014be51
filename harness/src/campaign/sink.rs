//! Where a soak's iterations end up, in whichever isolation they ran: one aggregator on the
//! caller's thread, which keeps the tally, advances the progress display, notices a bad
//! iteration under `--fail-fast`, and checkpoints the report every [`CHECKPOINT_EVERY`] (or,
//! for a report so large that writing it takes over a tenth of that, ten times as long as the
//! last write took).

use std::time::{Duration, Instant};

use crate::iteration::knobs::{Knobs, Overrides};
use crate::outcome::{Fingerprint, Outcome, Tally};
use crate::scenario::Scenario;

/// How often the report is checkpointed while a scenario runs (at least).
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(2);

/// Writes the report with this scenario's tally so far.
pub type Checkpoint<'a> = dyn FnMut(&Tally, Duration) + 'a;

/// The aggregator of one scenario's iterations.
pub struct Sink<'a> {
    /// What has been recorded.
    pub tally: Tally,
    scenario: &'a Scenario,
    overrides: Overrides,
    progress: &'a (dyn Fn() + Sync),
    checkpoint: &'a mut Checkpoint<'a>,
    fail_fast: bool,
    first_fingerprint: Option<Fingerprint>,
    /// Whether `--fail-fast` saw a bad iteration.
    pub failed_fast: bool,
    /// The lowest bad iteration `--fail-fast` saw.
    pub failed_at: Option<u64>,
    started: Instant,
    last_checkpoint: Instant,
    /// The wait between checkpoints: [`CHECKPOINT_EVERY`], or ten times what the last one
    /// took when that is longer (a huge report is not rewritten more than a tenth of the time).
    interval: Duration,
}

impl std::fmt::Debug for Sink<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sink")
            .field("scenario", &self.scenario.name)
            .field("run", &self.tally.run)
            .finish_non_exhaustive()
    }
}

impl<'a> Sink<'a> {
    /// An aggregator for `scenario`, whose iterations' knobs `overrides` decide with their
    /// seeds.
    pub fn new(
        scenario: &'a Scenario,
        overrides: Overrides,
        fail_fast: bool,
        progress: &'a (dyn Fn() + Sync),
        checkpoint: &'a mut Checkpoint<'a>,
    ) -> Sink<'a> {
        let now = Instant::now();
        Sink {
            tally: Tally {
                knob_outcomes: scenario.deterministic,
                ..Tally::new(
                    scenario
                        .invariants
                        .iter()
                        .map(|i| i.label.clone())
                        .collect(),
                )
            },
            scenario,
            overrides,
            progress,
            checkpoint,
            fail_fast: fail_fast && !scenario.expect_failure,
            first_fingerprint: None,
            failed_fast: false,
            failed_at: None,
            started: now,
            last_checkpoint: now,
            interval: CHECKPOINT_EVERY,
        }
    }

    /// Records iteration `index` with `seed`.
    pub fn record(&mut self, index: u64, seed: u64, outcome: &Outcome) {
        if self.fail_fast {
            let first = *self.first_fingerprint.get_or_insert(outcome.fingerprint);
            if outcome.failed() || (self.scenario.deterministic && first != outcome.fingerprint) {
                self.failed_fast = true;
                self.failed_at = Some(self.failed_at.map_or(index, |at| at.min(index)));
            }
        }
        let knobs = Knobs::derive(self.scenario, seed, &self.overrides).varied(self.scenario);
        self.tally.record(index, seed, outcome, &knobs);
        (self.progress)();
        self.tick();
    }

    /// Checkpoints the report when the last checkpoint is [`CHECKPOINT_EVERY`] old.
    pub fn tick(&mut self) {
        if self.last_checkpoint.elapsed() >= self.interval {
            let began = Instant::now();
            (self.checkpoint)(&self.tally, self.started.elapsed());
            self.last_checkpoint = Instant::now();
            self.interval = CHECKPOINT_EVERY.max(began.elapsed().saturating_mul(10));
        }
    }

    /// Wall time since the scenario started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}
