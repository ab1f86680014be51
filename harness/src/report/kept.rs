//! A run's report folder as the run keeps it: its checkpoints, its final write, and, when a
//! later second signal ends the process before the run could write its own, a final report
//! made from the last checkpoint, written by the signal thread and marked forced
//! ([`crate::campaign::stop`]). Every write holds one lock, so a forced write never interleaves
//! with another, and none follows it.

use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::junit::JunitFlaky;
use super::model::Report;
use super::write;

/// Where a run's reports go, and the last checkpoint written there.
#[derive(Debug, Clone)]
pub struct Kept {
    dir: PathBuf,
    junit: Option<PathBuf>,
    flaky_as: JunitFlaky,
    /// The last checkpoint; `None` before the first and once the final report is written
    /// (a forced exit then leaves the final report alone).
    last: Arc<Mutex<Option<Report>>>,
    /// Held while writing.
    writing: Arc<Mutex<()>>,
}

impl Kept {
    /// Reports into `dir` (and the JUnit XML to `junit` too).
    pub fn new(dir: PathBuf, junit: Option<PathBuf>, flaky_as: JunitFlaky) -> Kept {
        Kept {
            dir,
            junit,
            flaky_as,
            last: Arc::default(),
            writing: Arc::default(),
        }
    }

    /// Writes a checkpoint: the report of a run still going.
    pub fn checkpoint(&self, report: &Report) -> io::Result<()> {
        let _writing = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        self.write(report)?;
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(report.clone());
        Ok(())
    }

    /// Writes the final report.
    pub fn finish(&self, report: &Report) -> io::Result<()> {
        let _writing = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = None;
        self.write(report)
    }

    /// The process is about to exit on `signal` (a later second one): writes the last
    /// checkpoint as the final report, marked forced, unless the final report is written
    /// already. Keeps the write lock: nothing is written after it.
    pub fn force(&self, signal: i32) {
        let writing = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        let last = self.last.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(mut report) = last {
            super::build::force_final(&mut report, signal);
            if let Err(e) = self.write(&report) {
                eprintln!(
                    "error: failed to write the forced report under {}: {e}",
                    self.dir.display()
                );
            }
        }
        std::mem::forget(writing);
    }

    fn write(&self, report: &Report) -> io::Result<()> {
        write::write_all(&self.dir, report, self.junit.as_deref(), self.flaky_as)
    }

    /// The report folder.
    pub fn dir(&self) -> &PathBuf {
        &self.dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(dir: &std::path::Path) -> serde_json::Value {
        let text = std::fs::read_to_string(dir.join("report.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    fn checkpoint() -> Report {
        let mut r = crate::report::html::tests::report(Vec::new());
        r.complete = false;
        r
    }

    #[test]
    fn a_forced_exit_writes_the_last_checkpoint_as_the_final_report_marked_forced() {
        let dir = tempfile::tempdir().unwrap();
        let kept = Kept::new(dir.path().to_path_buf(), None, JunitFlaky::default());
        kept.checkpoint(&checkpoint()).unwrap();
        assert_eq!(read(dir.path())["stopped"], serde_json::Value::Null);
        kept.force(libc::SIGTERM);
        let r = read(dir.path());
        assert_eq!(r["complete"], false);
        assert_eq!(r["interrupted"], true);
        assert_eq!(r["forced"], true);
        assert_eq!(r["exit_code"], 143);
        let stopped = r["stopped"].as_str().unwrap();
        assert!(
            stopped.starts_with("by SIGTERM, forced: a second signal ended the process")
                && stopped.ends_with("its last checkpoint, from 2026-12-01T00:00:02Z"),
            "{stopped}"
        );
        assert!(
            std::fs::read_to_string(dir.path().join("report.md"))
                .unwrap()
                .contains("stopped by SIGTERM, forced")
        );
    }

    #[test]
    fn a_forced_exit_leaves_a_final_report_already_written_alone() {
        let dir = tempfile::tempdir().unwrap();
        let kept = Kept::new(dir.path().to_path_buf(), None, JunitFlaky::default());
        kept.checkpoint(&checkpoint()).unwrap();
        let mut last = checkpoint();
        last.interrupted = true;
        last.stopped = Some("by SIGINT".into());
        last.exit_code = 130;
        kept.finish(&last).unwrap();
        kept.force(libc::SIGINT);
        let r = read(dir.path());
        assert_eq!(r["forced"], false);
        assert_eq!(r["stopped"], "by SIGINT");
    }
}
