//! `report.html` of `harness mutants`: which method caught which mutant with how much
//! effort, and the real engine under the same budgets, as one self-contained page from
//! `templates/mutants.html`.
//!
//! The template gets the JSON report as `report` and a `view` of what is worked out here
//! (cells, verdicts, first catches): a mutant serializes as its name only.

use std::io;

use serde::Serialize;

use super::report::{MutantsReport, budget_text, cell, effort, seam_text};
use super::{Catch, Method, MethodFinding};
use crate::report::views;

/// The report as HTML.
pub fn render(report: &MutantsReport<'_>) -> io::Result<String> {
    let f = report.findings;
    let view = View {
        budget: budget_text(f, ""),
        methods: Method::ALL.iter().map(|m| m.as_str()).collect(),
        mutants: f
            .mutants
            .iter()
            .map(|m| MutantView {
                name: m.mutant.name(),
                class: m.mutant.class(),
                story: m.mutant.story(),
                seam: seam_text(m.mutant),
                caught: m.caught(),
                cells: m.methods.iter().map(method).collect(),
                first: m
                    .methods
                    .iter()
                    .find_map(|x| x.first_catch().map(|c| (x.method.as_str(), c))),
            })
            .collect(),
        power: report
            .summary
            .median_effort
            .iter()
            .map(|(name, median)| Power {
                method: name.as_str(),
                median_effort: median.map_or("-".into(), effort),
                caught: f
                    .mutants
                    .iter()
                    .filter(|m| {
                        m.methods
                            .iter()
                            .any(|x| x.method.as_str() == name && x.caught() > 0)
                    })
                    .count(),
            })
            .collect(),
        real: f
            .real
            .iter()
            .map(|r| RealView {
                method: r.method.as_str(),
                unit: r.method.unit(),
                spent: r.spent,
                alarms: &r.alarms,
            })
            .collect(),
    };
    views::html("mutants.html", report, &view, None)
}

#[derive(Debug, Serialize)]
struct View<'a> {
    budget: String,
    methods: Vec<&'static str>,
    mutants: Vec<MutantView<'a>>,
    /// Per method: its median effort and how many mutants it caught.
    power: Vec<Power<'a>>,
    real: Vec<RealView<'a>>,
}

#[derive(Debug, Serialize)]
struct MutantView<'a> {
    name: &'static str,
    class: &'static str,
    story: &'static str,
    seam: &'static str,
    caught: bool,
    /// One per method, in `methods` order.
    cells: Vec<CellView<'a>>,
    /// The first method that caught it, and its catch.
    first: Option<(&'static str, &'a Catch)>,
}

#[derive(Debug, Serialize)]
struct CellView<'a> {
    method: &'static str,
    /// `3`, `3 (4/5)`, `-`, as in the Markdown table.
    text: String,
    /// `all`, `some` or `none` of the seeds caught it.
    state: &'static str,
    caught: usize,
    attempts: usize,
    spent: u64,
    first: Option<&'a Catch>,
}

#[derive(Debug, Serialize)]
struct Power<'a> {
    method: &'a str,
    median_effort: String,
    caught: usize,
}

#[derive(Debug, Serialize)]
struct RealView<'a> {
    method: &'static str,
    unit: &'static str,
    spent: u64,
    alarms: &'a [Catch],
}

fn method(x: &MethodFinding) -> CellView<'_> {
    let caught = x.caught();
    CellView {
        method: x.method.as_str(),
        text: cell(x),
        state: match caught {
            0 => "none",
            c if c == x.attempts.len() => "all",
            _ => "some",
        },
        caught,
        attempts: x.attempts.len(),
        spent: x.attempts.iter().map(|a| a.spent).sum(),
        first: x.first_catch(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mutants::attempt::Attempt;
    use crate::mutants::report::{SCHEMA_VERSION, summary};
    use crate::mutants::{Budget, Findings, Mutant, MutantFinding, RealFinding};

    fn attempt(caught: Option<u64>) -> Attempt {
        Attempt {
            seed: "1".into(),
            caught: caught.map(|effort| Catch {
                scenario: "isolation-globals".into(),
                effort,
                reason: "#1 lua: x leaked <b>".into(),
                replay: "harness replay bp2.mutant-token".into(),
                replay_file: None,
            }),
            spent: caught.unwrap_or(100),
            stopped: Vec::new(),
        }
    }

    fn finding(mutant: Mutant, soak: Option<u64>) -> MutantFinding {
        MutantFinding {
            mutant,
            methods: Method::ALL
                .iter()
                .map(|&method| MethodFinding {
                    method,
                    attempts: vec![attempt(if method == Method::Soak { soak } else { None })],
                })
                .collect(),
        }
    }

    #[test]
    fn a_row_per_mutant_with_its_verdict_and_replay() {
        let findings = Findings {
            budget: Budget::Quick,
            scenarios: vec!["isolation-globals".into()],
            real: vec![RealFinding {
                method: Method::Soak,
                alarms: Vec::new(),
                spent: 1600,
            }],
            mutants: vec![
                finding(Mutant::SharedVm, Some(3)),
                finding(Mutant::SharedDeadline, None),
            ],
            interrupted: false,
        };
        let report = MutantsReport {
            schema_version: SCHEMA_VERSION,
            command: "harness mutants --budget quick".into(),
            seed: "1".into(),
            ok: false,
            summary: summary(&findings),
            findings: &findings,
        };
        let html = render(&report).unwrap();
        assert_eq!(html.matches("class=\"mutant-row\"").count(), 2);
        assert!(html.contains("<span class=\"badge badge-pass\">CAUGHT</span>"));
        assert!(html.contains("<span class=\"badge badge-fail\">SURVIVED</span>"));
        assert!(html.contains("<code class=\"replay\">harness replay bp2.mutant-token</code>"));
        assert!(html.contains("x leaked &lt;b&gt;"));
        assert!(html.contains("1 of 2 caught"), "{html}");
        crate::report::template::assert_self_contained(&html);
    }
}
