//! `harness soak SCENARIO --replay SEED`: rerun one iteration and keep everything it did.
//!
//! The seed is the whole of an iteration's randomness (see [`super::knobs`]), so the replay
//! is the same iteration: same `math.random` values, same chaos, same worker cap, same
//! thread. The iteration runs a second time too, which shows whether its outcome depends on
//! the seed alone.

use engine::{ChaosLevel, Run};

use super::iteration::{execute, run_iteration};
use super::knobs::Knobs;
use crate::outcome::{Fingerprint, Outcome};
use crate::scenario::Scenario;
use crate::util::shell::shell_word;

/// The command that replays iteration `seed` of the scenario in `file`.
pub fn command(
    file: &std::path::Path,
    seed: u64,
    chaos: Option<ChaosLevel>,
    expect: Option<Fingerprint>,
) -> String {
    let mut cmd = format!(
        "harness soak {} --replay {seed}",
        shell_word(&file.display().to_string())
    );
    if let Some(level) = chaos {
        cmd.push_str(&format!(" --chaos {}", level.as_str()));
    }
    if let Some(f) = expect {
        cmd.push_str(&format!(" --expect-fingerprint {f}"));
    }
    cmd
}

/// What a replay did.
#[derive(Debug)]
pub struct Replayed {
    /// The iteration seed.
    pub seed: u64,
    /// Its knobs.
    pub knobs: Knobs,
    /// The run.
    pub run: Run,
    /// How it was judged.
    pub outcome: Outcome,
    /// The usual fingerprint it was compared with, when one was given.
    pub expected: Option<Fingerprint>,
    /// The fingerprint of running the same seed once more.
    pub again: Fingerprint,
}

impl Replayed {
    /// Whether its outcome differs from the usual one it was compared with.
    pub fn diverged(&self) -> bool {
        self.expected
            .is_some_and(|usual| usual != self.outcome.fingerprint)
    }

    /// Whether the failure came back: an invariant violated, or a diverging outcome.
    pub fn reproduced(&self) -> bool {
        !self.outcome.violations.is_empty() || self.diverged()
    }
}

/// Replays iteration `seed` of `scenario`.
pub fn replay(
    scenario: &Scenario,
    seed: u64,
    chaos: Option<ChaosLevel>,
    expected: Option<Fingerprint>,
) -> Replayed {
    let knobs = Knobs::derive(scenario, seed, chaos);
    let (run, outcome) = run_iteration(scenario, seed, &knobs);
    let again = Fingerprint::of(&execute(&scenario.workflow, &scenario.input, seed, &knobs));
    Replayed {
        seed,
        knobs,
        run,
        outcome,
        expected,
        again,
    }
}
