//! `harness soak`: load scenarios, soak each, print status lines, write the reports.
//!
//! Output order (stdout): `SEED=<run seed>` first (VOPR style), a `Starting` line, one
//! status line per scenario as it finishes (with details and the replay command when it is
//! not clean), the summary, the host line, and where the report went. Progress bars, when
//! stderr is a terminal, go to stderr.
//!
//! The report folder (and the `--junit` path) is made and written before the first
//! iteration, so a bad path is said at once; the report is then rewritten, atomically, at
//! least every two seconds and at the end of every scenario, so a SIGKILL loses seconds, not
//! the run. SIGINT or SIGTERM stops the run within about two seconds, even when an
//! iteration is stuck (its worker is killed), writes the report marked incomplete and exits
//! 130 or 143; a second one exits at once.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::error::CmdError;
use super::soak_args::SoakArgs;
use crate::outcome::{Class, Fingerprint, Tally};
use crate::progress::Progress;
use crate::report::build::{self, RunInfo};
use crate::report::model::{Host, Options, Report, ScenarioReport};
use crate::report::{status, write};
use crate::scenario::{Entry, Scenario, load_paths};
use crate::soak::knobs::fresh_run_seed;
use crate::soak::replay;
use crate::soak::runner::{Halt, Isolation, Plan, WorkerStats, soak};
use crate::soak::stop::Stop;
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
    let jobs = args.jobs.map_or_else(default_jobs, |j| j as usize);
    let run_seed = args.seed.unwrap_or_else(fresh_run_seed);
    let plan = Plan {
        run_seed,
        jobs,
        chaos: args.chaos,
        fail_fast: args.fail_fast,
        isolation: args.isolation,
        hard_deadline: args.hard_deadline,
    };
    if let Some(seed) = args.replay {
        return replay_one(args, &paths, seed, &plan);
    }
    let stop = Stop::install()
        .map_err(|e| CmdError::Usage(format!("install the signal handlers: {e}")))?;
    let threads_start = host::threads();
    let started_at = Utc::now();
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
    let planned: Vec<(u64, u64)> = entries.iter().map(|e| planned(e, args)).collect();
    let mut run = SoakRun {
        args,
        started: Instant::now(),
        started_at,
        run_seed,
        jobs,
        threads_start,
        dir: PathBuf::new(),
        done: Vec::new(),
        workers: WorkerStats::default(),
        warned: false,
    };
    // Paths first: a report that cannot be written is found before any iteration runs.
    if let Some(junit) = &args.junit {
        write::prepare_junit(junit).map_err(|source| CmdError::Io {
            what: "write the JUnit report to",
            path: junit.clone(),
            source,
        })?;
    }
    let stamp = started_at.format("%Y%m%dT%H%M%SZ").to_string();
    run.dir = write::create_dir(&args.report_dir, &stamp).map_err(|source| CmdError::Io {
        what: "make the report folder under",
        path: args.report_dir.clone(),
        source,
    })?;
    run.checkpoint(&entries, None)
        .map_err(|source| CmdError::Io {
            what: "write the report under",
            path: run.dir.clone(),
            source,
        })?;
    let width = status::count_width(planned.iter().map(|p| p.0));
    println!(
        "{:>10} {} scenarios, {} iterations, jobs {jobs}, chaos {}, isolation {}",
        "Starting",
        entries.len(),
        planned.iter().map(|p| p.0).sum::<u64>(),
        args.chaos.map_or("per scenario", |c| c.as_str()),
        match args.isolation {
            Isolation::Process => "process",
            Isolation::Thread => "thread",
        },
    );
    let progress = Progress::new(args.progress, planned.iter().map(|p| p.0).sum());
    let mut stopped: Option<String> = None;
    let mut signal = None;
    for (at, (entry, &(planned, asked))) in entries.iter().zip(&planned).enumerate() {
        let report = match &entry.scenario {
            _ if stopped.is_some() => {
                build::not_ran(entry.name(), &entry.file, Class::NotRun, None)
            }
            Err(e) => build::not_ran(entry.name(), &entry.file, Class::Error, Some(e.to_string())),
            Ok(scenario) => {
                let bar = progress.scenario(&scenario.name, planned);
                let rest = &entries[at..];
                let mut checkpoint = |tally: &Tally, elapsed: Duration| {
                    let current = build::ran(scenario, planned, asked, tally, elapsed, args.chaos);
                    run.warn_on(run.checkpoint(rest, Some(current)));
                };
                let soaked = soak(
                    scenario,
                    planned,
                    &plan,
                    &stop,
                    &|| bar.inc(),
                    &mut checkpoint,
                );
                bar.finish(planned, soaked.tally.run);
                run.workers.spawned += soaked.workers.spawned;
                run.workers.hangs += soaked.workers.hangs;
                run.workers.crashes += soaked.workers.crashes;
                run.workers.host = run.workers.host.max(soaked.workers.host);
                match &soaked.halt {
                    Some(Halt::Signal(s)) => {
                        signal = Some(*s);
                        stopped = Some(format!("by {}", signal_name(*s)));
                    }
                    Some(Halt::Abandoned(why)) => {
                        stopped = Some(format!(
                            "in scenario `{}`: {why}; in thread isolation a stuck \
                             iteration cannot be killed, so the run ends here (the default \
                             --isolation process goes on past it)",
                            scenario.name
                        ));
                    }
                    None if soaked.failed_fast => {
                        stopped = Some(format!("by --fail-fast in scenario `{}`", scenario.name));
                    }
                    None => {}
                }
                let soaked_elapsed = soaked.elapsed;
                build::ran(
                    scenario,
                    planned,
                    asked,
                    &soaked.tally,
                    soaked_elapsed,
                    args.chaos,
                )
            }
        };
        if report.status != Class::NotRun {
            progress.println(&status::status_line(&report, width));
            for line in status::detail_lines(&report) {
                progress.println(&line);
            }
        }
        run.done.push(report);
        let rest = &entries[at + 1..];
        let checkpoint = run.checkpoint(rest, None);
        run.warn_on(checkpoint);
    }
    progress.finish();
    if signal.is_none() {
        signal = stop.signal();
    }
    let report = run.report(&[], None, signal, stopped.clone(), false);
    println!("{}", status::summary_line(&report));
    println!("{}", status::host_line(&report));
    write::write_all(&run.dir, &report, args.junit.as_deref(), args.junit_flaky).map_err(
        |source| CmdError::Io {
            what: "write the report under",
            path: run.dir.clone(),
            source,
        },
    )?;
    println!("{:>10} {}", "Report", run.dir.join("report.md").display());
    if let Some(why) = &stopped {
        println!("{:>10} {why}", "Stopped");
    }
    if report.exit_code != exit::OK && signal.is_none() {
        println!("{:>10} rerun this whole run with --seed {run_seed}", "SEED");
    }
    Ok(report.exit_code)
}

/// A run in progress: what it needs to write its report at any moment.
struct SoakRun<'a> {
    args: &'a SoakArgs,
    started: Instant,
    started_at: chrono::DateTime<Utc>,
    run_seed: u64,
    jobs: usize,
    threads_start: Option<u64>,
    dir: PathBuf,
    /// The reports of the scenarios done so far, in order.
    done: Vec<ScenarioReport>,
    workers: WorkerStats,
    /// Whether a failed checkpoint was reported already.
    warned: bool,
}

impl SoakRun<'_> {
    /// The report: the scenarios done, `current` (running), and `pending` as not run.
    fn report(
        &self,
        pending: &[Entry],
        current: Option<ScenarioReport>,
        signal: Option<i32>,
        stopped: Option<String>,
        running: bool,
    ) -> Report {
        let args = self.args;
        let skip = usize::from(current.is_some());
        let mut scenarios = self.done.clone();
        scenarios.extend(current);
        scenarios.extend(
            pending
                .iter()
                .skip(skip)
                .map(|e| build::not_ran(e.name(), &e.file, Class::NotRun, None)),
        );
        let info = RunInfo {
            running,
            signal,
            stopped,
            run_seed: self.run_seed,
            command: command_line(),
            started_at: self.started_at,
            elapsed_s: self.started.elapsed().as_secs_f64(),
            options: Options {
                iterations: args.iterations,
                jobs: self.jobs,
                chaos: args.chaos.map(|c| c.as_str().to_string()),
                fail_fast: args.fail_fast,
                include_canary: args.include_canary,
                isolation: match args.isolation {
                    Isolation::Process => "process".into(),
                    Isolation::Thread => "thread".into(),
                },
                hard_deadline_s: args.hard_deadline.map(|d| d.as_secs_f64()),
            },
            host: Host {
                peak_rss_kib: host::peak_rss_kib(),
                threads_start: self.threads_start,
                threads_end: if running {
                    host::threads()
                } else {
                    host::settled_threads(self.threads_start)
                },
                live_vms_end: engine::sync::counters::live_vms(),
                workers: (args.isolation == Isolation::Process)
                    .then(|| build::workers(&self.workers)),
            },
        };
        build::report(info, scenarios)
    }

    /// Writes a checkpoint: the report as it stands, marked incomplete.
    fn checkpoint(
        &self,
        pending: &[Entry],
        current: Option<ScenarioReport>,
    ) -> std::io::Result<()> {
        let report = self.report(pending, current, None, None, true);
        write::write_all(
            &self.dir,
            &report,
            self.args.junit.as_deref(),
            self.args.junit_flaky,
        )
    }

    /// Says once that checkpoints fail (the run goes on; the final write will say too).
    fn warn_on(&mut self, written: std::io::Result<()>) {
        if let Err(e) = written
            && !self.warned
        {
            eprintln!(
                "warning: failed to checkpoint the report under {}: {e}",
                self.dir.display()
            );
            self.warned = true;
        }
    }
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

fn signal_name(signal: i32) -> &'static str {
    match signal {
        2 => "SIGINT",
        15 => "SIGTERM",
        _ => "a signal",
    }
}

fn replay_one(args: &SoakArgs, paths: &[PathBuf], seed: u64, plan: &Plan) -> Result<u8, CmdError> {
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
    let scenario: Arc<Scenario> = Arc::new(crate::scenario::load::load_file(path)?);
    let replayed = replay::replay(&scenario, seed, plan, expect);
    for line in crate::report::replay::lines(&scenario, &replayed) {
        println!("{line}");
    }
    Ok(if replayed.reproduced() {
        exit::FAILED
    } else {
        exit::OK
    })
}
