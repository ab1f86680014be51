//! What one execution did, as the `Scheduler` trait saw it (recorded by
//! [`super::schedulers::recording`]).

use serde::{Deserialize, Serialize};
use shuttle::scheduler::TaskId;

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
