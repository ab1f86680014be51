//! `harness soak SCENARIO --replay SEED`: rerun one iteration and keep everything it did.
//!
//! The seed is the whole of an iteration's randomness (see [`super::knobs`]), so the replay
//! is the same iteration: same `math.random` values, same chaos, same worker cap, same
//! thread. It runs where soak ran it, in a worker process under the same hard deadline, so
//! a hang replays as a hang instead of hanging the replay; and it runs a second time, which
//! shows whether its outcome depends on the seed alone.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use engine::ChaosLevel;

use super::iteration::{execute, run_iteration};
use super::knobs::Knobs;
use super::plan::{Isolation, Plan};
use super::protocol::{Reply, Request, WireRun};
use super::session::{NoAnswer, Session};
use super::watch::Watch;
use crate::outcome::evaluate::Stopped;
use crate::outcome::{Fingerprint, Outcome};
use crate::scenario::Scenario;
use crate::util::shell::shell_word;

/// The command that replays iteration `seed` of the scenario in `file`.
pub fn command(
    file: &std::path::Path,
    seed: u64,
    chaos: Option<ChaosLevel>,
    expect: Option<Fingerprint>,
) -> String {
    let mut cmd = format!(
        "harness soak {} --replay {seed}",
        shell_word(&file.display().to_string())
    );
    if let Some(level) = chaos {
        cmd.push_str(&format!(" --chaos {}", level.as_str()));
    }
    if let Some(f) = expect {
        cmd.push_str(&format!(" --expect-fingerprint {f}"));
    }
    cmd
}

/// What a replay did.
#[derive(Debug)]
pub struct Replayed {
    /// The iteration seed.
    pub seed: u64,
    /// Its knobs.
    pub knobs: Knobs,
    /// The run, when it finished.
    pub run: Option<WireRun>,
    /// How it was judged (a hang or a crash when it did not finish).
    pub outcome: Outcome,
    /// The usual fingerprint it was compared with, when one was given.
    pub expected: Option<Fingerprint>,
    /// The fingerprint of running the same seed once more (when the first run finished).
    pub again: Option<Fingerprint>,
}

impl Replayed {
    /// Whether its outcome differs from the usual one it was compared with.
    pub fn diverged(&self) -> bool {
        self.expected
            .is_some_and(|usual| usual != self.outcome.fingerprint)
    }

    /// Whether the failure came back: an invariant violated, a hang or a crash, or a
    /// diverging outcome.
    pub fn reproduced(&self) -> bool {
        self.outcome.failed() || self.diverged()
    }
}

/// Replays iteration `seed` of `scenario` as `plan` says (isolation, chaos, hard deadline).
pub fn replay(
    scenario: &Arc<Scenario>,
    seed: u64,
    plan: &Plan,
    expected: Option<Fingerprint>,
) -> Replayed {
    let knobs = Knobs::derive(scenario, seed, &plan.overrides);
    let hard_deadline = plan.hard_deadline.unwrap_or(scenario.hard_deadline);
    let (run, outcome, again) = match plan.isolation {
        Isolation::Process => in_worker(scenario, seed, plan, hard_deadline),
        Isolation::Thread => in_process(scenario, seed, &knobs, hard_deadline),
    };
    Replayed {
        seed,
        knobs,
        run,
        outcome,
        expected,
        again,
    }
}

type Ran = (Option<WireRun>, Outcome, Option<Fingerprint>);

/// Runs the replay on a thread of this process; a hang leaves that thread behind (the
/// process exits soon after, with the replay's verdict).
fn in_process(scenario: &Arc<Scenario>, seed: u64, knobs: &Knobs, hard_deadline: Duration) -> Ran {
    let (tx, rx) = mpsc::channel();
    let overdue = std::sync::Mutex::new(tx.clone());
    let watch = Watch::start(move |o| {
        if let Ok(t) = overdue.lock() {
            let _ = t.send(Err(o.to_string()));
        }
    });
    let (scenario, knobs) = (scenario.clone(), *knobs);
    let watched = watch.for_iteration(None, seed);
    std::thread::spawn(move || {
        let (run, outcome) = run_iteration(&scenario, seed, &knobs, Some(watched.clone()));
        let again = Fingerprint::of(&execute(
            &scenario.workflow,
            &scenario.input,
            seed,
            &knobs,
            Some(watched),
        ));
        let _ = tx.send(Ok((wire(run), outcome, again)));
    });
    match rx.recv_timeout(hard_deadline) {
        Ok(Ok((run, outcome, again))) => (Some(run), outcome, Some(again)),
        Ok(Err(overdue)) => (None, Outcome::stopped(Stopped::Hang(overdue)), None),
        Err(_) => (
            None,
            Outcome::stopped(Stopped::Hang(deadline_passed(hard_deadline))),
            None,
        ),
    }
}

fn in_worker(scenario: &Scenario, seed: u64, plan: &Plan, hard_deadline: Duration) -> Ran {
    let answer = Session::start(&scenario.file, plan).and_then(|mut session| {
        session.ask(&Request::Replay { seed, knobs: None }, hard_deadline, |r| {
            matches!(r, Reply::Done { .. })
        })
    });
    match answer {
        Ok(Reply::Done {
            outcome,
            run,
            again,
            ..
        }) => (
            run,
            outcome.outcome(),
            again.as_deref().and_then(Fingerprint::parse),
        ),
        Ok(_) => unreachable!("only a Done is wanted"),
        Err(NoAnswer::Hang(why)) => (None, Outcome::stopped(Stopped::Hang(why)), None),
        Err(NoAnswer::Died(why)) => (None, Outcome::stopped(Stopped::Crash(why)), None),
    }
}

fn deadline_passed(hard_deadline: Duration) -> String {
    format!(
        "the iteration did not finish within its hard deadline of {}",
        humantime::format_duration(hard_deadline)
    )
}

fn wire(run: engine::Run) -> WireRun {
    WireRun {
        state: run.result.as_ref().ok().cloned(),
        error: run.result.as_ref().err().map(|e| format!("failed to {e}")),
        trace: run.trace,
    }
}
