//! `harness mutants`: every mutant (and the real engine, under the same budgets) through
//! soak and explore over the default scenarios; a line per mutant as it is known, a compact
//! table, and `reports/mutants-<UTC timestamp>/{report.json,report.md,report.html}`.
//!
//! Exit codes: 0 when every mutant was caught and the real engine raised no alarm, 1
//! otherwise (a line names each survivor), 3 for bad input, 130/143 on a signal (the report
//! covers what ran).

use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;

use super::args::MutantsArgs;
use super::error::CmdError;
use crate::campaign::Stop;
use crate::detect::{Said, Setup};
use crate::mutant::Mutant;
use crate::report::mutants::{
    MutantsReport, SCHEMA_VERSION, mutant_line, readme_table, real_line, render_markdown, summary,
    table_lines,
};
use crate::report::mutants_html;
use crate::report::write::{create_dir, write_atomic};
use crate::scenario::{Scenario, load_paths};
use crate::util::exit;
use crate::util::out::say;
use crate::util::shell::command_line;

/// The README block markers.
const BEGIN: &str = "<!-- mutants:begin -->";
const END: &str = "<!-- mutants:end -->";

/// Runs `harness mutants` and returns the exit code.
pub fn run(args: &MutantsArgs) -> Result<u8, CmdError> {
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
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |j| j as usize,
    );
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
        jobs,
        scenarios: &scenarios,
        mutants: &mutants,
        dir: &dir,
    };
    let findings = crate::detect::campaign::run(&setup, &stop, &mut |said| match said {
        Said::Real(r) => say(real_line(r)),
        Said::Mutant(m) => say(mutant_line(m)),
    });
    say("");
    for line in table_lines(&findings) {
        say(line);
    }
    let summary = summary(&findings);
    let ok = summary.survivors.is_empty() && summary.alarms == 0 && !findings.interrupted;
    let command = command_line();
    let report = MutantsReport {
        schema_version: SCHEMA_VERSION,
        command: command.clone(),
        seed: args.seed.to_string(),
        ok,
        summary,
        findings: &findings,
    };
    let io = |source| CmdError::Io {
        what: "write the report under",
        path: dir.clone(),
        source,
    };
    let json = serde_json::to_string_pretty(&report).expect("the report serializes");
    write_atomic(&dir.join("report.json"), &json).map_err(io)?;
    write_atomic(
        &dir.join("report.md"),
        &render_markdown(&findings, &command),
    )
    .map_err(io)?;
    let page = mutants_html::render(&report)
        .map_err(|e| std::io::Error::other(format!("render report.html: {e:#}")))
        .map_err(io)?;
    write_atomic(&dir.join("report.html"), &page).map_err(io)?;
    if let Some(readme) = &args.readme
        && !findings.interrupted
    {
        rewrite_block(readme, &readme_table(&findings)).map_err(|source| CmdError::Io {
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
    if findings.interrupted {
        say(format_args!(
            "{:>10} by a signal: {} of {} mutants ran to their end; the report covers them",
            "Stopped",
            findings.mutants.len(),
            mutants.len()
        ));
    }
    for survivor in &report.summary.survivors {
        say(format_args!(
            "{:>10} `{survivor}`: no method caught it within the {} budget",
            "SURVIVED",
            args.budget.as_str()
        ));
    }
    if report.summary.alarms > 0 {
        say(format_args!(
            "{:>10} the real engine failed {} scenario run(s): see the report",
            "ALARM", report.summary.alarms
        ));
    }
    say(format_args!(
        "{:>10} {}",
        "Report",
        dir.join("report.md").display()
    ));
    Ok(if let Some(signal) = stop.signal() {
        (128 + signal) as u8
    } else if ok {
        exit::OK
    } else {
        exit::FAILED
    })
}

/// Replaces what is between the markers in `path` with `table`.
pub fn rewrite_block(path: &std::path::Path, table: &str) -> std::io::Result<()> {
    let text = std::fs::read_to_string(path)?;
    let (Some(begin), Some(end)) = (text.find(BEGIN), text.find(END)) else {
        return Err(std::io::Error::other("the markers are gone"));
    };
    let new = format!("{}{BEGIN}\n{table}{}", &text[..begin], &text[end..]);
    write_atomic(path, &new)
}
