//! What one execution did, as the `Scheduler` trait saw it, and the wrapper that records it.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};

/// A task id as a number.
pub fn tid(t: TaskId) -> u32 {
    usize::from(t) as u32
}

/// One step of an executed schedule, in the order shuttle asked: a task choice, or a random
/// value handed out (kept, so a replay needs no generator).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// The task that ran next.
    Task(u32),
    /// A value `next_u64` returned.
    Random(u64),
}

/// One `next_task` call, with what counting preemptions and shrinking need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The task that ran up to this point (`None` only at the first).
    pub current: Option<u32>,
    /// The task chosen.
    pub chosen: u32,
    /// Whether `current` could have gone on (it was runnable).
    pub current_runnable: bool,
    /// How many tasks could run.
    pub n_runnable: u32,
    /// The lowest runnable id.
    pub lowest_runnable: u32,
    /// The runnable ids, sorted.
    pub runnable: Vec<u32>,
}

impl Decision {
    /// A preemption: the running task could have gone on, and another one was chosen.
    pub fn is_preemption(&self) -> bool {
        self.current_runnable && Some(self.chosen) != self.current
    }

    /// A forced switch (the running task blocked or ended) that did not take the lowest id.
    pub fn is_nondefault_switch(&self) -> bool {
        self.current.is_some() && !self.current_runnable && self.chosen != self.lowest_runnable
    }
}

/// An executed schedule.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    /// Every step, in order.
    pub steps: Vec<Step>,
    /// Every task choice, with its context.
    pub decisions: Vec<Decision>,
}

impl Trace {
    /// Preemptions in it.
    pub fn preemptions(&self) -> usize {
        self.decisions.iter().filter(|d| d.is_preemption()).count()
    }

    /// What shrinking makes smaller, in this order: preemptions, then forced switches that
    /// did not take the lowest id.
    pub fn shrink_measure(&self) -> (usize, usize) {
        (
            self.preemptions(),
            self.decisions
                .iter()
                .filter(|d| d.is_nondefault_switch())
                .count(),
        )
    }

    /// Decisions with a real choice (more than one runnable task): PCT's steps.
    pub fn choice_points(&self) -> usize {
        self.decisions.iter().filter(|d| d.n_runnable > 1).count()
    }

    /// The random values handed out, in order.
    pub fn random_values(&self) -> Vec<u64> {
        self.steps
            .iter()
            .filter_map(|s| match s {
                Step::Random(v) => Some(*v),
                Step::Task(_) => None,
            })
            .collect()
    }
}

thread_local! {
    /// Whether the execution being recorded has been judged (see [`judged`]).
    static JUDGED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// The execution being recorded on this thread. `Runner::run` consumes its scheduler,
    /// and shuttle runs every task of an execution on the calling OS thread, so the
    /// recording lives here, where both the runner's caller and the workload can read it.
    static RECORDED: RefCell<Trace> = RefCell::new(Trace::default());
}

/// The trace of the execution recorded last (or still running) on this thread.
pub fn recorded() -> Trace {
    RECORDED.with(|t| t.borrow().clone())
}

/// The execution running on this thread has been judged: what is left is teardown (the
/// helper pool's shutdown, helpers finishing their idle wait), which cannot change its
/// outcome. From here on [`Recording`] schedules without its scheduler and records nothing:
/// the running task goes on while it can (unless it yields: then the lowest other id), else
/// the lowest id; every random value is all ones, so every timer of the helper pool fires.
/// Exploring the teardown's interleavings would only multiply schedules (a DFS backtracks
/// through the last decisions first) and spread PCT's change points over steps that cannot
/// matter.
pub fn judged() {
    JUDGED.set(true);
}

/// Wraps a scheduler and records every choice and random value it hands out, up to
/// [`judged`].
#[derive(Debug)]
pub struct Recording<S> {
    inner: S,
}

impl<S: Scheduler> Recording<S> {
    /// Records `inner`'s executions (see [`recorded`]).
    pub fn new(inner: S) -> Self {
        Recording { inner }
    }
}

impl<S: Scheduler> Scheduler for Recording<S> {
    fn new_execution(&mut self) -> Option<Schedule> {
        let schedule = self.inner.new_execution()?;
        RECORDED.with(|t| *t.borrow_mut() = Trace::default());
        JUDGED.set(false);
        Some(schedule)
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        if JUDGED.get() {
            let other = runnable
                .iter()
                .map(|t| t.id())
                .find(|&t| Some(t) != current);
            return match other {
                Some(other) if is_yielding => Some(other),
                _ => Some(super::schedulers::keep_or_lowest(runnable, current)),
            };
        }
        let choice = self.inner.next_task(runnable, current, is_yielding)?;
        let mut ids: Vec<u32> = runnable.iter().map(|r| tid(r.id())).collect();
        ids.sort_unstable();
        RECORDED.with(|t| {
            let mut t = t.borrow_mut();
            t.steps.push(Step::Task(tid(choice)));
            t.decisions.push(Decision {
                current: current.map(tid),
                chosen: tid(choice),
                current_runnable: current.is_some_and(|c| ids.contains(&tid(c))),
                n_runnable: ids.len() as u32,
                lowest_runnable: ids.first().copied().unwrap_or(0),
                runnable: ids,
            });
        });
        Some(choice)
    }

    fn next_u64(&mut self) -> u64 {
        if JUDGED.get() {
            return u64::MAX;
        }
        let v = self.inner.next_u64();
        RECORDED.with(|t| t.borrow_mut().steps.push(Step::Random(v)));
        v
    }
}
