//! Report paths are checked before the first iteration, and each error names its path.

use crate::common::{fixture, harness};

#[test]
fn a_report_dir_that_is_a_file_is_refused_before_any_iteration() {
    let base = tempfile::tempdir().unwrap();
    let file = base.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let out = harness()
        .args(["soak", &fixture("soak/trivial-4.yaml"), "--report-dir"])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains(&file.display().to_string()), "{stderr}");
    assert!(!stdout.contains("CLEAN"), "no iteration ran: {stdout}");
}

#[test]
fn a_junit_path_that_cannot_be_written_is_named_not_blamed_on_the_report_dir() {
    let base = tempfile::tempdir().unwrap();
    let out = harness()
        .args(["soak", &fixture("soak/trivial-4.yaml"), "--report-dir"])
        .arg(base.path())
        .arg("--junit")
        .arg(base.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("JUnit") && stderr.contains(&base.path().display().to_string()),
        "{stderr}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("CLEAN"));
}
