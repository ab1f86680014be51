//! The `harness mutants` report: JSON (the findings as they are), Markdown, the compact table
//! printed on stdout, and the README's "what it catches" table, generated from the report.

use std::fmt::Write as _;

use serde::Serialize;

use super::escape::{code, code_cell, markdown as md_text};
use crate::detect::{Findings, MethodFinding, MutantFinding, RealFinding};

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
    let median_effort = crate::detect::Method::ALL
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
        f.budget.per_scenario(crate::detect::Method::Soak),
        f.budget.per_scenario(crate::detect::Method::Pct),
        f.budget.per_scenario(crate::detect::Method::Dfs),
        f.budget.seeds(crate::detect::Method::Soak),
    )
}

/// The seam a mutant plugs into, in words (`collector seam`), or nothing for the real engine.
pub fn seam_text(m: crate::mutant::Mutant) -> &'static str {
    m.seam().map_or("", |s| match s {
        crate::mutant::Seam::VmFactory => "VM factory seam",
        crate::mutant::Seam::Collector => "collector seam",
        crate::mutant::Seam::Deadlines => "deadlines seam",
        crate::mutant::Seam::States => "states seam",
        crate::mutant::Seam::HandOff => "hand-off seam",
        crate::mutant::Seam::Alarm => "a plant in the Lua build",
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
fn caught_by(m: &MutantFinding) -> String {
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

/// The progress line of one mutant: `   CAUGHT shared-vm  soak 1, pct 1 (isolation-globals)`.
pub fn mutant_line(m: &MutantFinding) -> String {
    if !m.caught() {
        return format!(
            "{:>10} {:<21} no method caught it",
            "SURVIVED",
            m.mutant.name()
        );
    }
    let scenario = m
        .methods
        .iter()
        .find_map(MethodFinding::first_catch)
        .map_or(String::new(), |c| format!(" (first by `{}`)", c.scenario));
    format!(
        "{:>10} {:<21} {}{scenario}",
        "CAUGHT",
        m.mutant.name(),
        caught_by(m)
    )
}

/// The progress line of the real engine under one method.
pub fn real_line(r: &RealFinding) -> String {
    if r.alarms.is_empty() {
        format!(
            "{:>10} real engine, {}: no alarm in {} {}",
            "CLEAN",
            r.method.as_str(),
            r.spent,
            r.method.unit()
        )
    } else {
        let names: Vec<&str> = r.alarms.iter().map(|a| a.scenario.as_str()).collect();
        format!(
            "{:>10} real engine, {}: {} alarm(s) in {}",
            "ALARM",
            r.method.as_str(),
            r.alarms.len(),
            names.join(", ")
        )
    }
}

/// The compact table printed at the end.
pub fn table_lines(f: &Findings) -> Vec<String> {
    let mut out = vec![format!(
        "{:<21} {:>8} {:>8} {:>8} {:>8}  scenario",
        "mutant", "soak", "pct", "random", "dfs"
    )];
    for m in &f.mutants {
        let cells: Vec<String> = m.methods.iter().map(cell).collect();
        let scenario = m
            .methods
            .iter()
            .find_map(MethodFinding::first_catch)
            .map_or("-", |c| c.scenario.as_str());
        out.push(format!(
            "{:<21} {:>8} {:>8} {:>8} {:>8}  {scenario}",
            m.mutant.name(),
            cells[0],
            cells[1],
            cells[2],
            cells[3]
        ));
    }
    out
}

/// The README's table: mutant, seed story, the methods that catch it with their median
/// effort (iterations for soak, schedules for explore).
pub fn readme_table(f: &Findings) -> String {
    let mut t = String::from(
        "| mutant | class | seed story | caught by (median effort) | first caught by |\n|---|---|---|---|---|\n",
    );
    for m in &f.mutants {
        let scenario = m
            .methods
            .iter()
            .find_map(MethodFinding::first_catch)
            .map_or("-".to_string(), |c| format!("`{}`", c.scenario));
        let _ = writeln!(
            t,
            "| `{}` | {} | {} | {} | {scenario} |",
            m.mutant.name(),
            m.mutant.class(),
            m.mutant.story(),
            caught_by(m)
        );
    }
    t
}

/// The Markdown report.
pub fn render_markdown(f: &Findings, command: &str) -> String {
    let s = summary(f);
    let mut md = String::from("# Mutants report\n\n");
    let _ = writeln!(md, "- command: {}", code(command));
    let _ = writeln!(md, "- budget: {}", budget_text(f, "`"));
    let _ = writeln!(
        md,
        "- caught: {} of {}{}",
        s.caught,
        s.mutants,
        if s.survivors.is_empty() {
            String::new()
        } else {
            format!("; **survived: {}**", s.survivors.join(", "))
        }
    );
    let _ = writeln!(md, "- alarms on the real engine: {}", s.alarms);
    if f.interrupted {
        let _ = writeln!(md, "- **interrupted**: the figures cover what ran");
    }
    md.push_str("\n## What each method catches\n\nMedian effort to the first detection, in the scenario that caught it (iterations for soak, schedules for explore); `(k/n)` when only k of n seeds caught it; `-` when none did.\n\n");
    md.push_str(&readme_table(f));
    md.push_str("\n## Median effort per method, over the mutants it catches\n\n| method | median effort |\n|---|---:|\n");
    for (method, median) in &s.median_effort {
        let _ = writeln!(
            md,
            "| {method} | {} |",
            median.map_or("-".to_string(), effort)
        );
    }
    md.push_str("\n## The real engine under the same budgets\n\n| method | run | alarms |\n|---|---:|---|\n");
    for r in &f.real {
        let alarms = if r.alarms.is_empty() {
            "0".to_string()
        } else {
            r.alarms
                .iter()
                .map(|a| format!("{}: {}", code_cell(&a.scenario), md_text(&a.reason)))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let _ = writeln!(
            md,
            "| {} | {} {} | {alarms} |",
            r.method.as_str(),
            r.spent,
            r.method.unit()
        );
    }
    md.push_str("\n## Per mutant\n");
    for m in &f.mutants {
        let _ = writeln!(
            md,
            "\n### `{}` ({}, {})\n\n{}.\n",
            m.mutant.name(),
            m.mutant.story(),
            seam_text(m.mutant),
            m.mutant.class()
        );
        md.push_str("| method | caught | median effort | spent | first caught by |\n|---|---|---:|---:|---|\n");
        for x in &m.methods {
            let spent: u64 = x.attempts.iter().map(|a| a.spent).sum();
            let scenario = x.first_catch().map_or("-".into(), |c| {
                format!("{}: {}", code_cell(&c.scenario), md_text(&c.reason))
            });
            let _ = writeln!(
                md,
                "| {} | {}/{} | {} | {} | {scenario} |",
                x.method.as_str(),
                x.caught(),
                x.attempts.len(),
                x.median_effort().map_or("-".to_string(), effort),
                spent
            );
        }
        md.push('\n');
        for x in &m.methods {
            if let Some(c) = x.first_catch() {
                let _ = writeln!(md, "- replay ({}): {}", x.method.as_str(), code(&c.replay));
            }
        }
    }
    md
}
