//! The non-preemptive schedule: the current task runs until it blocks or ends, then the
//! lowest id. What the explorer measures a scenario's steps with (PCT's `max_steps`).

use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};

use super::{Once, keep_or_lowest};
use crate::explore::rng::{DATA_STREAM, SplitMix64};

/// Never preempts.
#[derive(Debug)]
pub struct NonPreemptive {
    once: Once,
    data: SplitMix64,
}

impl NonPreemptive {
    /// One execution; random data from `seed`.
    pub fn new(seed: u64) -> Self {
        NonPreemptive {
            once: Once::default(),
            data: SplitMix64::new(seed ^ DATA_STREAM),
        }
    }
}

impl Scheduler for NonPreemptive {
    fn new_execution(&mut self) -> Option<Schedule> {
        self.once.start(0)
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        _: bool,
    ) -> Option<TaskId> {
        Some(keep_or_lowest(runnable, current))
    }

    fn next_u64(&mut self) -> u64 {
        self.data.next_u64()
    }
}
