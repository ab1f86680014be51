//! The scenario format rejects what it does not understand, saying where.

use std::io::Write;

use crate::common::soak;

/// Writes `text` as a scenario file in a fresh folder and soaks it.
fn soak_text(text: &str) -> (crate::common::Soak, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.yaml");
    std::fs::File::create(&path)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    (soak(&[path.to_str().unwrap(), "-n", "5"]), dir)
}

fn error_of(text: &str) -> String {
    let (run, _dir) = soak_text(text);
    assert_eq!(run.code, 3, "{}", run.stdout);
    let s = &run.json()["scenarios"][0];
    assert_eq!(s["status"], "error");
    s["error"].as_str().unwrap().to_string()
}

const WORKFLOW: &str =
    "workflow:\n  name: w\n  nodes:\n    - { name: only, run: \"return { v = 1 }\" }\n";

#[test]
fn an_unknown_key_inside_an_expect_entry_names_its_line() {
    let text = format!(
        "name: x\nstory: s\n{WORKFLOW}expect:\n  - final_state: {{ v: 1 }}\n  - lau: \"true\"\n"
    );
    let error = error_of(&text);
    assert!(
        error.contains("case.yaml:9:5") && error.contains("unknown field `lau`"),
        "{error}"
    );
}

#[test]
fn an_error_in_the_inline_workflow_points_into_the_scenario_file() {
    let text = "name: x\nstory: s\nworkflow:\n  name: w\n  nodes:\n    - { name: only, run: \"return {}\" }\n  edges:\n    - { from: only, to: nowhere }\n";
    let error = error_of(text);
    assert!(
        error.contains("case.yaml:8") && error.contains("nowhere"),
        "{error}"
    );
}

#[test]
fn workflow_and_workflow_file_together_are_an_error() {
    let text = format!("name: x\nstory: s\nworkflow_file: other.yaml\n{WORKFLOW}");
    let error = error_of(&text);
    assert!(error.contains("not both"), "{error}");
}

#[test]
fn an_expect_entry_with_two_checks_is_an_error() {
    let text = format!(
        "name: x\nstory: s\n{WORKFLOW}expect:\n  - {{ lua: \"true\", distinct_vms: true }}\n"
    );
    let error = error_of(&text);
    assert!(
        error.contains("expect #1") && error.contains("several checks"),
        "{error}"
    );
}

#[test]
fn a_missing_story_is_fine_and_a_missing_name_is_an_error() {
    let (run, _dir) = soak_text(&format!("name: x\n{WORKFLOW}"));
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["scenarios"][0]["story"], serde_json::Value::Null);
    let error = error_of(&format!("story: s\n{WORKFLOW}"));
    assert!(error.contains("missing field `name`"), "{error}");
}

#[test]
fn deterministic_said_twice_is_an_error_naming_both() {
    let error = error_of(&format!(
        "name: x\n{WORKFLOW}expect:\n  - deterministic: true\n  - deterministic: false\n"
    ));
    assert!(
        error.contains("expect #2")
            && error.contains("(expect #1)")
            && error.contains("say it once"),
        "{error}"
    );
}

#[test]
fn a_predicate_with_a_syntax_error_names_its_file_line() {
    // Inline on line 7, and in a block whose code starts on line 9 (the error is on 10).
    let inline = error_of(&format!(
        "name: x\n{WORKFLOW}expect:\n  - lua: \"state.v ==\"\n"
    ));
    assert!(
        inline.starts_with("load scenario") && inline.contains("case.yaml:7"),
        "{inline}"
    );
    let block = error_of(&format!(
        "name: x\n{WORKFLOW}expect:\n  - final_state: {{ v: 1 }}\n  - lua: |\n      local a = 1\n      return a + * 2\n"
    ));
    assert!(block.contains("case.yaml:10"), "{block}");
}

#[test]
fn a_hard_deadline_that_is_not_a_duration_is_an_error() {
    let error = error_of(&format!("name: x\nhard_deadline: soon\n{WORKFLOW}"));
    assert!(error.contains("`soon` is not a duration"), "{error}");
}

#[test]
fn an_unknown_chaos_level_is_an_error() {
    let error = error_of(&format!(
        "name: x\nstory: s\nchaos: {{ level: wild }}\n{WORKFLOW}"
    ));
    assert!(
        error.contains("`wild` is not one of off, light, heavy"),
        "{error}"
    );
}

#[test]
fn a_bad_lua_predicate_is_an_error_naming_its_entry() {
    let error = error_of(&format!(
        "name: x\nstory: s\n{WORKFLOW}expect:\n  - lua: \"return ((\"\n"
    ));
    assert!(error.contains("expect #1"), "{error}");
}

#[test]
fn max_iterations_caps_the_count_and_the_report_shows_it() {
    let text = format!("name: capped\nstory: s\nmax_iterations: 3\n{WORKFLOW}");
    let (run, _dir) = soak_text(&text);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let s = run.scenario("capped");
    assert_eq!(s["iterations"]["planned"], 3);
    assert_eq!(s["iterations"]["run"], 3);
    assert_eq!(s["iterations"]["cap"], 3);
    assert_eq!(s["iterations"]["capped"], true);
    assert!(run.stdout.contains("(capped at 3)"), "{}", run.stdout);
}

#[test]
fn two_scenarios_with_one_name_are_an_error_for_the_second() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("name: twin\nstory: s\n{WORKFLOW}");
    std::fs::write(dir.path().join("a.yaml"), &text).unwrap();
    std::fs::write(dir.path().join("b.yaml"), &text).unwrap();
    let run = soak(&[dir.path().to_str().unwrap(), "-n", "3"]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    let r = run.json();
    assert_eq!(r["scenarios"][0]["status"], "clean");
    let error = r["scenarios"][1]["error"].as_str().unwrap();
    assert!(
        error.contains("the name `twin` is already used by"),
        "{error}"
    );
}
