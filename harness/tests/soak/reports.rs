//! The report folder: report.json follows its documented schema, report.md has its tables,
//! junit.xml parses and follows nextest's conventions.

use quick_junit::{NonSuccessKind, Report, TestCaseStatus};
use serde_json::Value;

use crate::common::{fixture, soak};

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("an object").keys().cloned().collect();
    k.sort();
    k
}

fn sorted(names: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    k.sort();
    k
}

#[test]
fn report_json_has_exactly_the_documented_fields() {
    let run = soak(&[
        &fixture("soak/flaky-random.yaml"),
        &fixture("soak/trivial-4.yaml"),
    ]);
    let r = run.json();
    assert_eq!(
        keys(&r),
        sorted(&[
            "schema_version",
            "mode",
            "complete",
            "interrupted",
            "forced",
            "stopped",
            "run_seed",
            "harness",
            "build",
            "shard",
            "merged",
            "command",
            "started_at",
            "finished_at",
            "elapsed_s",
            "options",
            "host",
            "totals",
            "exit_code",
            "scenarios",
        ])
    );
    assert_eq!(r["schema_version"], 3);
    assert_eq!(r["mode"], "soak");
    assert_eq!(r["stopped"], Value::Null);
    assert_eq!(r["complete"], true);
    assert_eq!(r["exit_code"], 2);
    assert!(r["run_seed"].is_string(), "seeds are strings");
    assert_eq!(
        keys(&r["options"]),
        sorted(&[
            "iterations",
            "jobs",
            "chaos",
            "fail_fast",
            "include_canary",
            "isolation",
            "hard_deadline_s",
            "hash_seed",
            "mutant",
            "scheduler",
            "workers",
            "check_determinism"
        ])
    );
    assert_eq!(
        keys(&r["host"]),
        sorted(&[
            "peak_rss_kib",
            "threads_start",
            "threads_end",
            "live_vms_end",
            "workers",
            "load"
        ])
    );
    assert_eq!(
        keys(&r["host"]["workers"]),
        sorted(&[
            "spawned",
            "hangs",
            "crashes",
            "live_vms_max",
            "threads_max",
            "peak_rss_kib_max"
        ])
    );
    assert_eq!(
        keys(&r["host"]["load"]),
        sorted(&["cpus", "load_start", "load_end", "steal_percent"])
    );
    // On Linux the kernel gives all of them; a short run may see no tick, so no steal share.
    let load = &r["host"]["load"];
    assert!(load["cpus"].as_u64().unwrap() >= 1, "{load}");
    if cfg!(target_os = "linux") {
        for at in ["load_start", "load_end"] {
            let avg = load[at].as_array().expect("three load averages");
            assert_eq!(avg.len(), 3, "{load}");
            assert!(avg.iter().all(|x| x.as_f64().unwrap() >= 0.0), "{load}");
        }
    }
    assert_eq!(
        keys(&r["totals"]),
        sorted(&[
            "scenarios",
            "clean",
            "failing",
            "flaky",
            "error",
            "not_run",
            "expected_failures",
            "unexpected_passes",
            "iterations",
            "iterations_per_s",
        ])
    );
    assert_eq!(r["totals"]["iterations"], 600);
    let s = run.scenario("flaky-random");
    assert_eq!(
        keys(&s),
        sorted(&[
            "name",
            "file",
            "content_hash",
            "story",
            "description",
            "status",
            "expect_failure",
            "ok",
            "complete",
            "iterations",
            "chaos",
            "workers",
            "elapsed_s",
            "iterations_per_s",
            "failures",
            "divergent",
            "deterministic",
            "fingerprints",
            "invariants",
            "first_bad",
            "failure_signatures",
            "hangs",
            "replay",
            "replay_file",
            "reproduction",
            "explore",
            "error",
            "flake_causes",
            "tally",
        ])
    );
    assert_eq!(
        keys(&s["tally"]),
        sorted(&[
            "labels",
            "run",
            "violating",
            "stopped",
            "hangs",
            "signatures",
            "invariants",
            "fingerprints",
            "overflow",
            "overflow_violating",
            "signature_overflow",
            "first_bad",
            "knobs",
            "knob_outcomes",
        ])
    );
    assert_eq!(
        keys(&s["flake_causes"]),
        sorted(&["knobs", "summary", "flips", "diff", "diff_of"])
    );
    assert_eq!(
        keys(&s["iterations"]),
        sorted(&["planned", "start", "total", "run", "cap", "capped"])
    );
    assert_eq!(
        keys(&s["fingerprints"]),
        sorted(&["distinct", "overflow", "too_many", "table"])
    );
    assert_eq!(
        keys(&s["failure_signatures"][0]),
        sorted(&["signature", "count"])
    );
    assert_eq!(
        keys(&s["failures"]),
        sorted(&[
            "failures",
            "iterations",
            "rate",
            "wilson95",
            "rule_of_three"
        ])
    );
    let row = &s["fingerprints"]["table"][0];
    assert_eq!(
        keys(row),
        sorted(&[
            "fingerprint",
            "outcome",
            "count",
            "violating",
            "example_iteration",
            "example_seed"
        ])
    );
    assert_eq!(row["fingerprint"].as_str().unwrap().len(), 16);
    assert!(row["example_seed"].is_string());
    assert!(s["iterations_per_s"].as_f64().unwrap() > 0.0);
}

#[test]
fn report_md_has_a_row_per_scenario_and_a_section_for_the_flaky_one() {
    let run = soak(&[
        &fixture("soak/flaky-random.yaml"),
        &fixture("soak/trivial-4.yaml"),
    ]);
    let md = run.file("report.md");
    assert!(md.starts_with("# Soak report"), "{md}");
    assert!(md.contains("| CLEAN | trivial-4 | 200/200 | 0 |"), "{md}");
    assert!(md.contains("| FLAKY | flaky-random | 400/400 |"), "{md}");
    assert!(md.contains("## FLAKY `flaky-random`"), "{md}");
    assert!(md.contains("- replay: `harness replay bp2."), "{md}");
    // What the host was doing, as report.json has it.
    let load = &run.json()["host"]["load"];
    let line = md
        .lines()
        .find(|l| l.starts_with("- host load: "))
        .unwrap_or_else(|| panic!("no host load line: {md}"));
    assert!(
        line.starts_with(&format!("- host load: {} CPU", load["cpus"])),
        "{line}"
    );
    if let Some(avg) = load["load_start"].as_array() {
        let shown: Vec<String> = avg
            .iter()
            .map(|x| format!("{:.2}", x.as_f64().unwrap()))
            .collect();
        assert!(
            line.contains(&format!("load average {} at the start", shown.join(" "))),
            "{line}"
        );
    }
}

#[test]
fn report_html_has_a_row_per_scenario_and_the_flaky_ones_replay_command() {
    let run = soak(&[
        &fixture("soak/flaky-random.yaml"),
        &fixture("soak/trivial-4.yaml"),
    ]);
    let html = run.file("report.html");
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert_eq!(html.matches("class=\"scenario-row\"").count(), 2);
    assert!(html.contains("data-status=\"flaky\""));
    assert!(html.contains("<span class=\"badge badge-flaky\">FLAKY</span>"));
    let replay = run.scenario("flaky-random")["replay"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        html.contains(&format!("<code class=\"replay\">{replay}</code>")),
        "{html}"
    );
}

#[test]
fn junit_parses_with_one_testcase_per_scenario_and_flaky_ones_as_flaky_failures() {
    let run = soak(&[
        &fixture("soak/flaky-random.yaml"),
        &fixture("soak/trivial-4.yaml"),
        &fixture("soak/always-failing.yaml"),
    ]);
    let report = Report::deserialize_from_str(&run.file("junit.xml")).expect("junit.xml parses");
    let cases = &report.test_suites[0].test_cases;
    assert_eq!(cases.len(), 3);
    let case = |name: &str| cases.iter().find(|c| c.name.as_str() == name).unwrap();
    match &case("flaky-random").status {
        TestCaseStatus::Success { flaky_runs } => {
            assert!(!flaky_runs.is_empty());
            assert_eq!(flaky_runs[0].kind, NonSuccessKind::Failure);
            let text = flaky_runs[0].description.as_ref().unwrap().as_str();
            assert!(text.contains("replay: harness replay bp2."), "{text}");
        }
        other => panic!("flaky-random should be a flaky success, got {other:?}"),
    }
    assert!(matches!(
        &case("trivial-4").status,
        TestCaseStatus::Success { flaky_runs } if flaky_runs.is_empty()
    ));
    assert!(matches!(
        &case("always-failing").status,
        TestCaseStatus::NonSuccess {
            kind: NonSuccessKind::Failure,
            ..
        }
    ));
}

#[test]
fn junit_flag_writes_a_copy_and_errors_are_junit_errors() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("nested/soak.xml");
    let run = soak(&[&fixture("soak-folder"), "--junit", copy.to_str().unwrap()]);
    let xml = std::fs::read_to_string(&copy).expect("the --junit copy");
    assert_eq!(xml, run.file("junit.xml"));
    let report = Report::deserialize_from_str(&xml).unwrap();
    let bad = report.test_suites[0]
        .test_cases
        .iter()
        .find(|c| c.name.as_str() == "b-unknown-key")
        .unwrap();
    assert!(matches!(
        &bad.status,
        TestCaseStatus::NonSuccess {
            kind: NonSuccessKind::Error,
            ..
        }
    ));
}

#[test]
fn junit_flaky_fail_reports_a_flaky_scenario_as_a_failure() {
    let run = soak(&[&fixture("soak/flaky-random.yaml"), "--junit-flaky", "fail"]);
    let report = Report::deserialize_from_str(&run.file("junit.xml")).unwrap();
    let case = &report.test_suites[0].test_cases[0];
    match &case.status {
        TestCaseStatus::NonSuccess {
            kind: NonSuccessKind::Failure,
            message,
            ..
        } => assert!(message.as_ref().unwrap().as_str().starts_with("flaky:")),
        other => panic!("a failure, got {other:?}"),
    }
}

#[test]
fn names_and_messages_from_user_code_stay_text_in_markdown_and_on_the_console() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odd.yaml");
    std::fs::write(
        &path,
        "name: \"odd | name <b>\\u001b[31m\"\nworkflow:\n  name: w\n  nodes:\n    - { name: n, run: \"error('a | b <i>x</i>\\\\27[1m')\" }\n",
    )
    .unwrap();
    let run = soak(&[path.to_str().unwrap(), "-n", "3"]);
    assert!(
        !run.stdout.contains('\u{1b}'),
        "no raw escape reaches the terminal: {:?}",
        run.stdout
    );
    assert!(
        run.stdout.contains("odd | name <b>\\x1b[31m"),
        "{}",
        run.stdout
    );
    let md = run.file("report.md");
    let row = md
        .lines()
        .find(|l| l.contains("odd \\| name"))
        .unwrap_or_else(|| panic!("{md}"));
    assert_eq!(
        row.matches(" | ").count(),
        9,
        "ten cells, the name's pipe escaped: {row}"
    );
    assert!(row.contains("\\<b\\>") && !row.contains(" <b>"), "{row}");
    assert!(!md.contains('\u{1b}') && !md.contains("<i>"), "{md}");
    // Nothing ran in a scenario that did not load: no rate and no interval in its row.
    let skipped = soak(&[&fixture("soak-folder/b-unknown-key.yaml")]);
    let md = skipped.file("report.md");
    let row = md.lines().find(|l| l.contains("b-unknown-key")).unwrap();
    assert!(!row.contains('%'), "{row}");
}
