//! Writing the overhead report: `overhead.svg` (the fan-out chart, when there is one),
//! `overhead.md`, `overhead.json` and `overhead.html` (the chart inline), through
//! [`crate::report::views`].

use std::path::Path;

use super::error::OverheadError;
use super::report::Report;
use super::{chart, html, json, markdown};
use crate::report::views::{self, View};

/// Writes the report files into `dir`.
pub fn write_report(report: &Report, dir: &Path) -> Result<(), OverheadError> {
    let failed = |e: std::io::Error| OverheadError::Write {
        path: dir.to_path_buf(),
        message: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(failed)?;
    let svg = match chart::render(&report.rows, report.cores) {
        Some(Ok(svg)) => Some(svg),
        Some(Err(e)) => {
            eprintln!("warning: failed to draw the fan-out chart: {e}");
            None
        }
        None => None,
    };
    let chart_file = svg.as_ref().map(|_| "overhead.svg");
    let mut files = Vec::new();
    if let Some(svg) = &svg {
        files.push(View::new("overhead.svg", svg.clone()));
    }
    files.push(View::new(
        "overhead.md",
        markdown::render(report, chart_file),
    ));
    files.push(View::new(
        "overhead.json",
        views::json(&json::render(report)),
    ));
    files.push(View::new(
        "overhead.html",
        html::render(report, svg.as_deref()).map_err(failed)?,
    ));
    views::write(dir, &files).map_err(failed)
}
