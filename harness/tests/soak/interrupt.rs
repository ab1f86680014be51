//! Ctrl-C (SIGINT) stops the soak between iterations and keeps a valid, partial report.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::{fixture, harness, report_dir};

#[test]
fn sigint_writes_a_partial_report_marked_incomplete() {
    let base = tempfile::tempdir().unwrap();
    let mut child = harness()
        .args([
            "soak",
            &fixture("soak/trivial-4.yaml"),
            &fixture("soak/slow.yaml"),
        ])
        .args(["--jobs", "2", "--seed", "1", "--report-dir"])
        .arg(base.path())
        .args(["--progress", "lines"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let lines: Vec<String> = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect();
        lines.join("\n")
    });
    // Read on a thread so a hung child cannot hang the test; the main thread is the guard.
    let reader = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut signalled = false;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            // slow.yaml has run 4 iterations (trivial-4 is done): interrupt it mid-scenario.
            if !signalled && line.contains("slow: 4/1000000") {
                let status = std::process::Command::new("kill")
                    .args(["-INT", &pid.to_string()])
                    .status()
                    .unwrap();
                assert!(status.success());
                signalled = true;
            }
            seen.push(line);
        }
        (signalled, seen)
    });
    let deadline = Instant::now() + Duration::from_secs(300);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the soak did not stop after SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (signalled, progress) = reader.join().unwrap();
    let out = out_reader.join().unwrap();
    assert!(
        progress.iter().any(|l| l.contains("slow: 1/1000000")),
        "{progress:?}"
    );
    assert!(signalled, "{out}");
    assert_eq!(status.code(), Some(130), "{out}");
    let dir = report_dir(base.path()).expect("a report folder");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap())
            .expect("the partial report is valid JSON");
    assert_eq!(report["complete"], false);
    assert_eq!(report["interrupted"], true);
    assert_eq!(report["exit_code"], 130);
    let scenarios = report["scenarios"].as_array().unwrap();
    assert_eq!(scenarios[0]["name"], "trivial-4");
    assert_eq!(
        scenarios[0]["iterations"]["run"], 200,
        "finished work is kept"
    );
    assert_eq!(scenarios[0]["complete"], true);
    let slow = &scenarios[1];
    let run = slow["iterations"]["run"].as_u64().unwrap();
    assert!((4..1_000_000).contains(&run), "{run}");
    assert_eq!(slow["complete"], false);
    assert_eq!(slow["status"], "clean", "what it measured is reported");
    assert_eq!(report["host"]["live_vms_end"], 0);
    assert!(
        std::fs::read_to_string(dir.join("report.md"))
            .unwrap()
            .contains("Incomplete")
    );
    quick_junit::Report::deserialize_from_str(
        &std::fs::read_to_string(dir.join("junit.xml")).unwrap(),
    )
    .expect("the partial junit.xml parses");
    assert!(out.contains("(interrupted)"), "{out}");
}
