//! `harness replay TOKEN`: rerun one failure from its token and say whether it came back.
//!
//! Exit codes: 1 when the failure reproduced (the same way of failing, every time it was
//! asked to), 2 when it came back only sometimes or the run failed another way, 0 when it
//! did not come back, 3 when the token cannot be used, or its schedule could not be
//! followed (the run left it) and nothing came back.

use super::args::ReplayArgs;
use super::error::CmdError;
use crate::replay::run::{read, replay};
use crate::util::exit;
use crate::util::out::say;

/// Runs `harness replay` and returns the exit code.
pub fn run(args: &ReplayArgs) -> Result<u8, CmdError> {
    let token = read(&args.token)?;
    let replayed = replay(token, args.times)?;
    let token = &replayed.token;
    let mut lines = crate::report::replay::lines(&replayed.scenario, &replayed.first);
    // After the header and the knobs: how it is run.
    let how = match &token.schedule {
        Some(s) => format!(
            "  schedule: {} schedule {}, {} preemption{}{}, followed step by step under shuttle",
            s.params.scheduler.as_str(),
            s.index,
            s.preemptions,
            if s.preemptions == 1 { "" } else { "s" },
            s.shrunk_from
                .map(|from| format!(" (shrunk from {from})"))
                .unwrap_or_default()
        ),
        None => "  schedule: real threads (the OS schedules them)".into(),
    };
    lines.insert(lines.len().min(2), how);
    for line in lines {
        say(format_args!("{line}"));
    }
    if let Some(at) = &replayed.diverged {
        say(format_args!(
            "{:>10} the run left the recorded schedule ({at}): the engine or the scenario \
             behaves differently than when the token was made",
            "Diverged"
        ));
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
    } else if replayed.diverged.is_some() {
        // Not the same run at all: saying "the bug is gone" would be wrong.
        exit::USAGE
    } else {
        exit::OK
    })
}
