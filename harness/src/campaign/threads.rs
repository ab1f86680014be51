//! `--isolation thread`: a scenario's iterations on `--jobs` threads of this process.
//!
//! Quicker to start than worker processes, but a thread cannot be killed: when an iteration
//! passes its hard deadline (or a node its own), the run stops there, keeps what it
//! measured, and leaves the stuck thread to die with the process. Nodes' hard deadlines run
//! on their charged clocks ([`super::watch`]); the iteration deadline, their backstop for a
//! node blocked without using CPU, on this process's active time (wall time less its
//! pauses, [`crate::util::pause`]), so a stopped soak records no hang.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::plan::{Halt, Plan};
use super::sink::Sink;
use super::stop::Stop;
use super::watch::{Backstop, Overdue, Watch};
use crate::iteration::execute::run_iteration;
use crate::iteration::knobs::{Knobs, iteration_seed};
use crate::outcome::Outcome;
use crate::outcome::evaluate::Stopped;
use crate::scenario::Scenario;
use crate::util::pause;

/// How long a stop waits for running iterations to finish before leaving them.
const GRACE: Duration = Duration::from_millis(1500);

enum Msg {
    Done(u64, u64, Outcome),
    Overdue(Overdue),
    Exited,
}

/// What each thread is running: `(index, seed, since)`, `since` on the active clock.
type Busy = Arc<Vec<Mutex<Option<(u64, u64, Duration)>>>>;

/// Runs iterations `range` into `sink`; `Some` when the run must stop.
pub fn soak(
    scenario: &Arc<Scenario>,
    range: std::ops::Range<u64>,
    plan: &Plan,
    hard_deadline: Duration,
    stop: &Stop,
    sink: &mut Sink<'_>,
) -> Option<Halt> {
    let (threads, rx) = start(scenario, range, plan);
    let mut exited = 0;
    let mut stopping_since: Option<Instant> = None;
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(Msg::Done(i, seed, outcome)) => sink.record(i, seed, &outcome),
            Ok(Msg::Exited) => {
                exited += 1;
                if exited == threads.busy.len() {
                    return stop.signal().map(Halt::Signal);
                }
            }
            Ok(Msg::Overdue(o)) => {
                threads.halt.store(true, Ordering::Relaxed);
                let (index, seed) = o.iteration.expect("soak nodes are watched per iteration");
                return hang(sink, index.unwrap_or(0), seed, o.to_string());
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return stop.signal().map(Halt::Signal),
        }
        if let Some((i, seed)) = threads.past(hard_deadline) {
            threads.halt.store(true, Ordering::Relaxed);
            let what = Stopped::past_deadline(hard_deadline, false).describe_cause();
            return hang(sink, i, seed, what);
        }
        if sink.failed_fast || stop.requested() {
            threads.halt.store(true, Ordering::Relaxed);
            let since = *stopping_since.get_or_insert_with(Instant::now);
            if since.elapsed() > GRACE {
                // Iterations still running are left behind (and lost), not waited for.
                return stop.signal().map(Halt::Signal);
            }
        }
        sink.tick();
    }
}

/// The soak threads, running: what each runs, and the flag that stops them all.
struct Threads {
    /// One slot per thread.
    busy: Busy,
    /// Set: every thread stops after its current iteration.
    halt: Arc<AtomicBool>,
}

impl Threads {
    /// The iteration (index, seed) a thread has run for longer than `hard_deadline`.
    fn past(&self, hard_deadline: Duration) -> Option<(u64, u64)> {
        let now = pause::now();
        self.busy.iter().find_map(|slot| {
            let running = *slot.lock().unwrap_or_else(|p| p.into_inner());
            running
                .filter(|&(_, _, since)| now.saturating_sub(since) > hard_deadline)
                .map(|(i, seed, _)| (i, seed))
        })
    }
}

/// Starts `plan.jobs` threads (at most one per iteration, and 256) taking iterations of
/// `range` in turn, and the watchdog behind them; their messages come on the receiver.
fn start(
    scenario: &Arc<Scenario>,
    range: std::ops::Range<u64>,
    plan: &Plan,
) -> (Threads, mpsc::Receiver<Msg>) {
    let iterations = range.end.saturating_sub(range.start);
    let end = range.end;
    let jobs = plan.jobs.clamp(1, iterations.clamp(1, 256) as usize);
    let next = Arc::new(AtomicU64::new(range.start));
    let halt = Arc::new(AtomicBool::new(false));
    let busy: Busy = Arc::new((0..jobs).map(|_| Mutex::new(None)).collect());
    let (tx, rx) = mpsc::channel::<Msg>();
    let overdue_tx = Mutex::new(tx.clone());
    let watch = Watch::start(Backstop::Iteration, move |o| {
        if let Ok(t) = overdue_tx.lock() {
            let _ = t.send(Msg::Overdue(o));
        }
    });
    for j in 0..jobs {
        let (scenario, next, halt, busy, tx) = (
            scenario.clone(),
            next.clone(),
            halt.clone(),
            busy.clone(),
            tx.clone(),
        );
        let (watch, run_seed, overrides) = (watch.clone(), plan.run_seed, plan.overrides);
        std::thread::Builder::new()
            .name(format!("soak-{j}"))
            .spawn(move || {
                while !halt.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= end {
                        break;
                    }
                    let seed = iteration_seed(run_seed, &scenario.name, i);
                    let knobs = Knobs::derive(&scenario, seed, &overrides);
                    *busy[j].lock().unwrap_or_else(|p| p.into_inner()) =
                        Some((i, seed, pause::now()));
                    let watch = watch.for_iteration(Some(i), seed);
                    let (_, outcome) = run_iteration(&scenario, seed, &knobs, Some(watch));
                    *busy[j].lock().unwrap_or_else(|p| p.into_inner()) = None;
                    if tx.send(Msg::Done(i, seed, outcome)).is_err() {
                        return;
                    }
                }
                let _ = tx.send(Msg::Exited);
            })
            .expect("spawn a soak thread");
    }
    (Threads { busy, halt }, rx)
}

/// Records iteration `index` as a hang and stops the run: its thread cannot be killed.
fn hang(sink: &mut Sink<'_>, index: u64, seed: u64, what: String) -> Option<Halt> {
    sink.record(index, seed, &Outcome::stopped(Stopped::Hang(what.clone())));
    Some(Halt::Abandoned(what))
}
