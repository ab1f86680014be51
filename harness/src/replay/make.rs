//! Making the token of a failure: a soak iteration's from its seed; an explore schedule's
//! from the schedule it ran, shrunk first to its fewest preemptions.

use std::path::Path;
use std::sync::Arc;

use super::token::{self, Mode, ReplayCommand, ScheduleToken, Token};
use crate::campaign::Plan;
use crate::campaign::Soaked;
use crate::campaign::protocol::{Keep, Reply, Request};
use crate::campaign::session::Session;
use crate::iteration::knobs::Knobs;
use crate::outcome::classify::ReplayTarget;
use crate::scenario::Scenario;

/// The token of soak iteration `target` of `scenario`; `signature` is how it failed (from
/// the soak's tally: [`signature_of`]), which a replay must see again.
pub fn soak_token(
    scenario: &Scenario,
    plan: &Plan,
    target: &ReplayTarget,
    signature: Option<String>,
) -> Token {
    let knobs = Knobs::derive(scenario, target.seed, &plan.overrides);
    Token::new(
        scenario,
        target.seed,
        knobs,
        plan.hard_deadline.unwrap_or(scenario.hard_deadline),
        (target.expect_fingerprint, signature),
        None,
    )
}

/// What shrinking a schedule gave.
#[derive(Debug, Clone)]
pub struct Shrinking {
    /// The token (of the shrunk schedule, or the schedule as found).
    pub token: Token,
    /// Preemptions as found, and after shrinking (`None` when it could not shrink).
    pub preemptions: (usize, Option<usize>),
}

/// The token of explore schedule `target`; with `shrink`, of the schedule shrunk (in a
/// worker) to its fewest preemptions. `None` when its schedule was not kept (it was not among
/// the lowest failing ones).
pub fn explore_token(
    scenario: &Arc<Scenario>,
    plan: &Plan,
    soaked: &Soaked,
    target: &ReplayTarget,
    shrink: bool,
) -> Option<Shrinking> {
    let explore = plan.explore?;
    let (steps, preemptions) = soaked.explore.schedules.get(&target.iteration)?.clone();
    let keep = match target.expect_fingerprint {
        // An outcome that only differed from the usual one: keep that outcome.
        Some(_) => Keep::Fingerprint(failing_fingerprint(soaked, target)?),
        None => Keep::Signature(signature_of(soaked, target)?),
    };
    let hard_deadline = plan.hard_deadline.unwrap_or(scenario.hard_deadline);
    let session = if shrink {
        Session::start(scenario, plan).ok()
    } else {
        None
    };
    let shrunk = session.and_then(|mut session| {
        let request = Request::Shrink {
            index: target.iteration,
            steps: steps.clone(),
            keep,
        };
        // Shrinking runs many schedules: give it the iteration deadline per thousand.
        match session.ask(&request, hard_deadline.saturating_mul(20), |r| {
            matches!(r, Reply::Shrunk { .. })
        }) {
            Ok(Reply::Shrunk {
                before,
                after,
                steps,
                ..
            }) => Some((before, after, steps)),
            _ => None,
        }
    });
    let mut params = explore.params;
    params.max_steps = soaked.explore.max_steps;
    let (steps, after) = match &shrunk {
        Some((_, after, steps)) => (steps.clone(), Some(*after)),
        None => (steps, None),
    };
    let knobs = Knobs::derive(scenario, target.seed, &plan.overrides);
    let schedule = ScheduleToken {
        params,
        index: target.iteration,
        steps,
        preemptions: after.unwrap_or(preemptions),
        shrunk_from: after.map(|_| preemptions),
    };
    Some(Shrinking {
        token: Token::new(
            scenario,
            target.seed,
            knobs,
            hard_deadline,
            (
                target.expect_fingerprint,
                target
                    .expect_fingerprint
                    .is_none()
                    .then(|| signature_of(soaked, target))
                    .flatten(),
            ),
            Some(schedule),
        ),
        preemptions: (preemptions, after),
    })
}

/// The command that replays `token`, written to a file under `dir` when it is long
/// (`<scenario>-iteration-<i>.token`, or `-schedule-<i>` for a schedule).
pub fn command(token: &Token, dir: &Path, scenario: &Scenario, index: u64) -> ReplayCommand {
    let what = match token.mode {
        Mode::Soak => "iteration",
        Mode::Explore => "schedule",
    };
    let name = file_stem(&scenario.name);
    token::command(token, Some(dir), &format!("{name}-{what}-{index}"))
}

/// A scenario name as a file name: the name is the user's, so only letters, digits, `-`
/// and `_` go in (`a/../b` becomes `a____b`), and it stays in the report folder.
fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The failure signature of iteration `target` in the soak's tally (the lowest iteration
/// of each signature is kept).
pub fn signature_of(soaked: &Soaked, target: &ReplayTarget) -> Option<String> {
    soaked
        .tally
        .signatures
        .iter()
        .find(|(_, c)| c.first.iteration == target.iteration)
        .map(|(s, _)| s.clone())
}

/// The fingerprint a divergent target ended with.
fn failing_fingerprint(soaked: &Soaked, target: &ReplayTarget) -> Option<String> {
    soaked
        .tally
        .fingerprints
        .iter()
        .find(|(_, c)| c.example_iteration == target.iteration)
        .map(|(f, _)| f.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_scenario_name_cannot_leave_the_report_folder() {
        assert_eq!(super::file_stem("a/../b"), "a____b");
        assert_eq!(super::file_stem("ok-name_1"), "ok-name_1");
        assert!(!super::file_stem("/etc/x é").contains(['/', '.', ' ']));
    }
}
