//! `report.md` of `harness mutants`, and the README's "what it catches" table (between its
//! markers, rewritten by `--readme`).

use std::fmt::Write as _;
use std::path::Path;

use super::report::{budget_text, caught_by, effort, seam_text, summary};
use super::{Findings, MethodFinding, MutantFinding};
use crate::report::escape::{code, code_cell, markdown as md_text};
use crate::report::views::write_atomic;

/// The README block's markers.
pub const BEGIN: &str = "<!-- mutants:begin -->";
/// Where the README block ends.
pub const END: &str = "<!-- mutants:end -->";

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
pub fn render(f: &Findings, command: &str) -> String {
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
        per_mutant(&mut md, m);
    }
    md
}

/// One mutant's section: a row per method, and each method's replay command.
fn per_mutant(md: &mut String, m: &MutantFinding) {
    let _ = writeln!(
        md,
        "\n### `{}` ({}, {})\n\n{}.\n",
        m.mutant.name(),
        m.mutant.story(),
        seam_text(m.mutant),
        m.mutant.class()
    );
    md.push_str(
        "| method | caught | median effort | spent | first caught by |\n|---|---|---:|---:|---|\n",
    );
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

/// Replaces what is between the markers in `path` with `table`.
pub fn rewrite_block(path: &Path, table: &str) -> std::io::Result<()> {
    let text = std::fs::read_to_string(path)?;
    let (Some(begin), Some(end)) = (text.find(BEGIN), text.find(END)) else {
        return Err(std::io::Error::other("the markers are gone"));
    };
    let new = format!("{}{BEGIN}\n{table}{}", &text[..begin], &text[end..]);
    write_atomic(path, &new)
}
