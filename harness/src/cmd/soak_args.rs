//! `harness soak` arguments.

use std::path::PathBuf;

use engine::ChaosLevel;

use crate::soak::knobs::parse_seed;

/// `harness soak [PATHS...]`: replay scenarios many times and report flakiness with
/// confidence bounds.
#[derive(Debug, Clone, clap::Args)]
pub struct SoakArgs {
    /// Scenario files or folders of them [default: scenarios/]. A scenario marked
    /// `expect_failure` (the canary) runs only when named or with `--include-canary`.
    pub paths: Vec<PathBuf>,
    /// Iterations per scenario [default: each scenario's own `iterations`, else 1000].
    #[arg(long, short = 'n', value_parser = clap::value_parser!(u64).range(1..))]
    pub iterations: Option<u64>,
    /// Iterations run at once, on std threads [default: available cores].
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u64).range(1..=256))]
    pub jobs: Option<u64>,
    /// The run seed (decimal or 0x-hex) [default: fresh]. It is printed first as `SEED=`.
    #[arg(long, value_parser = parse_seed)]
    pub seed: Option<u64>,
    /// Override every scenario's chaos level.
    #[arg(long, value_parser = parse_chaos)]
    pub chaos: Option<ChaosLevel>,
    /// Where `soak-<UTC timestamp>/` report folders go.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
    /// Also write the JUnit XML here.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// Stop at the first bad iteration; later scenarios are not run.
    #[arg(long)]
    pub fail_fast: bool,
    /// Also run the canary (and any other `expect_failure` scenario) found in folders.
    #[arg(long)]
    pub include_canary: bool,
    /// Progress display: bars on a terminal (auto), or lines at iterations 1, 2, 4, 8, ...
    /// for CI logs.
    #[arg(long, value_enum, default_value_t = crate::progress::Mode::Auto)]
    pub progress: crate::progress::Mode,
    /// Replay one iteration by its seed (from a soak's replay command) and show what it did.
    #[arg(long, value_parser = parse_seed, conflicts_with_all = ["iterations", "fail_fast", "junit"])]
    pub replay: Option<u64>,
    /// With `--replay`: the usual outcome fingerprint; a different one is reported as the
    /// reproduced failure.
    #[arg(long, requires = "replay")]
    pub expect_fingerprint: Option<String>,
}

fn parse_chaos(text: &str) -> Result<ChaosLevel, String> {
    ChaosLevel::parse(text).ok_or_else(|| format!("`{text}` is not one of off, light, heavy"))
}
