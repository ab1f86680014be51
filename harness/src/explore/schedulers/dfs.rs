//! Depth-first search over every schedule with at most `depth − 1` preemptions (iterative
//! context bounding: Musuvathi and Qadeer, "Iterative Context Bounding for Systematic Testing
//! of Multithreaded Programs", PLDI 2007), bounded by a schedule count. A bug of depth d
//! needs d − 1 preemptions (PCT's measure: `--depth` means the same for both); switching when
//! the running task blocks, ends or yields costs nothing, so every such choice is explored.
//!
//! Why bounded: the helper pool's protocol puts a score of scheduling points into every
//! fan-out, and shuttle's own `DfsScheduler` (no bound, last decisions varied first) then
//! spent millions of schedules reordering the end of a two-branch fan-out without getting
//! back to its middle. With the bound, the same fan-out's space is small enough to search
//! through in a test. The search says when it ran out of schedules, which shuttle's runner
//! cannot (its count is the same when the space has exactly the bound's size).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};

use crate::explore::rng::{DATA_STREAM, SplitMix64};

/// A search of at most `limit` schedules. The search itself is shared, so the explorer runs
/// it one execution per runner ([`BoundedDfs::one_more`]), each a new runner going on where
/// the last one stopped (after an execution that failed inside shuttle too).
#[derive(Debug, Clone)]
pub struct BoundedDfs {
    search: Rc<RefCell<Search>>,
    limit: u64,
    /// The most executions the current handle may start.
    allowed: Rc<Cell<u64>>,
    started: Rc<Cell<u64>>,
    exhausted: Rc<Cell<bool>>,
}

/// The search: the choices of the execution in progress, deepest last.
#[derive(Debug)]
struct Search {
    levels: Vec<Level>,
    /// The next choice point of the execution in progress.
    step: usize,
    /// Preemptions so far in the execution in progress.
    preemptions: usize,
    /// The most preemptions a schedule may have.
    bound: usize,
    /// Whether an execution has started (the next one backtracks).
    begun: bool,
    /// shuttle's random data: the same stream in every execution.
    data: SplitMix64,
}

/// One choice point: the tasks it may pick, in the order they are tried, and the one the
/// execution in progress picked.
#[derive(Debug)]
struct Level {
    options: Vec<(TaskId, bool)>,
    at: usize,
}

impl BoundedDfs {
    /// A search of at most `limit` schedules with at most `depth − 1` preemptions each.
    pub fn new(limit: u64, depth: usize) -> Self {
        BoundedDfs {
            search: Rc::new(RefCell::new(Search {
                levels: Vec::new(),
                step: 0,
                preemptions: 0,
                bound: depth.saturating_sub(1),
                begun: false,
                data: SplitMix64::new(DATA_STREAM),
            })),
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

impl Search {
    /// Moves to the next schedule; `false` when there is none.
    fn advance(&mut self) -> bool {
        if std::mem::replace(&mut self.begun, true) {
            loop {
                let Some(last) = self.levels.last_mut() else {
                    return false;
                };
                if last.at + 1 < last.options.len() {
                    last.at += 1;
                    break;
                }
                self.levels.pop();
            }
        }
        self.step = 0;
        self.preemptions = 0;
        self.data = SplitMix64::new(DATA_STREAM);
        true
    }

    /// The tasks this point may pick, each with whether picking it is a preemption: the
    /// running task first (it may go on), then the others in id order while preemptions are
    /// left; when it blocked, ended or yields, every runnable task, for free (a yielding one
    /// last).
    fn options(
        &self,
        runnable: &[&Task],
        current: Option<TaskId>,
        yielding: bool,
    ) -> Vec<(TaskId, bool)> {
        let mut ids: Vec<TaskId> = runnable.iter().map(|t| t.id()).collect();
        ids.sort_unstable();
        let Some(current) = current.filter(|c| ids.contains(c)) else {
            return ids.into_iter().map(|t| (t, false)).collect();
        };
        let others = ids.iter().copied().filter(|&t| t != current);
        if yielding {
            return others
                .map(|t| (t, false))
                .chain([(current, false)])
                .collect();
        }
        let mut options = vec![(current, false)];
        if self.preemptions < self.bound {
            options.extend(others.map(|t| (t, true)));
        }
        options
    }
}

impl Scheduler for BoundedDfs {
    fn new_execution(&mut self) -> Option<Schedule> {
        if self.started.get() >= self.limit.min(self.allowed.get()) {
            return None;
        }
        if !self.search.borrow_mut().advance() {
            self.exhausted.set(true);
            return None;
        }
        self.started.set(self.started.get() + 1);
        Some(Schedule::new(0))
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let mut search = self.search.borrow_mut();
        let options = search.options(runnable, current, is_yielding);
        if options.len() == 1 {
            return Some(options[0].0);
        }
        let step = search.step;
        search.step += 1;
        if step == search.levels.len() {
            search.levels.push(Level { options, at: 0 });
        }
        let level = &search.levels[step];
        // A deterministic execution offers the same options along the same prefix; were it
        // not to, the recorded choice is kept in range and the search goes on from there.
        let (choice, preempts) = level.options[level.at.min(level.options.len() - 1)];
        if preempts {
            search.preemptions += 1;
        }
        Some(choice)
    }

    fn next_u64(&mut self) -> u64 {
        self.search.borrow_mut().data.next_u64()
    }
}
