//! The report's content, shared by the writers (markdown, JSON, chart).

use std::path::PathBuf;

use super::fanout::{FloorInputs, Row};
use super::metrics::{Metric, Verdict};

/// One `harness overhead` run, ready to write.
#[derive(Debug)]
pub struct Report {
    /// When it ran (UTC, RFC 3339).
    pub generated_at: String,
    /// The workspace's commit, when it is a git checkout.
    pub commit: Option<String>,
    /// `--quick` (short criterion measurement).
    pub quick: bool,
    /// Cores the fan-outs could use.
    pub cores: usize,
    /// The command that ran the benches, or `None` when existing results were read.
    pub bench_command: Option<String>,
    /// Where criterion's results were read from.
    pub criterion_home: PathBuf,
    /// The budgets file.
    pub budgets_file: PathBuf,
    /// One entry per budget, in file order.
    pub metrics: Vec<Metric>,
    /// The floor's inputs, when the run has them.
    pub floor_inputs: Option<FloorInputs>,
    /// The fan-out table.
    pub rows: Vec<Row>,
    /// The host's one-minute load average before and after the benches: other jobs on the
    /// same cores inflate times, and parallel ratios most.
    pub load: (Option<f64>, Option<f64>),
    /// Warnings worth reading (a skipped probe, say).
    pub notes: Vec<String>,
}

impl Report {
    /// How many metrics fall under each verdict: within, over, no budget, not measured.
    pub fn tally(&self) -> [usize; 4] {
        let count = |v: Verdict| self.metrics.iter().filter(|m| m.verdict == v).count();
        [
            count(Verdict::Within),
            count(Verdict::Over),
            count(Verdict::NoBudget),
            count(Verdict::NotMeasured),
        ]
    }

    /// The metrics that fail `--check` (`timing`: `--check-timing`).
    pub fn breaches(&self, timing: bool) -> Vec<&Metric> {
        self.metrics
            .iter()
            .filter(|m| m.fails_check(timing))
            .collect()
    }
}

/// A figure for tables: three significant digits, no exponent.
pub fn num(x: f64) -> String {
    let a = x.abs();
    if a >= 1000.0 {
        format!("{x:.0}")
    } else if a >= 100.0 {
        format!("{x:.1}")
    } else if a >= 10.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}
