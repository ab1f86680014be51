//! The overhead report's model, and the words its views share (the console, `overhead.md`,
//! `overhead.json` and `overhead.html` say a figure, a verdict and a fan-out row alike).

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

    /// How the figures were got: `quick mode`, `full mode` or `existing results`.
    pub fn mode(&self) -> &'static str {
        match (&self.bench_command, self.quick) {
            (None, _) => "existing results",
            (Some(_), true) => "quick mode",
            (Some(_), false) => "full mode",
        }
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

impl Metric {
    /// Its median with its unit, and its range (`exact` for a deterministic figure); a dash
    /// for each when it was not measured.
    pub fn figure_text(&self) -> (String, String) {
        let unit = &self.budget.unit;
        match &self.figure {
            Ok(f) if f.span.low == f.span.high => {
                (format!("{} {unit}", num(f.span.mid)), "exact".into())
            }
            Ok(f) => (
                format!("{} {unit}", num(f.span.mid)),
                format!("{} – {}", num(f.span.low), num(f.span.high)),
            ),
            Err(_) => ("—".into(), "—".into()),
        }
    }

    /// Its verdict as the console and the page say it (WITHIN, OVER, WAIVED, INFO, SKIP),
    /// with the page's badge class.
    pub fn label(&self) -> (&'static str, &'static str) {
        match self.verdict {
            Verdict::Within => ("WITHIN", "pass"),
            Verdict::Over if self.budget.waived.is_some() => ("WAIVED", "waived"),
            Verdict::Over => ("OVER", "fail"),
            Verdict::NoBudget => ("INFO", "info"),
            Verdict::NotMeasured => ("SKIP", "skip"),
        }
    }
}

/// A fan-out row's cells, in table order: N, default run, sequential run, default cost,
/// sequential cost, floor, and default cost ÷ floor, ÷ sequential, ÷ min(sequential, floor).
pub fn fan_out_cells(r: &Row) -> [String; 9] {
    let ratio = |a: f64, b: f64| {
        if b > 0.0 {
            format!("{:.2}×", a / b)
        } else {
            "—".into()
        }
    };
    [
        r.n.to_string(),
        num(r.parallel_run.mid),
        num(r.sequential_run.mid),
        num(r.parallel_cost.mid),
        num(r.sequential_cost.mid),
        num(r.floor.mid),
        ratio(r.parallel_cost.mid, r.floor.mid),
        ratio(r.parallel_cost.mid, r.sequential_cost.mid),
        ratio(r.parallel_cost.mid, r.sequential_cost.mid.min(r.floor.mid)),
    ]
}
