//! What a replay prints (`harness replay`, `harness soak --replay`): the knobs, the outcome,
//! the fingerprint, the trace, every invariant, and whether the failure came back.

use crate::replay::run::Replayed;
use crate::scenario::Scenario;

/// The replay's report, line by line, and last its verdict ([`verdict`]).
pub fn lines(scenario: &Scenario, r: &Replayed) -> Vec<String> {
    let mut out = facts(scenario, r);
    out.push(verdict(r));
    out
}

/// What the replay ran and saw, line by line (no verdict: a replay that left its recorded
/// schedule has none, as it was not the token's run).
pub fn facts(scenario: &Scenario, r: &Replayed) -> Vec<String> {
    let mut out = vec![format!(
        "REPLAY scenario `{}` ({}) seed {}",
        scenario.name,
        scenario.file.display(),
        r.seed
    )];
    out.push(knobs_line(r));
    outcome_lines(&mut out, r);
    out.push(format!("  fingerprint: {}", r.outcome.fingerprint));
    if let Some(run) = &r.run {
        out.push("  trace:".into());
        out.extend(super::trace_lines::lines(&run.trace, 4));
    }
    out.push("  invariants:".into());
    if r.outcome.stopped.is_some() {
        out.push("    not checked: the iteration did not finish".into());
    }
    for (i, inv) in scenario
        .invariants
        .iter()
        .enumerate()
        .filter(|_| r.outcome.stopped.is_none())
    {
        match r.outcome.violations.iter().find(|(k, _)| *k == i) {
            Some((_, why)) => out.push(format!("    VIOLATED {why}")),
            None => out.push(format!("    held     {}", inv.label)),
        }
    }
    if let Some(usual) = r.expected {
        if r.diverged() {
            out.push(format!(
                "  DIVERGED outcome fingerprint {} differs from the usual {usual}",
                r.outcome.fingerprint
            ));
        } else {
            out.push(format!("  outcome fingerprint {usual} is the usual one"));
        }
    }
    if let Some(again) = r.again
        && again != r.outcome.fingerprint
    {
        out.push(format!(
            "  note: running the seed again gave fingerprint {again}: this outcome does not \
             depend on the seed alone (real-thread timing?)"
        ));
    }
    // Names, errors and violations come from user code: no terminal escapes get through.
    out.iter()
        .map(|line| super::escape::console(line))
        .collect()
}

/// `  knobs: chaos …, workers …`: the knobs the iteration ran with.
fn knobs_line(r: &Replayed) -> String {
    format!(
        "  knobs: chaos {}, workers {}, engine on {} thread, hash seed {:#x}{}",
        r.knobs.chaos.as_str(),
        r.knobs
            .workers
            .map_or("from the workflow".to_string(), |w| w.to_string()),
        if r.knobs.spawn_thread {
            "a spawned"
        } else {
            "the calling"
        },
        r.knobs.hash_seed,
        if r.knobs.mutant.is_none() {
            String::new()
        } else {
            format!(", mutant {}", r.knobs.mutant.name())
        }
    )
}

/// `  outcome: …`: how the iteration ended, and its final state when it finished well.
fn outcome_lines(out: &mut Vec<String>, r: &Replayed) {
    match (&r.run, &r.outcome.stopped) {
        (_, Some(stopped)) => out.push(format!("  outcome: {}", stopped.describe())),
        (Some(run), None) => match (&run.state, &run.error) {
            (Some(state), _) => {
                out.push("  outcome: ok".into());
                out.push(format!(
                    "  final state: {}",
                    serde_json::to_string(state).expect("JSON values serialize")
                ));
            }
            (None, error) => out.push(format!(
                "  outcome: {}: {}",
                r.outcome.summary,
                error.as_deref().unwrap_or("failed")
            )),
        },
        (None, None) => out.push("  outcome: none".into()),
    }
}

/// Whether the failure came back in this run.
pub fn verdict(r: &Replayed) -> String {
    let line = if r.reproduced() {
        format!("REPRODUCED: iteration seed {} fails", r.seed)
    } else if r.failed_otherwise() {
        format!(
            "FAILED OTHERWISE: seed {} failed as `{}`, not as the token's `{}`",
            r.seed,
            r.signatures.1.as_deref().unwrap_or("?"),
            r.signatures.0.as_deref().unwrap_or("?")
        )
    } else {
        format!("NOT REPRODUCED: every invariant held for seed {}", r.seed)
    };
    super::escape::console(&line)
}
