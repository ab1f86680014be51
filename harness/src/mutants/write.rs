//! The report folder of `harness mutants`: `report.json`, `report.md` and `report.html`,
//! written through [`crate::report::views`].

use std::io;
use std::path::Path;

use super::report::MutantsReport;
use super::{html, markdown};
use crate::report::views::{self, View};

/// Writes the report's files into `dir`.
pub fn write(dir: &Path, report: &MutantsReport<'_>) -> io::Result<()> {
    let files = [
        View::new("report.json", views::json(report)),
        View::new(
            "report.md",
            markdown::render(report.findings, &report.command),
        ),
        View::new("report.html", html::render(report)?),
    ];
    views::write(dir, &files)
}
