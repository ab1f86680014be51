//! `harness soak`: load scenarios, soak each, print status lines, write the reports.
//!
//! Output order (stdout): `SEED=<run seed>` first (VOPR style), a `Starting` line, one
//! status line per scenario as it finishes (with details and the replay command when it is
//! not clean), the summary, the host line, and where the report went. Progress bars, when
//! stderr is a terminal, go to stderr.
//!
//! Ctrl-C (or SIGTERM) stops between iterations: the scenario in progress keeps what it
//! measured, later ones are `not_run`, and the report is written marked incomplete. A second
//! Ctrl-C exits at once with 130.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use chrono::Utc;

use super::error::CmdError;
use super::soak_args::SoakArgs;
use crate::outcome::{Class, Fingerprint};
use crate::progress::Progress;
use crate::report::build::{self, RunInfo};
use crate::report::model::{Host, Options};
use crate::report::{status, write};
use crate::scenario::{Entry, load_paths};
use crate::soak::knobs::fresh_run_seed;
use crate::soak::replay;
use crate::soak::runner::{Plan, soak};
use crate::util::shell::command_line;
use crate::util::{exit, host};

/// Iterations when neither the command line nor the scenario says.
const DEFAULT_ITERATIONS: u64 = 1000;

/// Runs `harness soak` and returns the exit code.
pub fn run(args: &SoakArgs) -> Result<u8, CmdError> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("scenarios")]
    } else {
        args.paths.clone()
    };
    if let Some(seed) = args.replay {
        return replay_one(args, &paths, seed);
    }
    let stop = Arc::new(AtomicBool::new(false));
    install_stop_handlers(&stop)
        .map_err(|e| CmdError::Usage(format!("install the Ctrl-C handler: {e}")))?;
    let threads_start = host::threads();
    let started = Instant::now();
    let started_at = Utc::now();
    let run_seed = args.seed.unwrap_or_else(fresh_run_seed);
    println!("SEED={run_seed}");
    let entries = load_paths(&paths, args.include_canary);
    if entries.is_empty() {
        return Err(CmdError::Usage(format!(
            "find scenarios: no *.yaml files in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let jobs = args.jobs.map_or_else(default_jobs, |j| j as usize);
    let plan = Plan {
        run_seed,
        jobs,
        chaos: args.chaos,
        fail_fast: args.fail_fast,
    };
    let planned: Vec<(u64, u64)> = entries.iter().map(|e| planned(e, args)).collect();
    let width = status::count_width(planned.iter().map(|p| p.0));
    println!(
        "{:>10} {} scenarios, {} iterations, jobs {jobs}, chaos {}",
        "Starting",
        entries.len(),
        planned.iter().map(|p| p.0).sum::<u64>(),
        args.chaos.map_or("per scenario", |c| c.as_str()),
    );
    let progress = Progress::new(args.progress, planned.iter().map(|p| p.0).sum());
    let mut reports = Vec::with_capacity(entries.len());
    let mut stopped_early = false;
    for (entry, &(planned, asked)) in entries.iter().zip(&planned) {
        let report = match &entry.scenario {
            _ if stop.load(Ordering::SeqCst) || stopped_early => {
                build::not_ran(entry.name(), &entry.file, Class::NotRun, None)
            }
            Err(e) => build::not_ran(entry.name(), &entry.file, Class::Error, Some(e.to_string())),
            Ok(scenario) => {
                let bar = progress.scenario(&scenario.name, planned);
                let soaked = soak(scenario, planned, &plan, &stop, &|| bar.inc());
                bar.finish(planned, soaked.tally.run);
                stopped_early |= soaked.failed_fast;
                build::ran(scenario, planned, asked, &soaked, args.chaos)
            }
        };
        if report.status != Class::NotRun {
            progress.println(&status::status_line(&report, width));
            for line in status::detail_lines(&report) {
                progress.println(&line);
            }
        }
        reports.push(report);
    }
    progress.finish();
    let info = RunInfo {
        interrupted: stop.load(Ordering::SeqCst),
        stopped_early,
        run_seed,
        command: command_line(),
        started_at,
        elapsed_s: started.elapsed().as_secs_f64(),
        options: Options {
            iterations: args.iterations,
            jobs,
            chaos: args.chaos.map(|c| c.as_str().to_string()),
            fail_fast: args.fail_fast,
            include_canary: args.include_canary,
        },
        host: Host {
            peak_rss_kib: host::peak_rss_kib(),
            threads_start,
            threads_end: host::settled_threads(threads_start),
            live_vms_end: engine::sync::counters::live_vms(),
        },
    };
    let report = build::report(info, reports);
    println!("{}", status::summary_line(&report));
    println!("{}", status::host_line(&report));
    let stamp = started_at.format("%Y%m%dT%H%M%SZ").to_string();
    let dir = write::create_dir(&args.report_dir, &stamp)
        .and_then(|dir| write::write_all(&dir, &report, args.junit.as_deref()).map(|()| dir))
        .map_err(|source| CmdError::Io {
            what: "write the report under",
            path: args.report_dir.clone(),
            source,
        })?;
    println!("{:>10} {}", "Report", dir.join("report.md").display());
    if report.exit_code != exit::OK && report.exit_code != exit::INTERRUPTED {
        println!("{:>10} rerun this whole run with --seed {run_seed}", "SEED");
    }
    Ok(report.exit_code)
}

/// `(planned, asked)`: iterations asked for (command line, else the scenario's own, else
/// the default) and what the scenario's cap leaves of them.
fn planned(entry: &Entry, args: &SoakArgs) -> (u64, u64) {
    match &entry.scenario {
        Ok(s) => {
            let asked = args
                .iterations
                .or(s.iterations)
                .unwrap_or(DEFAULT_ITERATIONS);
            (s.max_iterations.map_or(asked, |cap| asked.min(cap)), asked)
        }
        Err(_) => (0, 0),
    }
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// SIGINT and SIGTERM set `stop`; a second one exits at once (130).
fn install_stop_handlers(stop: &Arc<AtomicBool>) -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::flag;
    for signal in [SIGINT, SIGTERM] {
        flag::register_conditional_shutdown(signal, i32::from(exit::INTERRUPTED), stop.clone())?;
        flag::register(signal, stop.clone())?;
    }
    Ok(())
}

fn replay_one(args: &SoakArgs, paths: &[PathBuf], seed: u64) -> Result<u8, CmdError> {
    let expect = match args.expect_fingerprint.as_deref() {
        None => None,
        Some(text) => Some(Fingerprint::parse(text).ok_or_else(|| {
            CmdError::Usage(format!(
                "read --expect-fingerprint: expected 16 hex digits, got `{text}`"
            ))
        })?),
    };
    let [path] = paths else {
        return Err(CmdError::Usage(
            "replay: --replay takes exactly one scenario file".into(),
        ));
    };
    if path.is_dir() {
        return Err(CmdError::Usage(format!(
            "replay: {} is a folder; name the scenario file",
            path.display()
        )));
    }
    let scenario = crate::scenario::load::load_file(path)?;
    let replayed = replay::replay(&scenario, seed, args.chaos, expect);
    for line in crate::report::replay::lines(&scenario, &replayed) {
        println!("{line}");
    }
    Ok(if replayed.reproduced() {
        exit::FAILED
    } else {
        exit::OK
    })
}
