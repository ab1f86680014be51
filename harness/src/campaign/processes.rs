//! `--isolation process` (the default): a scenario's iterations in supervised worker
//! processes, the way libFuzzer's fork mode and nextest's process-per-test run work that can
//! hang or crash.
//!
//! Each worker is this same `harness` binary, re-executed as `harness __worker`; it takes a
//! batch of iterations on its stdin and streams an outcome per iteration back on its stdout.
//! The supervisor (this module) hands out batches, and when a worker's current iteration
//! passes its hard deadline it kills the worker and records the iteration as a **hang**; a
//! worker that dies on its own (abort, segfault, the OOM killer) leaves its iteration
//! recorded as a **crash**. Either way a fresh worker takes the rest of the batch. Workers
//! die with the supervisor, even when it is SIGKILLed (`PR_SET_PDEATHSIG` on Linux, and on
//! every platform a worker exits when its stdin closes).
//!
//! The iteration deadline is on wall time, the backstop behind each node's charged hard
//! deadline (a deadlocked node uses no CPU): each worker's [`ChildClock`], which leaves out
//! the intervals the worker was stopped and the supervisor was paused. A stopped worker, or a
//! stopped supervisor, is never a hang.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::ops::Range;
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::child_clock::ChildClock;
use super::exe::worker_command;
use super::plan::{ExploreStats, Halt, Plan, WorkerStats};
use super::protocol::{LOAD_LIMIT, Reply, Request};
use super::sink::Sink;
use super::stop::Stop;
use crate::outcome::Outcome;
use crate::outcome::evaluate::Stopped;
use crate::scenario::Scenario;

/// Iterations per batch, at most: small enough to spread a scenario over the workers, large
/// enough that a batch's round trip costs nothing per iteration.
const MAX_BATCH: u64 = 64;

/// A message from a worker's reader thread: `(slot, generation, reply or end of output)`.
type Event = (usize, u64, Option<Reply>);

struct Worker {
    child: Child,
    stdin: ChildStdin,
    generation: u64,
    /// The batch it runs: the next index it will report, the end, and when it last reported
    /// (on `clock`).
    batch: Option<(u64, u64, Duration)>,
    /// Its active time: the deadlines' clock.
    clock: ChildClock,
    /// It reported an overdue node, or was killed, and is on its way out.
    dying: bool,
    /// It loaded the scenario ([`Reply::Ready`]).
    ready: bool,
    /// When it was started (on `clock`).
    started: Duration,
    /// It finished an iteration.
    started_work: bool,
    /// Exploring: it measured the scenario (its run without preemptions finished).
    measured: bool,
}

/// Runs iterations `range` of `scenario` into `sink` on `plan.jobs` workers.
pub fn soak(
    scenario: &Scenario,
    range: std::ops::Range<u64>,
    plan: &Plan,
    hard_deadline: Duration,
    stop: &Stop,
    sink: &mut Sink<'_>,
) -> (Option<Halt>, WorkerStats, ExploreStats) {
    let (tx, rx) = mpsc::channel::<Event>();
    let mut s = Supervisor::new(scenario, range, plan, hard_deadline, tx);
    loop {
        if stop.requested() {
            s.halt = stop.signal().map(Halt::Signal);
            break;
        }
        if sink.failed_fast {
            // `--fail-fast` saw a failure: no new batches, but the iterations below it still
            // running finish, so the lowest failing index is the lowest there is (iterations
            // go out one at a time, in order).
            if !s.running_below(sink.failed_at.unwrap_or(0)) {
                break;
            }
        } else {
            s.hand_out();
        }
        if s.halt.is_some() || s.all_done() {
            break;
        }
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok((slot, generation, event)) => {
                if !s.on_event(slot, generation, event, sink) {
                    continue; // from a worker already replaced, or written off
                }
                if s.halt.is_some() {
                    break;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => unreachable!("the loop holds a sender"),
        }
        s.check_deadlines(sink);
        if s.halt.is_some() {
            break;
        }
        sink.tick();
    }
    s.finish()
}

/// One scenario's workers and what they went through.
struct Supervisor<'a> {
    scenario: &'a Scenario,
    plan: &'a Plan,
    hard_deadline: Duration,
    /// A DFS: one worker runs every schedule in order, and none is run twice.
    sequential: bool,
    /// The scenario's invariant labels (failure signatures name them).
    labels: Vec<String>,
    queue: Batches,
    /// One slot per job; `None` until a worker is started in it, and after it ended.
    workers: Vec<Option<Worker>>,
    /// Of the last worker started: its events carry it, so a replaced worker's are ignored.
    generation: u64,
    tx: mpsc::Sender<Event>,
    stats: WorkerStats,
    explored: ExploreStats,
    halt: Option<Halt>,
}

impl<'a> Supervisor<'a> {
    fn new(
        scenario: &'a Scenario,
        range: Range<u64>,
        plan: &'a Plan,
        hard_deadline: Duration,
        tx: mpsc::Sender<Event>,
    ) -> Supervisor<'a> {
        let iterations = range.end.saturating_sub(range.start);
        let sequential = plan.explore.is_some_and(|e| e.sequential());
        let jobs = if sequential { 1 } else { plan.jobs.max(1) };
        let batch = if sequential {
            iterations.max(1)
        } else if plan.fail_fast {
            // One at a time, in order: the run stops right after the first failure, and the
            // iterations before it are the ones that ran (`harness mutants` counts effort so).
            1
        } else {
            (iterations / (jobs as u64 * 4)).clamp(1, MAX_BATCH)
        };
        let batches = iterations.div_ceil(batch).max(1);
        Supervisor {
            scenario,
            plan,
            hard_deadline,
            sequential,
            labels: scenario
                .invariants
                .iter()
                .map(|i| i.label.clone())
                .collect(),
            queue: Batches {
                next: range.start,
                end: range.end,
                size: batch,
                returned: VecDeque::new(),
            },
            workers: (0..(jobs as u64).min(batches)).map(|_| None).collect(),
            generation: 0,
            tx,
            stats: WorkerStats::default(),
            explored: ExploreStats::default(),
            halt: None,
        }
    }

    /// Whether a live worker still runs an iteration below `at`.
    fn running_below(&self, at: u64) -> bool {
        self.workers.iter().flatten().any(|w| {
            !w.dying
                && w.batch
                    .is_some_and(|(next, end, _)| next < end && next < at)
        })
    }

    /// Whether every iteration was handed out and every batch is done.
    fn all_done(&self) -> bool {
        self.queue.is_empty() && self.workers.iter().flatten().all(|w| w.batch.is_none())
    }

    /// Hands out batches to idle workers, starting workers as needed.
    fn hand_out(&mut self) {
        for (slot, worker) in self.workers.iter_mut().enumerate() {
            if worker
                .as_ref()
                .is_some_and(|w| w.batch.is_some() || w.dying)
            {
                continue;
            }
            let Some(range) = self.queue.pop() else {
                break;
            };
            if worker.is_none() {
                self.generation += 1;
                match spawn(self.scenario, self.plan, slot, self.generation, &self.tx) {
                    Ok(w) => {
                        self.stats.spawned += 1;
                        *worker = Some(w);
                    }
                    Err(e) => {
                        self.queue.push_front(range);
                        self.halt = Some(Halt::Abandoned(format!(
                            "could not start a worker process: {e}"
                        )));
                        break;
                    }
                }
            }
            let w = worker.as_mut().expect("started above");
            let request = Request::Iterations {
                start: range.start,
                end: range.end,
            };
            if send(&mut w.stdin, &request).is_err() {
                // It died before taking the batch; its end of output will say how.
                self.queue.push_front(range);
                w.dying = true;
                continue;
            }
            w.batch = Some((range.start, range.end, w.clock.now()));
        }
    }

    /// Takes in what worker `slot` said; `false` when it came from a worker already replaced,
    /// or written off (a hang was recorded, its rest put back: what it still says would count
    /// an iteration twice).
    fn on_event(
        &mut self,
        slot: usize,
        generation: u64,
        event: Option<Reply>,
        sink: &mut Sink<'_>,
    ) -> bool {
        let Some(w) = self.workers[slot]
            .as_ref()
            .filter(|w| w.generation == generation)
        else {
            return false;
        };
        if w.dying && event.is_some() {
            return false;
        }
        match event {
            Some(reply) => self.on_reply(slot, reply, sink),
            None => self.on_end(slot, sink),
        }
        true
    }

    fn on_reply(&mut self, slot: usize, reply: Reply, sink: &mut Sink<'_>) {
        let w = self.workers[slot].as_mut().expect("checked by on_event");
        match reply {
            Reply::Ready => {
                w.ready = true;
                // The first iteration's deadline starts now, not at the spawn.
                if let Some((_, _, at)) = &mut w.batch {
                    *at = w.clock.now();
                }
            }
            Reply::Done {
                index,
                seed,
                outcome,
                schedule,
                preemptions,
                nondeterminism,
                ..
            } => {
                let index = index.unwrap_or(0);
                let outcome = outcome.outcome();
                sink.record(index, seed, &outcome);
                w.started_work = true;
                if let Some(steps) = schedule {
                    let key = outcome
                        .signature(&self.labels)
                        .unwrap_or_else(|| format!("fp:{}", outcome.fingerprint));
                    self.explored
                        .keep(key, index, steps, preemptions.unwrap_or(0));
                }
                if let Some(what) = nondeterminism {
                    self.explored.differed(index, what);
                }
                // The batch ends with the worker's host report.
                if let Some((next, _, at)) = &mut w.batch {
                    *next = index + 1;
                    *at = w.clock.now();
                }
            }
            Reply::Host(host) => {
                self.stats.host = self.stats.host.max(host);
                w.batch = None;
            }
            Reply::Explore {
                max_steps,
                baseline,
            } => {
                self.explored.max_steps = max_steps;
                self.explored.baseline = baseline;
                w.measured = true;
            }
            Reply::Exhausted => {
                self.explored.exhausted = true;
                // The rest of the batch does not exist.
                self.queue.clear();
            }
            Reply::Shrunk { .. } => {}
            Reply::Overdue { index, seed, what } => {
                let index = index.unwrap_or(0);
                sink.record(index, seed, &Outcome::stopped(Stopped::Hang(what)));
                self.stats.hangs += 1;
                self.explored.worker_died = true;
                if self.sequential {
                    w.batch = None;
                    self.queue.clear();
                } else {
                    requeue_rest(w, index + 1, &mut self.queue);
                }
                w.dying = true;
            }
            Reply::Failed { message } => {
                self.halt = Some(Halt::Abandoned(format!(
                    "a worker could not start: {message}"
                )));
            }
        }
    }

    /// Worker `slot`'s output ended: it exited, or died (a crash, when it was running an
    /// iteration and was not written off).
    fn on_end(&mut self, slot: usize, sink: &mut Sink<'_>) {
        let mut w = self.workers[slot].take().expect("checked by on_event");
        let status = w.child.wait().map(describe_status);
        if w.batch.is_some_and(|(next, end, _)| next < end) {
            self.explored.worker_died = true;
        }
        if let Some((next, end, _)) = w.batch.take()
            && next < end
            && !w.dying
        {
            let seed = schedule_seed(self.plan, self.scenario, next);
            let why = status.unwrap_or_else(|e| format!("could not be waited for: {e}"));
            sink.record(next, seed, &Outcome::stopped(Stopped::Crash(why)));
            self.stats.crashes += 1;
            if self.sequential {
                self.queue.clear();
            } else if next + 1 < end {
                self.queue.push_front(next + 1..end);
            }
        }
    }

    /// Kills a worker whose current iteration is past its hard deadline (a hang); one that
    /// cannot even load the scenario stops the run (every new one would do the same).
    fn check_deadlines(&mut self, sink: &mut Sink<'_>) {
        let hard_deadline = self.hard_deadline;
        for w in self.workers.iter_mut().flatten() {
            if w.dying {
                continue;
            }
            let now = w.clock.now();
            if !w.ready && now.saturating_sub(w.started) > LOAD_LIMIT {
                let _ = w.child.kill();
                w.dying = true;
                self.halt = Some(Halt::Abandoned(format!(
                    "a worker did not load the scenario within {}",
                    humantime::format_duration(LOAD_LIMIT)
                )));
                continue;
            }
            if !w.ready {
                continue;
            }
            if let Some((next, end, at)) = w.batch
                && next < end
                && now.saturating_sub(at) > hard_deadline
            {
                let seed = schedule_seed(self.plan, self.scenario, next);
                let hang = Stopped::past_deadline(hard_deadline, true);
                sink.record(next, seed, &Outcome::stopped(hang));
                self.stats.hangs += 1;
                self.explored.worker_died = true;
                let _ = w.child.kill();
                if self.plan.explore.is_some() && !w.measured {
                    // The run without preemptions hung: every worker would, before every
                    // batch.
                    self.halt = Some(Halt::Abandoned(format!(
                        "its run without preemptions (explore measures the scenario with it) \
                         did not finish within the hard deadline of {}",
                        humantime::format_duration(hard_deadline)
                    )));
                }
                if self.sequential {
                    // A DFS cannot go on past a dead worker: its next one would replay the
                    // hang.
                    w.batch = None;
                    self.queue.clear();
                } else {
                    requeue_rest(w, next + 1, &mut self.queue);
                }
                w.dying = true;
            }
        }
    }

    /// Done or stopping: whatever still runs is killed (a stop must not wait for it).
    fn finish(mut self) -> (Option<Halt>, WorkerStats, ExploreStats) {
        for w in self.workers.iter_mut().flatten() {
            if w.batch.is_some() || w.dying {
                let _ = w.child.kill();
            }
        }
        for mut w in self.workers.into_iter().flatten() {
            drop(w.stdin);
            let _ = w.child.wait();
        }
        if self.explored.worker_died {
            self.explored.exhausted = false;
        }
        (self.halt, self.stats, self.explored)
    }
}

/// The iterations still to hand out: ranges put back (a dead worker's rest) first, then fresh
/// ones cut from a counter as they are needed (a count of 10^10 costs nothing up front).
struct Batches {
    next: u64,
    end: u64,
    size: u64,
    returned: VecDeque<Range<u64>>,
}

impl Batches {
    fn pop(&mut self) -> Option<Range<u64>> {
        if let Some(range) = self.returned.pop_front() {
            return Some(range);
        }
        (self.next < self.end).then(|| {
            let range = self.next..self.next.saturating_add(self.size).min(self.end);
            self.next = range.end;
            range
        })
    }

    fn push_front(&mut self, range: Range<u64>) {
        self.returned.push_front(range);
    }

    fn is_empty(&self) -> bool {
        self.returned.is_empty() && self.next >= self.end
    }

    fn clear(&mut self) {
        self.returned.clear();
        self.next = self.end;
    }
}

/// The seed iteration (or schedule) `index` ran with: a DFS explores one program, schedule
/// 0's.
fn schedule_seed(plan: &Plan, scenario: &Scenario, index: u64) -> u64 {
    let index = if plan.explore.is_some_and(|e| e.sequential()) {
        0
    } else {
        index
    };
    crate::iteration::knobs::iteration_seed(plan.run_seed, &scenario.name, index)
}

/// Puts iterations `from..end` of the worker's batch back at the front of the queue.
fn requeue_rest(w: &mut Worker, from: u64, queue: &mut Batches) {
    if let Some((_, end, _)) = w.batch.take()
        && from < end
    {
        queue.push_front(from..end);
    }
}

fn send(stdin: &mut ChildStdin, request: &Request) -> std::io::Result<()> {
    let mut line = serde_json::to_string(request).expect("requests serialize");
    line.push('\n');
    stdin.write_all(line.as_bytes())?;
    stdin.flush()
}

/// Starts a worker for `scenario` in `slot`, with a thread that turns its output into events.
fn spawn(
    scenario: &Scenario,
    plan: &Plan,
    slot: usize,
    generation: u64,
    tx: &mpsc::Sender<Event>,
) -> std::io::Result<Worker> {
    let mut child = worker_command(scenario, plan)?
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdin = child.stdin.take().expect("piped");
    let stdout = child.stdout.take().expect("piped");
    let mut clock = ChildClock::new(child.id());
    let started = clock.now();
    let tx = tx.clone();
    std::thread::Builder::new()
        .name(format!("worker-{slot}-reader"))
        .spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                match serde_json::from_str::<Reply>(&line) {
                    Ok(reply) => {
                        if tx.send((slot, generation, Some(reply))).is_err() {
                            return;
                        }
                    }
                    Err(_) => break, // not our protocol: treat as the end of the worker
                }
            }
            let _ = tx.send((slot, generation, None));
        })?;
    Ok(Worker {
        child,
        stdin,
        generation,
        batch: None,
        dying: false,
        ready: false,
        clock,
        started,
        started_work: false,
        measured: false,
    })
}

/// `killed by SIGSEGV`, `exited with code 3`.
fn describe_status(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("its worker exited with code {code}"),
        (None, Some(signal)) => format!(
            "its worker was killed by {}",
            crate::util::host::signal_name(signal)
        ),
        (None, None) => format!("its worker ended ({status})"),
    }
}
