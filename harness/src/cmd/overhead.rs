//! `harness overhead`: measure, compare with the budgets, write the report, and with
//! `--check` fail on a breach.

use super::error::CmdError;
use crate::overhead::args::OverheadArgs;
use crate::overhead::{build, summary, write};
use crate::util::exit;

/// Runs `harness overhead` and returns its exit code.
pub fn run(args: &OverheadArgs) -> Result<u8, CmdError> {
    let report = build::measure(args)?;
    write::write_report(&report, &args.report_dir)?;
    summary::print(&report, &args.report_dir);

    let timing = args.check_timing;
    let breaches = report.breaches(timing);
    if (args.check || timing) && !breaches.is_empty() {
        let ids: Vec<&str> = breaches.iter().map(|m| m.budget.id.as_str()).collect();
        eprintln!(
            "error: failed to stay within {} budget{}: {}",
            ids.len(),
            if ids.len() == 1 { "" } else { "s" },
            ids.join(", ")
        );
        return Ok(exit::FAILED);
    }
    Ok(exit::OK)
}
