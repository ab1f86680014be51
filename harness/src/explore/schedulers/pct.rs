//! PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte,
//! "A Randomized Scheduler with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010): a
//! depth-d bug between n tasks in k steps is found with probability at least 1/(n·k^(d−1))
//! per schedule.
//!
//! Every task gets a random distinct priority when it first shows up; `depth − 1` change
//! points are drawn uniformly from `1..=max_steps`, where a step is a decision with more than
//! one runnable task; at a change point (and at a `yield_now`, as shuttle and Coyote do, so a
//! task spinning on yield cannot livelock) the running task drops below every other; the
//! highest-priority runnable task always runs. Unlike shuttle's own `PctScheduler`, which
//! learns `max_steps` from its earlier executions and so places no change point on its first,
//! this one is given `max_steps` (measured once per scenario, kept in the replay token), so
//! schedule i depends on its seed alone.

use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};

use super::{Once, task};
use crate::explore::rng::{DATA_STREAM, SplitMix64};
use crate::explore::trace::tid;

/// One PCT execution.
#[derive(Debug)]
pub struct SeededPct {
    once: Once,
    seed: u64,
    rng: SplitMix64,
    data: SplitMix64,
    /// Known tasks, highest priority first; the first `band` have never been lowered.
    order: Vec<u32>,
    band: usize,
    known: Vec<bool>,
    /// Sorted, distinct, in `1..=max_steps`.
    change_points: Vec<u64>,
    steps: u64,
}

impl SeededPct {
    /// The execution of `seed` for a bug of `depth`, in a scenario of `max_steps` steps.
    pub fn new(seed: u64, depth: usize, max_steps: u64) -> Self {
        let mut rng = SplitMix64::new(seed);
        let want = (depth.max(1) as u64 - 1).min(max_steps) as usize;
        let mut change_points: Vec<u64> = Vec::with_capacity(want);
        while change_points.len() < want {
            let c = 1 + rng.below(max_steps);
            if !change_points.contains(&c) {
                change_points.push(c);
            }
        }
        change_points.sort_unstable();
        SeededPct {
            once: Once::default(),
            seed,
            rng,
            data: SplitMix64::new(seed ^ DATA_STREAM),
            order: Vec::new(),
            band: 0,
            known: Vec::new(),
            change_points,
            steps: 0,
        }
    }

    fn lower(&mut self, t: u32) {
        if let Some(pos) = self.order.iter().position(|&x| x == t) {
            if pos < self.band {
                self.band -= 1;
            }
            self.order.remove(pos);
            self.order.push(t);
        }
    }
}

impl Scheduler for SeededPct {
    fn new_execution(&mut self) -> Option<Schedule> {
        self.once.start(self.seed)
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let mut ids: Vec<u32> = runnable.iter().map(|t| tid(t.id())).collect();
        ids.sort_unstable();
        // A new task takes a random place among those never lowered: a uniform permutation.
        for &t in &ids {
            let i = t as usize;
            if self.known.len() <= i {
                self.known.resize(i + 1, false);
            }
            if !self.known[i] {
                self.known[i] = true;
                let pos = self.rng.below(self.band as u64 + 1) as usize;
                self.order.insert(pos, t);
                self.band += 1;
            }
        }
        if ids.len() > 1 {
            self.steps += 1;
            let change = self.change_points.binary_search(&self.steps).is_ok();
            if let Some(c) = current
                && (change || is_yielding)
            {
                self.lower(tid(c));
            }
        }
        let best = self
            .order
            .iter()
            .copied()
            .find(|t| ids.binary_search(t).is_ok())
            .expect("every runnable task has a priority");
        Some(task(best))
    }

    fn next_u64(&mut self) -> u64 {
        self.data.next_u64()
    }
}
