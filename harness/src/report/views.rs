//! How every report reaches its folder: a soak or explore run's (`report.json`, `report.md`,
//! `junit.xml`, `report.html`), `harness mutants`' (`report.json`, `report.md`,
//! `report.html`) and `harness overhead`'s (`overhead.{md,json,svg,html}`). Each kind renders
//! its model into named [`View`]s, JSON through [`json`] and HTML through [`html`] (one
//! template environment, [`super::template`]); [`write`] puts them in place, each renamed
//! into place whole ([`write_atomic`]): a reader (or a second Ctrl-C)
//! never sees half a file, and a write that fails (a full disk) removes its temporary file.

use std::io;
use std::path::{Path, PathBuf};

use minijinja::value::{Serde, Value};
use serde::Serialize;

use super::template;

/// One file of a report folder.
#[derive(Debug)]
pub struct View {
    /// Its name in the folder.
    pub name: &'static str,
    /// Its whole text.
    pub text: String,
}

impl View {
    /// The file `name` with `text`.
    pub fn new(name: &'static str, text: String) -> View {
        View { name, text }
    }
}

/// Writes every view into `dir`, in order; an error names the file.
pub fn write(dir: &Path, views: &[View]) -> io::Result<()> {
    for view in views {
        write_atomic(&dir.join(view.name), &view.text)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", view.name)))?;
    }
    Ok(())
}

/// A model as pretty JSON, with a final newline.
pub fn json(model: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(model).expect("a report model serializes");
    text.push('\n');
    text
}

/// A page from `templates/<name>`: the template gets the serialized report as `report`, what
/// the view worked out as `view`, and the SVG chart the harness drew (markup, not text) as
/// `chart`.
pub fn html(
    name: &str,
    report: &impl Serialize,
    view: &impl Serialize,
    chart: Option<&str>,
) -> io::Result<String> {
    template::render(
        name,
        minijinja::context! {
            report => Value::from(Serde(report)),
            view => Value::from(Serde(view)),
            chart => chart.map(|svg| Value::from_safe_string(svg.to_string())),
        },
    )
    .map_err(|e| io::Error::other(format!("render {name}: {e:#}")))
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
