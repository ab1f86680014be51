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

use super::budget::Budget;
use super::method::Method;
use super::plant::Mutant;
use crate::campaign::Plan;
use crate::campaign::Stop;
use crate::campaign::{Soaked, soak};
use crate::outcome::Tally;
use crate::outcome::classify::{ReplayTarget, divergence, first_divergent};
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

/// How the matrix is run: what every attempt shares.
#[derive(Debug, Clone)]
pub struct Setup<'a> {
    /// The budget.
    pub budget: Budget,
    /// The base seed; attempt `k` of a method uses seed `mix(base, k)`.
    pub seed: u64,
    /// Iterations in flight per scenario.
    pub jobs: usize,
    /// The scenarios.
    pub scenarios: &'a [Arc<Scenario>],
    /// Which mutants.
    pub mutants: &'a [Mutant],
    /// Where tokens go.
    pub dir: &'a Path,
}

/// Runs `method` with `engine` and run seed `seed` over the scenarios until the first
/// detection (or, for the real engine, over every scenario: its alarms, returned apart).
/// `skip` names scenarios not to count (alarms of the real engine).
pub fn attempt(
    setup: &Setup<'_>,
    method: Method,
    engine: Mutant,
    seed: u64,
    skip: &[String],
    stop: &Stop,
) -> (Attempt, Vec<Catch>) {
    let plan = method.plan(engine, seed, setup.jobs);
    let per_scenario = setup.budget.per_scenario(method);
    let mut found = Attempt {
        seed: seed.to_string(),
        caught: None,
        spent: 0,
        stopped: Vec::new(),
    };
    let mut alarms = Vec::new();
    for scenario in setup.scenarios {
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
        match detection(scenario, &soaked.tally, engine.caught_by_a_hang()) {
            Some(target) => {
                let catch = caught(scenario, &plan, &soaked, target, setup.dir);
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

/// The catch of `target` in `scenario`, with the command that replays it.
fn caught(
    scenario: &Arc<Scenario>,
    plan: &Plan,
    soaked: &Soaked,
    target: ReplayTarget,
    dir: &Path,
) -> Catch {
    let replay = if plan.explore.is_some() {
        make::explore_token(scenario, plan, soaked, &target, false)
            .map(|s| make::command(&s.token, dir, scenario, target.iteration))
    } else {
        let signature = make::signature_of(soaked, &target);
        let token = make::soak_token(scenario, plan, &target, signature);
        Some(make::command(&token, dir, scenario, target.iteration))
    };
    let (replay, replay_file) = replay.map_or((String::new(), None), |r| (r.command, r.file));
    Catch {
        scenario: scenario.name.clone(),
        effort: target.iteration + 1,
        reason: target.reason,
        replay,
        replay_file,
    }
}

/// The first detecting iteration of a scenario's run, and what to replay: the lowest of its
/// first invariant violation and (deterministic scenarios) its first outcome other than the
/// usual one; else its first hang when `hangs` (a hang is the class's failure). A crash, or
/// a hang of another class, detects nothing, which is why this is not [`classify`]'s
/// replay target (the first iteration that failed in any way).
///
/// [`classify`]: crate::outcome::classify
fn detection(scenario: &Scenario, tally: &Tally, hangs: bool) -> Option<ReplayTarget> {
    let violated = tally
        .invariants
        .iter()
        .filter_map(|c| c.first.as_ref())
        .min_by_key(|b| b.iteration)
        .map(ReplayTarget::failed);
    let diverged =
        first_divergent(tally, scenario.deterministic).map(|(f, c, (usual, usual_count))| {
            ReplayTarget::diverged(c, usual, divergence(f, c, usual_count))
        });
    let hung = || {
        tally
            .signatures
            .get("hang")
            .filter(|_| hangs)
            .map(|c| ReplayTarget::failed(&c.first))
    };
    // On a tie the violation wins (`min_by_key` keeps the first of equals).
    [violated, diverged]
        .into_iter()
        .flatten()
        .min_by_key(|t| t.iteration)
        .or_else(hung)
}
