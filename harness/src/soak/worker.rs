//! `harness __worker`: the process side of [`super::processes`]. It loads the scenario, then
//! runs the batches its supervisor sends on stdin and writes one reply per iteration to
//! stdout (see [`super::protocol`]).
//!
//! It dies with its supervisor: `PR_SET_PDEATHSIG` on Linux, and on every platform a
//! thread that exits the process as soon as stdin closes, even while an iteration is stuck
//! in C code. It ignores SIGINT and SIGTERM (a Ctrl-C reaches the whole process group; the
//! supervisor decides). When a node passes its hard deadline, the watchdog reports it and
//! exits: the supervisor records a hang and starts a fresh worker.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use engine::ChaosLevel;

use super::iteration::{execute, run_iteration};
use super::knobs::{Knobs, iteration_seed, parse_seed};
use super::protocol::{Reply, Request, WireOutcome, WireRun, WorkerHost};
use super::watch::Watch;
use crate::outcome::Fingerprint;
use crate::scenario::load::load_file;

/// A worker's exit code after it reported a node past its hard deadline.
pub const OVERDUE_EXIT: i32 = 86;

/// `harness __worker` (internal: the supervisor starts it).
#[derive(Debug, Clone, clap::Args)]
pub struct WorkerArgs {
    /// The scenario file.
    #[arg(long)]
    pub scenario: PathBuf,
    /// The run seed.
    #[arg(long, value_parser = parse_seed)]
    pub run_seed: u64,
    /// The chaos override.
    #[arg(long, value_parser = |s: &str| ChaosLevel::parse(s).ok_or(format!("`{s}` is not a chaos level")))]
    pub chaos: Option<ChaosLevel>,
    /// The supervisor's pid (a worker whose parent is already another process exits).
    #[arg(long)]
    pub parent: u32,
}

/// Runs the worker until its stdin closes; returns the exit code.
pub fn serve(args: &WorkerArgs) -> u8 {
    die_with(args.parent);
    let out = Arc::new(Mutex::new(std::io::stdout()));
    let scenario = match load_file(&args.scenario) {
        Ok(s) => s,
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
    let requests = read_requests();
    let overdue_out = out.clone();
    let watch = Watch::start(move |o| {
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
    // The worker's own threads: main, the stdin reader and the watchdog.
    let threads_baseline = crate::util::host::threads();
    for request in requests {
        match request {
            Request::Iterations { start, end } => {
                for index in start..end {
                    let seed = iteration_seed(args.run_seed, &scenario.name, index);
                    let knobs = Knobs::derive(&scenario, seed, args.chaos);
                    let watched = watch.for_iteration(Some(index), seed);
                    let (_, outcome) = run_iteration(&scenario, seed, &knobs, Some(watched));
                    reply(
                        &out,
                        &Reply::Done {
                            index: Some(index),
                            seed,
                            outcome: WireOutcome::from(&outcome),
                            run: None,
                            again: None,
                        },
                    );
                }
            }
            Request::Replay { seed } => {
                let knobs = Knobs::derive(&scenario, seed, args.chaos);
                let (run, outcome) = run_iteration(
                    &scenario,
                    seed,
                    &knobs,
                    Some(watch.for_iteration(None, seed)),
                );
                let again = Fingerprint::of(&execute(
                    &scenario.workflow,
                    &scenario.input,
                    seed,
                    &knobs,
                    Some(watch.for_iteration(None, seed)),
                ));
                let wire = WireRun {
                    state: run.result.as_ref().ok().cloned(),
                    error: run.result.as_ref().err().map(|e| format!("failed to {e}")),
                    trace: run.trace,
                };
                reply(
                    &out,
                    &Reply::Done {
                        index: None,
                        seed,
                        outcome: WireOutcome::from(&outcome),
                        run: Some(wire),
                        again: Some(again.to_string()),
                    },
                );
            }
        }
        reply(&out, &Reply::Host(WorkerHost::now(threads_baseline)));
    }
    crate::util::exit::OK
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
