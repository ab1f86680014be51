//! The wrapper that records what a scheduler chose ([`Recording`]), and the end of an
//! execution's recording ([`judged`]).

use std::cell::RefCell;

use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};

use crate::explore::trace::{Decision, Step, Trace, tid};

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
                _ => Some(super::keep_or_lowest(runnable, current)),
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
