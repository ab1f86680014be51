//! How much each method may spend on one scenario, and over how many seeds.

use super::method::Method;

/// `quick` (CI) or `full`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Budget {
    /// One seed, small budgets: a few minutes on two cores.
    Quick,
    /// Five seeds (medians), budgets at the targets.
    Full,
}

impl Budget {
    /// `quick` or `full`.
    pub fn as_str(self) -> &'static str {
        match self {
            Budget::Quick => "quick",
            Budget::Full => "full",
        }
    }

    /// Iterations (soak) or schedules (explore) a method may run on one scenario.
    pub fn per_scenario(self, method: Method) -> u64 {
        match (self, method) {
            (Budget::Quick, Method::Soak) => 100,
            (Budget::Quick, Method::Pct | Method::Random) => 50,
            (Budget::Quick, Method::Dfs) => 200,
            (Budget::Full, Method::Soak) => 1000,
            (Budget::Full, Method::Pct | Method::Random) => 300,
            (Budget::Full, Method::Dfs) => 2000,
        }
    }

    /// How many run seeds each method is tried with (DFS explores one program: one seed).
    pub fn seeds(self, method: Method) -> u64 {
        match (self, method) {
            (_, Method::Dfs) | (Budget::Quick, _) => 1,
            (Budget::Full, _) => 5,
        }
    }
}
