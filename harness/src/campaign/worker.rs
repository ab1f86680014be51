//! `harness __worker`: the process side of [`super::processes`]. It loads the scenario, then
//! runs what its supervisor sends on stdin (soak iterations, or explore schedules) and writes
//! one reply per iteration to stdout (see [`super::protocol`]).
//!
//! It dies with its supervisor: `PR_SET_PDEATHSIG` on Linux, and on every platform a
//! thread that exits the process as soon as stdin closes, even while an iteration is stuck
//! in C code. It runs in a process group of its own, so a Ctrl-C at the terminal reaches only
//! the supervisor, which decides; and it ignores SIGINT and SIGTERM besides. It refuses a
//! scenario whose content is not the one the supervisor loaded (the file was edited during
//! the run), and says [`Reply::Ready`] once loaded: its first iteration's deadline starts
//! then. When a node passes its hard deadline, the watchdog reports it and
//! exits: the supervisor records a hang and starts a fresh worker.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use engine::ChaosLevel;

use super::protocol::{Keep, Reply, Request, WireOutcome, WorkerHost};
use super::watch::{Backstop, Watch};
use crate::explore::params::{ExploreParams, SchedulerKind};
use crate::explore::run::Executed;
use crate::explore::shrink::shrink;
use crate::explore::steps::{parse_steps, steps_text};
use crate::explore::unit::{Explored, Explorer, outcome_of};
use crate::iteration::execute::WireRun;
use crate::iteration::execute::{execute, run_iteration};
use crate::iteration::knobs::{HashSeed, Knobs, Overrides, iteration_seed, parse_seed};
use crate::mutant::Mutant;
use crate::outcome::Fingerprint;
use crate::scenario::Scenario;
use crate::scenario::load::load_file;

/// A worker's exit code after it reported a node past its hard deadline.
pub const OVERDUE_EXIT: i32 = 86;

/// `harness __worker` (internal: the supervisor starts it).
#[derive(Debug, Clone, clap::Args)]
pub struct WorkerArgs {
    /// The scenario file.
    #[arg(long)]
    pub scenario: PathBuf,
    /// Its project root, as the supervisor found it (or was given it).
    #[arg(long)]
    pub root: PathBuf,
    /// Its content hash as the supervisor loaded it (16 hex digits): a worker that loads
    /// something else (the file was edited during the run) refuses to run it.
    #[arg(long)]
    pub scenario_hash: Option<String>,
    /// The run seed.
    #[arg(long, value_parser = parse_seed)]
    pub run_seed: u64,
    /// The chaos override.
    #[arg(long, value_parser = |s: &str| ChaosLevel::parse(s).ok_or(format!("`{s}` is not a chaos level")))]
    pub chaos: Option<ChaosLevel>,
    /// `vary` or `fixed`.
    #[arg(long, value_enum, default_value_t = HashSeed::Vary)]
    pub hash_seed: HashSeed,
    /// The engine variant.
    #[arg(long, value_enum, default_value_t = Mutant::None)]
    pub mutant: Mutant,
    /// The worker cap of a scenario that names none.
    #[arg(long)]
    pub workers: Option<usize>,
    /// Explore with this scheduler instead of soaking.
    #[arg(long, value_enum)]
    pub explore: Option<SchedulerKind>,
    /// PCT's depth.
    #[arg(long, default_value_t = 3)]
    pub depth: usize,
    /// PCT's step count (measured when absent).
    #[arg(long)]
    pub max_steps: Option<u64>,
    /// DFS's schedule bound (the supervisor's batch ends it first).
    #[arg(long, default_value_t = u64::MAX)]
    pub schedules: u64,
    /// Run each schedule twice and say what differed.
    #[arg(long)]
    pub check_determinism: bool,
    /// The supervisor's pid (a worker whose parent is already another process exits).
    #[arg(long)]
    pub parent: u32,
}

type Out = Arc<Mutex<std::io::Stdout>>;

/// Runs the worker until its stdin closes; returns the exit code.
pub fn serve(args: &WorkerArgs) -> u8 {
    die_with(args.parent);
    let out: Out = Arc::new(Mutex::new(std::io::stdout()));
    slow_load_seam();
    let scenario = match load_file(&args.scenario, Some(&args.root)) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            reply(
                &out,
                &Reply::Failed {
                    message: e.to_string(),
                },
            );
            return crate::util::exit::USAGE;
        }
    };
    let hash = format!("{:016x}", scenario.content_hash);
    if let Some(expected) = &args.scenario_hash
        && *expected != hash
    {
        reply(
            &out,
            &Reply::Failed {
                message: format!(
                    "{} changed since the run started (content hash {expected}, now {hash}): \
                     its iterations would not be the ones the run planned",
                    args.scenario.display()
                ),
            },
        );
        return crate::util::exit::USAGE;
    }
    let requests = read_requests();
    let overrides = Overrides {
        chaos: args.chaos,
        hash_seed: args.hash_seed,
        mutant: args.mutant,
        workers: args.workers,
    };
    let overdue_out = out.clone();
    // The supervisor's iteration deadline backs the nodes' charged hard deadlines up.
    let watch = Watch::start(Backstop::Iteration, move |o| {
        let (index, seed) = o.iteration.unwrap_or((None, 0));
        reply(
            &overdue_out,
            &Reply::Overdue {
                index,
                seed,
                what: o.to_string(),
            },
        );
        std::process::exit(OVERDUE_EXIT);
    });
    // Loaded: the first batch's deadline starts now, and covers an explorer's measuring run
    // (a scenario whose run hangs there hangs its first schedule, not its load).
    reply(&out, &Reply::Ready);
    let mut explorer = args.explore.map(|scheduler| {
        let params = ExploreParams {
            scheduler,
            depth: args.depth,
            max_steps: args.max_steps.unwrap_or(0),
        };
        let explorer = Explorer::new(
            scenario.clone(),
            args.run_seed,
            overrides,
            params,
            args.schedules,
        );
        reply(
            &out,
            &Reply::Explore {
                max_steps: explorer.params.max_steps,
                baseline: explorer.baseline.map(|f| f.to_string()),
            },
        );
        (explorer, 0u64)
    });
    // The worker's own threads: main, the stdin reader, the watchdog and the pause clock.
    let threads_baseline = crate::util::host::threads();
    for request in requests {
        match (request, &mut explorer) {
            (Request::Iterations { start, end }, None) => {
                for index in start..end {
                    let seed = iteration_seed(args.run_seed, &scenario.name, index);
                    let knobs = Knobs::derive(&scenario, seed, &overrides);
                    let watched = watch.for_iteration(Some(index), seed);
                    let (_, outcome) = run_iteration(&scenario, seed, &knobs, Some(watched));
                    reply(&out, &done(Some(index), seed, &outcome));
                }
            }
            (Request::Iterations { start, end }, Some((explorer, next))) => {
                let dfs = explorer.params.scheduler == SchedulerKind::Dfs;
                for index in start..end {
                    // A DFS goes through its schedules in order, also the ones before `start`
                    // (another worker's, before it died). Every other schedule stands alone.
                    while dfs && *next < index {
                        if explorer.run(*next).is_none() {
                            break;
                        }
                        *next += 1;
                    }
                    let Some(explored) = explorer.run(index) else {
                        reply(&out, &Reply::Exhausted);
                        break;
                    };
                    *next = index + 1;
                    let mut reply_done =
                        explored_reply(explorer, &explored, scenario.deterministic, false);
                    if args.check_determinism
                        && let Reply::Done { nondeterminism, .. } = &mut reply_done
                    {
                        *nondeterminism = differs(explorer, &explored);
                    }
                    reply(&out, &reply_done);
                }
            }
            (Request::Replay { seed, knobs }, _) => {
                let knobs = knobs.unwrap_or_else(|| Knobs::derive(&scenario, seed, &overrides));
                reply(&out, &replayed(&scenario, seed, &knobs, &watch));
            }
            (
                Request::ReplaySchedule {
                    index,
                    seed,
                    knobs,
                    steps,
                },
                _,
            ) => {
                let replayer = Explorer::new(
                    scenario.clone(),
                    args.run_seed,
                    overrides,
                    ExploreParams {
                        scheduler: SchedulerKind::Random,
                        depth: 1,
                        max_steps: 1,
                    },
                    1,
                );
                let steps = parse_steps(&steps).unwrap_or_default();
                let (explored, diverged) = replayer.replay_with(index, seed, knobs, steps);
                let mut answer = explored_reply(&replayer, &explored, scenario.deterministic, true);
                if let (Reply::Done { nondeterminism, .. }, Some(at)) = (&mut answer, diverged) {
                    *nondeterminism = Some(format!(
                        "the replay left the recorded schedule at step {at}"
                    ));
                }
                reply(&out, &answer);
            }
            (Request::Shrink { index, steps, keep }, Some((explorer, _))) => {
                let steps = parse_steps(&steps).unwrap_or_default();
                let (found, _) = explorer.replay(index, steps);
                let labels: Vec<String> = scenario
                    .invariants
                    .iter()
                    .map(|i| i.label.clone())
                    .collect();
                let mut same = |executed: &Executed| {
                    outcome_of(executed).is_some_and(|o| match &keep {
                        Keep::Signature(s) => o.signature(&labels).as_deref() == Some(s),
                        Keep::Fingerprint(f) => o.fingerprint.to_string() == *f,
                    })
                };
                let shrunk = shrink(&explorer.workload(index), &found.trace, &mut same);
                reply(
                    &out,
                    &Reply::Shrunk {
                        before: shrunk.before,
                        after: shrunk.after,
                        runs: shrunk.runs,
                        steps: steps_text(&shrunk.trace.steps),
                    },
                );
            }
            (Request::Shrink { .. }, None) => {
                reply(
                    &out,
                    &Reply::Failed {
                        message: "shrink needs an explore worker".into(),
                    },
                );
            }
        }
        reply(&out, &Reply::Host(WorkerHost::now(threads_baseline)));
    }
    crate::util::exit::OK
}

fn done(index: Option<u64>, seed: u64, outcome: &crate::outcome::Outcome) -> Reply {
    Reply::Done {
        index,
        seed,
        outcome: WireOutcome::from(outcome),
        run: None,
        again: None,
        schedule: None,
        preemptions: None,
        nondeterminism: None,
    }
}

/// An explored schedule's reply: its schedule goes along when it may be a failure (it
/// failed on its own, or, in a deterministic scenario, its outcome is not the one without
/// preemptions); its run too, or always with `with_run` (a replay shows it).
fn explored_reply(
    explorer: &Explorer,
    explored: &Explored,
    deterministic: bool,
    with_run: bool,
) -> Reply {
    let maybe_failure = explored.outcome.failed()
        || (deterministic
            && explorer
                .baseline
                .is_some_and(|b| b != explored.outcome.fingerprint));
    let mut reply = done(Some(explored.index), explored.seed, &explored.outcome);
    if let Reply::Done {
        schedule,
        preemptions,
        run,
        ..
    } = &mut reply
    {
        // In a deterministic scenario any outcome may turn out not to be the usual one (that
        // is only known at the end, and need not be this worker's baseline): its schedule
        // goes along, for the supervisor to keep the lowest of each outcome.
        if maybe_failure || deterministic {
            *schedule = Some(steps_text(&explored.trace.steps));
            *preemptions = Some(explored.trace.preemptions());
        }
        *run = explored.run.clone().filter(|_| maybe_failure || with_run);
    }
    reply
}

/// Runs the same schedule again and says what differed, if anything did.
fn differs(explorer: &Explorer, first: &Explored) -> Option<String> {
    let (again, diverged) = explorer.replay(first.index, first.trace.steps.clone());
    if let Some(at) = diverged {
        return Some(format!(
            "the same schedule could not be followed again: it left it at step {at} (the \
             workload reached a scheduling point it had not before)"
        ));
    }
    if again.outcome.fingerprint != first.outcome.fingerprint {
        return Some(format!(
            "the same schedule and seed gave outcome {} ({}) then {} ({})",
            first.outcome.summary,
            first.outcome.fingerprint,
            again.outcome.summary,
            again.outcome.fingerprint
        ));
    }
    None
}

fn replayed(scenario: &Arc<Scenario>, seed: u64, knobs: &Knobs, watch: &Watch) -> Reply {
    let (run, outcome) =
        run_iteration(scenario, seed, knobs, Some(watch.for_iteration(None, seed)));
    let again = Fingerprint::of(&execute(
        &scenario.workflow,
        &scenario.input,
        seed,
        knobs,
        Some(watch.for_iteration(None, seed)),
    ));
    let wire = WireRun::from(run);
    let mut reply = done(None, seed, &outcome);
    if let Reply::Done { run, again: a, .. } = &mut reply {
        *run = Some(wire);
        *a = Some(again.to_string());
    }
    reply
}

fn reply(out: &Mutex<std::io::Stdout>, reply: &Reply) {
    let mut line = serde_json::to_string(reply).expect("replies serialize");
    line.push('\n');
    let mut out = out.lock().unwrap_or_else(|p| p.into_inner());
    // A supervisor that went away makes writes fail: nothing is left to do but exit.
    if out
        .write_all(line.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        std::process::exit(0);
    }
}

/// The requests on stdin, read by a thread that exits the process when stdin closes (the
/// supervisor is done, or gone), whatever the main thread is doing.
fn read_requests() -> mpsc::IntoIter<Request> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("worker-stdin".into())
        .spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                match serde_json::from_str::<Request>(&line) {
                    Ok(request) => {
                        if tx.send(request).is_err() {
                            break;
                        }
                    }
                    Err(_) => break,
                }
            }
            std::process::exit(0);
        })
        .expect("spawn the stdin reader");
    rx.into_iter()
}

/// Dies with the supervisor, and leaves SIGINT and SIGTERM to it.
fn die_with(parent: u32) {
    // SAFETY: plain libc calls with constant arguments, before any other thread exists.
    unsafe {
        #[cfg(target_os = "linux")]
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        libc::signal(libc::SIGINT, libc::SIG_IGN);
        libc::signal(libc::SIGTERM, libc::SIG_IGN);
        // The supervisor may have died before the death signal was armed.
        if libc::getppid() as u32 != parent {
            libc::_exit(0);
        }
    }
}

/// Test seam: `BRANCHPROOF_TEST_WORKER_LOAD_DELAY_MS` makes the worker wait that long before
/// it loads its scenario, as a huge scenario or a slow disk would, so a test can check that
/// loading does not count against the first iteration's deadline. (The scenario itself
/// cannot be made to load slowly: it must be a regular file.)
fn slow_load_seam() {
    let delay = std::env::var("BRANCHPROOF_TEST_WORKER_LOAD_DELAY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(ms) = delay {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}
