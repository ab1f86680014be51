//! End-to-end tests of `harness mutants`: every mutant is caught by the scenario written for
//! its class, a mutant nothing catches survives (exit 1), an alarm of the real engine is
//! reported and not counted as a catch, and the table in docs/mutants.md is the committed
//! report's.

#[allow(dead_code)]
#[path = "../soak/common.rs"]
mod common;

use std::process::Output;

use common::{fixture, harness, root};
use serde_json::Value;

/// Runs `harness mutants ARGS... --report-dir <temp>`: the output, and report.json.
fn mutants(args: &[&str]) -> (Output, String, Value) {
    let base = tempfile::tempdir().unwrap();
    let out = harness()
        .arg("mutants")
        .args(args)
        .arg("--report-dir")
        .arg(base.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let dir = std::fs::read_dir(base.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("mutants-")
        })
        .unwrap_or_else(|| panic!("no report folder: {stdout}"));
    let json = std::fs::read_to_string(dir.join("report.json")).unwrap_or_default();
    let json: Value = serde_json::from_str(&json).unwrap_or(Value::Null);
    if let Some(found) = json["findings"]["mutants"].as_array() {
        let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
        assert_eq!(
            html.matches("class=\"mutant-row\"").count(),
            found.len(),
            "report.html has a row per mutant"
        );
    }
    (out, stdout, json)
}

fn mutant<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["findings"]["mutants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mutant"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

/// `--mutant NAME` for each name.
fn only(names: &[&'static str]) -> Vec<&'static str> {
    names.iter().flat_map(|name| ["--mutant", name]).collect()
}

#[test]
fn every_mutant_is_caught_and_the_real_engine_raises_no_alarm() {
    let mut args = vec![
        "scenarios/isolation-globals.yaml",
        "scenarios/failing-branch.yaml",
        "scenarios/fanin-order.yaml",
        "scenarios/state-deep-copy.yaml",
        "scenarios/timeout-independent.yaml",
    ];
    args.extend(only(&[
        "shared-vm",
        "parent-vm-reuse",
        "vm-pool-no-reset",
        "unlocked-fanin",
        "premature-fanin",
        "completion-order",
        "swallowed-error",
        "shared-deadline",
        "timeout-leak",
        "shallow-state",
    ]));
    let (out, stdout, report) = mutants(&args);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(report["ok"], true);
    assert_eq!(report["summary"]["mutants"], 10);
    assert_eq!(report["summary"]["caught"], 10, "{stdout}");
    assert_eq!(report["summary"]["alarms"], 0);
    for (name, scenario) in [
        ("shared-vm", "isolation-globals"),
        ("swallowed-error", "failing-branch"),
        ("shared-deadline", "timeout-independent"),
        ("timeout-leak", "timeout-independent"),
        ("shallow-state", "state-deep-copy"),
    ] {
        let soak = &mutant(&report, name)["methods"][0];
        assert_eq!(soak["method"], "soak");
        let caught = &soak["attempts"][0]["caught"];
        assert_eq!(caught["scenario"], scenario, "{name}: {stdout}");
        assert!(caught["effort"].as_u64().unwrap() >= 1);
        assert!(
            caught["replay"]
                .as_str()
                .unwrap()
                .starts_with("harness replay "),
            "{caught}"
        );
    }
    assert!(
        stdout.contains("mutant                    soak      pct   random      dfs"),
        "{stdout}"
    );
}

#[test]
fn the_classes_bugs_planted_by_hand_found_are_caught_by_the_scenarios_written_for_them() {
    // The pool's explore fixture (two fan-outs in a run) first, then the scenarios issue 19
    // added. Explore's schedules follow from the seed, so which scenario catches what does too.
    let mut args = vec![
        "harness/tests/fixtures/explore/pool-reuse.yaml",
        "scenarios/sandbox-everywhere.yaml",
        "scenarios/fanin-state.yaml",
        "scenarios/memory-limit-exact.yaml",
        "scenarios/fail-fast.yaml",
    ];
    args.extend(only(&[
        "pool-latch",
        "pool-lost-job",
        "branch-sandbox",
        "branch-memlimit",
        "failfast-success",
        "lost-cancellation",
        "fanin-merge-add",
        "fanin-merge-overwrite",
    ]));
    let (out, stdout, report) = mutants(&args);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(report["summary"]["caught"], 8, "{stdout}");
    assert_eq!(report["summary"]["alarms"], 0, "{stdout}");
    for (name, scenario) in [
        ("pool-latch", "pool-reuse"),
        ("pool-lost-job", "pool-reuse"),
        ("branch-sandbox", "sandbox-everywhere"),
        ("branch-memlimit", "memory-limit-exact"),
        ("failfast-success", "fail-fast"),
        ("lost-cancellation", "fail-fast"),
        ("fanin-merge-add", "fanin-state"),
        ("fanin-merge-overwrite", "fanin-state"),
    ] {
        // PCT catches each (the pool's lost job needs its interleaving; soak rarely gets it).
        let pct = &mutant(&report, name)["methods"][1];
        assert_eq!(pct["method"], "pct");
        let caught = &pct["attempts"][0]["caught"];
        assert_eq!(caught["scenario"], scenario, "{name}: {stdout}");
        if name.starts_with("pool-") {
            let reason = caught["reason"].as_str().unwrap();
            assert!(
                reason.contains("helper pool contract violated"),
                "{name} is caught through the pool's contract assertion: {reason}"
            );
        }
    }
}

#[test]
fn a_lost_budget_alarm_is_caught_by_soak_as_a_hang_and_explore_never_arms_the_alarm() {
    let (out, stdout, report) = mutants(&[
        "scenarios/timeout-per-branch.yaml",
        "--mutant",
        "lost-alarm",
    ]);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(report["summary"]["caught"], 1, "{stdout}");
    assert_eq!(report["summary"]["alarms"], 0, "{stdout}");
    let methods = &mutant(&report, "lost-alarm")["methods"];
    let soak = &methods[0];
    assert_eq!(soak["method"], "soak");
    let caught = &soak["attempts"][0]["caught"];
    assert_eq!(caught["scenario"], "timeout-per-branch", "{stdout}");
    let reason = caught["reason"].as_str().unwrap();
    assert!(reason.contains("hang"), "caught as a hang: {reason}");
    // Explore runs on virtual time with count hooks: the plant cannot reach it.
    let pct = &methods[1];
    assert_eq!(pct["method"], "pct");
    assert!(pct["attempts"][0]["caught"].is_null(), "{stdout}");
}

#[test]
fn a_mutant_no_scenario_can_catch_survives_with_a_line_and_exit_1() {
    let (out, stdout, report) = mutants(&[
        "scenarios/isolation-globals.yaml",
        "--mutant",
        "shared-deadline",
    ]);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert_eq!(report["ok"], false);
    assert_eq!(report["summary"]["survivors"][0], "shared-deadline");
    assert!(
        stdout.contains("SURVIVED `shared-deadline`: no method caught it within the quick budget"),
        "{stdout}"
    );
}

#[test]
fn an_alarm_of_the_real_engine_fails_the_run_and_its_scenario_catches_nothing() {
    let (out, stdout, report) = mutants(&[
        &fixture("soak/always-failing.yaml"),
        "--mutant",
        "shared-vm",
    ]);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        report["summary"]["alarms"].as_u64().unwrap() >= 1,
        "{stdout}"
    );
    assert!(stdout.contains("ALARM real engine, soak"), "{stdout}");
    // The mutant fails there too, but so does the real engine: no catch.
    assert_eq!(report["summary"]["caught"], 0, "{stdout}");
}

#[test]
fn the_readme_block_is_rewritten_and_a_file_without_markers_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let readme = dir.path().join("README.md");
    std::fs::write(
        &readme,
        "# x\n<!-- mutants:begin -->\nold\n<!-- mutants:end -->\nafter\n",
    )
    .unwrap();
    let (out, stdout, _) = mutants(&[
        "scenarios/isolation-globals.yaml",
        "--mutant",
        "shared-vm",
        "--readme",
        readme.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let text = std::fs::read_to_string(&readme).unwrap();
    assert!(!text.contains("old"), "{text}");
    assert!(
        text.contains("| `shared-vm` | VM shared by a worker's branches | TEA-PY-002 | soak "),
        "{text}"
    );
    assert!(text.ends_with("<!-- mutants:end -->\nafter\n"), "{text}");
    let bare = dir.path().join("bare.md");
    std::fs::write(&bare, "# no markers\n").unwrap();
    let out = harness()
        .args(["mutants", "--readme", bare.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no `<!-- mutants:begin -->`"));
}

#[test]
fn the_mutants_page_table_is_the_committed_reports() {
    let page = std::fs::read_to_string(root().join("docs/mutants.md")).unwrap();
    let report = std::fs::read_to_string(root().join("reports/mutants.md")).unwrap();
    let block = page
        .split("<!-- mutants:begin -->\n")
        .nth(1)
        .and_then(|rest| rest.split("<!-- mutants:end -->").next())
        .expect("docs/mutants.md has the mutants block");
    assert!(!block.trim().is_empty());
    assert!(
        report.contains(block),
        "the table in docs/mutants.md is not the one in reports/mutants.md: rerun \
         `harness mutants --budget full --readme docs/mutants.md` and copy its report.md\n{block}"
    );
}
