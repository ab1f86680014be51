//! `harness soak` arguments.

use std::path::PathBuf;

use std::time::Duration;

use engine::ChaosLevel;

use crate::report::junit::JunitFlaky;
use crate::soak::knobs::parse_seed;
use crate::soak::runner::Isolation;

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
    /// Iterations run at once [default: available cores].
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
    /// Where iterations run: supervised worker processes (a hang or crash costs one
    /// iteration) or threads of this process (a stuck iteration stops the run).
    #[arg(long, value_enum, default_value_t = Isolation::Process)]
    pub isolation: Isolation,
    /// How long one iteration may take before it is a hang, for every scenario (`90s`,
    /// `500ms`) [default: each scenario's `hard_deadline`, else 60s].
    #[arg(long, value_parser = parse_duration)]
    pub hard_deadline: Option<Duration>,
    /// How flaky scenarios appear in JUnit: `pass`, a passing testcase with
    /// `flakyFailure`s (nextest's convention), or `fail`, a `failure` (for CI systems that
    /// only read failures).
    #[arg(long, value_enum, default_value_t = JunitFlaky::Pass)]
    pub junit_flaky: JunitFlaky,
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

/// A duration as people write it: `60s`, `500ms`, `2m`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    match humantime::parse_duration(text) {
        Ok(d) if d.is_zero() => Err("the duration must be longer than 0".into()),
        Ok(d) => Ok(d),
        Err(e) => Err(format!(
            "`{text}` is not a duration like 60s or 500ms ({e})"
        )),
    }
}
