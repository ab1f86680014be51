//! What `harness mutants` prints as it goes: a line per engine as it is known, and the
//! compact table at the end.

use super::report::{MutantsReport, caught_by, cell};
use super::{Budget, Findings, MethodFinding, MutantFinding, RealFinding};

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

/// The lines after the table: a cut-short matrix (`planned` mutants were asked for), each
/// survivor, the real engine's alarms.
pub fn closing_lines(report: &MutantsReport<'_>, planned: usize, budget: Budget) -> Vec<String> {
    let mut out = Vec::new();
    if report.findings.interrupted {
        out.push(format!(
            "{:>10} by a signal: {} of {planned} mutants ran to their end; the report covers them",
            "Stopped",
            report.findings.mutants.len(),
        ));
    }
    for survivor in &report.summary.survivors {
        out.push(format!(
            "{:>10} `{survivor}`: no method caught it within the {} budget",
            "SURVIVED",
            budget.as_str()
        ));
    }
    if report.summary.alarms > 0 {
        out.push(format!(
            "{:>10} the real engine failed {} scenario run(s): see the report",
            "ALARM", report.summary.alarms
        ));
    }
    out
}
