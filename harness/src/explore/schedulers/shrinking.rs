//! Replays a schedule as context-switch events anchored to each task's own progress, so one
//! preemption can be dropped without moving the others (what [`crate::explore::shrink`]
//! needs). At each scheduling point, with task `c` having run `k` steps: switch to
//! `events[(c, k)]` if there is one and it can run (a preemption whose target cannot run
//! still switches away, to the lowest other task); else keep `c` while it can run; else the
//! lowest runnable id. Replaying the events of a trace reproduces it exactly.

use std::collections::HashMap;

use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};

use super::{Once, keep_or_lowest, runnable_has, task};
use crate::explore::rng::{DATA_STREAM, SplitMix64};
use crate::explore::trace::{Trace, tid};

/// `(running task, steps it had run)` → the switch made there.
pub type Events = HashMap<(u32, u32), Event>;

/// One context switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    /// The task switched to.
    pub to: u32,
    /// The running task could have gone on (a preemption), rather than blocked or ended.
    pub preemption: bool,
    /// Its place in the trace it came from.
    pub index: usize,
}

/// The switches of an executed trace.
pub fn events_of(trace: &Trace) -> Events {
    let mut counts: Vec<u32> = Vec::new();
    let mut events = Events::new();
    for (i, d) in trace.decisions.iter().enumerate() {
        if let Some(c) = d.current {
            let k = counts.get(c as usize).copied().unwrap_or(0);
            if d.chosen != c {
                events.insert(
                    (c, k),
                    Event {
                        to: d.chosen,
                        preemption: d.current_runnable,
                        index: i,
                    },
                );
            }
        }
        let chosen = d.chosen as usize;
        if counts.len() <= chosen {
            counts.resize(chosen + 1, 0);
        }
        counts[chosen] += 1;
    }
    events
}

/// One execution following `events`.
#[derive(Debug)]
pub struct Shrinking {
    once: Once,
    events: Events,
    counts: Vec<u32>,
    values: Vec<u64>,
    next_value: usize,
    data: SplitMix64,
}

impl Shrinking {
    /// Follows `events`, handing out `values` as random data (then seeded ones).
    pub fn new(events: Events, values: Vec<u64>) -> Self {
        Shrinking {
            once: Once::default(),
            events,
            counts: Vec::new(),
            values,
            next_value: 0,
            data: SplitMix64::new(DATA_STREAM),
        }
    }
}

impl Scheduler for Shrinking {
    fn new_execution(&mut self) -> Option<Schedule> {
        self.once.start(0)
    }

    fn next_task(
        &mut self,
        runnable: &[&Task],
        current: Option<TaskId>,
        _: bool,
    ) -> Option<TaskId> {
        let event = current.map(tid).and_then(|c| {
            let k = self.counts.get(c as usize).copied().unwrap_or(0);
            self.events.get(&(c, k)).copied()
        });
        let choice = match event {
            Some(e) if runnable_has(runnable, task(e.to)) => task(e.to),
            Some(e) if e.preemption => runnable
                .iter()
                .map(|t| t.id())
                .filter(|&t| Some(t) != current)
                .min()
                .unwrap_or_else(|| keep_or_lowest(runnable, current)),
            _ => keep_or_lowest(runnable, current),
        };
        let chosen = tid(choice) as usize;
        if self.counts.len() <= chosen {
            self.counts.resize(chosen + 1, 0);
        }
        self.counts[chosen] += 1;
        Some(choice)
    }

    fn next_u64(&mut self) -> u64 {
        match self.values.get(self.next_value) {
            Some(v) => {
                self.next_value += 1;
                *v
            }
            None => self.data.next_u64(),
        }
    }
}
