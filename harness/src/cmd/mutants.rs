//! `harness mutants`: every mutant (and the real engine, under the same budgets) through
//! soak and explore over the default scenarios; a line per mutant as it is known, a compact
//! table, and `reports/mutants-<UTC timestamp>/{report.json,report.md,report.html}`.
//!
//! Exit codes: 0 when every mutant was caught and the real engine raised no alarm, 1
//! otherwise (a line names each survivor), 3 for bad input, 130/143 on a signal (the report
//! covers what ran).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::Utc;

use super::args::MutantsArgs;
use super::error::CmdError;
use crate::campaign::Stop;
use crate::mutants::console::{closing_lines, mutant_line, real_line, table_lines};
use crate::mutants::markdown::{BEGIN, END, readme_table, rewrite_block};
use crate::mutants::report::{MutantsReport, SCHEMA_VERSION, summary};
use crate::mutants::{Mutant, Said, Setup};
use crate::report::write::create_dir;
use crate::scenario::{Scenario, load_paths};
use crate::util::exit;
use crate::util::out::say;
use crate::util::shell::command_line;

/// Runs `harness mutants` and returns the exit code.
pub fn run(args: &MutantsArgs) -> Result<u8, CmdError> {
    let scenarios = load(args)?;
    let mutants: Vec<Mutant> = if args.mutant.is_empty() {
        Mutant::ALL.to_vec()
    } else {
        args.mutant
            .iter()
            .copied()
            .filter(|m| !m.is_none())
            .collect()
    };
    // Loaded: from now on a signal asks the campaign to stop, and its report says so.
    let stop = Stop::current();
    stop.begin_run();
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let dir = create_dir(&args.report_dir, "mutants", &stamp).map_err(|source| CmdError::Io {
        what: "make the report folder under",
        path: args.report_dir.clone(),
        source,
    })?;
    say(format_args!(
        "{:>10} {} mutants and the real engine, {} scenarios, budget {}, seed {}",
        "Starting",
        mutants.len(),
        scenarios.len(),
        args.budget.as_str(),
        args.seed
    ));
    let setup = Setup {
        budget: args.budget,
        seed: args.seed,
        jobs: args.jobs.map_or_else(
            || std::thread::available_parallelism().map_or(1, |n| n.get()),
            |j| j as usize,
        ),
        scenarios: &scenarios,
        mutants: &mutants,
        dir: &dir,
    };
    let findings = crate::mutants::matrix::run(&setup, &stop, &mut |said| match said {
        Said::Real(r) => say(real_line(r)),
        Said::Mutant(m) => say(mutant_line(m)),
    });
    say("");
    for line in table_lines(&findings) {
        say(line);
    }
    let summary = summary(&findings);
    let report = MutantsReport {
        schema_version: SCHEMA_VERSION,
        command: command_line(),
        seed: args.seed.to_string(),
        ok: summary.survivors.is_empty() && summary.alarms == 0 && !findings.interrupted,
        summary,
        findings: &findings,
    };
    write(args, &dir, &report)?;
    for line in closing_lines(&report, mutants.len(), args.budget) {
        say(line);
    }
    say(format_args!(
        "{:>10} {}",
        "Report",
        dir.join("report.md").display()
    ));
    Ok(if let Some(signal) = stop.signal() {
        (128 + signal) as u8
    } else if report.ok {
        exit::OK
    } else {
        exit::FAILED
    })
}

/// The scenarios to run the mutants on (canaries left out), once `--readme`'s file is known
/// to have its block.
fn load(args: &MutantsArgs) -> Result<Vec<Arc<Scenario>>, CmdError> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("scenarios")]
    } else {
        args.paths.clone()
    };
    let mut scenarios: Vec<Arc<Scenario>> = Vec::new();
    for entry in load_paths(&paths, false, None) {
        match entry.scenario {
            Ok(s) if !s.expect_failure => scenarios.push(s),
            Ok(_) => {}
            Err(e) => return Err(CmdError::Scenario(e)),
        }
    }
    if scenarios.is_empty() {
        return Err(CmdError::Usage(
            "find scenarios: none to run the mutants on".into(),
        ));
    }
    if let Some(readme) = &args.readme {
        let text = std::fs::read_to_string(readme).map_err(|source| CmdError::Io {
            what: "read",
            path: readme.clone(),
            source,
        })?;
        if !(text.contains(BEGIN) && text.contains(END)) {
            return Err(CmdError::Usage(format!(
                "rewrite {}: it has no `{BEGIN}` ... `{END}` block",
                readme.display()
            )));
        }
    }
    Ok(scenarios)
}

/// Writes the report folder, and the README's table when the matrix ran to its end.
fn write(args: &MutantsArgs, dir: &Path, report: &MutantsReport<'_>) -> Result<(), CmdError> {
    crate::mutants::write::write(dir, report).map_err(|source| CmdError::Io {
        what: "write the report under",
        path: dir.to_path_buf(),
        source,
    })?;
    if let Some(readme) = &args.readme
        && !report.findings.interrupted
    {
        rewrite_block(readme, &readme_table(report.findings)).map_err(|source| CmdError::Io {
            what: "rewrite",
            path: readme.clone(),
            source,
        })?;
        say(format_args!(
            "{:>10} the table in {}",
            "Rewrote",
            readme.display()
        ));
    }
    Ok(())
}
