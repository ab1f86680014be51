//! Follows a recorded schedule step by step. Where it can no longer (the recorded task cannot
//! run, the schedule ran out), it stops the execution and says so, rather than panic: a
//! scheduler's panic would look exactly like the failure being replayed.

use std::cell::Cell;
use std::rc::Rc;

use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};

use super::{Once, runnable_has, task};
use crate::explore::rng::{DATA_STREAM, SplitMix64};
use crate::explore::trace::Step;

/// A replay of `steps`.
#[derive(Debug)]
pub struct Replay {
    once: Once,
    steps: Vec<Step>,
    pos: usize,
    /// Set at the step where the replay left the recorded schedule.
    diverged: Rc<Cell<Option<usize>>>,
    data: SplitMix64,
}

impl Replay {
    /// The replay, and where it diverged (read after the run).
    pub fn new(steps: Vec<Step>) -> (Self, Rc<Cell<Option<usize>>>) {
        let diverged = Rc::new(Cell::new(None));
        (
            Replay {
                once: Once::default(),
                steps,
                pos: 0,
                diverged: diverged.clone(),
                data: SplitMix64::new(DATA_STREAM),
            },
            diverged,
        )
    }

    fn diverge(&mut self) {
        if self.diverged.get().is_none() {
            self.diverged.set(Some(self.pos));
        }
    }
}

impl Scheduler for Replay {
    fn new_execution(&mut self) -> Option<Schedule> {
        self.once.start(0)
    }

    fn next_task(&mut self, runnable: &[&Task], _: Option<TaskId>, _: bool) -> Option<TaskId> {
        if self.diverged.get().is_none()
            && let Some(Step::Task(t)) = self.steps.get(self.pos)
            && runnable_has(runnable, task(*t))
        {
            self.pos += 1;
            return Some(task(*t));
        }
        self.diverge();
        None
    }

    fn next_u64(&mut self) -> u64 {
        if self.diverged.get().is_none()
            && let Some(Step::Random(v)) = self.steps.get(self.pos)
        {
            self.pos += 1;
            return *v;
        }
        self.diverge();
        self.data.next_u64()
    }
}
