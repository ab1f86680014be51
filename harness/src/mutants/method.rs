//! A detection method: soak on real threads, or explore under one of shuttle's schedulers.

use serde::Serialize;

use super::plant::Mutant;
use crate::campaign::{ExplorePlan, Isolation, Plan};
use crate::explore::params::{ExploreParams, SchedulerKind};
use crate::iteration::knobs::Overrides;

/// How a scenario is run to find a bug.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// `harness soak`: real threads, the scenario's own chaos.
    Soak,
    /// `harness explore --scheduler pct`.
    Pct,
    /// `harness explore --scheduler random`.
    Random,
    /// `harness explore --scheduler dfs`.
    Dfs,
}

impl Method {
    /// Every method, in report order.
    pub const ALL: [Method; 4] = [Method::Soak, Method::Pct, Method::Random, Method::Dfs];

    /// `soak`, `pct`, `random`, `dfs`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Soak => "soak",
            Method::Pct => "pct",
            Method::Random => "random",
            Method::Dfs => "dfs",
        }
    }

    /// What it counts: `iterations` or `schedules`.
    pub fn unit(self) -> &'static str {
        match self {
            Method::Soak => "iterations",
            _ => "schedules",
        }
    }

    /// The plan of one attempt: `engine` with run seed `seed`, stopping a scenario at its
    /// first failing iteration.
    pub fn plan(self, engine: Mutant, seed: u64, jobs: usize) -> Plan {
        let scheduler = match self {
            Method::Soak => None,
            Method::Pct => Some(SchedulerKind::Pct),
            Method::Random => Some(SchedulerKind::Random),
            Method::Dfs => Some(SchedulerKind::Dfs),
        };
        Plan {
            run_seed: seed,
            jobs,
            overrides: Overrides {
                mutant: engine,
                workers: scheduler
                    .is_none()
                    .then(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
                ..Overrides::default()
            },
            fail_fast: true,
            isolation: Isolation::Process,
            hard_deadline: None,
            shard: None,
            explore: scheduler.map(|scheduler| ExplorePlan {
                params: ExploreParams {
                    scheduler,
                    depth: 3,
                    max_steps: 0,
                },
                check_determinism: false,
            }),
        }
    }
}
