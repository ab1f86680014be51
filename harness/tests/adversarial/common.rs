//! A throwaway project (a temp folder with a `.git`, so it is its own project root) with a
//! secret beside it, and the real binary run in it under a hang guard.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What every test plants and then looks for: it must never be printed or reported.
pub const SECRET: &str = "DB_PASSWORD=hunter2-9f8e7d";

/// A failing scenario (its token is what the token tests take apart).
pub const FAILING: &str = "name: failing
story: adversarial
iterations: 2
workflow:
  name: failing
  nodes:
    - { name: only, run: \"return { n = 1 }\" }
expect:
  - final_state: { n: 2 }
";

/// A project: `<tmp>/project` (with `.git` and `scenarios/`) and `<tmp>/outside/secret.env`.
#[derive(Debug)]
pub struct Project {
    _tmp: tempfile::TempDir,
    /// The project root (canonical).
    pub root: PathBuf,
    /// A folder beside the project, with `secret.env` in it.
    pub outside: PathBuf,
}

impl Project {
    /// A fresh project holding `.env` (the secret) and an empty `scenarios/`.
    pub fn new() -> Project {
        let tmp = tempfile::tempdir().expect("temp dir");
        let base = tmp.path().canonicalize().expect("canonical temp dir");
        let root = base.join("project");
        let outside = base.join("outside");
        for dir in [root.join(".git"), root.join("scenarios"), outside.clone()] {
            std::fs::create_dir_all(dir).expect("make a folder");
        }
        std::fs::write(root.join(".env"), format!("{SECRET}\n")).expect("write .env");
        std::fs::write(outside.join("secret.env"), format!("{SECRET}\n")).expect("secret");
        Project {
            _tmp: tmp,
            root,
            outside,
        }
    }

    /// Writes `text` to `rel` below the root; returns its path.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("make a folder");
        }
        std::fs::write(&path, text).expect("write a file");
        path
    }

    /// A scenario named `name` whose workflow is `workflow_file` (as written in it).
    pub fn scenario_using(&self, name: &str, workflow_file: &str) -> PathBuf {
        self.write(
            &format!("scenarios/{name}.yaml"),
            &format!("name: {name}\nstory: adversarial\nworkflow_file: {workflow_file:?}\n"),
        )
    }

    /// `harness ARGS...` run from the project root.
    pub fn harness(&self, args: &[&str]) -> Out {
        run(self.command(&self.root, args), None)
    }

    /// `harness ARGS...` run from `dir`.
    pub fn command(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_harness"));
        cmd.current_dir(dir).args(args);
        cmd
    }

    /// Soaks `scenario` into a report folder of its own; returns the run and the folder.
    pub fn soak(&self, scenario: &Path, extra: &[&str]) -> (Out, PathBuf) {
        let reports = self.root.join("reports");
        let mut args = vec![
            "soak".to_string(),
            scenario.display().to_string(),
            "--seed".into(),
            "1".into(),
            "--report-dir".into(),
            reports.display().to_string(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = self.harness(&args);
        (out, latest(&reports))
    }

    /// A FIFO at `rel` below the root (nothing ever writes to it).
    pub fn fifo(&self, rel: &str) -> PathBuf {
        let path = self.root.join(rel);
        let c = std::ffi::CString::new(path.to_str().expect("a UTF-8 path")).expect("no NUL");
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
        path
    }
}

/// The latest run folder under `base`.
pub fn latest(base: &Path) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(base)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    dirs.sort();
    dirs.pop().unwrap_or_else(|| base.join("(no run folder)"))
}

/// Every file of a report folder, concatenated (to look for what must not be there).
pub fn report_text(dir: &Path) -> String {
    ["report.json", "report.md", "report.html", "junit.xml"]
        .iter()
        .map(|f| std::fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A finished process.
#[derive(Debug)]
pub struct Out {
    /// Its exit code (-1 when a signal ended it).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Out {
    /// Both streams.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// How long any one command may take before the test calls it hung (a guard, not a
/// measurement: every command here ends in well under a second on a quiet host).
const HANG_GUARD: Duration = Duration::from_secs(120);

/// Runs `cmd` with `stdin` fed to it; a command still running after [`HANG_GUARD`] is killed
/// and fails the test.
pub fn run(mut cmd: Command, stdin: Option<Vec<u8>>) -> Out {
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start harness");
    let feeder = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().expect("a stdin pipe");
        // The harness may stop reading at its cap: a broken pipe here is expected.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })
    });
    let readers = [
        read_all(child.stdout.take().expect("stdout")),
        read_all(child.stderr.take().expect("stderr")),
    ];
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > HANG_GUARD {
            let _ = child.kill();
            let _ = child.wait();
            panic!("harness hung for {HANG_GUARD:?}: {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if let Some(feeder) = feeder {
        feeder.join().expect("the stdin feeder");
    }
    let [stdout, stderr] = readers.map(|r| r.join().expect("a reader"));
    Out {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    }
}

fn read_all(mut from: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = from.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// The token of the first `replay: harness replay <token>` line of a run's output.
pub fn printed_token(out: &Out) -> String {
    out.stdout
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("replay: harness replay "))
        .unwrap_or_else(|| panic!("no replay line:\n{}", out.all()))
        .to_string()
}
