//! `overhead.md`: the report for people.

use std::fmt::Write;

use super::metrics::Verdict;
use super::report::{Report, fan_out_cells, num};

/// The report as Markdown; `chart` is the SVG's file name, when one was drawn.
pub fn render(report: &Report, chart: Option<&str>) -> String {
    let mut md = String::new();
    let [within, over, no_budget, not_measured] = report.tally();
    let _ = writeln!(md, "# Overhead report\n");
    let commit = report
        .commit
        .as_ref()
        .map_or(String::new(), |c| format!(" · commit {c}"));
    let load = match report.load {
        (Some(a), Some(b)) => format!(" · load average {a:.1} → {b:.1}"),
        _ => String::new(),
    };
    let _ = writeln!(
        md,
        "{}{commit} · {} · {} cores{load} · budgets from `{}`\n",
        report.generated_at,
        report.mode(),
        report.cores,
        report.budgets_file.display()
    );
    let _ = writeln!(
        md,
        "**{within} within, {over} over, {no_budget} without a budget, {not_measured} not measured.** \
         Memory and instruction budgets are deterministic and fail `--check`; time budgets fail \
         only `--check-timing` (this host's speed drifts up to ~2× for minutes).\n"
    );
    match &report.bench_command {
        Some(cmd) => {
            let _ = writeln!(
                md,
                "Benches: `{cmd}`; ratios are taken within this one run.\n"
            );
        }
        None => {
            let _ = writeln!(
                md,
                "Benches: not run; criterion's existing results read from `{}`.\n",
                report.criterion_home.display()
            );
        }
    }
    let _ = writeln!(
        md,
        "| metric | median | range | budget | verdict | seed's figure |\n|---|---:|---|---|---|---|"
    );
    for m in &report.metrics {
        let b = &m.budget;
        let (median, range) = m.figure_text();
        let verdict = match (m.verdict, &b.waived) {
            (Verdict::Over, Some(_)) => "**over** (waived)".to_string(),
            (Verdict::Over, None) => "**over**".to_string(),
            (v, _) => v.as_str().to_string(),
        };
        let _ = writeln!(
            md,
            "| {} | {median} | {range} | {} | {verdict} | {} |",
            b.what,
            b.describe(),
            b.seed.as_deref().unwrap_or("—")
        );
    }
    let _ = writeln!(
        md,
        "\nRanges are criterion's 95% confidence intervals of the median; a ratio's range is what \
         its inputs' intervals allow. Memory and instruction figures are exact.\n"
    );
    fan_out(&mut md, report, chart);
    sources(&mut md, report);
    if !report.notes.is_empty() {
        let _ = writeln!(md, "\n## Notes\n");
        for note in &report.notes {
            let _ = writeln!(md, "- {note}");
        }
    }
    md
}

fn fan_out(md: &mut String, report: &Report, chart: Option<&str>) {
    let _ = writeln!(md, "## Fan-out cost against branch count\n");
    let Some(inputs) = report.floor_inputs else {
        let _ = writeln!(md, "Not measured in this run.\n");
        return;
    };
    let _ = writeln!(
        md,
        "cost(N) = run(N) − main path alone ({} µs); floor(N) = N × one branch ({} µs) ÷ \
         min(N, {} cores) + one hand-off to a worker ({} µs) when N > 1. All in µs, medians.\n",
        num(inputs.main_path.mid),
        num(inputs.branch.mid),
        inputs.cores,
        num(inputs.spawn.mid)
    );
    if let Some(file) = chart {
        let _ = writeln!(md, "![fan-out cost against branch count]({file})\n");
    }
    let _ = writeln!(
        md,
        "\"default\" is the engine's own choice (the adaptive worker count); \"sequential\" one worker; the target is default ≤ 1.05 × sequential at every N, and ≤ 1.15 × min(sequential, floor) where the host allows a speedup of 1.7 (`machine_speedup_2`).\n\n| N | default run | sequential run | default cost | sequential cost | floor | default ÷ floor | default ÷ sequential | default ÷ min(sequential, floor) |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for r in &report.rows {
        let _ = writeln!(md, "| {} |", fan_out_cells(r).join(" | "));
    }
    let _ = writeln!(md);
}

fn sources(md: &mut String, report: &Report) {
    let _ = writeln!(
        md,
        "## How each figure was measured, and where its budget comes from\n"
    );
    for m in &report.metrics {
        let b = &m.budget;
        let how = match &m.figure {
            Ok(f) => format!("`{}`", f.how),
            Err(why) => format!("not measured: {why}"),
        };
        let _ = writeln!(
            md,
            "- **{}** ({}): {how}. Budget: {}.",
            b.what, b.id, b.source
        );
        if let Some(why) = &b.waived {
            let _ = writeln!(md, "  Waived for `--check`: {why}");
        }
    }
}
