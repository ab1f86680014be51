//! `harness overhead`'s arguments.

use std::path::PathBuf;

/// `harness overhead`: measure VM overhead against `benches/budgets.yaml`.
#[derive(Debug, Clone, clap::Args)]
pub struct OverheadArgs {
    /// Short criterion warm-up and measurement (0.2 s + 0.5 s per bench), as CI runs it.
    #[arg(long)]
    pub quick: bool,
    /// Exit 1 if a memory or instruction budget is breached (deterministic figures).
    #[arg(long)]
    pub check: bool,
    /// Exit 1 if any budget, time budgets included, is breached. Implies --check.
    #[arg(long)]
    pub check_timing: bool,
    /// Where to write overhead.md, overhead.json, overhead.svg and overhead.html.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
    /// The budgets file [default: <workspace>/benches/budgets.yaml].
    #[arg(long)]
    pub budgets: Option<PathBuf>,
    /// Do not run the benches: read criterion's existing results from --criterion-dir.
    #[arg(long)]
    pub no_bench: bool,
    /// criterion's output directory [default: <target>/overhead/criterion].
    #[arg(long)]
    pub criterion_dir: Option<PathBuf>,
    /// Skip the instruction counts (valgrind --tool=callgrind).
    #[arg(long)]
    pub no_callgrind: bool,
}
