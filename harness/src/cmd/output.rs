//! What `soak`, `explore` and `report merge` write and print alike: the JUnit path tried
//! before any work, the final report written (its failure mapped to one error), and a
//! scenario's status lines.

use std::path::Path;

use super::error::CmdError;
use crate::report::kept::Kept;
use crate::report::model::{Report, ScenarioReport};
use crate::report::{status, write};

/// Makes sure the JUnit report can be written to `junit`, before any work is done.
pub fn prepare_junit(junit: Option<&Path>) -> Result<(), CmdError> {
    let Some(junit) = junit else {
        return Ok(());
    };
    write::prepare_junit(junit).map_err(|source| CmdError::Io {
        what: "write the JUnit report to",
        path: junit.to_path_buf(),
        source,
    })
}

/// Writes `report` as the final one into `kept`'s folder (and JUnit file); `what` says which
/// write failed (`write the report under`).
pub fn write_final(kept: &Kept, report: &Report, what: &'static str) -> Result<(), CmdError> {
    kept.finish(report).map_err(|source| CmdError::Io {
        what,
        path: kept.dir().clone(),
        source,
    })
}

/// A scenario's status line and its details, `width` wide for the counts.
pub fn scenario_lines(s: &ScenarioReport, width: usize) -> Vec<String> {
    let mut lines = vec![status::status_line(s, width)];
    lines.extend(status::detail_lines(s));
    lines
}
