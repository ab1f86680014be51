//! Writing the overhead report: `overhead.md`, `overhead.json`, the `overhead.svg` chart and
//! `overhead.html` (the chart inline), each renamed into place whole.

use std::path::Path;

use super::error::OverheadError;
use super::report::Report;
use super::{chart, html, json, markdown};
use crate::report::views::write_atomic;

/// Writes the report files into `dir`.
pub fn write_report(report: &Report, dir: &Path) -> Result<(), OverheadError> {
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        write_atomic(&path, text).map_err(|e| OverheadError::Write {
            path,
            message: e.to_string(),
        })
    };
    std::fs::create_dir_all(dir).map_err(|e| OverheadError::Write {
        path: dir.to_path_buf(),
        message: e.to_string(),
    })?;
    let svg = match chart::render(&report.rows, report.cores) {
        Some(Ok(svg)) => {
            write("overhead.svg", &svg)?;
            Some(svg)
        }
        Some(Err(e)) => {
            eprintln!("warning: failed to draw the fan-out chart: {e}");
            None
        }
        None => None,
    };
    let chart_file = svg.as_ref().map(|_| "overhead.svg");
    write("overhead.md", &markdown::render(report, chart_file))?;
    let json = serde_json::to_string_pretty(&json::render(report)).expect("JSON values serialize");
    write("overhead.json", &(json + "\n"))?;
    let page = html::render(report, svg.as_deref()).map_err(|e| OverheadError::Write {
        path: dir.join("overhead.html"),
        message: format!("render it: {e:#}"),
    })?;
    write("overhead.html", &page)
}
