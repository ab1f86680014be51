//! `overhead.html`: the overhead report as one self-contained page, from
//! `templates/overhead.html`: the verdicts, the budgets table and the fan-out chart inline.
//!
//! The template gets `overhead.json`'s value as `report` and a `view` of what is worked out
//! here: figures formatted as in `overhead.md`, badges, and the chart's SVG (the harness drew
//! it, so it goes in as markup).

use std::io;

use serde::Serialize;

use super::fanout::Row;
use super::json;
use super::metrics::Metric;
use super::report::{Report, fan_out_cells, num};
use crate::report::views;

/// The report as HTML; `chart` is the fan-out chart's SVG, when one was drawn.
pub fn render(report: &Report, chart: Option<&str>) -> io::Result<String> {
    let [within, over, no_budget, not_measured] = report.tally();
    let view = View {
        mode: report.mode(),
        tally: Tally {
            within,
            over,
            no_budget,
            not_measured,
        },
        metrics: report.metrics.iter().map(metric).collect(),
        fan_out: report.rows.iter().map(fan_out).collect(),
        floor: report.floor_inputs.map(|f| Floor {
            branch: num(f.branch.mid),
            spawn: num(f.spawn.mid),
            main_path: num(f.main_path.mid),
            cores: f.cores,
        }),
    };
    views::html("overhead.html", &json::render(report), &view, chart)
}

#[derive(Debug, Serialize)]
struct View {
    mode: &'static str,
    tally: Tally,
    metrics: Vec<MetricView>,
    fan_out: Vec<FanOutView>,
    floor: Option<Floor>,
}

#[derive(Debug, Serialize)]
struct Tally {
    within: usize,
    over: usize,
    no_budget: usize,
    not_measured: usize,
}

#[derive(Debug, Serialize)]
struct MetricView {
    id: String,
    what: String,
    class: &'static str,
    median: String,
    range: String,
    budget: String,
    /// As the console says it: WITHIN, OVER, WAIVED, INFO, SKIP.
    label: &'static str,
    badge: &'static str,
    enforced_by: &'static str,
    seed: Option<String>,
    how: Option<String>,
    not_measured_because: Option<String>,
    waived: Option<String>,
    source: String,
}

#[derive(Debug, Serialize)]
struct FanOutView {
    n: String,
    default_run: String,
    sequential_run: String,
    default_cost: String,
    sequential_cost: String,
    floor: String,
    vs_floor: String,
    vs_sequential: String,
    vs_best: String,
}

#[derive(Debug, Serialize)]
struct Floor {
    branch: String,
    spawn: String,
    main_path: String,
    cores: usize,
}

fn metric(m: &Metric) -> MetricView {
    let b = &m.budget;
    let (median, range) = m.figure_text();
    let (label, badge) = m.label();
    MetricView {
        id: b.id.clone(),
        what: b.what.clone(),
        class: b.class.as_str(),
        median,
        range,
        budget: b.describe(),
        label,
        badge,
        enforced_by: if b.class.deterministic() {
            "--check"
        } else {
            "--check-timing"
        },
        seed: b.seed.clone(),
        how: m.figure.as_ref().ok().map(|f| f.how.clone()),
        not_measured_because: m.figure.as_ref().err().cloned(),
        waived: b.waived.clone(),
        source: b.source.clone(),
    }
}

fn fan_out(r: &Row) -> FanOutView {
    let [
        n,
        default_run,
        sequential_run,
        default_cost,
        sequential_cost,
        floor,
        vs_floor,
        vs_sequential,
        vs_best,
    ] = fan_out_cells(r);
    FanOutView {
        n,
        default_run,
        sequential_run,
        default_cost,
        sequential_cost,
        floor,
        vs_floor,
        vs_sequential,
        vs_best,
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::overhead::budgets::{Budget, Class};
    use crate::overhead::fanout::FloorInputs;
    use crate::overhead::metrics::{Figure, Verdict};
    use crate::overhead::span::Span;

    fn metric(id: &str, max: f64, figure: Option<f64>, waived: Option<&str>) -> Metric {
        let verdict = match figure {
            None => Verdict::NotMeasured,
            Some(x) if x <= max => Verdict::Within,
            Some(_) => Verdict::Over,
        };
        Metric {
            budget: Budget {
                id: id.into(),
                what: format!("{id} <em>"),
                class: Class::Memory,
                unit: "KiB".into(),
                max: Some(max),
                min: None,
                source: "ours".into(),
                seed: None,
                waived: waived.map(String::from),
            },
            figure: figure
                .map(|x| Figure {
                    span: Span::exact(x),
                    how: "probe".into(),
                })
                .ok_or_else(|| "no probe".to_string()),
            verdict,
        }
    }

    fn report(rows: Vec<Row>) -> Report {
        let s = |x: f64| Span::exact(x);
        Report {
            generated_at: "2026-12-01T00:00:00Z".into(),
            commit: Some("abc1234".into()),
            quick: true,
            cores: 2,
            bench_command: Some("cargo bench -p benches".into()),
            criterion_home: PathBuf::from("target/overhead/criterion"),
            budgets_file: PathBuf::from("benches/budgets.yaml"),
            metrics: vec![
                metric("vm_used_memory_fresh", 20.0, Some(16.9), None),
                metric("rss_per_live_vm", 20.0, Some(40.0), None),
                metric("chunk_used_memory_added", 20.0, Some(40.0), Some("known")),
                metric("vm_used_memory_after_chunk", 20.0, None, None),
            ],
            floor_inputs: Some(FloorInputs {
                branch: s(50.0),
                spawn: s(30.0),
                main_path: s(60.0),
                cores: 2,
            }),
            rows,
            load: (Some(0.5), Some(0.7)),
            notes: vec!["a note".into()],
        }
    }

    #[test]
    fn budgets_with_verdict_badges_and_the_chart_inline() {
        let s = |x: f64| Span::exact(x);
        let rows: Vec<Row> = [1usize, 2, 4]
            .iter()
            .map(|&n| Row {
                n,
                parallel_run: s(100.0),
                sequential_run: s(120.0),
                parallel_cost: s(40.0 * n as f64),
                sequential_cost: s(50.0 * n as f64),
                floor: s(45.0 * n as f64),
            })
            .collect();
        let r = report(rows);
        let svg = crate::overhead::chart::render(&r.rows, r.cores)
            .unwrap()
            .unwrap();
        let html = render(&r, Some(&svg)).unwrap();
        assert_eq!(html.matches("class=\"metric-row\"").count(), 4);
        for badge in [
            "<span class=\"badge badge-pass\">WITHIN</span>",
            "<span class=\"badge badge-fail\">OVER</span>",
            "<span class=\"badge badge-waived\">WAIVED</span>",
            "<span class=\"badge badge-skip\">SKIP</span>",
        ] {
            assert!(html.contains(badge), "{badge}");
        }
        assert!(html.contains("vm_used_memory_fresh &lt;em&gt;"));
        assert!(
            html.contains("<div class=\"chart\"><svg"),
            "the chart is inline"
        );
        assert!(html.contains("<td class=\"num\">0.89×</td>"), "{html}");
        assert!(html.contains("2 over budget"), "one of them waived");
        crate::report::template::assert_self_contained(&html);
    }

    #[test]
    fn without_fan_out_rows_there_is_no_chart() {
        let html = render(&report(Vec::new()), None).unwrap();
        assert!(!html.contains("<svg"));
        assert!(html.contains("<li>a note</li>"));
    }
}
