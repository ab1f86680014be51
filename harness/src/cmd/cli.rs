//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Stress-testing and verification harness for parallel Lua workflows.
#[derive(Debug, Parser)]
#[command(name = "harness", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a workflow once and print its final state as JSON.
    Run(RunArgs),
    /// Replay scenarios many times; report flakiness with confidence bounds.
    Soak(super::args::SoakArgs),
    /// Run scenarios under controlled schedules (shuttle: PCT, random or exhaustive DFS);
    /// every failure comes with a token that replays its schedule.
    Explore(super::args::ExploreArgs),
    /// Rerun one failure from its token (printed by soak and explore).
    Replay(super::args::ReplayArgs),
    /// Work with reports: `merge` shard reports into the whole run's.
    #[command(subcommand)]
    Report(super::report::ReportCommand),
    /// Run every mutant (a deliberately broken engine) through soak and explore, and the
    /// real engine under the same budgets: what catches what, with how much effort.
    Mutants(super::args::MutantsArgs),
    /// Measure VM overhead against benches/budgets.yaml; write reports/overhead.{md,json,svg,html}.
    Overhead(crate::overhead::args::OverheadArgs),
    /// Internal: a soak's worker process (started by the supervisor, not by hand).
    #[command(name = "__worker", hide = true)]
    Worker(crate::campaign::worker::WorkerArgs),
}

/// `harness run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The workflow YAML file.
    pub workflow: PathBuf,
    /// Initial state as a JSON object (merged over the workflow's `initial_state`).
    #[arg(long, conflicts_with = "state_file")]
    pub state: Option<String>,
    /// Read the initial state from a JSON file.
    #[arg(long)]
    pub state_file: Option<PathBuf>,
    /// Seed for `math.random` and anything else random.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Also print which node ran on which VM serial and branch (to stderr).
    #[arg(long)]
    pub trace: bool,
}
