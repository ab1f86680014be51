//! The arguments of `harness soak`, `harness explore` and `harness replay`; what soak and
//! explore share is [`CampaignArgs`].

use std::path::PathBuf;
use std::time::Duration;

use engine::ChaosLevel;

use crate::campaign::{Isolation, Shard};
use crate::explore::params::SchedulerKind;
use crate::iteration::knobs::{HashSeed, parse_seed};
use crate::mutants::Mutant;
use crate::report::junit::JunitFlaky;

/// What `harness soak` and `harness explore` share.
#[derive(Debug, Clone, clap::Args)]
pub struct CampaignArgs {
    /// Scenario files or folders of them [default: scenarios/]. A scenario marked
    /// `expect_failure` (the canary) runs only when named or with `--include-canary`.
    pub paths: Vec<PathBuf>,
    /// Iterations (or schedules) run at once [default: available cores].
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u64).range(1..=256))]
    pub jobs: Option<u64>,
    /// The run seed (decimal or 0x-hex) [default: fresh]. It is printed first as `SEED=`.
    #[arg(long, value_parser = parse_seed)]
    pub seed: Option<u64>,
    /// Override every scenario's chaos level.
    #[arg(long, value_parser = parse_chaos)]
    pub chaos: Option<ChaosLevel>,
    /// Lua's string-hash seed (the order `pairs()` visits string keys in): `vary` takes it
    /// from each iteration's seed, so an order-dependent outcome shows up as flaky and
    /// replays exactly; `fixed` keeps one for every iteration.
    #[arg(long, value_enum, default_value_t = HashSeed::Vary)]
    pub hash_seed: HashSeed,
    /// Run a deliberately broken engine instead of the real one (see `harness mutants`).
    #[arg(long, value_enum, default_value_t = Mutant::None, hide = true)]
    pub mutant: Mutant,
    /// How long one iteration may take before it is a hang, for every scenario (`90s`,
    /// `500ms`) [default: each scenario's `hard_deadline`, else 60s].
    #[arg(long, value_parser = parse_duration)]
    pub hard_deadline: Option<Duration>,
    /// Where `<verb>-<UTC timestamp>/` report folders go.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
    /// Also write the JUnit XML here.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// How flaky scenarios appear in JUnit: `pass`, a passing testcase with
    /// `flakyFailure`s (nextest's convention), or `fail`, a `failure` (for CI systems that
    /// only read failures).
    #[arg(long, value_enum, default_value_t = JunitFlaky::Pass)]
    pub junit_flaky: JunitFlaky,
    /// Stop at the first bad iteration; later scenarios are not run.
    #[arg(long)]
    pub fail_fast: bool,
    /// Also run the canary (and any other `expect_failure` scenario) found in folders.
    #[arg(long)]
    pub include_canary: bool,
    /// Run only shard K of N (`--shard 2/3`) of every scenario's iterations (or schedules),
    /// with the seeds an unsharded run gives them; `harness report merge` puts the N
    /// reports together exactly. Needs `--seed`.
    #[arg(long, value_parser = Shard::parse, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// The project root every file a scenario names must stay in [default: the top of the
    /// scenario's git work tree, else of its Cargo workspace, else its own folder].
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Progress display: bars on a terminal (auto), or lines at iterations 1, 2, 4, 8, ...
    /// for CI logs.
    #[arg(long, value_enum, default_value_t = crate::progress::Mode::Auto)]
    pub progress: crate::progress::Mode,
}

/// `harness soak [PATHS...]`: replay scenarios many times and report flakiness with
/// confidence bounds.
#[derive(Debug, Clone, clap::Args)]
pub struct SoakArgs {
    /// Shared with explore.
    #[command(flatten)]
    pub common: CampaignArgs,
    /// Iterations per scenario [default: each scenario's own `iterations`, else 1000].
    #[arg(long, short = 'n', value_parser = clap::value_parser!(u64).range(1..))]
    pub iterations: Option<u64>,
    /// Where iterations run: supervised worker processes (a hang or crash costs one
    /// iteration) or threads of this process (a stuck iteration stops the run).
    #[arg(long, value_enum, default_value_t = Isolation::Process)]
    pub isolation: Isolation,
    /// Replay one iteration by its seed (from a soak's replay command) and show what it did.
    #[arg(long, value_parser = parse_seed, conflicts_with_all = ["iterations", "fail_fast", "junit"])]
    pub replay: Option<u64>,
    /// With `--replay`: the usual outcome fingerprint; a different one is reported as the
    /// reproduced failure.
    #[arg(long, requires = "replay")]
    pub expect_fingerprint: Option<String>,
}

/// `harness explore [PATHS...]`: run scenarios under shuttle's controlled schedules.
#[derive(Debug, Clone, clap::Args)]
pub struct ExploreArgs {
    /// Shared with soak.
    #[command(flatten)]
    pub common: CampaignArgs,
    /// How schedules are chosen.
    #[arg(long, value_enum, default_value_t = SchedulerKind::Pct)]
    pub scheduler: SchedulerKind,
    /// Schedules per scenario.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub schedules: u64,
    /// PCT's bug depth: the number of ordering constraints a bug needs (2: a read, another
    /// worker's write, the write-back).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=16))]
    pub depth: u64,
    /// Run every schedule twice and report any scenario whose outcome differs under the same
    /// schedule and seed.
    #[arg(long)]
    pub check_determinism: bool,
}

/// `harness replay TOKEN`: rerun one failure from its token.
#[derive(Debug, Clone, clap::Args)]
pub struct ReplayArgs {
    /// The token (`bp2.…`), or `@FILE` holding it (`@-`: standard input).
    pub token: String,
    /// The project root the token's scenario path is relative to [default: found from the
    /// working directory: the top of its git work tree, else of its Cargo workspace].
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Run it this many times and say how often the failure came back.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub times: u64,
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

/// `harness mutants`: run every mutant through soak and explore and say what catches it.
#[derive(Debug, Clone, clap::Args)]
pub struct MutantsArgs {
    /// Scenario files or folders [default: scenarios/]; the canary is never included.
    pub paths: Vec<PathBuf>,
    /// Only these mutants (repeatable) [default: all].
    #[arg(long, value_enum)]
    pub mutant: Vec<Mutant>,
    /// `quick` (one seed, small budgets; CI) or `full` (five seeds, medians).
    #[arg(long, value_enum, default_value_t = crate::mutants::Budget::Quick)]
    pub budget: crate::mutants::Budget,
    /// The base seed every attempt's run seed derives from.
    #[arg(long, value_parser = parse_seed, default_value = "1")]
    pub seed: u64,
    /// Iterations (or schedules) run at once [default: available cores].
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u64).range(1..=256))]
    pub jobs: Option<u64>,
    /// Where the `mutants-<UTC timestamp>/` report folder goes.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
    /// Also rewrite the "what it catches" table in this Markdown file, between
    /// `<!-- mutants:begin -->` and `<!-- mutants:end -->`.
    #[arg(long)]
    pub readme: Option<PathBuf>,
}
