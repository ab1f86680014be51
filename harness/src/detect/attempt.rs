//! One attempt: one method, one engine, one run seed, over the scenarios in order until one
//! of them detects something.
//!
//! A scenario detects when an iteration violated an invariant, or (in a deterministic
//! scenario) ended with an outcome other than the usual one. A hang or a crash is not a
//! detection (a mutant that hangs has not been shown to break what its class breaks), unless
//! a hang is what its class breaks (`lost-alarm`); a scenario that raised an alarm on the
//! real engine with the same method is skipped.

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use super::method::Method;
use crate::campaign::Stop;
use crate::campaign::{Soaked, soak};
use crate::mutant::Mutant;
use crate::outcome::Tally;
use crate::outcome::classify::ReplayTarget;
use crate::replay::make;
use crate::scenario::Scenario;

/// A detection.
#[derive(Debug, Clone, Serialize)]
pub struct Catch {
    /// The scenario that detected it.
    pub scenario: String,
    /// Iterations (or schedules) into that scenario, up to and including the first that
    /// detected it (index + 1: a scenario stopping at its first failure hands iterations out
    /// one at a time, in order, so they are the ones that ran, give or take the one in
    /// flight on the other worker).
    pub effort: u64,
    /// What it saw there.
    pub reason: String,
    /// The command that replays it, token inline.
    pub replay: String,
    /// The same with a long token read from a file in the report folder.
    pub replay_file: Option<String>,
}

/// What one attempt found.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    /// The run seed.
    pub seed: String,
    /// The first detection, if any.
    pub caught: Option<Catch>,
    /// Iterations (or schedules) run in all, over every scenario tried.
    pub spent: u64,
    /// Scenarios that ended with a hang or a crash and nothing else.
    pub stopped: Vec<String>,
}

/// Runs `method` with `engine` over `scenarios` until the first detection (or, with
/// `all`, over every scenario: the real engine's alarms). `skip` names scenarios not to
/// count (alarms of the real engine); `per_scenario` is the budget.
#[allow(clippy::too_many_arguments)]
pub fn attempt(
    method: Method,
    engine: Mutant,
    seed: u64,
    scenarios: &[Arc<Scenario>],
    per_scenario: u64,
    jobs: usize,
    skip: &[String],
    dir: &Path,
    stop: &Stop,
) -> (Attempt, Vec<Catch>) {
    let plan = method.plan(engine, seed, jobs);
    let mut found = Attempt {
        seed: seed.to_string(),
        caught: None,
        spent: 0,
        stopped: Vec::new(),
    };
    let mut alarms = Vec::new();
    for scenario in scenarios {
        if stop.requested() {
            break;
        }
        if skip.contains(&scenario.name) {
            continue;
        }
        let count = scenario
            .max_iterations
            .map_or(per_scenario, |cap| per_scenario.min(cap));
        let mut checkpoint = |_: &Tally, _: std::time::Duration| {};
        let soaked = soak(scenario, 0..count, &plan, stop, &|| {}, &mut checkpoint);
        found.spent += soaked.tally.run;
        match detection(scenario, &soaked, engine.caught_by_a_hang()) {
            Some((effort, target)) => {
                let replay = if plan.explore.is_some() {
                    make::explore_token(scenario, &plan, &soaked, &target, false)
                        .map(|s| make::command(&s.token, dir, scenario, target.iteration))
                } else {
                    let signature = make::signature_of(&soaked, &target);
                    let token = make::soak_token(scenario, &plan, &target, signature);
                    Some(make::command(&token, dir, scenario, target.iteration))
                };
                let (replay, replay_file) =
                    replay.map_or((String::new(), None), |r| (r.command, r.file));
                let catch = Catch {
                    scenario: scenario.name.clone(),
                    effort,
                    reason: target.reason.clone(),
                    replay,
                    replay_file,
                };
                if engine.is_none() {
                    // The real engine: every alarm counts, so go on.
                    alarms.push(catch);
                    continue;
                }
                found.caught = Some(catch);
                break;
            }
            None if soaked.tally.stopped > 0 => found.stopped.push(scenario.name.clone()),
            None => {}
        }
    }
    (found, alarms)
}

/// The first detecting iteration of a scenario's run (effort = its index + 1), and what
/// to replay; its first hang too when `hangs` (a hang is the class's failure).
fn detection(scenario: &Scenario, soaked: &Soaked, hangs: bool) -> Option<(u64, ReplayTarget)> {
    let tally = &soaked.tally;
    let hung = tally
        .signatures
        .get("hang")
        .filter(|_| hangs)
        .map(|c| ReplayTarget {
            iteration: c.first.iteration,
            seed: c.first.seed,
            reason: c.first.message.clone(),
            expect_fingerprint: None,
        });
    let violated = tally
        .invariants
        .iter()
        .filter_map(|c| c.first.as_ref())
        .min_by_key(|b| b.iteration)
        .map(|b| ReplayTarget {
            iteration: b.iteration,
            seed: b.seed,
            reason: b.message.clone(),
            expect_fingerprint: None,
        });
    // An outcome other than the usual one, in an iteration that did not fail on its own.
    let diverged =
        tally
            .usual()
            .filter(|_| scenario.deterministic)
            .and_then(|(usual, usual_count)| {
                tally
                    .fingerprints
                    .iter()
                    .filter(|(f, c)| **f != usual && c.count > c.violating)
                    .min_by_key(|(_, c)| c.example_iteration)
                    .map(|(f, c)| ReplayTarget {
                        iteration: c.example_iteration,
                        seed: c.example_seed,
                        reason: format!(
                            "outcome `{}` (fingerprint {f}) instead of the usual `{}`",
                            c.summary, usual_count.summary
                        ),
                        expect_fingerprint: Some(usual),
                    })
            });
    let target = match (violated, diverged) {
        (Some(v), Some(d)) => {
            if d.iteration < v.iteration {
                d
            } else {
                v
            }
        }
        (v, d) => v.or(d).or(hung)?,
    };
    Some((target.iteration + 1, target))
}
