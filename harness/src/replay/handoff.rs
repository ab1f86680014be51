//! How well a soak failure reproduces: its seed is rerun [`RERUNS`] times in a worker. A
//! failure the seed decides comes back every time, and its soak token replays it. One that
//! depends on the OS schedule is handed to explore: a bounded PCT run ([`HANDOFF_SCHEDULES`]
//! schedules) looking for the same failure signature, whose shrunk schedule's token does
//! reproduce it.

use std::path::Path;
use std::sync::Arc;

use super::make::{self, Shrinking};
use super::token::ReplayCommand;
use crate::campaign::Stop;
use crate::campaign::{ExplorePlan, Plan, Soaked};
use crate::explore::params::{ExploreParams, SchedulerKind};
use crate::outcome::classify::ReplayTarget;
use crate::scenario::Scenario;

/// Reruns of a failing seed that say whether the seed decides the failure.
pub const RERUNS: u64 = 5;
/// Schedules explore may spend looking for a failure the seed does not decide.
pub const HANDOFF_SCHEDULES: u64 = 500;

/// How well a soak failure reproduces.
#[derive(Debug, Clone)]
pub struct Reproduction {
    /// One line that says it.
    pub line: String,
    /// The token that does reproduce it, when that is explore's and not the soak's own.
    pub replay: Option<ReplayCommand>,
}

/// Reruns the first failure's seed; hands a failure the seed does not decide to explore.
/// `None` when the scenario has no failure to reproduce.
pub fn reproduce(
    scenario: &Arc<Scenario>,
    soaked: &Soaked,
    dir: &Path,
    plan: &Plan,
) -> Option<Reproduction> {
    let target = crate::outcome::classify(&soaked.tally, scenario.deterministic).replay?;
    let token = make::soak_token(scenario, plan, &target, make::signature_of(soaked, &target));
    let came_back = match crate::replay::run::replay(token, RERUNS, Some(&scenario.root)) {
        Ok(r) => r.reproduced.1,
        Err(e) => {
            return Some(Reproduction {
                line: format!("its seed could not be rerun: {e}"),
                replay: None,
            });
        }
    };
    if came_back == RERUNS {
        return Some(Reproduction {
            line: format!(
                "its seed reproduced it {RERUNS} of {RERUNS} times: the token replays it"
            ),
            replay: None,
        });
    }
    let mut line = format!(
        "its seed reproduced it {came_back} of {RERUNS} times: it depends on the OS schedule"
    );
    let mut replay = None;
    match handoff(scenario, soaked, plan, &target, dir) {
        Some((command, shrunk)) => {
            let schedule = shrunk.token.schedule.as_ref().map_or(0, |s| s.index);
            line.push_str(&format!(
                "; explore found the same failure in PCT schedule {schedule}{}, whose token \
                 (the replay line) reproduces it",
                match shrunk.preemptions {
                    (found, Some(after)) =>
                        format!(" (shrunk from {found} to {after} preemptions)"),
                    (found, None) => format!(" ({found} preemptions)"),
                }
            ));
            replay = Some(command);
        }
        None => line.push_str(&format!(
            "; explore found no schedule with the same failure within {HANDOFF_SCHEDULES} PCT \
             schedules: the replay line reruns the seed, which brings it back only sometimes"
        )),
    }
    Some(Reproduction { line, replay })
}

/// A bounded PCT exploration of the scenario ([`HANDOFF_SCHEDULES`] schedules) looking for
/// `target`'s failure signature: the replay command of the (shrunk) schedule that has it.
pub fn handoff(
    scenario: &Arc<Scenario>,
    soaked: &Soaked,
    plan: &Plan,
    target: &ReplayTarget,
    dir: &Path,
) -> Option<(ReplayCommand, Shrinking)> {
    let wanted = soaked
        .tally
        .signatures
        .iter()
        .find(|(_, c)| c.first.iteration == target.iteration)
        .map(|(s, _)| s.clone());
    let explore_plan = Plan {
        shard: None,
        explore: Some(ExplorePlan {
            params: ExploreParams {
                scheduler: SchedulerKind::Pct,
                depth: 3,
                max_steps: 0,
            },
            check_determinism: false,
        }),
        fail_fast: false,
        ..plan.clone()
    };
    let stop = Stop::current();
    let mut checkpoint = |_: &crate::outcome::Tally, _: std::time::Duration| {};
    let explored = crate::campaign::soak(
        scenario,
        0..HANDOFF_SCHEDULES,
        &explore_plan,
        &stop,
        &|| {},
        &mut checkpoint,
    );
    let found = match &wanted {
        Some(signature) => explored
            .tally
            .signatures
            .get(signature)
            .map(|c| c.first.clone())
            .map(|b| ReplayTarget {
                iteration: b.iteration,
                seed: b.seed,
                reason: b.message,
                expect_fingerprint: None,
            }),
        // A divergent outcome: any schedule that ends with the same fingerprint.
        None => {
            let fingerprint = soaked
                .tally
                .fingerprints
                .iter()
                .find(|(_, c)| c.example_iteration == target.iteration)
                .map(|(f, _)| *f)?;
            explored
                .tally
                .fingerprints
                .get(&fingerprint)
                .map(|c| ReplayTarget {
                    iteration: c.example_iteration,
                    seed: c.example_seed,
                    reason: target.reason.clone(),
                    expect_fingerprint: target.expect_fingerprint,
                })
        }
    }?;
    let shrunk = make::explore_token(scenario, &explore_plan, &explored, &found, true)?;
    let command = make::command(&shrunk.token, dir, scenario, found.iteration);
    Some((command, shrunk))
}
