//! Uniformly random: any runnable task at every scheduling point, from the schedule's seed.

use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};

use super::Once;
use crate::explore::rng::{DATA_STREAM, SplitMix64};

/// A random walk through the schedules.
#[derive(Debug)]
pub struct SeededRandom {
    once: Once,
    seed: u64,
    rng: SplitMix64,
    data: SplitMix64,
}

impl SeededRandom {
    /// One execution from `seed`.
    pub fn new(seed: u64) -> Self {
        SeededRandom {
            once: Once::default(),
            seed,
            rng: SplitMix64::new(seed),
            data: SplitMix64::new(seed ^ DATA_STREAM),
        }
    }
}

impl Scheduler for SeededRandom {
    fn new_execution(&mut self) -> Option<Schedule> {
        self.once.start(self.seed)
    }

    fn next_task(&mut self, runnable: &[&Task], _: Option<TaskId>, _: bool) -> Option<TaskId> {
        Some(runnable[self.rng.below(runnable.len() as u64) as usize].id())
    }

    fn next_u64(&mut self) -> u64 {
        self.data.next_u64()
    }
}
