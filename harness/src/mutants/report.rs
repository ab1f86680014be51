//! The `harness mutants` report: its model (`report.json` is the findings as they are, with
//! a summary), and the words every view shares (cells, efforts, the budget).

use serde::Serialize;

use super::plant::{Mutant, Seam};
use super::{Findings, Method, MethodFinding, MutantFinding};

/// The JSON report's schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// The JSON report.
#[derive(Debug, Serialize)]
pub struct MutantsReport<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The command line.
    pub command: String,
    /// The base seed.
    pub seed: String,
    /// Whether every mutant was caught and the real engine raised no alarm.
    pub ok: bool,
    /// Mutants in all, caught, and the names of those no method caught.
    pub summary: Summary,
    /// Everything found.
    pub findings: &'a Findings,
}

/// The headline figures.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Mutants run.
    pub mutants: usize,
    /// Caught by some method.
    pub caught: usize,
    /// Caught by no method.
    pub survivors: Vec<String>,
    /// Alarms of the real engine.
    pub alarms: usize,
    /// Median effort per method over the mutants it caught (each mutant's own median).
    pub median_effort: Vec<(String, Option<f64>)>,
}

/// The summary of `f`.
pub fn summary(f: &Findings) -> Summary {
    let median_effort = Method::ALL
        .iter()
        .map(|&method| {
            let mut efforts: Vec<f64> = f
                .mutants
                .iter()
                .filter_map(|m| m.methods.iter().find(|x| x.method == method))
                .filter_map(MethodFinding::median_effort)
                .collect();
            efforts.sort_by(f64::total_cmp);
            let median = match efforts.len() {
                0 => None,
                n if n % 2 == 1 => Some(efforts[n / 2]),
                n => Some((efforts[n / 2 - 1] + efforts[n / 2]) / 2.0),
            };
            (method.as_str().to_string(), median)
        })
        .collect();
    Summary {
        mutants: f.mutants.len(),
        caught: f.mutants.iter().filter(|m| m.caught()).count(),
        survivors: f.survivors().iter().map(|m| m.name().to_string()).collect(),
        alarms: f.alarms(),
        median_effort,
    }
}

/// The budget in words: `quick (16 scenarios; per scenario: ...)`, the name between `quote`s.
pub fn budget_text(f: &Findings, quote: &str) -> String {
    format!(
        "{quote}{}{quote} ({} scenarios; per scenario: soak {} iterations, pct and random {} schedules, dfs {} schedules; soak, pct and random over {} seeds)",
        f.budget.as_str(),
        f.scenarios.len(),
        f.budget.per_scenario(Method::Soak),
        f.budget.per_scenario(Method::Pct),
        f.budget.per_scenario(Method::Dfs),
        f.budget.seeds(Method::Soak),
    )
}

/// The seam a mutant plugs into, in words (`collector seam`), or nothing for the real engine.
pub fn seam_text(m: Mutant) -> &'static str {
    m.seam().map_or("", |s| match s {
        Seam::VmFactory => "VM factory seam",
        Seam::Collector => "collector seam",
        Seam::Deadlines => "deadlines seam",
        Seam::States => "states seam",
        Seam::HandOff => "hand-off seam",
        Seam::Alarm => "a plant in the Lua build",
    })
}

/// A method's cell: `3` (median effort), `3 (4/5)` when not every seed caught it, `-`.
pub fn cell(m: &MethodFinding) -> String {
    match m.median_effort() {
        None => "-".into(),
        Some(e) if m.caught() == m.attempts.len() => effort(e),
        Some(e) => format!("{} ({}/{})", effort(e), m.caught(), m.attempts.len()),
    }
}

/// An effort as a count: `3`, or `2.5` for a median between two.
pub fn effort(e: f64) -> String {
    if e.fract() == 0.0 {
        format!("{e:.0}")
    } else {
        format!("{e:.1}")
    }
}

/// The methods that caught a mutant, with their median efforts: `soak 1, pct 2`.
pub fn caught_by(m: &MutantFinding) -> String {
    let by: Vec<String> = m
        .methods
        .iter()
        .filter(|x| x.caught() > 0)
        .map(|x| format!("{} {}", x.method.as_str(), cell(x)))
        .collect();
    if by.is_empty() {
        "SURVIVED".into()
    } else {
        by.join(", ")
    }
}
