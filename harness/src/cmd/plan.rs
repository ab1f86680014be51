//! The plan a campaign's arguments make (`harness soak` and `harness explore` alike), and the
//! combinations of them that cannot be honoured.

use super::args::CampaignArgs;
use super::error::CmdError;
use crate::campaign::{ExplorePlan, Isolation, Plan};
use crate::iteration::knobs::{Overrides, fresh_run_seed};

/// The plan the shared arguments make, with soak's isolation or explore's plan.
pub fn from_args(args: &CampaignArgs, isolation: Isolation, explore: Option<ExplorePlan>) -> Plan {
    Plan {
        run_seed: args.seed.unwrap_or_else(fresh_run_seed),
        jobs: jobs(args),
        overrides: Overrides {
            chaos: args.chaos,
            hash_seed: args.hash_seed,
            mutant: args.mutant,
            // Explore's model has its own fixed core count.
            workers: explore.is_none().then(default_workers),
        },
        fail_fast: args.fail_fast,
        isolation,
        hard_deadline: args.hard_deadline,
        explore,
        shard: args.shard,
    }
}

/// Refuses `--shard` where it cannot give an exact merge: without `--seed` (each shard would
/// take its own seed from the clock) and under a DFS (`dfs`: its schedules come one from
/// the last, so they cannot be dealt out).
pub fn check_shard(args: &CampaignArgs, dfs: bool) -> Result<(), CmdError> {
    let Some(shard) = args.shard else {
        return Ok(());
    };
    if args.seed.is_none() {
        return Err(CmdError::Usage(format!(
            "--shard {shard} needs --seed: every shard must give each iteration the seed an \
             unsharded run gives it, and without --seed each shard takes its own from the clock \
             (pick one, e.g. --seed {}, and pass it to every shard)",
            fresh_run_seed()
        )));
    }
    if dfs {
        return Err(CmdError::Usage(format!(
            "--shard {shard} with --scheduler dfs: a depth-first search finds each schedule from \
             the one before, so its schedules cannot be split across machines; shard a random or \
             pct exploration instead"
        )));
    }
    if args.fail_fast {
        return Err(CmdError::Usage(format!(
            "--shard {shard} with --fail-fast: each shard would stop at its own first failure, \
             so the merge could not say which iterations ran; drop one of them"
        )));
    }
    Ok(())
}

/// The engine's default worker cap on this machine (its cores), fixed for a soak's
/// iterations so that their tokens hold it.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The jobs to use: the cores when not given.
pub fn jobs(args: &CampaignArgs) -> usize {
    args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |j| j as usize,
    )
}
