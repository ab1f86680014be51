//! Running `harness overhead` against a scratch directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

/// A scratch directory with a budgets file, a criterion home and a report directory.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().expect("a temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a budgets file with these metric entries (YAML list items).
    pub fn budgets(&self, entries: &str) -> PathBuf {
        let path = self.path("budgets.yaml");
        std::fs::write(&path, format!("metrics:\n{entries}")).expect("write budgets");
        path
    }

    /// Records a criterion result, in criterion's own layout and format, with this median
    /// and interval in nanoseconds.
    pub fn criterion_result(&self, id: &str, median: f64, low: f64, high: f64) {
        let dir = self.path("criterion").join(id).join("new");
        std::fs::create_dir_all(&dir).expect("create the criterion dir");
        let interval = json!({ "confidence_level": 0.95, "lower_bound": low, "upper_bound": high });
        let estimate = json!({ "confidence_interval": interval, "point_estimate": median, "standard_error": 1.0 });
        let estimates = json!({ "mean": estimate, "median": estimate, "median_abs_dev": estimate, "slope": null, "std_dev": estimate });
        std::fs::write(dir.join("estimates.json"), estimates.to_string()).expect("write");
        let (group, function) = id.split_once('/').expect("group/function");
        let benchmark = json!({ "group_id": group, "function_id": function, "value_str": null, "throughput": null, "full_id": id, "directory_name": id, "title": id });
        std::fs::write(dir.join("benchmark.json"), benchmark.to_string()).expect("write");
    }

    /// `harness overhead --no-bench --no-callgrind` over this scratch directory, plus `extra`.
    pub fn overhead(&self, budgets: &Path, extra: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_harness"))
            .arg("overhead")
            .args(["--no-bench", "--no-callgrind"])
            .arg("--budgets")
            .arg(budgets)
            .arg("--criterion-dir")
            .arg(self.path("criterion"))
            .arg("--report-dir")
            .arg(self.path("reports"))
            .args(extra)
            .output()
            .expect("run harness")
    }

    /// The JSON report.
    pub fn json(&self) -> Value {
        let text =
            std::fs::read_to_string(self.path("reports/overhead.json")).expect("overhead.json");
        serde_json::from_str(&text).expect("valid JSON")
    }

    /// The Markdown report.
    pub fn markdown(&self) -> String {
        std::fs::read_to_string(self.path("reports/overhead.md")).expect("overhead.md")
    }
}

/// The report entry for metric `id`.
pub fn metric<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("no metric `{id}` in the report"))
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The workspace's real budgets file.
pub fn real_budgets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../benches/budgets.yaml")
}
