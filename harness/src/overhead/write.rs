//! Writing the overhead report: `overhead.md`, `overhead.json` and the `overhead.svg` chart.

use std::path::Path;

use super::error::OverheadError;
use super::report::Report;
use super::{chart, json, markdown};

/// Writes the report files into `dir`.
pub fn write_report(report: &Report, dir: &Path) -> Result<(), OverheadError> {
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| OverheadError::Write {
            path,
            message: e.to_string(),
        })
    };
    std::fs::create_dir_all(dir).map_err(|e| OverheadError::Write {
        path: dir.to_path_buf(),
        message: e.to_string(),
    })?;
    let chart_file = match chart::render(&report.rows, report.cores) {
        Some(Ok(svg)) => {
            write("overhead.svg", &svg)?;
            Some("overhead.svg")
        }
        Some(Err(e)) => {
            eprintln!("warning: failed to draw the fan-out chart: {e}");
            None
        }
        None => None,
    };
    write("overhead.md", &markdown::render(report, chart_file))?;
    let json = serde_json::to_string_pretty(&json::render(report)).expect("JSON values serialize");
    write("overhead.json", &(json + "\n"))
}
