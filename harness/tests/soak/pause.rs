//! A process that is stopped and continued records no hang and no timeout. Each case stops
//! processes the test started (by pid: the harness, or the workers it started) for 4 s in the
//! middle of a run whose deadlines are all about a second (`--hard-deadline 1s`, nodes' hard
//! deadlines of 1 s): the supervisor, one worker and then the whole group, mid-soak and
//! mid-explore; a soak in thread isolation; `harness run`; `harness replay` and its worker.
//! Soaks and explores are then interrupted (they would run for hours) and their report is the
//! final one. Nothing here asserts on elapsed time: only on outcomes. That the deadlines still
//! fire for a node that spins or blocks is in `hang.rs`.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{fixture, harness, latest_report, signal, soak, worker_pids};

/// How long each stop lasts: four times the deadlines it must not trip.
const STOP: Duration = Duration::from_secs(4);

/// A hang guard only: a run that does not get on, or does not end, fails the test here.
const GUARD: Duration = Duration::from_secs(240);

/// A soak or explore the test started, with its report folder.
struct Running {
    child: Child,
    base: tempfile::TempDir,
}

impl Running {
    /// `harness VERB ARGS... --hard-deadline 1s` into a fresh report folder.
    fn start(verb: &str, args: &[&str]) -> Running {
        let base = tempfile::tempdir().unwrap();
        let child = harness()
            .arg(verb)
            .args(args)
            .args([
                "--hard-deadline",
                "1s",
                "--progress",
                "none",
                "--report-dir",
            ])
            .arg(base.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Running { child, base }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until a checkpoint shows more than `after` iterations run; returns how many.
    fn wait_past(&mut self, after: u64) -> u64 {
        let deadline = Instant::now() + GUARD;
        loop {
            let ran = latest_report(self.base.path())
                .and_then(|r| r["scenarios"][0]["iterations"]["run"].as_u64())
                .unwrap_or(0);
            if ran > after {
                return ran;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("the run ended ({status}) before running past {after}");
            }
            assert!(Instant::now() < deadline, "no progress past {after}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Its worker processes, once it has at least `n`.
    fn workers(&self, n: usize) -> Vec<u32> {
        let deadline = Instant::now() + GUARD;
        loop {
            let pids = worker_pids(self.pid());
            if pids.len() >= n {
                return pids;
            }
            assert!(Instant::now() < deadline, "fewer than {n} workers");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGINT, then its exit code and final report.
    fn interrupt(mut self) -> (Option<i32>, Value) {
        signal(self.pid(), "-INT");
        let code = wait(&mut self.child);
        let report = latest_report(self.base.path()).expect("a report");
        (code, report)
    }
}

/// Stops `pids` (in order) for [`STOP`], then continues them (in reverse order).
fn stop_for(pids: &[u32]) {
    for &pid in pids {
        signal(pid, "-STOP");
    }
    std::thread::sleep(STOP);
    for &pid in pids.iter().rev() {
        signal(pid, "-CONT");
    }
}

fn wait(child: &mut Child) -> Option<i32> {
    let deadline = Instant::now() + GUARD;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the run did not end");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The interrupted run's report is final and clean: no hang, no timeout, nothing failed.
fn assert_final_and_clean(code: Option<i32>, report: &Value) {
    assert_eq!(code, Some(130), "{report}");
    assert_eq!(report["complete"], false);
    assert_eq!(report["interrupted"], true);
    assert_eq!(report["forced"], false);
    assert_eq!(
        report["stopped"], "by SIGINT",
        "the final report, not a checkpoint"
    );
    let s = &report["scenarios"][0];
    assert_eq!(s["hangs"], 0, "{s}");
    assert_eq!(s["status"], "clean", "{s}");
    assert_eq!(s["failures"]["failures"], 0, "{s}");
    if let Some(workers) = report["host"]["workers"].as_object() {
        assert_eq!(workers["hangs"], 0, "{report}");
        assert_eq!(workers["crashes"], 0, "{report}");
    }
}

/// Stops the supervisor, then one worker, then the supervisor and every worker, each for
/// 4 s, checking the run gets on after each; then interrupts it.
fn stop_supervisor_worker_and_group(verb: &str, extra: &[&str]) {
    let mut run = Running::start(
        verb,
        &[
            &[
                fixture("soak/naps.yaml").as_str(),
                "--seed",
                "7",
                "--jobs",
                "2",
            ],
            extra,
        ]
        .concat(),
    );
    let ran = run.wait_past(0);
    stop_for(&[run.pid()]);
    let ran = run.wait_past(ran);
    let workers = run.workers(1);
    stop_for(&workers[..1]);
    let ran = run.wait_past(ran);
    let group: Vec<u32> = std::iter::once(run.pid()).chain(run.workers(1)).collect();
    stop_for(&group);
    run.wait_past(ran);
    let (code, report) = run.interrupt();
    assert_final_and_clean(code, &report);
}

#[test]
fn soak_stopped_supervisor_worker_and_group_record_no_hang() {
    stop_supervisor_worker_and_group("soak", &[]);
}

#[test]
fn explore_stopped_supervisor_worker_and_group_record_no_hang() {
    stop_supervisor_worker_and_group("explore", &["--schedules", "100000000"]);
}

#[test]
fn a_stopped_soak_in_thread_isolation_records_no_hang() {
    let mut run = Running::start(
        "soak",
        &[
            &fixture("soak/naps.yaml"),
            "--seed",
            "7",
            "--jobs",
            "2",
            "--isolation",
            "thread",
        ],
    );
    let ran = run.wait_past(0);
    stop_for(&[run.pid()]);
    run.wait_past(ran);
    let (code, report) = run.interrupt();
    assert_final_and_clean(code, &report);
}

#[test]
fn a_stopped_harness_run_finishes_its_workflow() {
    // Twelve nodes of 250 ms each, every node's hard deadline 1 s (its wall backstop 2 s).
    let mut yaml = String::from(
        "name: naps-chain\nsettings: { lua_timeout_ms: 800, hard_timeout_ms: 1000 }\nnodes:\n",
    );
    let mut edges = String::from("edges:\n");
    for i in 1..=12 {
        yaml.push_str(&format!(
            "  - {{ name: n{i}, run: \"sleep_ms(250); return {{ last = {i} }}\" }}\n"
        ));
        let next = if i == 12 {
            "__end__".to_string()
        } else {
            format!("n{}", i + 1)
        };
        edges.push_str(&format!("  - {{ from: n{i}, to: {next} }}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("naps-chain.yaml");
    std::fs::write(&file, yaml + &edges).unwrap();
    let mut child = harness()
        .arg("run")
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Most of its three seconds are spent inside a node.
    std::thread::sleep(Duration::from_millis(1200));
    stop_for(&[child.id()]);
    let code = wait(&mut child);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(code, Some(0), "{stderr}");
    let state: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(state["last"], 12);
}

#[test]
fn a_stopped_replay_and_its_worker_record_no_hang() {
    // A failing iteration with a 1 s hard deadline: its replay command.
    let failing = soak(&[
        &fixture("soak/naps-wrong.yaml"),
        "--seed",
        "3",
        "--hard-deadline",
        "1s",
    ]);
    assert_eq!(failing.code, 1, "{}", failing.stdout);
    let replay = failing.replay_commands();
    let token = replay[0]
        .strip_prefix("harness replay ")
        .expect("a replay command");
    let mut child = harness()
        .args(["replay", token, "--times", "10"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Its worker runs the replays: stop it and the replay together.
    let deadline = Instant::now() + GUARD;
    let workers = loop {
        let pids = worker_pids(child.id());
        if !pids.is_empty() {
            break pids;
        }
        assert!(Instant::now() < deadline, "no worker");
        std::thread::sleep(Duration::from_millis(20));
    };
    std::thread::sleep(Duration::from_millis(500));
    stop_for(&[&[child.id()], &workers[..]].concat());
    let code = wait(&mut child);
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("REPRODUCED 10 of 10 replays"), "{stdout}");
    assert!(!stdout.contains("hang"), "{stdout}");
}
