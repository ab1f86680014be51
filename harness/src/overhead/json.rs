//! `overhead.json`: the report for machines.

use serde_json::{Value, json};

use super::report::Report;
use super::span::Span;

/// The report as JSON.
pub fn render(report: &Report) -> Value {
    let span = |s: &Span| json!({ "median": s.mid, "low": s.low, "high": s.high });
    let metrics: Vec<Value> = report
        .metrics
        .iter()
        .map(|m| {
            let b = &m.budget;
            let (figure, how, why) = match &m.figure {
                Ok(f) => (span(&f.span), Value::from(f.how.clone()), Value::Null),
                Err(why) => (Value::Null, Value::Null, Value::from(why.clone())),
            };
            json!({
                "id": b.id,
                "what": b.what,
                "class": b.class.as_str(),
                "unit": b.unit,
                "figure": figure,
                "budget": { "max": b.max, "min": b.min, "text": b.describe() },
                "verdict": m.verdict.as_str(),
                "waived": b.waived,
                "enforced_by": if b.class.deterministic() { "--check" } else { "--check-timing" },
                "source": b.source,
                "seed": b.seed,
                "measured_by": how,
                "not_measured_because": why,
            })
        })
        .collect();
    let rows: Vec<Value> = report
        .rows
        .iter()
        .map(|r| {
            json!({
                "branches": r.n,
                "parallel_run_us": span(&r.parallel_run),
                "sequential_run_us": span(&r.sequential_run),
                "parallel_cost_us": span(&r.parallel_cost),
                "sequential_cost_us": span(&r.sequential_cost),
                "floor_us": span(&r.floor),
            })
        })
        .collect();
    let [within, over, no_budget, not_measured] = report.tally();
    json!({
        "generated_at": report.generated_at,
        "commit": report.commit,
        "quick": report.quick,
        "cores": report.cores,
        "load_average": { "before": report.load.0, "after": report.load.1 },
        "bench_command": report.bench_command,
        "criterion_home": report.criterion_home.display().to_string(),
        "budgets_file": report.budgets_file.display().to_string(),
        "summary": { "within": within, "over": over, "no_budget": no_budget, "not_measured": not_measured },
        "metrics": metrics,
        "floor_inputs_us": report.floor_inputs.map(|f| json!({
            "branch": span(&f.branch), "spawn": span(&f.spawn), "main_path": span(&f.main_path), "cores": f.cores,
        })),
        "fan_out": rows,
        "notes": report.notes,
    })
}
