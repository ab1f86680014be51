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

use super::mode::Mode;
use super::mode::explore::{Explore, ExploreWorkerArgs};
use super::mode::soak::Soak;
use super::protocol::{Reply, Request, WorkerHost};
use super::watch::{Backstop, Watch};
use crate::iteration::knobs::{HashSeed, Overrides, parse_seed};
use crate::mutants::Mutant;
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
    /// Explore instead of soaking.
    #[command(flatten)]
    pub explore: ExploreWorkerArgs,
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
    let scenario = match load(args) {
        Ok(s) => Arc::new(s),
        Err(message) => {
            reply(&out, &Reply::Failed { message });
            return crate::util::exit::USAGE;
        }
    };
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
    let mut mode: Box<dyn Mode> =
        match Explore::new(&args.explore, &scenario, args.run_seed, overrides) {
            Some(explore) => Box::new(explore),
            None => Box::new(Soak {
                scenario: scenario.clone(),
                run_seed: args.run_seed,
                overrides,
            }),
        };
    if let Some(facts) = mode.loaded() {
        reply(&out, &facts);
    }
    // The worker's own threads: main, the stdin reader, the watchdog and the pause clock.
    let threads_baseline = crate::util::host::threads();
    for request in requests {
        match request {
            Request::Iterations { start, end } => {
                for index in start..end {
                    let Some(done) = mode.run(index, &watch) else {
                        reply(&out, &Reply::Exhausted);
                        break;
                    };
                    reply(&out, &done);
                }
            }
            other => reply(&out, &mode.answer(other, &watch)),
        }
        reply(&out, &Reply::Host(WorkerHost::now(threads_baseline)));
    }
    crate::util::exit::OK
}

/// The scenario, refused when its content is not the one the supervisor loaded.
fn load(args: &WorkerArgs) -> Result<Scenario, String> {
    let scenario = load_file(&args.scenario, Some(&args.root)).map_err(|e| e.to_string())?;
    let hash = format!("{:016x}", scenario.content_hash);
    if let Some(expected) = &args.scenario_hash
        && *expected != hash
    {
        return Err(format!(
            "{} changed since the run started (content hash {expected}, now {hash}): its \
             iterations would not be the ones the run planned",
            args.scenario.display()
        ));
    }
    Ok(scenario)
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
