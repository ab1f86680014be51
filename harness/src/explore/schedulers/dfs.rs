//! Depth-first search over every schedule, with shuttle's own `DfsScheduler`, bounded by a
//! schedule count. It says when it ran out of schedules, which shuttle's runner cannot (its
//! count is the same when the space has exactly the bound's size). shuttle's DFS has no
//! preemption bound; `--depth` belongs to PCT.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use shuttle::scheduler::{DfsScheduler, Schedule, Scheduler, Task, TaskId};

/// DFS up to `limit` executions. The search itself is shared, so the explorer runs it one
/// execution per runner ([`BoundedDfs::one_more`]), each a new runner going on where the
/// last one stopped (after an execution that failed inside shuttle too).
#[derive(Debug, Clone)]
pub struct BoundedDfs {
    inner: Rc<RefCell<DfsScheduler>>,
    limit: u64,
    /// The most executions the current handle may start.
    allowed: Rc<Cell<u64>>,
    started: Rc<Cell<u64>>,
    exhausted: Rc<Cell<bool>>,
}

impl BoundedDfs {
    /// A search of at most `limit` schedules.
    pub fn new(limit: u64) -> Self {
        BoundedDfs {
            inner: Rc::new(RefCell::new(DfsScheduler::new(None, true))),
            limit,
            allowed: Rc::default(),
            started: Rc::default(),
            exhausted: Rc::default(),
        }
    }

    /// A handle that starts (at most) one more execution of the same search.
    pub fn one_more(&self) -> BoundedDfs {
        self.allowed.set(self.started.get() + 1);
        self.clone()
    }

    /// Whether it ran out of schedules before its bound.
    pub fn exhausted(&self) -> bool {
        self.exhausted.get()
    }

    /// Schedules started so far.
    pub fn started(&self) -> u64 {
        self.started.get()
    }
}

impl Scheduler for BoundedDfs {
    fn new_execution(&mut self) -> Option<Schedule> {
        if self.started.get() >= self.limit.min(self.allowed.get()) {
            return None;
        }
        match self.inner.borrow_mut().new_execution() {
            None => {
                self.exhausted.set(true);
                None
            }
            Some(s) => {
                self.started.set(self.started.get() + 1);
                Some(s)
            }
        }
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        self.inner
            .borrow_mut()
            .next_task(runnable, current, is_yielding)
    }

    fn next_u64(&mut self) -> u64 {
        self.inner.borrow_mut().next_u64()
    }
}
