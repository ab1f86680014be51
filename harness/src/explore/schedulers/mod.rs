//! Schedulers on shuttle's public `Scheduler` trait, one small file each. Each drives exactly
//! one execution (`new_execution` answers once), so a schedule is a pure function of its
//! parameters and runs alone, in any process; except [`dfs`], which enumerates.

pub mod dfs;
pub mod fixed;
pub mod pct;
pub mod random;
pub mod recording;
pub mod replay;
pub mod shrinking;

use shuttle::scheduler::{Schedule, Task, TaskId};

/// Answers `new_execution` once.
#[derive(Debug, Default)]
pub(crate) struct Once(bool);

impl Once {
    pub(crate) fn start(&mut self, seed: u64) -> Option<Schedule> {
        if std::mem::replace(&mut self.0, true) {
            None
        } else {
            Some(Schedule::new(seed))
        }
    }
}

pub(crate) fn task(t: u32) -> TaskId {
    TaskId::from(t as usize)
}

pub(crate) fn runnable_has(runnable: &[&Task], t: TaskId) -> bool {
    runnable.iter().any(|r| r.id() == t)
}

/// The non-preemptive choice: keep the current task while it can run, else the lowest id.
pub(crate) fn keep_or_lowest(runnable: &[&Task], current: Option<TaskId>) -> TaskId {
    match current {
        Some(c) if runnable_has(runnable, c) => c,
        _ => runnable
            .iter()
            .map(|t| t.id())
            .min()
            .expect("shuttle never offers an empty list"),
    }
}
