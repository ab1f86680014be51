//! Writing a report folder:
//! `<report-dir>/soak-<UTC timestamp>/{report.json,report.md,junit.xml,report.html}`.
//!
//! Each file is written to a temporary name and renamed into place ([`views::write`]), so a
//! reader (or a second Ctrl-C) never sees half a report.

use std::io;
use std::path::{Path, PathBuf};

use super::views::{self, View, write_atomic};
use super::{Report, html, json, junit, markdown};

/// Creates a fresh `<verb>-<stamp>` folder under `base` (`<verb>-<stamp>-2`, ... if taken).
pub fn create_dir(base: &Path, verb: &str, stamp: &str) -> io::Result<PathBuf> {
    std::fs::create_dir_all(base)?;
    for n in 1.. {
        let name = if n == 1 {
            format!("{verb}-{stamp}")
        } else {
            format!("{verb}-{stamp}-{n}")
        };
        let dir = base.join(name);
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    unreachable!("some suffix is free")
}

/// Writes the four report files into `dir`, and the JUnit XML to `junit_copy` too.
pub fn write_all(
    dir: &Path,
    report: &Report,
    junit_copy: Option<&Path>,
    flaky_as: junit::JunitFlaky,
) -> io::Result<()> {
    let xml = junit::render(report, flaky_as);
    views::write(
        dir,
        &[
            View::new("report.json", json::render(report)),
            View::new("report.md", markdown::render(report)),
            View::new("junit.xml", xml.clone()),
            View::new("report.html", html::render(report)?),
        ],
    )?;
    match junit_copy {
        Some(path) => write_atomic(path, &xml),
        None => Ok(()),
    }
}

/// Makes sure the JUnit copy can be written where it was asked for (its folder is made),
/// before any iteration runs.
pub fn prepare_junit(path: &Path) -> io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    if path.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "it is a folder; name a file",
        ));
    }
    // Probe with a file beside it: the report writes there by rename.
    let mut probe = path.as_os_str().to_owned();
    probe.push(".tmp");
    let written = std::fs::write(&probe, b"");
    let removed = std::fs::remove_file(&probe);
    written.and(removed)
}
