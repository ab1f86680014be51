//! `harness soak SCENARIO --replay SEED`: rerun one iteration and show everything it did.
//!
//! The seed is the whole of an iteration's randomness (see [`super::seed`]), so the replay
//! is the same iteration: same `math.random` values, same chaos, same worker cap, same
//! thread. It prints the outcome, fingerprint, final state, trace and every invariant, and
//! exits 1 when it reproduced a failure (an invariant violated, or with
//! `--expect-fingerprint` an outcome other than the usual one), 0 when everything held.

use engine::ChaosLevel;

use super::fingerprint::Fingerprint;
use super::iteration::{execute, run_iteration};
use super::seed::Knobs;
use crate::exit;
use crate::scenario::Scenario;

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

/// Quotes a word for a POSIX shell when it needs it.
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Replays iteration `seed` of `scenario` and returns the exit code.
pub fn replay(
    scenario: &Scenario,
    seed: u64,
    chaos: Option<ChaosLevel>,
    expect: Option<Fingerprint>,
) -> u8 {
    let knobs = Knobs::derive(scenario, seed, chaos);
    println!(
        "REPLAY scenario `{}` ({}) seed {seed}",
        scenario.name,
        scenario.file.display()
    );
    println!(
        "  knobs: chaos {}, workers {}, engine on {} thread",
        knobs.chaos.as_str(),
        knobs
            .workers
            .map_or("from the workflow".to_string(), |w| w.to_string()),
        if knobs.spawn_thread {
            "a spawned"
        } else {
            "the calling"
        }
    );
    let (run, outcome) = run_iteration(scenario, seed, &knobs);
    match &run.result {
        Ok(state) => println!(
            "  outcome: ok\n  final state: {}",
            serde_json::to_string(state).expect("JSON values serialize")
        ),
        Err(e) => println!("  outcome: {}: failed to {e}", outcome.summary),
    }
    println!("  fingerprint: {}", outcome.fingerprint);
    println!("  trace:");
    for step in &run.trace.steps {
        let branch = step
            .branch_name
            .as_deref()
            .map_or("main".to_string(), |b| format!("branch `{b}`"));
        let status = if step.ok { "ok" } else { "FAILED" };
        println!(
            "    {:<24} VM #{:<8} {:<24} {status}",
            step.node, step.vm, branch
        );
    }
    println!("  invariants:");
    for (i, inv) in scenario.invariants.iter().enumerate() {
        match outcome.violations.iter().find(|(k, _)| *k == i) {
            Some((_, why)) => println!("    VIOLATED {why}"),
            None => println!("    held     {}", inv.label),
        }
    }
    let mut reproduced = !outcome.violations.is_empty();
    if let Some(usual) = expect {
        if outcome.fingerprint == usual {
            println!("  outcome fingerprint {usual} is the usual one");
        } else {
            println!(
                "  DIVERGED outcome fingerprint {} differs from the usual {usual}",
                outcome.fingerprint
            );
            reproduced = true;
        }
    }
    // A second run of the same seed shows whether the replay itself is deterministic.
    let again = Fingerprint::of(&execute(&scenario.workflow, &scenario.input, seed, &knobs));
    if again != outcome.fingerprint {
        println!(
            "  note: running the seed again gave fingerprint {again}: this outcome does not \
             depend on the seed alone (real-thread timing?)"
        );
    }
    if reproduced {
        println!("REPRODUCED: iteration seed {seed} fails");
        exit::FAILED
    } else {
        println!("NOT REPRODUCED: every invariant held for seed {seed}");
        exit::OK
    }
}
