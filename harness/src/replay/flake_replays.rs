//! The part of a flake report that needs replays: the hash seed attributed by flipping (it
//! has a value per iteration, so no value can separate), and the outcome diff (the usual
//! final state against the first failing one, path by path). Both rerun iterations in a
//! worker, with their own knobs or with one knob swapped.
//!
//! A flip swaps only the hash seed between a failing iteration and a passing one: the failing
//! one rerun with the passing one's hash seed, and the other way round. The outcome "follows"
//! the knob when the failing one now passes and the passing one now fails. Each flip has a
//! control, the same iteration rerun with its own knobs: one that does not repeat its own
//! outcome depends on the OS schedule, and its flip would say nothing, so it is not counted.

use std::time::Duration;

use serde_json::Value;

use crate::campaign::Plan;
use crate::campaign::protocol::{Reply, Request};
use crate::campaign::session::Session;
use crate::iteration::execute::WireRun;
use crate::iteration::knobs::{HashSeed, Knobs};
use crate::outcome::flake_causes::{FlakeCauses, Flip};
use crate::outcome::{Fingerprint, Outcome, Tally};
use crate::scenario::Scenario;

/// Failing iterations flipped against the passing one (each flip runs both ways).
pub const FLIPPED: usize = 4;

/// One iteration: its index and seed.
type Example = (u64, u64);

/// Fills in the flips and the diff of `causes` for a flaky soak of `scenario` whose counts
/// are `tally`. Explore's iterations need their schedules to rerun; they are left alone.
pub fn investigate(scenario: &Scenario, plan: &Plan, tally: &Tally, causes: &mut FlakeCauses) {
    if plan.explore.is_some() {
        causes.diff_of =
            Some("explore: a schedule's final state comes back with its replay token".to_string());
        return;
    }
    let usual = tally.usual().filter(|_| scenario.deterministic);
    let passing = match usual {
        Some((_, c)) => Some((c.example_iteration, c.example_seed)),
        None => first_passing(tally),
    };
    let failing = failing_examples(tally, usual.map(|(f, _)| f));
    let (Some(passing), Some(&first)) = (passing, failing.first()) else {
        causes.diff_of = Some("no passing and failing iteration to compare".into());
        return;
    };
    let Ok(session) = Session::start(scenario, plan) else {
        causes.diff_of = Some("no worker could start to replay them".into());
        return;
    };
    let judge = Judge {
        deterministic: scenario.deterministic,
        usual: usual.map(|(f, _)| f),
    };
    let knobs = |seed: u64| Knobs::derive(scenario, seed, &plan.overrides);
    let mut reruns = Reruns {
        session,
        limit: plan
            .hard_deadline
            .unwrap_or(scenario.hard_deadline)
            .saturating_mul(2),
        gave_up: false,
    };
    // The diff: both as they ran.
    let usual_run = reruns.run(passing.1, knobs(passing.1));
    let failing_run = reruns.run(first.1, knobs(first.1));
    match (&usual_run, &failing_run) {
        (Some((_, Some(a))), Some((_, Some(b)))) => {
            causes.diff = crate::outcome::diff::diff(&final_value(a), &final_value(b));
            causes.diff_of = Some(format!(
                "the usual outcome (iteration {}, seed {}) against the first failing one \
                 (iteration {}, seed {})",
                passing.0, passing.1, first.0, first.1
            ));
        }
        _ => causes.diff_of = Some("the replays to compare did not finish".into()),
    }
    if plan.overrides.hash_seed == HashSeed::Vary
        && let Some(flip) = hash_seed_flip(&failing, passing, &knobs, &mut reruns, &judge)
    {
        causes.flips.push(flip);
    }
}

/// The passing iteration with the lowest index, of a scenario without a usual outcome.
fn first_passing(tally: &Tally) -> Option<Example> {
    tally
        .fingerprints
        .values()
        .filter(|c| c.count > c.violating && c.violating == 0)
        .min_by_key(|c| c.example_iteration)
        .map(|c| (c.example_iteration, c.example_seed))
}

/// Reruns in one worker. One that does not answer (a hang, a dead worker, a signal) ends
/// them: the next ones would cost a hard deadline each, for nothing.
struct Reruns {
    session: Session,
    /// Each rerun's deadline (a replay runs its iteration twice).
    limit: Duration,
    gave_up: bool,
}

impl Reruns {
    /// The iteration with `seed` and `knobs`, run again: its outcome and its run.
    fn run(&mut self, seed: u64, knobs: Knobs) -> Option<(Outcome, Option<WireRun>)> {
        if self.gave_up {
            return None;
        }
        let request = Request::Replay {
            seed,
            knobs: Some(knobs),
        };
        let answer = match self
            .session
            .ask(&request, self.limit, |r| matches!(r, Reply::Done { .. }))
        {
            Ok(Reply::Done { outcome, run, .. }) => Some((outcome.outcome(), run)),
            _ => None,
        };
        self.gave_up = answer.is_none();
        answer
    }
}

/// Whether the hash seed decides the outcome: for the first failing iterations and the
/// passing one, each direction a control rerun with the iteration's own knobs (does it
/// repeat its own outcome?), then the flip. Only directions whose control repeated count.
fn hash_seed_flip(
    failing: &[Example],
    passing: Example,
    knobs: &dyn Fn(u64) -> Knobs,
    reruns: &mut Reruns,
    judge: &Judge,
) -> Option<Flip> {
    let (mut flips, mut followed, mut unsettled) = (0, 0, 0);
    for &(_, seed) in failing.iter().take(FLIPPED) {
        let (mut bad, mut good) = (knobs(seed), knobs(passing.1));
        let (own_bad, own_good) = (bad, good);
        std::mem::swap(&mut bad.hash_seed, &mut good.hash_seed);
        for (seed, own, flipped, was_passing) in [
            (seed, own_bad, bad, false),
            (passing.1, own_good, good, true),
        ] {
            let control = reruns.run(seed, own).map(|(o, _)| judge.passes(&o));
            if control != Some(was_passing) {
                unsettled += u64::from(control.is_some());
                continue;
            }
            if let Some((o, _)) = reruns.run(seed, flipped) {
                flips += 1;
                followed += u64::from(judge.passes(&o) != was_passing);
            }
        }
    }
    (flips + unsettled > 0).then(|| Flip {
        knob: "hash_seed".into(),
        flips,
        followed,
        line: flip_line(followed, flips, unsettled),
    })
}

/// What a flip says: the outcome followed the hash seed `followed` times of `flips`;
/// `unsettled` iterations did not repeat their own outcome when rerun unflipped.
pub fn flip_line(followed: u64, flips: u64, unsettled: u64) -> String {
    let unsettled_note = if unsettled > 0 {
        format!(
            " ({unsettled} rerun{} with {} own knobs did not repeat {} outcome, so the OS \
             schedule matters too)",
            if unsettled == 1 { "" } else { "s" },
            if unsettled == 1 { "its" } else { "their" },
            if unsettled == 1 { "its" } else { "their" },
        )
    } else {
        String::new()
    };
    if flips == 0 {
        return format!("the hash seed could not be flipped{unsettled_note}");
    }
    let verdict = if followed == flips {
        "the hash seed (the order pairs() visits string keys in) decides it"
    } else if followed == 0 {
        "the hash seed does not decide it"
    } else {
        "the hash seed matters, together with something else"
    };
    format!(
        "swapping only the hash seed between a failing and a passing iteration changed the \
         outcome in {followed} of {flips} replays: {verdict}{unsettled_note}"
    )
}

/// The lowest failing iterations: the first bad one, the first of each way of failing, and
/// the first of each outcome other than the usual one.
fn failing_examples(tally: &Tally, usual: Option<Fingerprint>) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    out.extend(tally.first_bad.as_ref().map(|b| (b.iteration, b.seed)));
    out.extend(
        tally
            .signatures
            .values()
            .map(|s| (s.first.iteration, s.first.seed)),
    );
    if let Some(usual) = usual {
        out.extend(
            tally
                .fingerprints
                .iter()
                .filter(|(f, c)| **f != usual && c.count > c.violating)
                .map(|(_, c)| (c.example_iteration, c.example_seed)),
        );
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Whether an iteration passed: no invariant broken, and the usual outcome when the
/// scenario is deterministic.
struct Judge {
    deterministic: bool,
    usual: Option<Fingerprint>,
}

impl Judge {
    fn passes(&self, outcome: &Outcome) -> bool {
        !outcome.failed()
            && (!self.deterministic || self.usual.is_none_or(|u| u == outcome.fingerprint))
    }
}

/// What a run ended with, as one JSON value: its final state, or its error.
fn final_value(run: &WireRun) -> Value {
    match (&run.state, &run.error) {
        (Some(state), None) => state.clone(),
        (state, error) => serde_json::json!({ "error": error, "state": state }),
    }
}
