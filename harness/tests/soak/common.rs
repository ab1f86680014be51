//! Running the harness binary and reading what it wrote.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The workspace root (tests run from there).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("harness/ has a parent")
        .to_path_buf()
}

/// A fixture scenario's path, relative to the workspace root.
pub fn fixture(name: &str) -> String {
    format!("harness/tests/fixtures/{name}")
}

/// `harness` with the workspace root as working directory.
pub fn harness() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_harness"));
    cmd.current_dir(root());
    cmd
}

/// A finished soak: its output and its report folder.
#[derive(Debug)]
pub struct Soak {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// The `soak-<timestamp>` folder.
    pub dir: PathBuf,
    _base: tempfile::TempDir,
}

impl Soak {
    /// `report.json`, parsed.
    pub fn json(&self) -> Value {
        let text = std::fs::read_to_string(self.dir.join("report.json")).expect("report.json");
        serde_json::from_str(&text).expect("report.json is JSON")
    }

    /// One file of the report folder.
    pub fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// The scenario named `name` in `report.json`.
    pub fn scenario(&self, name: &str) -> Value {
        self.json()["scenarios"]
            .as_array()
            .expect("scenarios")
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no scenario `{name}` in the report:\n{}", self.stdout))
            .clone()
    }

    /// The replay commands printed on stdout.
    pub fn replay_commands(&self) -> Vec<String> {
        self.stdout
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("replay: "))
            .map(str::to_string)
            .collect()
    }
}

/// Runs `harness soak ARGS... --report-dir <temp>` and waits.
pub fn soak(args: &[&str]) -> Soak {
    let base = tempfile::tempdir().expect("temp dir");
    let output = harness()
        .arg("soak")
        .args(args)
        .arg("--report-dir")
        .arg(base.path())
        .output()
        .expect("run harness");
    finish(output, base)
}

fn finish(output: Output, base: tempfile::TempDir) -> Soak {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let dir = report_dir(base.path())
        .unwrap_or_else(|| panic!("no report folder\nstdout:\n{stdout}\nstderr:\n{stderr}"));
    Soak {
        code: output.status.code().unwrap_or(-1),
        stdout,
        dir,
        _base: base,
    }
}

/// The single `soak-*` folder under `base`.
pub fn report_dir(base: &Path) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(base)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("soak-"))
        })
        .collect();
    dirs.sort();
    dirs.pop()
}

/// Runs a printed command line (`harness soak ...`) with the real binary.
pub fn run_printed(command: &str) -> Output {
    let mut words = command.split_whitespace();
    assert_eq!(words.next(), Some("harness"), "{command}");
    harness().args(words).output().expect("run harness")
}
