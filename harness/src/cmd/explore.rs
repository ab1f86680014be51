//! `harness explore`: run scenarios under shuttle's controlled schedules (see
//! [`super::campaign`]), in supervised worker processes.
//!
//! Every schedule is a function of (run seed, scenario, schedule index): it runs alone, in
//! any worker, and replays from its token. A failing scenario's first failing schedule is
//! shrunk to its fewest preemptions, and the shrunk schedule is its replay token.

use std::path::Path;
use std::sync::Arc;

use super::args::ExploreArgs;
use super::campaign::{self, Verb};
use super::error::CmdError;
use super::plan;
use crate::campaign::{ExplorePlan, Isolation, Plan, Soaked};
use crate::explore::params::{ExploreParams, SchedulerKind};
use crate::outcome::Class;
use crate::outcome::classify::ReplayTarget;
use crate::replay::make;
use crate::replay::token::ReplayCommand;
use crate::report::model::{ExploreReport, ScenarioReport};
use crate::scenario::Scenario;

/// Runs `harness explore` and returns the exit code.
pub fn run(args: &ExploreArgs) -> Result<u8, CmdError> {
    let common = &args.common;
    plan::check_shard(common, args.scheduler == SchedulerKind::Dfs)?;
    // Explore always runs in worker processes: shuttle's tasks, and any hang, stay there.
    let explore = ExplorePlan {
        params: ExploreParams {
            scheduler: args.scheduler,
            depth: args.depth as usize,
            max_steps: 0,
        },
        check_determinism: args.check_determinism,
    };
    let plan = plan::from_args(common, Isolation::Process, Some(explore));
    let count = |_: &Scenario| (args.schedules, args.schedules);
    // The schedule as found; `after` replaces it with the shrunk one.
    let token = |s: &Arc<Scenario>, soaked: &Soaked, t: &ReplayTarget, dir: &Path| {
        found_token(s, &plan, soaked, t, dir)
    };
    let after =
        |s: &Arc<Scenario>,
         soaked: &Soaked,
         report: &mut ScenarioReport,
         dir: &Path,
         interrupted: bool| { after_scenario(s, &plan, soaked, report, dir, interrupted) };
    campaign::run(
        common,
        &plan,
        &Verb {
            name: "explore",
            unit: "schedules",
            count: &count,
            replay: &token,
            after: &after,
        },
    )
}

/// The replay command of failure `t` with its schedule as found (or why there is none).
fn found_token(
    s: &Arc<Scenario>,
    plan: &Plan,
    soaked: &Soaked,
    t: &ReplayTarget,
    dir: &Path,
) -> ReplayCommand {
    make::explore_token(s, plan, soaked, t, false).map_or_else(
        || ReplayCommand {
            command: if t.reason.starts_with("hang") || t.reason.starts_with("crash") {
                format!(
                    "none: schedule {} took its worker down with it, and its schedule too; \
                     `harness explore` with the same --seed runs it again",
                    t.iteration
                )
            } else {
                NOT_KEPT.into()
            },
            file: None,
        },
        |found| make::command(&found.token, dir, s, t.iteration),
    )
}

/// Adds explore's figures to scenario `s`'s report; a failure's first schedule (unless a
/// signal interrupted the run) is shrunk, and the shrunk schedule is its token.
fn after_scenario(
    s: &Arc<Scenario>,
    plan: &Plan,
    soaked: &Soaked,
    report: &mut ScenarioReport,
    dir: &Path,
    interrupted: bool,
) {
    report.explore = explore_report(plan, soaked, report.iterations_per_s);
    if soaked.explore.nondeterministic_count > 0 && report.status == Class::Clean {
        // The same schedule and seed, two outcomes: flaky, whatever the invariants say.
        report.status = Class::Flaky;
        report.ok = false;
    }
    if soaked.explore.exhausted {
        // Every schedule there is ran: fewer than asked, and complete.
        report.iterations.planned = report.iterations.run;
        report.complete = true;
    }
    if interrupted || !matches!(report.status, Class::Failing | Class::Flaky) {
        return;
    }
    let Some(target) = crate::outcome::classify(&soaked.tally, s.deterministic).replay else {
        return;
    };
    let Some(shrunk) = make::explore_token(s, plan, soaked, &target, true) else {
        return;
    };
    let command = make::command(&shrunk.token, dir, s, target.iteration);
    report.replay = Some(command.command);
    report.replay_file = command.file;
    let (found, after) = shrunk.preemptions;
    report.reproduction = Some(match after {
        Some(after) => format!(
            "schedule {} shrunk from {found} to {after} preemptions; its token replays it",
            target.iteration
        ),
        None => format!(
            "schedule {} ({found} preemptions) could not be shrunk (its worker did not \
             answer); its token replays it as found",
            target.iteration
        ),
    });
    if let Some(e) = &mut report.explore {
        e.preemptions = Some([found, after.unwrap_or(found)]);
    }
}

/// What a failure whose schedule was not kept says instead of a command.
const NOT_KEPT: &str =
    "none: no schedule was kept for this failure (more than 64 ways of failing came first)";

/// The explore part of a scenario's report.
pub fn explore_report(plan: &Plan, soaked: &Soaked, schedules_per_s: f64) -> Option<ExploreReport> {
    let explore = plan.explore?;
    Some(ExploreReport {
        scheduler: explore.params.scheduler.as_str().into(),
        depth: explore.params.depth,
        max_steps: soaked.explore.max_steps,
        schedules_per_s,
        exhaustive: (explore.params.scheduler == SchedulerKind::Dfs)
            .then_some(soaked.explore.exhausted),
        preemptions: None,
        nondeterministic: soaked
            .explore
            .nondeterministic
            .iter()
            .map(|(i, what)| format!("schedule {i}: {what}"))
            .collect(),
        nondeterministic_count: soaked.explore.nondeterministic_count,
    })
}
