//! `harness run`: final state on stdout, errors on stderr, exit codes 0 / 1 / 3.

use std::path::Path;
use std::process::{Command, Output};

fn harness(args: &[&str]) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    Command::new(env!("CARGO_BIN_EXE_harness"))
        .args(args)
        .current_dir(root)
        .output()
        .expect("harness runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write_temp(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("branchproof-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn runs_an_example_workflow_and_prints_its_final_state_as_json() {
    let out = harness(&["run", "scenarios/workflows/fan-out-3.yaml", "--seed", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let state: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(state["order"], "a,b,c");
    assert_eq!(state["sum"], 322);
}

#[test]
fn trace_shows_each_node_with_its_vm_and_branch() {
    let out = harness(&["run", "scenarios/workflows/fan-out-3.yaml", "--trace"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    for node in ["setup", "a", "b", "c", "join"] {
        assert!(
            err.lines()
                .any(|l| l.trim_start().starts_with(node) && l.contains("VM #")),
            "{node} missing:\n{err}"
        );
    }
    // Numbered from 1, as `branch.index` numbers them in Lua.
    assert!(err.contains("branch 3 `c`"), "{err}");
}

#[test]
fn trace_shows_the_worker_count_the_adaptive_policy_chose_for_each_fan_out() {
    let out = harness(&["run", "scenarios/workflows/fan-out-3.yaml", "--trace"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    let line = err
        .lines()
        .find(|l| l.contains("fan-out to `join`"))
        .unwrap_or_else(|| panic!("no fan-out line:\n{err}"));
    // Nothing fixes the worker count here, so the adaptive policy chose it.
    assert!(
        line.contains("3 branches on ") && line.ends_with("(adaptive)"),
        "{line}"
    );
}

#[test]
fn a_fail_fast_run_names_the_cancelled_siblings_in_its_trace_and_error() {
    let out = harness(&["run", "scenarios/workflows/fail-fast.yaml", "--trace"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let status = |node: &str| {
        err.lines()
            .find(|l| l.trim_start().starts_with(node))
            .unwrap_or_else(|| panic!("no step for {node}:\n{err}"))
            .to_string()
    };
    assert!(status("boom").ends_with("FAILED (lua)"), "{err}");
    for sibling in ["wait_a", "wait_b"] {
        assert!(status(sibling).ends_with("FAILED (cancelled)"), "{err}");
    }
    assert!(
        !err.lines().any(|l| l.trim_start().starts_with("join ")),
        "the fan-in ran:\n{err}"
    );
    assert!(
        err.contains(
            "boom: the one branch that fails; fail_fast cancelled branches `wait_a`, `wait_b`"
        ),
        "{err}"
    );
}

#[test]
fn state_flag_is_merged_over_initial_state() {
    let out = harness(&[
        "run",
        "scenarios/workflows/fan-out-3.yaml",
        "--state",
        r#"{"base": 1}"#,
    ]);
    let state: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(state["base"], 2, "setup doubles the given base");
}

#[test]
fn a_failed_run_exits_1_with_the_error_on_stderr() {
    let wf = write_temp(
        "fails.yaml",
        "name: fails\nnodes:\n  - name: boom\n    run: |\n      error('kaboom')\n",
    );
    let out = harness(&["run", wf.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(
        err.contains("failed to run node `boom`")
            && err.contains("fails.yaml:5:")
            && err.contains("kaboom"),
        "{err}"
    );
}

#[test]
fn a_bad_workflow_exits_3_naming_file_line_and_node() {
    let wf = write_temp(
        "bad.yaml",
        "name: bad\nnodes:\n  - name: a\n    goto: nowhere\n",
    );
    let out = harness(&["run", wf.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(
        err.contains("bad.yaml:4") && err.contains("node `a`") && err.contains("`nowhere`"),
        "{err}"
    );
}

#[test]
fn bad_state_and_bad_usage_exit_3() {
    let out = harness(&[
        "run",
        "scenarios/workflows/fan-out-3.yaml",
        "--state",
        "[1, 2]",
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("must be a JSON object"));
    let out = harness(&[
        "run",
        "scenarios/workflows/fan-out-3.yaml",
        "--state",
        "{not json",
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        harness(&["run"]).status.code(),
        Some(3),
        "a missing argument is a usage error"
    );
    assert_eq!(harness(&["run", "no/such.yaml"]).status.code(), Some(3));
}

#[test]
fn a_node_stuck_past_its_hard_deadline_ends_the_run_with_a_timeout_and_exit_1() {
    let path = write_temp(
        "stuck.yaml",
        "name: stuck\nsettings: { lua_timeout_ms: 100, hard_timeout_ms: 500 }\nnodes:\n  - name: matcher\n    run: |\n      local s = ('a'):rep(2000000)\n      return { found = s:find('.-.-.-.-x') ~= nil }\n",
    );
    let out = harness(&["run", path.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("failed to finish node `matcher` within its hard deadline of 500ms"),
        "{err}"
    );
}

#[test]
fn a_blocked_node_ends_the_run_at_its_wall_backstop_with_a_timeout_and_exit_1() {
    // The test-only seam blocks node `wait` for good without using CPU (a deadlock): its
    // charged clock never reaches the hard deadline; standing still for 2 s (the least, as
    // its hard deadline is shorter) of wall time stops the run.
    let path = write_temp(
        "blocked.yaml",
        "name: blocked\nsettings: { lua_timeout_ms: 100, hard_timeout_ms: 500 }\nnodes:\n  - { name: wait, run: 'return {}' }\n",
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_harness"))
        .args(["run", path.to_str().unwrap()])
        .env("BRANCHPROOF_TEST_BLOCK_NODE", "wait")
        .current_dir(root)
        .output()
        .expect("harness runs");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "failed to finish node `wait`: it did not come back: it was charged no time for 2s"
        ) && err.contains("(its hard deadline is 500ms of charged time): it is blocked"),
        "{err}"
    );
}

#[test]
fn a_scenario_handed_to_run_says_it_is_a_scenario_and_how_to_soak_it() {
    let out = harness(&["run", "scenarios/isolation-globals.yaml"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("it is a scenario, not a workflow")
            && err.contains("harness soak scenarios/isolation-globals.yaml"),
        "{err}"
    );
}

#[test]
fn a_state_json_cannot_hold_or_nested_too_deep_is_bad_input() {
    let out = harness(&[
        "run",
        "scenarios/workflows/fan-out-3.yaml",
        "--state",
        r#"{"x": 1e400}"#,
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("number out of range"),
        "{}",
        stderr(&out)
    );
    let deep = (0..120).fold("1".to_string(), |v, _| format!("{{\"a\": {v}}}"));
    let out = harness(&[
        "run",
        "scenarios/workflows/fan-out-3.yaml",
        "--state",
        &deep,
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("nests 120 levels deep"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn expect_fingerprint_without_replay_is_a_usage_error() {
    let out = harness(&["soak", "--expect-fingerprint", "00000000000000aa"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("--replay"), "{}", stderr(&out));
}
