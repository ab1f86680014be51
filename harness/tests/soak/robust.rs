//! What an adversarial review found, each kept fixed by a test: a scenario edited during a
//! run, a slow-loading scenario, a huge iteration count, a replay near its deadline, a
//! closed stdout, a deadline too large to add, control characters in a replay.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Stdio;

use crate::common::{fixture, harness, report_dir, soak};

const TRIVIAL: &str = "name: {NAME}
iterations: 3
workflow:
  name: {NAME}
  nodes:
    - { name: only, run: \"return { ok = true }\" }
expect:
  - final_state: { ok: true }
";

fn trivial(name: &str) -> String {
    TRIVIAL.replace("{NAME}", name)
}

#[test]
fn a_scenario_edited_during_the_run_is_refused_by_its_workers_and_the_run_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    // `a` runs first and takes a couple of seconds; `b` is edited meanwhile, so its worker
    // (started after `a`) loads something the run did not plan.
    let a = dir.path().join("a.yaml");
    std::fs::write(
        &a,
        "name: a\niterations: 1\nworkflow:\n  name: a\n  settings: { lua_timeout_ms: 10000 }\n  nodes:\n    - { name: nap, run: \"sleep_ms(2000) return {}\" }\n",
    )
    .unwrap();
    let b = dir.path().join("b.yaml");
    std::fs::write(&b, trivial("b")).unwrap();
    let reports = tempfile::tempdir().unwrap();
    let mut child = harness()
        .args([
            "soak",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--jobs",
            "1",
        ])
        .arg("--report-dir")
        .arg(reports.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    while !text.contains("Starting") {
        let mut line = String::new();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "no Starting line: {text}"
        );
        text.push_str(&line);
    }
    std::fs::write(&b, format!("{}# edited\n", trivial("b"))).unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    text.push_str(&rest);
    let code = child.wait().unwrap().code();
    assert_eq!(code, Some(3), "{text}");
    assert!(text.contains("changed since the run started"), "{text}");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(report_dir(reports.path()).unwrap().join("report.json")).unwrap(),
    )
    .unwrap();
    let s = &report["scenarios"][1];
    assert_eq!(s["status"], "error", "{s}");
    assert_eq!(report["scenarios"][0]["status"], "clean");
}

#[test]
fn loading_the_scenario_does_not_count_against_the_first_iteration_s_deadline() {
    // The workers take 3 s to load the scenario (the worker's test seam; a scenario must be
    // a regular file, so it cannot be made slow itself): longer than the iteration deadline
    // (1 s). The load is not an iteration.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("slow.yaml");
    std::fs::write(&file, trivial("slow")).unwrap();
    let reports = tempfile::tempdir().unwrap();
    let out = harness()
        .env("BRANCHPROOF_TEST_WORKER_LOAD_DELAY_MS", "3000")
        .arg("soak")
        .arg(&file)
        .args(["--jobs", "1", "--hard-deadline", "1s", "--report-dir"])
        .arg(reports.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let dir = report_dir(reports.path()).expect("a report folder");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    let s = &report["scenarios"][0];
    assert_eq!(s["status"], "clean", "{s}");
    assert_eq!(s["hangs"], 0);
    assert_eq!(s["iterations"]["run"], 3);
}

#[test]
fn a_huge_iteration_count_costs_nothing_up_front() {
    let run = soak(&[
        &fixture("soak/always-failing.yaml"),
        "--iterations",
        "10000000000",
        "--fail-fast",
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let s = run.scenario("always-failing");
    assert_eq!(s["iterations"]["planned"], 10_000_000_000u64);
    assert_eq!(s["complete"], false);
}

#[test]
fn a_replay_runs_its_iteration_twice_each_within_the_deadline() {
    // Just over half its 2 s hard deadline: the replay runs the iteration twice (at least
    // 2.02 s, as a sleep is never shorter than asked), so one deadline for both would be a
    // hang, and each its own is not. The wall-clock deadline leaves the most room a busy host
    // can take: a charged 1010 ms sleep may last up to 1.98 times that in wall time here (a
    // sleep is charged what it asked in 2 ms slices, however late each slice wakes: under
    // four busy loops on 2 cores a 1 s sleep took up to 1.7 s).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nap.yaml");
    std::fs::write(
        &file,
        "name: nap\niterations: 1\nhard_deadline: 2s\nworkflow:\n  name: nap\n  settings: { lua_timeout_ms: 1200 }\n  nodes:\n    - { name: nap, run: \"sleep_ms(1010) return { ok = true }\" }\nexpect:\n  - final_state: { ok: true }\n",
    )
    .unwrap();
    let out = harness()
        .args(["soak", file.to_str().unwrap(), "--replay", "7"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("NOT REPRODUCED"), "{text}");
}

#[test]
fn a_closed_stdout_does_not_lose_the_run_or_its_report() {
    let reports = tempfile::tempdir().unwrap();
    let mut child = harness()
        .args([
            "soak",
            &fixture("soak/trivial-4.yaml"),
            &fixture("soak/always-failing.yaml"),
        ])
        .arg("--report-dir")
        .arg(reports.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read the first line (`SEED=`), then go away, as `| head -1` does.
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    drop(out);
    let done = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert_eq!(
        done.status.code(),
        Some(1),
        "the run's own verdict: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    let report = report_dir(reports.path()).unwrap().join("report.json");
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    assert_eq!(r["complete"], true);
}

#[test]
fn a_deadline_too_large_to_add_is_far_away_not_a_panic() {
    let out = harness()
        .args([
            "soak",
            &fixture("soak/always-failing.yaml"),
            "--replay",
            "1",
            "--hard-deadline",
            "300000000000y",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn control_characters_from_lua_are_escaped_in_a_replay() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("esc.yaml");
    std::fs::write(
        &file,
        "name: esc\niterations: 1\nworkflow:\n  name: esc\n  nodes:\n    - { name: bad, run: \"error('bad\\\\27[31m red')\" }\nexpect:\n  - final_state: { ok: true }\n",
    )
    .unwrap();
    let out = harness()
        .args(["soak", file.to_str().unwrap(), "--replay", "1"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(!text.contains('\x1b'), "a raw escape got through: {text:?}");
    assert!(text.contains("bad\\x1b[31m red"), "{text}");
    let _ = Path::new(".");
    let _ = std::io::stdout().flush();
}
