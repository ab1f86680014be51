//! Runaway code nothing in the process can stop (Lua's pattern matcher): in process
//! isolation the iteration ends as a hang at its hard deadline, its worker is replaced and
//! the soak goes on, keeping every other iteration; the hang's replay command reproduces
//! the hang. In thread isolation the run stops there, with its report written and why.
//! A node that blocks without using CPU (a deadlock: its charged clock stands still) is a
//! hang too, at the iteration's wall-clock deadline; the test-only seam
//! `BRANCHPROOF_TEST_BLOCK_NODE` blocks one.

use crate::common::{fixture, harness, report_dir, run_printed, soak};

#[test]
fn a_hang_in_a_worker_is_a_failure_the_worker_is_replaced_and_the_soak_goes_on() {
    // One worker, so the iterations after a hang need a fresh one.
    let run = soak(&[
        &fixture("soak/hang-sometimes.yaml"),
        "--seed",
        "3",
        "--jobs",
        "1",
    ]);
    let s = run.scenario("hang-sometimes");
    assert_eq!(
        s["iterations"]["run"], 6,
        "every iteration is accounted for"
    );
    let hangs = s["hangs"].as_u64().unwrap();
    assert!((1..6).contains(&hangs), "{}", run.stdout);
    assert_eq!(s["status"], "flaky");
    assert_eq!(s["failures"]["failures"], hangs);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let first = s["first_bad"]["message"].as_str().unwrap();
    assert!(
        first.starts_with("hang: node `matcher` in branch `matcher`")
            && first.contains("hard deadline of 1s"),
        "{first}"
    );
    // The flake report's replays stop at the first that hangs: the failing iteration's
    // rerun hangs again, so there is no diff and no flip (each would cost a hard deadline).
    let causes = &s["flake_causes"];
    assert_eq!(
        causes["diff_of"], "the replays to compare did not finish",
        "{causes}"
    );
    assert_eq!(
        causes["flips"].as_array().map(Vec::len),
        Some(0),
        "{causes}"
    );
    let workers = &run.json()["host"]["workers"];
    assert_eq!(workers["hangs"], hangs);
    assert_eq!(workers["live_vms_max"], 0);
    // Iterations after the first hang still ran, on a fresh worker.
    let first_hang = s["first_bad"]["iteration"].as_u64().unwrap();
    assert!(
        first_hang < 5,
        "seed 3 hangs before the last iteration: {first_hang}"
    );
    assert!(
        workers["spawned"].as_u64().unwrap() >= 2,
        "a fresh worker after the hang: {workers}"
    );
    // The replay command reproduces the hang, under the same hard deadline.
    let replay = run.replay_commands();
    let out = run_printed(&replay[0]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("outcome: hang: node `matcher`") && text.contains("REPRODUCED"),
        "{text}"
    );
}

#[test]
fn in_thread_isolation_a_hang_stops_the_run_with_its_report_and_says_why() {
    let run = soak(&[
        &fixture("soak/hang-sometimes.yaml"),
        &fixture("soak/trivial-4.yaml"),
        "--seed",
        "3",
        "--jobs",
        "1",
        "--isolation",
        "thread",
    ]);
    let r = run.json();
    assert_eq!(r["complete"], false);
    let why = r["stopped"].as_str().unwrap();
    assert!(
        why.contains("hang-sometimes") && why.contains("cannot be killed"),
        "{why}"
    );
    assert!(
        run.stdout.contains("Stopped in scenario `hang-sometimes`"),
        "{}",
        run.stdout
    );
    let s = run.scenario("hang-sometimes");
    assert_eq!(s["hangs"], 1);
    assert_eq!(run.scenario("trivial-4")["status"], "not_run");
    assert_eq!(
        run.code, 2,
        "one iteration passed, the hang failed: {}",
        run.stdout
    );
}

#[test]
fn runaway_lua_the_vm_can_stop_ends_every_iteration_on_its_own() {
    let run = soak(&[&fixture("soak/runaway-in-vm.yaml"), "--seed", "1"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let s = run.scenario("runaway-in-vm");
    assert_eq!(s["status"], "clean");
    assert_eq!(s["hangs"], 0);
    assert_eq!(s["iterations"]["run"], 5);
}

/// `harness soak ARGS...` with node `nap` blocked for good in every iteration.
fn soak_blocked(args: &[&str]) -> (i32, serde_json::Value) {
    let base = tempfile::tempdir().unwrap();
    let out = harness()
        .arg("soak")
        .args(args)
        .arg("--report-dir")
        .arg(base.path())
        .env("BRANCHPROOF_TEST_BLOCK_NODE", "nap")
        .output()
        .unwrap();
    let dir = report_dir(base.path()).expect("a report folder");
    let report = std::fs::read_to_string(dir.join("report.json")).unwrap();
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_str(&report).unwrap(),
    )
}

#[test]
fn a_deadlocked_worker_is_killed_at_the_iteration_deadline_as_a_hang() {
    let (code, r) = soak_blocked(&[
        &fixture("soak/naps.yaml"),
        "-n",
        "2",
        "--jobs",
        "1",
        "--seed",
        "1",
        "--hard-deadline",
        "1s",
    ]);
    let s = &r["scenarios"][0];
    assert_eq!(s["iterations"]["run"], 2, "{s}");
    assert_eq!(s["hangs"], 2, "{s}");
    assert_eq!(
        s["first_bad"]["message"],
        "hang: the iteration did not finish within its hard deadline of 1s (its worker was \
         killed)"
    );
    assert_eq!(r["host"]["workers"]["hangs"], 2);
    assert_eq!(code, 1, "{r}");
}

#[test]
fn in_thread_isolation_a_deadlocked_iteration_is_a_hang_that_stops_the_run() {
    let (code, r) = soak_blocked(&[
        &fixture("soak/naps.yaml"),
        "-n",
        "2",
        "--jobs",
        "1",
        "--seed",
        "1",
        "--hard-deadline",
        "1s",
        "--isolation",
        "thread",
    ]);
    let s = &r["scenarios"][0];
    assert_eq!(s["hangs"], 1, "{s}");
    assert_eq!(
        s["first_bad"]["message"],
        "hang: the iteration did not finish within its hard deadline of 1s"
    );
    assert_eq!(r["complete"], false);
    assert!(
        r["stopped"].as_str().unwrap().contains("cannot be killed"),
        "{r}"
    );
    assert_eq!(code, 1, "{r}");
}
