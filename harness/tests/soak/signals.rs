//! No signal loses what was measured: SIGTERM stops a soak whose iteration is stuck (its
//! worker is killed), writes the report marked incomplete with every finished iteration
//! counted, and exits 143; SIGKILL leaves the last checkpoint valid and no worker behind.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{fixture, harness, report_dir, soak, worker_pids};

/// The iteration the stuck scenario first gets stuck at with seed 5 on one worker: found by
/// a fail-fast soak with a short hard deadline.
fn first_stuck_iteration() -> u64 {
    let run = soak(&[
        &fixture("soak/stuck-sometimes.yaml"),
        "--seed",
        "5",
        "--jobs",
        "1",
        "-n",
        "100",
        "--hard-deadline",
        "1s",
        "--fail-fast",
    ]);
    let s = run.scenario("stuck-sometimes");
    assert_eq!(s["hangs"], 1, "{}", run.stdout);
    s["first_bad"]["iteration"].as_u64().unwrap()
}

fn start_stuck_soak(base: &Path) -> Child {
    harness()
        .args(["soak", &fixture("soak/stuck-sometimes.yaml")])
        .args([
            "--seed",
            "5",
            "--jobs",
            "1",
            "-n",
            "100",
            "--progress",
            "none",
        ])
        .arg("--report-dir")
        .arg(base)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The checkpointed report, once its scenario has run `iterations` iterations.
fn wait_for_checkpoint(base: &Path, iterations: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let report = report_dir(base)
            .and_then(|dir| std::fs::read_to_string(dir.join("report.json")).ok())
            .and_then(|text| serde_json::from_str::<Value>(&text).ok());
        if let Some(r) = report
            && r["scenarios"][0]["iterations"]["run"] == iterations
        {
            return r;
        }
        assert!(
            Instant::now() < deadline,
            "no checkpoint with {iterations} iterations"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn wait(child: &mut Child, limit: Duration) -> Option<i32> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the soak did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Worker processes whose supervisor was `pid`.
fn workers_of(pid: u32) -> usize {
    worker_pids(pid).len()
}

#[test]
fn sigterm_stops_a_stuck_soak_with_its_report_and_exits_143() {
    let stuck_at = first_stuck_iteration();
    let base = tempfile::tempdir().unwrap();
    let mut child = start_stuck_soak(base.path());
    wait_for_checkpoint(base.path(), stuck_at);
    // The worker is stuck in iteration `stuck_at` now; a generous ceiling, since timings
    // flake on a shared host (the note gives the measured time against the 2 s target).
    let sent = Instant::now();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    let code = wait(&mut child, Duration::from_secs(30));
    eprintln!("SIGTERM to exit: {:?}", sent.elapsed());
    assert_eq!(code, Some(143));
    let dir = report_dir(base.path()).unwrap();
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["complete"], false);
    assert_eq!(report["interrupted"], true);
    assert_eq!(report["stopped"], "by SIGTERM");
    assert_eq!(report["exit_code"], 143);
    let s = &report["scenarios"][0];
    assert_eq!(
        s["iterations"]["run"], stuck_at,
        "every finished iteration is counted"
    );
    assert_eq!(s["first_bad"], Value::Null, "the stuck one never finished");
    assert_eq!(workers_of(child.id()), 0);
}

#[test]
fn sigkill_leaves_a_valid_checkpoint_and_no_worker_behind() {
    let stuck_at = first_stuck_iteration();
    let base = tempfile::tempdir().unwrap();
    let mut child = start_stuck_soak(base.path());
    let checkpoint = wait_for_checkpoint(base.path(), stuck_at);
    assert_eq!(
        checkpoint["complete"], false,
        "a checkpoint says it is not the end"
    );
    let pid = child.id();
    assert_eq!(workers_of(pid), 1, "one worker, stuck");
    child.kill().unwrap();
    child.wait().unwrap();
    // The kernel delivers the workers' death signal as their supervisor goes.
    let deadline = Instant::now() + Duration::from_secs(10);
    while workers_of(pid) > 0 {
        assert!(
            Instant::now() < deadline,
            "a worker outlived its supervisor"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let dir = report_dir(base.path()).unwrap();
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap())
            .expect("the last checkpoint is valid JSON");
    assert_eq!(report["scenarios"][0]["iterations"]["run"], stuck_at);
    quick_junit::Report::deserialize_from_str(
        &std::fs::read_to_string(dir.join("junit.xml")).unwrap(),
    )
    .expect("the checkpointed junit.xml parses");
}

/// `timeout 3 harness VERB naps.yaml`: GNU `timeout` sends SIGTERM to the harness and then
/// to its whole process group, so the harness gets it twice at once. Returns the report.
fn under_timeout(verb: &str, extra: &[&str]) -> Value {
    let base = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("timeout")
        .arg("3")
        .arg(env!("CARGO_BIN_EXE_harness"))
        .args([verb, &fixture("soak/naps.yaml"), "--progress", "none"])
        .args(extra)
        .arg("--report-dir")
        .arg(base.path())
        .current_dir(crate::common::root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run timeout");
    assert_eq!(status.code(), Some(124), "timeout ended it");
    let dir = report_dir(base.path()).expect("a report folder");
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
}

/// Two SIGTERMs at once are one request: the report is the final one, never a checkpoint.
fn assert_final_after_two_sigterms(verb: &str, extra: &[&str]) {
    for round in 0..3 {
        let r = under_timeout(verb, extra);
        let at = format!("round {round}: {r}");
        assert_eq!(r["complete"], false, "{at}");
        assert_eq!(r["interrupted"], true, "{at}");
        assert_eq!(r["stopped"], "by SIGTERM", "{at}");
        assert_eq!(r["forced"], false, "{at}");
        assert_eq!(r["exit_code"], 143, "{at}");
    }
}

#[test]
fn two_sigterms_at_once_from_timeout_leave_a_final_soak_report() {
    assert_final_after_two_sigterms("soak", &[]);
}

#[test]
fn two_sigterms_at_once_from_timeout_leave_a_final_explore_report() {
    assert_final_after_two_sigterms("explore", &["--schedules", "100000000"]);
}

#[test]
fn a_signal_while_its_input_loads_exits_at_once_with_its_code() {
    // A token read from standard input that never ends (special files are refused before
    // they are read, so a pipe held open is what still blocks a load): the signal must end
    // the process all the same.
    for (signal, code) in [("-INT", 130), ("-TERM", 143)] {
        let mut child = harness()
            .args(["replay", "@-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let _held_open = child.stdin.take();
        // Its signal thread is what the signal needs: wait for it.
        let deadline = Instant::now() + Duration::from_secs(30);
        while !has_thread(child.id(), "signals") {
            assert!(Instant::now() < deadline, "no signal thread");
            std::thread::sleep(Duration::from_millis(10));
        }
        crate::common::signal(child.id(), signal);
        assert_eq!(wait(&mut child, Duration::from_secs(30)), Some(code));
    }
}

/// Whether process `pid` has a thread named `name`.
fn has_thread(pid: u32, name: &str) -> bool {
    std::fs::read_dir(format!("/proc/{pid}/task")).is_ok_and(|tasks| {
        tasks
            .filter_map(|t| t.ok())
            .any(|t| std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.trim() == name))
    })
}
