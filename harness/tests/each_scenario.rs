//! One test per scenario file in `scenarios/`, found when the tests run: a short soak and a
//! short explore of that scenario through the real binary. Drop a file into `scenarios/` and
//! `cargo nextest run` has a test for it, with nextest's filters (`-E 'test(isolation)'`),
//! partitions (`--partition count:1/3`), JUnit and retry policy.
//!
//! A test passes when the soak and the explore both exit 0: the scenario is clean, or it is
//! the canary and failed as it must (XFAIL).

use std::path::{Path, PathBuf};
use std::process::Command;

use libtest_mimic::{Arguments, Failed, Trial};

/// Iterations and schedules per scenario: enough to run every path once or twice.
const SHORT: &str = "20";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("harness/ has a parent")
        .to_path_buf()
}

fn main() {
    let args = Arguments::from_args();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios"))
        .expect("the scenarios folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let trials = files
        .into_iter()
        .map(|file| {
            let stem = file
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
            Trial::test(format!("scenario::{stem}"), move || check(&file))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

fn check(file: &Path) -> Result<(), Failed> {
    let reports = tempfile::tempdir().map_err(|e| format!("a temp dir: {e}"))?;
    for (verb, count) in [("soak", "--iterations"), ("explore", "--schedules")] {
        let out = Command::new(env!("CARGO_BIN_EXE_harness"))
            .current_dir(root())
            .arg(verb)
            .arg(file)
            .args([count, SHORT, "--seed", "1", "--jobs", "2"])
            .arg("--report-dir")
            .arg(reports.path())
            .output()
            .map_err(|e| format!("run harness {verb}: {e}"))?;
        if out.status.code() != Some(0) {
            return Err(format!(
                "harness {verb} {} exited {:?}:\n{}{}",
                file.display(),
                out.status.code(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
    }
    Ok(())
}
