//! The console view of an overhead report.

use std::path::Path;

use super::report::Report;

/// The console summary: a line per metric and the totals (stdout), then the notes.
pub fn print(report: &Report, dir: &Path) {
    for m in &report.metrics {
        let (figure, _) = m.figure_text();
        let (status, _) = m.label();
        crate::util::out::say(format_args!(
            "{status:>8} {:<36} {figure:>14}   {:<15} {}",
            m.budget.id,
            m.budget.describe(),
            m.budget.class.as_str()
        ));
    }
    let [within, over, no_budget, not_measured] = report.tally();
    crate::util::out::say(format_args!(
        "overhead: {within} within, {over} over, {no_budget} without a budget, {not_measured} not measured; report in {}",
        dir.join("overhead.md").display()
    ));
    for note in &report.notes {
        eprintln!("note: {note}");
    }
}
