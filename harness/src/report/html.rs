//! `report.html`: the soak or explore report as one self-contained page (inline CSS and SVG,
//! no network), from `templates/report.html`.
//!
//! The template gets the report as it serializes (the fields of `report.json`, so a field
//! added to the model, like a scenario's `flake_causes`, reaches it without a change here)
//! and a `view` worked out here: labels, badge classes, the Wilson interval's bar and the
//! outcomes' shares.

use std::io;

use serde::Serialize;

use super::model::{FingerprintRow, Report, ScenarioReport, Totals};
use super::views;
use crate::outcome::Class;
use crate::outcome::stats::percent;
use crate::util::exit;

/// Outcome rows shown per scenario; the rest are counted in a note.
pub const FINGERPRINT_ROWS: usize = 20;

/// Width of the failure-rate bar, px (0% to 100%).
const BAR_WIDTH: u32 = 160;

/// The report as HTML.
pub fn render(report: &Report) -> io::Result<String> {
    render_with(report, view(report))
}

/// Renders any serialized report (tests add fields the model does not have yet).
fn render_with(report: &impl Serialize, view: View<'_>) -> io::Result<String> {
    views::html("report.html", report, &view, None)
}

/// What the template shows besides the report's own fields.
#[derive(Debug, Serialize)]
struct View<'a> {
    title: String,
    why_incomplete: String,
    exit_meaning: String,
    /// What the host was doing (`report.host.load`), as one line.
    host_load: Option<String>,
    /// Nonzero class counts, in label order.
    classes: Vec<ClassCount>,
    /// One per `report.scenarios` entry, in the same order.
    scenarios: Vec<ScenarioView<'a>>,
}

#[derive(Debug, Serialize)]
struct ClassCount {
    label: &'static str,
    badge: String,
    count: usize,
}

#[derive(Debug, Serialize)]
struct ScenarioView<'a> {
    label: &'static str,
    badge: String,
    /// None when nothing ran.
    rate: Option<RateView>,
    /// At most [`FINGERPRINT_ROWS`], most common first.
    fingerprints: Vec<FingerprintView<'a>>,
    /// Distinct outcomes past those.
    more_fingerprints: usize,
    /// Whether its details start open (it failed when it should not have).
    open: bool,
}

#[derive(Debug, Serialize)]
struct RateView {
    rate: String,
    low: String,
    high: String,
    rule_of_three: Option<String>,
    bar: Bar,
}

/// The failure-rate bar: x positions in px on a track [`BAR_WIDTH`] wide.
#[derive(Debug, Serialize)]
struct Bar {
    width: u32,
    /// Where the 95% interval starts, and how wide it is (at least 2 px, to be seen).
    low: f64,
    span: f64,
    /// Where the 2-px mark of the measured rate starts.
    rate: f64,
    color: &'static str,
}

#[derive(Debug, Serialize)]
struct FingerprintView<'a> {
    row: &'a FingerprintRow,
    /// Share of the iterations run, in % of the bar's cell.
    width: f64,
}

fn view(r: &Report) -> View<'_> {
    let title = match r.mode.as_str() {
        "explore" => "Explore report",
        _ => "Soak report",
    };
    let why_incomplete = match &r.stopped {
        Some(why) => format!("stopped: {why}"),
        None => format!(
            "still running when this checkpoint was written ({})",
            r.finished_at
        ),
    };
    View {
        title: title.into(),
        why_incomplete,
        exit_meaning: exit_meaning(r.exit_code),
        host_load: r.host.load.as_ref().map(super::markdown::load_line),
        classes: classes(&r.totals),
        scenarios: r.scenarios.iter().map(scenario).collect(),
    }
}

/// What an exit code says (see `build::exit_code`).
fn exit_meaning(code: u8) -> String {
    match code {
        exit::OK => "every scenario passed (expected failures failed, as they must)".into(),
        exit::FAILED => "a scenario failed every time, or a canary passed".into(),
        exit::FLAKY => "a scenario is flaky".into(),
        exit::USAGE => "a scenario could not be loaded or run".into(),
        c if c > 128 => format!("stopped by signal {}", c - 128),
        c => format!("exit code {c}"),
    }
}

fn classes(t: &Totals) -> Vec<ClassCount> {
    [
        ("CLEAN", t.clean),
        ("FAILING", t.failing),
        ("FLAKY", t.flaky),
        ("ERROR", t.error),
        ("SKIP", t.not_run),
        ("XFAIL", t.expected_failures),
        ("XPASS", t.unexpected_passes),
    ]
    .into_iter()
    .filter(|&(_, count)| count > 0)
    .map(|(label, count)| ClassCount {
        label,
        badge: label.to_ascii_lowercase(),
        count,
    })
    .collect()
}

fn scenario(s: &ScenarioReport) -> ScenarioView<'_> {
    let label = s.label();
    let ran = s.iterations.run > 0 && !matches!(s.status, Class::NotRun | Class::Error);
    let total = s.iterations.run.max(1) as f64;
    let table = &s.fingerprints.table;
    ScenarioView {
        label,
        badge: label.to_ascii_lowercase(),
        rate: ran.then(|| rate(s)),
        fingerprints: table
            .iter()
            .take(FINGERPRINT_ROWS)
            .map(|row| FingerprintView {
                row,
                width: round1(100.0 * row.count as f64 / total),
            })
            .collect(),
        more_fingerprints: table.len().saturating_sub(FINGERPRINT_ROWS),
        open: !s.ok && s.status != Class::NotRun,
    }
}

fn rate(s: &ScenarioReport) -> RateView {
    let f = &s.failures;
    let [low, high] = f.wilson95;
    let track = f64::from(BAR_WIDTH);
    let x = |p: f64| round1(p.clamp(0.0, 1.0) * track);
    let start = x(low).min(track - 2.0);
    RateView {
        rate: percent(f.rate),
        low: percent(low),
        high: percent(high),
        rule_of_three: f.rule_of_three.map(percent),
        bar: Bar {
            width: BAR_WIDTH,
            low: start,
            span: (x(high) - start).max(2.0),
            rate: x(f.rate).clamp(0.0, track - 2.0),
            color: match (f.failures, s.ok) {
                (0, _) => "#1a7f37",
                (_, true) => "#59636e",
                _ if s.status == Class::Flaky => "#9a6700",
                _ => "#cf222e",
            },
        },
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::outcome::stats::Rate;
    use crate::report::model::{
        BadReport, Fingerprints, Host, InvariantReport, Iterations, Options, SCHEMA_VERSION,
        SignatureRow,
    };

    /// A scenario report of 400 iterations (for other modules' tests too).
    pub(crate) fn scenario(
        name: &str,
        status: Class,
        failures: u64,
        distinct: usize,
    ) -> ScenarioReport {
        let run = 400;
        let table: Vec<FingerprintRow> = (0..distinct)
            .map(|i| FingerprintRow {
                fingerprint: format!("{i:016x}"),
                outcome: format!("outcome {i}"),
                count: if i == 0 { run - failures } else { 1 },
                violating: u64::from(i > 0),
                example_iteration: i as u64,
                example_seed: (1000 + i).to_string(),
            })
            .collect();
        let bad = (failures > 0).then(|| BadReport {
            iteration: 7,
            seed: "12345".into(),
            message: "#1 lua: not state.unlucky <script>alert(1)</script>".into(),
        });
        ScenarioReport {
            name: name.into(),
            file: format!("scenarios/{name}.yaml"),
            content_hash: None,
            story: None,
            description: Some("what it checks".into()),
            status,
            expect_failure: false,
            ok: status == Class::Clean,
            complete: true,
            iterations: Iterations {
                planned: run,
                start: 0,
                total: run,
                run,
                cap: None,
                capped: false,
            },
            chaos: "light".into(),
            workers: vec![2],
            elapsed_s: 1.0,
            iterations_per_s: 400.0,
            failures: Rate::new(failures, run),
            divergent: 0,
            deterministic: false,
            fingerprints: Fingerprints {
                distinct,
                overflow: 0,
                too_many: false,
                table,
            },
            invariants: vec![InvariantReport {
                label: "#1 lua".into(),
                violations: failures,
                first: bad.clone(),
            }],
            first_bad: bad,
            failure_signatures: if failures > 0 {
                vec![SignatureRow {
                    signature: "#1 lua".into(),
                    count: failures,
                }]
            } else {
                Vec::new()
            },
            hangs: 0,
            replay: (failures > 0).then(|| "harness replay bp2.abc-DEF_123".into()),
            replay_file: None,
            reproduction: None,
            explore: None,
            error: None,
            flake_causes: None,
            tally: None,
        }
    }

    /// A whole report of `scenarios` (for other modules' tests too).
    pub(crate) fn report(scenarios: Vec<ScenarioReport>) -> Report {
        let totals = crate::report::build::totals(&scenarios, 2.0);
        Report {
            schema_version: SCHEMA_VERSION,
            mode: "soak".into(),
            complete: true,
            interrupted: false,
            forced: false,
            stopped: None,
            run_seed: "1".into(),
            harness: "0.1.0".into(),
            build: "0".into(),
            shard: None,
            merged: None,
            command: "harness soak scenarios --seed 1".into(),
            started_at: "2026-12-01T00:00:00Z".into(),
            finished_at: "2026-12-01T00:00:02Z".into(),
            elapsed_s: 2.0,
            options: Options {
                iterations: Some(400),
                jobs: 2,
                chaos: None,
                fail_fast: false,
                include_canary: false,
                isolation: "process".into(),
                hard_deadline_s: None,
                hash_seed: "vary".into(),
                mutant: "none".into(),
                scheduler: None,
                workers: Some(2),
                check_determinism: false,
            },
            host: Host {
                peak_rss_kib: Some(10_000),
                threads_start: Some(1),
                threads_end: Some(1),
                live_vms_end: 0,
                workers: None,
                load: None,
            },
            exit_code: crate::report::build::exit_code(&totals, None),
            totals,
            scenarios,
        }
    }

    fn sample() -> Report {
        report(vec![
            scenario("trivial-<script>x</script>", Class::Clean, 0, 1),
            scenario("flaky-random", Class::Flaky, 40, 30),
            scenario("isolation-globals", Class::Clean, 0, 1),
        ])
    }

    #[test]
    fn one_row_per_scenario_with_its_badge_and_the_replay_command() {
        let html = render(&sample()).unwrap();
        assert_eq!(html.matches("class=\"scenario-row\"").count(), 3);
        assert_eq!(html.matches("data-status=\"clean\"").count(), 2);
        assert_eq!(html.matches("data-status=\"flaky\"").count(), 1);
        assert!(html.contains("<span class=\"badge badge-flaky\">FLAKY</span>"));
        assert!(html.contains("<span class=\"badge badge-clean\">CLEAN</span>"));
        assert!(html.contains(
            "<code class=\"replay\">harness replay bp2.abc-DEF_123</code><button class=\"copy\""
        ));
        assert!(
            html.contains("Exit code 2:</b> a scenario is flaky"),
            "{html}"
        );
        // The interval's bar: 40/400 is 10%, Wilson [7.43%, 13.33%], on a 160-px track.
        assert!(html.contains("<b>10.00%</b>"));
        assert!(html.contains("7.43% – 13.33%"), "{html}");
        assert!(
            html.contains("<rect x=\"11.9\" y=\"3\" width=\"9.4\""),
            "{html}"
        );
        assert!(
            html.contains("<rect x=\"16.0\" y=\"1\" width=\"2\""),
            "{html}"
        );
    }

    #[test]
    fn the_outcome_table_is_capped_with_a_note() {
        let html = render(&sample()).unwrap();
        // The flaky scenario has 30 distinct outcomes: 20 shown, 10 counted.
        assert!(html.contains("10 more outcomes not shown"));
        assert!(html.contains("class=\"outcome\">outcome 19 "));
        assert!(!html.contains("class=\"outcome\">outcome 20 "));
        // 360 of 400 iterations ended with outcome 0: a bar 90% wide.
        assert!(html.contains("style=\"width: 90.0%\""), "{html}");
    }

    #[test]
    fn user_text_is_escaped_and_nothing_is_fetched() {
        let html = render(&sample()).unwrap();
        assert!(!html.contains("<script>alert(1)</script>"));
        assert!(!html.contains("<script>x</script>"));
        assert!(html.contains("trivial-&lt;script&gt;x&lt;&#x2f;script&gt;"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
        // One script: the page's own copy-button code.
        assert_eq!(html.matches("<script").count(), 1);
        crate::report::template::assert_self_contained(&html);
    }

    #[test]
    fn flake_causes_render_when_present_and_are_optional() {
        let r = sample();
        let plain = render(&r).unwrap();
        assert!(!plain.contains("Likely flake causes"));
        let mut value = serde_json::to_value(&r).unwrap();
        value["scenarios"][1]["flake_causes"] = serde_json::json!({
            "summary": ["fails mostly with workers = 2"],
            "knobs": [{ "knob": "workers", "value": 2, "failures": 30, "runs": 100,
                        "rate": 0.3, "low": 0.2, "high": 0.4 }],
            "flips": [{ "knob": "hash_seed", "flips": 8, "followed": 8,
                        "line": "the hash seed decides it" }],
            "diff": [{ "path": "keys", "usual": "a,b", "divergent": "b,<a>" }],
            "diff_of": "iteration 3 against iteration 0",
        });
        let html = render_with(&value, view(&r)).unwrap();
        assert!(html.contains("Likely flake causes"));
        assert!(html.contains("<li class=\"cause\">fails mostly with workers = 2</li>"));
        assert!(html.contains("<li class=\"cause flip\">the hash seed decides it</li>"));
        assert!(html.contains("Outcome diff: iteration 3 against iteration 0."));
        assert!(html.contains("<td class=\"num\">30.00%</td>"), "{html}");
        assert!(html.contains("<code>b,&lt;a&gt;</code>"));
        // Only the flaky scenario has them.
        assert_eq!(html.matches("class=\"flake-causes\"").count(), 1);
    }

    #[test]
    fn a_checkpoint_says_it_is_incomplete() {
        let mut r = sample();
        r.complete = false;
        let html = render(&r).unwrap();
        assert!(html.contains("still running when this checkpoint was written (20"));
    }
}
