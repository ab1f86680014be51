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
    campaign("soak", args)
}

/// Runs `harness VERB ARGS... --report-dir <temp>` (soak or explore) and waits.
pub fn campaign(verb: &str, args: &[&str]) -> Soak {
    let base = tempfile::tempdir().expect("temp dir");
    let output = harness()
        .arg(verb)
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

/// The latest `soak-*` or `explore-*` folder under `base`.
pub fn report_dir(base: &Path) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(base)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().is_some_and(|n| {
                let n = n.to_string_lossy();
                n.starts_with("soak-") || n.starts_with("explore-")
            })
        })
        .collect();
    dirs.sort();
    dirs.pop()
}

/// The token of a printed `harness replay <token>` command, read back.
pub fn token_of(command: &str) -> harness::replay::token::Token {
    let text = command
        .strip_prefix("harness replay ")
        .unwrap_or_else(|| panic!("not a replay command: {command}"));
    harness::replay::run::read(text).unwrap_or_else(|e| panic!("{e}: {command}"))
}

/// Runs a printed command line (`harness soak ...`) with the real binary.
pub fn run_printed(command: &str) -> Output {
    let mut words = command.split_whitespace();
    assert_eq!(words.next(), Some("harness"), "{command}");
    harness().args(words).output().expect("run harness")
}

/// Replaces what varies between runs: `[   0.123s]` (as `[   T.TTTs]`), `(1234/s)`, every
/// `peak RSS 9.1 MiB`, the report path, and tokens (they hold the harness version).
pub fn mask(stdout: &str) -> String {
    stdout
        .lines()
        .map(|line| {
            let mut line = line.to_string();
            if let (Some(open), Some(close)) = (line.find(" ["), line.find("s] "))
                && open < close
            {
                line.replace_range(open + 2..close, &format!("{:>8}", "T.TTT"));
            }
            for unit in [" iterations (", " schedules ("] {
                if let (Some(open), Some(close)) = (line.find(unit), line.find("/s)")) {
                    line.replace_range(open + unit.len()..close, "N");
                }
            }
            let mut from = 0;
            while let Some(at) = line[from..].find("peak RSS ").map(|a| from + a) {
                let end = line[at..].find(" MiB").map_or(line.len(), |e| at + e);
                line.replace_range(at + 9..end, "M");
                from = at + 9;
            }
            if line.trim_start().starts_with("Report ") {
                line = "    Report <dir>/report.md".to_string();
            }
            // Tokens hold the harness version and the scenario's hash: pinned by the token
            // tests, not here.
            if let Some(at) = line.find("bp2.") {
                let end = line[at..].find(' ').map_or(line.len(), |e| at + e);
                line.replace_range(at..end, "bp2.<token>");
            }
            if let (Some(at), Some(end)) = (line.find(" @"), line.rfind('/')) {
                line.replace_range(at + 2..end, "<dir>");
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The worker processes whose supervisor is `pid` (from `/proc`: their command lines name
/// it as `--parent`).
pub fn worker_pids(pid: u32) -> Vec<u32> {
    let parent = format!("--parent\0{pid}\0");
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|p| {
            std::fs::read(format!("/proc/{p}/cmdline")).is_ok_and(|cmd| {
                let cmd = String::from_utf8_lossy(&cmd);
                cmd.contains("__worker") && cmd.contains(&parent)
            })
        })
        .collect()
}

/// Sends `signal` (`-STOP`, `-CONT`, `-INT`, ...) to process `pid`, which the test started.
pub fn signal(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill {signal} {pid}");
}

/// The report a run under `base` last wrote (a checkpoint or its final report), if any yet.
pub fn latest_report(base: &Path) -> Option<Value> {
    let dir = report_dir(base)?;
    let text = std::fs::read_to_string(dir.join("report.json")).ok()?;
    serde_json::from_str(&text).ok()
}
