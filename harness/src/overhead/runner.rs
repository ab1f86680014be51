//! Runs the criterion benches and builds the callgrind probe, through cargo.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::error::OverheadError;

/// criterion groups the benches write; cleared before a run so every result in the
/// report comes from the same run.
pub const GROUPS: [&str; 10] = [
    "vm", "branch", "thread", "node", "fanout", "cpu", "yaml", "soak", "peer", "memory",
];

/// criterion's flags for `--quick`: short warm-up and measurement, so CI stays fast.
pub const QUICK_ARGS: [&str; 4] = ["--warm-up-time", "0.2", "--measurement-time", "0.5"];

/// Where the workspace and its build output are.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The directory holding the workspace `Cargo.toml` and `benches/`.
    pub root: PathBuf,
    /// Cargo's target directory (`CARGO_TARGET_DIR`, else `<root>/target`).
    pub target: PathBuf,
}

impl Workspace {
    /// The workspace around the current directory, else the one this binary was built in.
    pub fn locate() -> Workspace {
        let from_cwd = std::env::current_dir().ok().and_then(|cwd| {
            cwd.ancestors()
                .find(|d| {
                    d.join("benches/budgets.yaml").is_file() && d.join("Cargo.toml").is_file()
                })
                .map(Path::to_path_buf)
        });
        let root = from_cwd.unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .expect("the harness crate sits in the workspace")
                .to_path_buf()
        });
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .map(|t| if t.is_absolute() { t } else { root.join(t) })
            .unwrap_or_else(|| root.join("target"));
        Workspace { root, target }
    }
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// `cargo bench -p benches --bench overhead`, criterion's output going to `home`. Its
/// progress goes to stderr; stdout stays for the harness's summary.
pub fn run_benches(ws: &Workspace, home: &Path, quick: bool) -> Result<String, OverheadError> {
    for group in GROUPS {
        let _ = std::fs::remove_dir_all(home.join(group));
    }
    let mut cmd = cargo();
    cmd.current_dir(&ws.root)
        .args(["bench", "-p", "benches", "--bench", "overhead", "--"])
        .env("CRITERION_HOME", home)
        .stdout(Stdio::from(std::io::stderr()));
    if quick {
        cmd.args(QUICK_ARGS);
    }
    let line = format!(
        "CRITERION_HOME={} cargo bench -p benches --bench overhead --{}",
        relative(&ws.root, home).display(),
        if quick {
            format!(" {}", QUICK_ARGS.join(" "))
        } else {
            String::new()
        }
    );
    run(cmd, &line)?;
    Ok(line)
}

/// Builds the callgrind probe in release mode and returns its path.
pub fn build_probe(ws: &Workspace) -> Result<PathBuf, OverheadError> {
    build_bin(ws, "callgrind-probe")
}

/// Builds `benches`' binary `name` (release) and returns its path.
pub fn build_bin(ws: &Workspace, name: &str) -> Result<PathBuf, OverheadError> {
    let mut cmd = cargo();
    cmd.current_dir(&ws.root)
        .args(["build", "--release", "-q", "-p", "benches", "--bin", name])
        .stdout(Stdio::from(std::io::stderr()));
    run(
        cmd,
        &format!("cargo build --release -p benches --bin {name}"),
    )?;
    Ok(ws.target.join("release").join(name))
}

fn run(mut cmd: Command, line: &str) -> Result<(), OverheadError> {
    let status = cmd.status().map_err(|e| OverheadError::Command {
        command: line.to_string(),
        message: format!("it could not start: {e}"),
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(OverheadError::Command {
            command: line.to_string(),
            message: format!("it exited with {status}"),
        })
    }
}

/// `path` relative to `root` when it lies inside it (reports stay valid in any checkout).
pub fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root)
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}

/// The host's one-minute load average, from `/proc/loadavg`.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The checked-out commit, short, when the workspace is a git checkout.
pub fn commit(ws: &Workspace) -> Option<String> {
    let out = Command::new("git")
        .current_dir(&ws.root)
        .args(["rev-parse", "--short", "HEAD"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let hash = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !hash.is_empty()).then_some(hash)
}
