//! Writing a report folder:
//! `<report-dir>/soak-<UTC timestamp>/{report.json,report.md,junit.xml,report.html}`.
//!
//! Each file is written to a temporary name and renamed into place, so a reader (or a second
//! Ctrl-C) never sees half a report; a write that fails (a full disk) removes its temporary
//! file.

use std::io;
use std::path::{Path, PathBuf};

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
    write_atomic(&dir.join("report.json"), &json::render(report))?;
    write_atomic(&dir.join("report.md"), &markdown::render(report))?;
    write_atomic(&dir.join("junit.xml"), &xml)?;
    let page =
        html::render(report).map_err(|e| io::Error::other(format!("render report.html: {e:#}")))?;
    write_atomic(&dir.join("report.html"), &page)?;
    if let Some(path) = junit_copy {
        write_atomic(path, &xml)?;
    }
    Ok(())
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

/// Writes `text` to `path` through a temporary file renamed into place.
pub fn write_atomic(path: &Path, text: &str) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let written = std::fs::write(&tmp, text).and_then(|()| {
        std::fs::rename(&tmp, path).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("rename {} into place: {e}", tmp.display()),
            )
        })
    });
    if written.is_err() {
        // Half a file under a name no reader looks for is still litter (and disk).
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn a_failed_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.md");
        // Linux's /dev/full fails every write with "no space left on device".
        std::os::unix::fs::symlink("/dev/full", dir.path().join("report.md.tmp")).unwrap();
        let e = super::write_atomic(&path, "x").unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::StorageFull, "{e}");
        assert!(!dir.path().join("report.md.tmp").exists());
        assert!(std::fs::symlink_metadata(dir.path().join("report.md.tmp")).is_err());
        assert!(!path.exists());
    }
}
