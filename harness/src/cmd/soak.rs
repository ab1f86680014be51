//! `harness soak`: replay scenarios many times on real threads (see [`super::campaign`]);
//! `--replay SEED` reruns one iteration.
//!
//! A scenario that is not clean gets its replay token and a line on how well it reproduces:
//! its seed is run again five times in a worker. A failure the seed decides (the Lua code,
//! `math.random`, `pairs()` order, the worker cap, the engine thread) comes back every time.
//! One that depends on the OS schedule cannot be promised by a seed: the scenario is handed to
//! explore, a bounded PCT run looking for the same failure signature, whose token does
//! reproduce it, or a line says none was found within the budget.

use std::path::Path;
use std::sync::Arc;

use super::args::SoakArgs;
use super::campaign::{self, Verb};
use super::error::CmdError;
use super::plan;
use crate::campaign::{Plan, Soaked};
use crate::outcome::classify::ReplayTarget;
use crate::outcome::{Class, Fingerprint};
use crate::replay::{handoff, make};
use crate::report::model::ScenarioReport;
use crate::scenario::Scenario;
use crate::util::exit;

/// Iterations when neither the command line nor the scenario says.
const DEFAULT_ITERATIONS: u64 = 1000;

/// Runs `harness soak` and returns the exit code.
pub fn run(args: &SoakArgs) -> Result<u8, CmdError> {
    let common = &args.common;
    if args.replay.is_some() && common.shard.is_some() {
        return Err(CmdError::Usage(
            "--shard with --replay: a replay runs one iteration; drop --shard".into(),
        ));
    }
    plan::check_shard(common, false)?;
    let plan = plan::from_args(common, args.isolation, None);
    if let Some(seed) = args.replay {
        return replay_one(args, seed, &plan);
    }
    let count = |s: &Scenario| {
        let asked = args
            .iterations
            .or(s.iterations)
            .unwrap_or(DEFAULT_ITERATIONS);
        (s.max_iterations.map_or(asked, |cap| asked.min(cap)), asked)
    };
    let token = |s: &Arc<Scenario>, soaked: &Soaked, t: &ReplayTarget, dir: &Path| {
        let signature = make::signature_of(soaked, t);
        make::command(
            &make::soak_token(s, &plan, t, signature),
            dir,
            s,
            t.iteration,
        )
    };
    let after = |s: &Arc<Scenario>,
                 soaked: &Soaked,
                 report: &mut ScenarioReport,
                 dir: &Path,
                 interrupted: bool| {
        if !interrupted && let Some(causes) = report.flake_causes.as_mut() {
            crate::replay::flake_replays::investigate(s, &plan, &soaked.tally, causes);
        }
        if !interrupted
            && matches!(report.status, Class::Failing | Class::Flaky)
            && let Some(r) = handoff::reproduce(s, soaked, dir, &plan)
        {
            report.reproduction = Some(r.line);
            if let Some(command) = r.replay {
                report.replay = Some(command.command);
                report.replay_file = command.file;
            }
        }
    };
    campaign::run(
        common,
        &plan,
        &Verb {
            name: "soak",
            unit: "iterations",
            count: &count,
            replay: &token,
            after: &after,
        },
    )
}

fn replay_one(args: &SoakArgs, seed: u64, plan: &Plan) -> Result<u8, CmdError> {
    let paths = &args.common.paths;
    let expect = match args.expect_fingerprint.as_deref() {
        None => None,
        Some(text) => Some(Fingerprint::parse(text).ok_or_else(|| {
            CmdError::Usage(format!(
                "read --expect-fingerprint: expected 16 hex digits, got `{text}`"
            ))
        })?),
    };
    let [path] = paths.as_slice() else {
        return Err(CmdError::Usage(
            "replay: --replay takes exactly one scenario file".into(),
        ));
    };
    if path.is_dir() {
        return Err(CmdError::Usage(format!(
            "replay: {} is a folder; name the scenario file",
            path.display()
        )));
    }
    let scenario = crate::scenario::load::load_file(path, args.common.root.as_deref())?;
    let target = ReplayTarget {
        iteration: 0,
        seed,
        reason: String::new(),
        expect_fingerprint: expect,
    };
    // The token's own replay: in a worker process, under the hard deadline.
    let token = make::soak_token(&scenario, plan, &target, None);
    let replayed = crate::replay::run::replay(token.clone(), 1, Some(&scenario.root))?;
    for line in crate::report::replay::lines(&replayed.scenario, &replayed.first) {
        crate::util::out::say(format_args!("{line}"));
    }
    crate::util::out::say(format_args!(
        "token: {}",
        crate::replay::token::command(&token, None, "replay").command
    ));
    Ok(if replayed.first.reproduced() {
        exit::FAILED
    } else {
        exit::OK
    })
}
