//! `harness replay TOKEN`: rerun one failure from its token and say whether it came back.
//!
//! Exit codes: 1 when the failure reproduced (the same way of failing, every time it was
//! asked to), 2 when it came back only sometimes or the run failed another way, 0 when it
//! did not come back, 3 when the token cannot be used, or its schedule could not be
//! followed (the run left it: DIVERGED, whatever the run then did, as it was not the
//! token's run).

use super::args::ReplayArgs;
use super::error::CmdError;
use crate::replay::run::{read, replay};
use crate::util::exit;
use crate::util::out::say;

/// Runs `harness replay` and returns the exit code.
pub fn run(args: &ReplayArgs) -> Result<u8, CmdError> {
    let token = read(&args.token)?;
    let replayed = replay(token, args.times, args.root.as_deref())?;
    let token = &replayed.token;
    let mut lines = crate::report::replay::facts(&replayed.scenario, &replayed.first);
    // After the header and the knobs: how it is run.
    let how = match &token.schedule {
        Some(s) => format!(
            "  schedule: {} schedule {}, {} preemption{}{}, {} under shuttle",
            s.params.scheduler.as_str(),
            s.index,
            s.preemptions,
            if s.preemptions == 1 { "" } else { "s" },
            s.shrunk_from
                .map(|from| format!(" (shrunk from {from})"))
                .unwrap_or_default(),
            if replayed.diverged.is_some() {
                "not followed to its end"
            } else {
                "followed step by step"
            }
        ),
        None => "  schedule: real threads (the OS schedules them)".into(),
    };
    lines.insert(lines.len().min(2), how);
    if replayed.diverged.is_none() {
        lines.push(crate::report::replay::verdict(&replayed.first));
    }
    for line in lines {
        say(format_args!("{line}"));
    }
    if let Some(at) = &replayed.diverged {
        // Whatever the run did after it left the schedule, it was not the token's run.
        say(format_args!(
            "DIVERGED: {at}, so this was not the token's run (the engine or the scenario \
             behaves differently than when the token was made, or the schedule names a task \
             that does not exist there)"
        ));
        return Ok(exit::USAGE);
    }
    let (times, came_back) = replayed.reproduced;
    let otherwise = replayed.otherwise;
    if came_back > 0 {
        say(format_args!("REPRODUCED {came_back} of {times} replays"));
    } else {
        say(format_args!("NOT REPRODUCED in {times} replays"));
    }
    if otherwise > 0 {
        say(format_args!(
            "{otherwise} of {times} replays failed another way than the token's"
        ));
    }
    Ok(if came_back == times {
        exit::FAILED
    } else if came_back > 0 || otherwise > 0 {
        exit::FLAKY
    } else {
        exit::OK
    })
}
