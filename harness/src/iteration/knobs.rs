//! Seeds: one run seed, and from it one seed per (scenario, iteration).
//!
//! The iteration seed is the whole of an iteration's randomness: `math.random` in every VM
//! (the engine mixes it with the branch index), the chaos perturbation, and the swarm knobs
//! below. So `--replay <iteration-seed>` reruns exactly that iteration, whatever the run seed
//! was, the way VOPR's `SEED=` and madsim's `MADSIM_TEST_SEED` do.
//!
//! Swarm testing (TigerBeetle's `fuzz.zig`): each iteration picks its worker cap from the
//! scenario's `chaos.workers` list, and `engine_thread: mixed` scenarios pick the thread, from
//! independent bits of the seed. No cap is above the workflow's own `max_parallel_branches`
//! (the loader refuses a list that names one; soak's default, the cores, is lowered to it):
//! soak tests the configurations the workflow runs.

use engine::ChaosLevel;
use engine::mix;

use crate::mutants::plant::Mutant;
use crate::scenario::Scenario;
use crate::scenario::format::EngineThread;

/// A fresh run seed from the clock and the process id (no `rand` dependency needed).
pub fn fresh_run_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    mix(nanos, u64::from(std::process::id()))
}

/// A stable 64-bit key for a scenario name.
pub fn scenario_key(name: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(name.as_bytes())
}

/// The seed of iteration `iteration` of the scenario named `name` in the run `run_seed`.
pub fn iteration_seed(run_seed: u64, name: &str, iteration: u64) -> u64 {
    mix(mix(run_seed, scenario_key(name)), iteration)
}

/// Parses a seed as written on the command line: decimal, or hex with `0x`.
pub fn parse_seed(text: &str) -> Result<u64, String> {
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    parsed.map_err(|_| format!("`{text}` is not a seed (a decimal or 0x-hex u64)"))
}

/// Whether Lua's string-hash seed (the order `pairs()` visits string keys in) changes from
/// one iteration to the next.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum HashSeed {
    /// Derived from each iteration's seed: an order-dependent fan-in shows up as flaky, and
    /// its replay reproduces the exact order.
    #[default]
    Vary,
    /// The same in every iteration.
    Fixed,
}

impl HashSeed {
    /// `vary` or `fixed`.
    pub fn as_str(self) -> &'static str {
        match self {
            HashSeed::Vary => "vary",
            HashSeed::Fixed => "fixed",
        }
    }
}

/// What the command line overrides in every iteration's knobs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--chaos`.
    pub chaos: Option<ChaosLevel>,
    /// `--hash-seed`.
    pub hash_seed: HashSeed,
    /// `--mutant`: the engine variant every iteration runs (the real one by default).
    pub mutant: Mutant,
    /// The worker cap of a scenario that names none (`chaos.workers`): soak resolves the
    /// engine's default (the cores) once, so every iteration, and its token, has one; a
    /// workflow's own `max_parallel_branches` lowers it. `None` under explore, whose model
    /// has a fixed core count.
    pub workers: Option<usize>,
}

/// The hash seed every iteration gets with `--hash-seed fixed`.
const FIXED_HASH_SEED: u64 = 0x5EED_0000_5EED;

/// Everything an iteration's seed decides besides `math.random`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Knobs {
    /// Perturbation level.
    pub chaos: ChaosLevel,
    /// Worker cap, when the scenario gives a list to pick from.
    pub workers: Option<usize>,
    /// Whether the engine runs on a thread spawned for this iteration.
    pub spawn_thread: bool,
    /// Lua's string-hash seed for the run.
    pub hash_seed: u64,
    /// The engine that runs it (the real one unless a mutant was asked for).
    #[serde(default, skip_serializing_if = "Mutant::is_none")]
    pub mutant: Mutant,
}

impl Knobs {
    /// The knobs of the iteration with `seed`, with the command line's overrides.
    pub fn derive(scenario: &Scenario, seed: u64, overrides: &Overrides) -> Knobs {
        let chaos = overrides.chaos;
        let workers = match scenario.workers.len() {
            0 => overrides
                .workers
                .map(|w| ceiling(scenario).map_or(w, |c| w.min(c))),
            n => Some(scenario.workers[(mix(seed, 0x5741_524d) % n as u64) as usize]),
        };
        let spawn_thread = match scenario.engine_thread {
            EngineThread::Caller => false,
            EngineThread::Spawned => true,
            EngineThread::Mixed => mix(seed, 0x5448_5244) & 1 == 1,
        };
        let hash_seed = match overrides.hash_seed {
            HashSeed::Vary => mix(seed, 0x4841_5348),
            HashSeed::Fixed => FIXED_HASH_SEED,
        };
        Knobs {
            chaos: chaos.unwrap_or(scenario.chaos),
            workers,
            spawn_thread,
            hash_seed,
            mutant: overrides.mutant,
        }
    }
}

/// The workflow's own `max_parallel_branches`, when it sets one.
fn ceiling(scenario: &Scenario) -> Option<usize> {
    scenario.workflow.settings().max_parallel_branches
}

/// The worker caps `scenario`'s iterations may run with under `overrides`, lowest first:
/// its `chaos.workers`, else the one soak fixes (the cores, at most the workflow's ceiling),
/// else (explore) the workflow's own setting; empty when that is the engine's default too.
pub fn worker_caps(scenario: &Scenario, overrides: &Overrides) -> Vec<usize> {
    let mut caps = match (scenario.workers.is_empty(), overrides.workers) {
        (false, _) => scenario.workers.clone(),
        (true, Some(w)) => vec![ceiling(scenario).map_or(w, |c| w.min(c))],
        (true, None) => ceiling(scenario).into_iter().collect(),
    };
    caps.sort_unstable();
    caps.dedup();
    caps
}

impl Knobs {
    /// The values of the knobs `scenario` lets vary from one iteration to the next, as
    /// `name=value` (`workers=1`, `engine_thread=spawned`); a knob fixed for the whole run
    /// is left out.
    pub fn varied(&self, scenario: &Scenario) -> Vec<String> {
        let mut out = Vec::new();
        if scenario.workers.len() > 1 {
            out.push(format!(
                "workers={}",
                self.workers.map_or("default".into(), |w| w.to_string())
            ));
        }
        if scenario.engine_thread == EngineThread::Mixed {
            let thread = if self.spawn_thread {
                "spawned"
            } else {
                "caller"
            };
            out.push(format!("engine_thread={thread}"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iteration_seeds_depend_on_run_seed_scenario_and_iteration() {
        let base = iteration_seed(1, "a", 0);
        assert_eq!(base, iteration_seed(1, "a", 0));
        assert_ne!(base, iteration_seed(2, "a", 0));
        assert_ne!(base, iteration_seed(1, "b", 0));
        assert_ne!(base, iteration_seed(1, "a", 1));
    }

    fn scenario(extra: &str) -> Scenario {
        let text = format!(
            "name: s\nstory: t\n{extra}\nworkflow:\n  name: w\n  nodes:\n    - {{ name: n }}\n"
        );
        crate::scenario::load::load_str(&text, std::path::Path::new("s.yaml")).unwrap()
    }

    #[test]
    fn mixed_engine_thread_spawns_for_some_iterations_and_not_others() {
        let mixed = scenario("engine_thread: mixed");
        let spawned = (0..200u64)
            .filter(|&i| {
                Knobs::derive(&mixed, iteration_seed(9, "s", i), &Overrides::default()).spawn_thread
            })
            .count();
        assert!((50..150).contains(&spawned), "{spawned} of 200");
        let caller = scenario("engine_thread: caller");
        assert!(!Knobs::derive(&caller, 1, &Overrides::default()).spawn_thread);
        let always = scenario("engine_thread: spawned");
        assert!(Knobs::derive(&always, 1, &Overrides::default()).spawn_thread);
    }

    #[test]
    fn swarm_workers_come_from_the_list_and_chaos_can_be_overridden() {
        let s = scenario("chaos: { level: light, workers: [1, 3] }");
        let picks: std::collections::BTreeSet<_> = (0..64u64)
            .map(|i| Knobs::derive(&s, iteration_seed(1, "s", i), &Overrides::default()).workers)
            .collect();
        assert_eq!(
            picks.into_iter().collect::<Vec<_>>(),
            vec![Some(1), Some(3)]
        );
        assert_eq!(
            Knobs::derive(&s, 5, &Overrides::default()).chaos,
            ChaosLevel::Light
        );
        assert_eq!(
            Knobs::derive(
                &s,
                5,
                &Overrides {
                    chaos: Some(ChaosLevel::Heavy),
                    ..Overrides::default()
                }
            )
            .chaos,
            ChaosLevel::Heavy
        );
    }

    #[test]
    fn soaks_default_worker_cap_stays_under_the_workflows_ceiling() {
        let text = "name: s\nstory: t\nworkflow:\n  name: w\n  settings: { max_parallel_branches: 1 }\n  nodes:\n    - { name: n }\n";
        let capped = crate::scenario::load::load_str(text, std::path::Path::new("s.yaml")).unwrap();
        let overrides = Overrides {
            workers: Some(8),
            ..Overrides::default()
        };
        assert_eq!(Knobs::derive(&capped, 3, &overrides).workers, Some(1));
        assert_eq!(worker_caps(&capped, &overrides), vec![1]);
        assert_eq!(worker_caps(&capped, &Overrides::default()), vec![1]);
        let free = scenario("chaos: { workers: [4, 2, 4] }");
        assert_eq!(worker_caps(&free, &overrides), vec![2, 4]);
        assert_eq!(
            worker_caps(&scenario(""), &overrides),
            vec![8],
            "no ceiling: the cores"
        );
    }

    #[test]
    fn seeds_parse_in_decimal_and_hex() {
        assert_eq!(parse_seed("42"), Ok(42));
        assert_eq!(parse_seed("0x2a"), Ok(42));
        assert_eq!(parse_seed(&u64::MAX.to_string()), Ok(u64::MAX));
        assert!(parse_seed("-1").is_err());
        assert!(parse_seed("0xzz").is_err());
    }
}
