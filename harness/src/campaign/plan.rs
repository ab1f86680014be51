//! How a soak runs (its plan), and what can stop a scenario's soak or its workers.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

use super::protocol::WorkerHost;
use crate::explore::params::{ExploreParams, SchedulerKind};
use crate::iteration::knobs::Overrides;

/// Where iterations run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Isolation {
    /// Supervised worker processes: a hang or a crash costs one iteration, not the run.
    #[default]
    Process,
    /// Threads of this process: quicker to start, but a stuck iteration stops the run.
    Thread,
}

/// How to soak.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The run seed every iteration seed is derived from.
    pub run_seed: u64,
    /// Iterations in flight at once (at least 1).
    pub jobs: usize,
    /// What the command line overrides in every iteration's knobs.
    pub overrides: Overrides,
    /// Stop at the first bad iteration of a scenario that should pass.
    pub fail_fast: bool,
    /// Where iterations run.
    pub isolation: Isolation,
    /// Overrides every scenario's `hard_deadline`.
    pub hard_deadline: Option<Duration>,
    /// Explore under shuttle instead of soaking on real threads.
    pub explore: Option<ExplorePlan>,
    /// Run only this shard's part of every scenario's iterations.
    pub shard: Option<Shard>,
}

/// Shard `index` of `count` (`--shard 2/3`): a contiguous part of every scenario's
/// iterations, the same whichever machine runs it, with the seeds an unsharded run gives
/// those iterations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    /// 1-based.
    pub index: u64,
    /// How many shards the run is cut into.
    pub count: u64,
}

impl Shard {
    /// Reads `K/N` (1 <= K <= N).
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("`{text}` is not a shard like 2/3 (shard K of N, 1 <= K <= N)");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (u64, u64) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// This shard's iterations out of `0..total`: the `index`-th of `count` contiguous
    /// parts, which together cover every iteration once.
    pub fn range(&self, total: u64) -> std::ops::Range<u64> {
        let cut = |k: u64| (u128::from(total) * u128::from(k) / u128::from(self.count)) as u64;
        cut(self.index - 1)..cut(self.index)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// How to explore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExplorePlan {
    /// The scheduler and its parameters (`max_steps` 0: each worker measures it).
    pub params: ExploreParams,
    /// Run every schedule twice and report any whose outcome differs.
    pub check_determinism: bool,
}

impl ExplorePlan {
    /// Whether schedules must run in order, on one worker, none twice (DFS).
    pub fn sequential(&self) -> bool {
        self.params.scheduler == SchedulerKind::Dfs
    }

    /// Tells a worker to explore: the arguments
    /// [`super::mode::explore::ExploreWorkerArgs`] reads.
    pub fn worker_args(&self, cmd: &mut Command) {
        let p = &self.params;
        cmd.arg("--explore")
            .arg(p.scheduler.as_str())
            .arg("--depth")
            .arg(p.depth.to_string());
        if p.max_steps > 0 {
            cmd.arg("--max-steps").arg(p.max_steps.to_string());
        }
        if self.check_determinism {
            cmd.arg("--check-determinism");
        }
    }
}

#[cfg(test)]
mod keep_tests {
    use super::{ExploreStats, KEPT_SCHEDULES};

    #[test]
    fn the_lowest_schedules_stay_whatever_order_they_come_in() {
        let mut stats = ExploreStats::default();
        let n = KEPT_SCHEDULES as u64 + 20;
        // Highest first: every later, lower newcomer must push out a higher one.
        for i in (0..n).rev() {
            stats.keep(format!("fp:{i}"), i, format!("s{i}"), 0);
        }
        assert_eq!(stats.schedules.len(), KEPT_SCHEDULES);
        assert_eq!(stats.kept_for.len(), KEPT_SCHEDULES);
        assert_eq!(
            stats.schedules.keys().copied().collect::<Vec<_>>(),
            (0..KEPT_SCHEDULES as u64).collect::<Vec<_>>()
        );
        // A later, higher schedule of a kept kind changes nothing; a newcomer above every
        // kept one is not kept.
        stats.keep("fp:1".into(), n + 5, "later".into(), 1);
        assert_eq!(stats.kept_for["fp:1"], 1);
        stats.keep("fp:new".into(), n + 6, "late".into(), 1);
        assert!(!stats.kept_for.contains_key("fp:new"));
    }
}

#[cfg(test)]
mod shard_tests {
    use super::Shard;

    #[test]
    fn shards_cover_every_iteration_once_in_order() {
        for total in [0u64, 1, 2, 7, 1000, u64::MAX] {
            for count in 1..=7u64 {
                let mut at = 0;
                for index in 1..=count {
                    let r = Shard { index, count }.range(total);
                    assert_eq!(r.start, at, "{index}/{count} of {total}");
                    at = r.end;
                }
                assert_eq!(at, total);
            }
        }
    }

    #[test]
    fn shard_text_is_k_of_n() {
        assert_eq!(Shard::parse("2/3"), Ok(Shard { index: 2, count: 3 }));
        for bad in ["0/3", "4/3", "1/0", "3", "a/b", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}

/// Most ways of failing (signatures, or outcomes other than the usual one) whose lowest
/// schedule is kept.
pub const KEPT_SCHEDULES: usize = 64;

/// What exploring a scenario found besides the outcomes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExploreStats {
    /// PCT's step count, as the workers measured it.
    pub max_steps: u64,
    /// The outcome fingerprint of the schedule without preemptions.
    pub baseline: Option<String>,
    /// A DFS ran out of schedules (and no worker died on the way).
    pub exhausted: bool,
    /// A worker died on the way (a DFS cannot then say it was exhaustive).
    pub worker_died: bool,
    /// The schedules kept: for each way of failing (its key), the lowest index seen, with its
    /// steps text and preemptions.
    pub schedules: BTreeMap<u64, (String, usize)>,
    /// The key each kept schedule was kept for.
    pub kept_for: BTreeMap<String, u64>,
    /// `--check-determinism`: the lowest schedules whose outcome differed when run twice,
    /// and how (at most [`KEPT_SCHEDULES`]).
    pub nondeterministic: Vec<(u64, String)>,
    /// How many schedules did.
    pub nondeterministic_count: u64,
}

impl ExploreStats {
    /// Notes that schedule `index` differed when run twice.
    pub fn differed(&mut self, index: u64, what: String) {
        self.nondeterministic_count += 1;
        self.nondeterministic.push((index, what));
        self.nondeterministic.sort_by_key(|(i, _)| *i);
        self.nondeterministic.truncate(KEPT_SCHEDULES);
    }

    /// Keeps the schedule of `index` when it is the lowest seen for `key` (a failure
    /// signature, or `fp:` and an outcome fingerprint), for the [`KEPT_SCHEDULES`] keys whose
    /// lowest schedules are lowest: whatever order workers report in, the first failure of
    /// the run keeps its schedule.
    pub fn keep(&mut self, key: String, index: u64, steps: String, preemptions: usize) {
        match self.kept_for.get(&key) {
            Some(&kept) if kept <= index => return,
            Some(&kept) => {
                self.schedules.remove(&kept);
            }
            None if self.kept_for.len() >= KEPT_SCHEDULES => {
                // Full: the kinds with the lowest first schedules stay (the first failure is
                // among them), so a newcomer below the highest kept one takes its place.
                let Some((&highest, _)) = self.schedules.last_key_value() else {
                    return;
                };
                if highest <= index {
                    return;
                }
                self.schedules.remove(&highest);
                self.kept_for.retain(|_, kept| *kept != highest);
            }
            None => {}
        }
        self.kept_for.insert(key, index);
        self.schedules.insert(index, (steps, preemptions));
    }
}

/// Why a scenario's soak stopped before its end (besides `--fail-fast`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Halt {
    /// SIGINT or SIGTERM.
    Signal(i32),
    /// The run cannot go on: an iteration stuck in a thread, or no worker could start.
    Abandoned(String),
}

/// What the worker processes went through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkerStats {
    /// Worker processes started.
    pub spawned: u64,
    /// Iterations that hung (their worker was killed, or reported a node past its
    /// deadline and exited).
    pub hangs: u64,
    /// Workers that died on their own.
    pub crashes: u64,
    /// The largest figures any worker reported.
    pub host: WorkerHost,
}
