//! What `harness soak` and `harness explore` share: load scenarios, run each (soak
//! iterations or explore schedules, in supervised workers), print status lines, and keep the
//! report written.
//!
//! Output order (stdout): `SEED=<run seed>` first (VOPR style), a `Starting` line, one
//! status line per scenario as it finishes (with details, the replay command and how well it
//! reproduces when it is not clean), the summary, the host line, and where the report went.
//! Progress bars, when stderr is a terminal, go to stderr.
//!
//! The report folder (and the `--junit` path) is made and written before the first
//! iteration, so a bad path is said at once; the report is then rewritten, atomically, at
//! least every two seconds and at the end of every scenario, so a SIGKILL loses seconds, not
//! the run. SIGINT or SIGTERM stops the run within about two seconds, even when an
//! iteration is stuck (its worker is killed), writes the report marked incomplete and exits
//! 130 or 143. A second signal within a second of the first is the same request; a later
//! one exits at once, with the last checkpoint written as the final report, marked forced
//! ([`crate::campaign::stop`]). A signal while the scenarios load exits at once.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::args::CampaignArgs;
use super::error::CmdError;
use crate::campaign::runner::{ExplorePlan, Halt, Isolation, Plan, Soaked, WorkerStats, soak};
use crate::campaign::stop::Stop;
use crate::iteration::knobs::{Overrides, fresh_run_seed};
use crate::outcome::Class;
use crate::outcome::classify::ReplayTarget;
use crate::progress::Progress;
use crate::replay::token::ReplayCommand;
use crate::report::build::{self, RunInfo};
use crate::report::kept::Kept;
use crate::report::model::{Host, Options, Report, ScenarioReport};
use crate::report::{status, write};
use crate::scenario::{Entry, Scenario, load_paths};
use crate::util::shell::command_line;
use crate::util::{exit, host};

/// Makes the replay command of a failing iteration of a scenario, from what it ran.
pub type ReplayFn<'a> = dyn Fn(&Arc<Scenario>, &Soaked, &ReplayTarget, &Path) -> ReplayCommand + 'a;

/// Adds to a scenario's report once it ran; the last argument says whether a signal
/// interrupted the run.
pub type AfterFn<'a> = dyn Fn(&Arc<Scenario>, &Soaked, &mut ScenarioReport, &Path, bool) + 'a;

/// What differs between soak and explore.
pub struct Verb<'a> {
    /// `soak` or `explore`.
    pub name: &'static str,
    /// `iterations` or `schedules`.
    pub unit: &'static str,
    /// How many per scenario: `(planned, asked)` (a scenario's cap can lower what was asked).
    pub count: &'a dyn Fn(&Scenario) -> (u64, u64),
    /// The replay command of a failing iteration of a scenario, from what it ran.
    pub replay: &'a ReplayFn<'a>,
    /// After each scenario that ran: what the verb adds to its report (explore's figures;
    /// for a failure, unless the run was interrupted: how well it reproduces, by reruns,
    /// shrinking or a hand-off to explore). `interrupted` when a signal stopped the run.
    pub after: &'a AfterFn<'a>,
}

impl std::fmt::Debug for Verb<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verb")
            .field("name", &self.name)
            .field("unit", &self.unit)
            .finish_non_exhaustive()
    }
}

/// Runs the campaign and returns the exit code.
pub fn run(args: &CampaignArgs, plan: &Plan, verb: &Verb<'_>) -> Result<u8, CmdError> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("scenarios")]
    } else {
        args.paths.clone()
    };
    if let Some(root) = &args.root {
        crate::scenario::project::given_root(root).map_err(CmdError::Usage)?;
    }
    // Its deadlines run on active time (less pauses); its ticker is one of the threads.
    crate::util::pause::start();
    let threads_start = host::threads();
    let host_start = host::Sample::now();
    let started_at = Utc::now();
    crate::util::out::say(format_args!("SEED={}", plan.run_seed));
    let entries = load_paths(&paths, args.include_canary, args.root.as_deref());
    // Loaded: from now on a signal asks the run to stop, and its report says so.
    let stop = Stop::current();
    stop.begin_run();
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
    let planned: Vec<(u64, u64)> = entries
        .iter()
        .map(|e| e.scenario.as_ref().map_or((0, 0), |s| (verb.count)(s)))
        .collect();
    let mut run = CampaignRun {
        args,
        plan,
        verb,
        started: Instant::now(),
        started_at,
        threads_start,
        host_start,
        dir: PathBuf::new(),
        kept: None,
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
    run.dir =
        write::create_dir(&args.report_dir, verb.name, &stamp).map_err(|source| CmdError::Io {
            what: "make the report folder under",
            path: args.report_dir.clone(),
            source,
        })?;
    let kept = Kept::new(run.dir.clone(), args.junit.clone(), args.junit_flaky);
    stop.on_force(Box::new({
        let kept = kept.clone();
        move |signal| kept.force(signal)
    }));
    run.kept = Some(kept);
    run.checkpoint(&entries, None)
        .map_err(|source| CmdError::Io {
            what: "write the report under",
            path: run.dir.clone(),
            source,
        })?;
    // What this process runs of each: all of it, or its shard's part.
    let here = |total: u64| {
        plan.shard
            .map_or(total, |s| s.range(total).end - s.range(total).start)
    };
    let width = status::count_width(planned.iter().map(|p| here(p.0)));
    crate::util::out::say(format_args!(
        "{:>10} {} scenarios, {} {}, jobs {}, chaos {}, {}{}",
        "Starting",
        entries.len(),
        planned.iter().map(|p| here(p.0)).sum::<u64>(),
        verb.unit,
        plan.jobs,
        args.chaos.map_or("per scenario", |c| c.as_str()),
        match (&plan.explore, plan.isolation) {
            (Some(e), _) => format!(
                "scheduler {}{}",
                e.params.scheduler.as_str(),
                if e.params.scheduler == crate::explore::params::SchedulerKind::Pct {
                    format!(" depth {}", e.params.depth)
                } else {
                    String::new()
                }
            ),
            (None, Isolation::Process) => "isolation process".into(),
            (None, Isolation::Thread) => "isolation thread".into(),
        },
        plan.shard.map_or(String::new(), |s| format!(", shard {s}")),
    ));
    let progress = Progress::new(
        args.progress,
        planned.iter().map(|p| here(p.0)).sum(),
        verb.unit,
    );
    let mut stopped: Option<String> = None;
    let mut signal = None;
    for (at, (entry, &(planned, asked))) in entries.iter().zip(&planned).enumerate() {
        let report = match &entry.scenario {
            _ if stopped.is_some() => {
                build::not_ran(entry.name(), &entry.file, Class::NotRun, None)
            }
            Err(e) => build::not_ran(entry.name(), &entry.file, Class::Error, Some(e.to_string())),
            Ok(scenario) => {
                let bar = progress.scenario(&scenario.name, here(planned));
                let rest = &entries[at..];
                let no_replay = |_: &ReplayTarget| ReplayCommand {
                    command: String::new(),
                    file: None,
                };
                let meta = build::Meta::of(scenario, &plan.overrides);
                let range = plan.shard.map_or(0..planned, |s| s.range(planned));
                let span = build::Span {
                    start: range.start,
                    planned: range.end - range.start,
                    total: planned,
                    asked,
                };
                let mut checkpoint = |tally: &crate::outcome::Tally, elapsed: Duration| {
                    let current = build::ran(&meta, span, tally, elapsed, &no_replay);
                    run.warn_on(run.checkpoint(rest, Some(current)));
                };
                let soaked = soak(scenario, range, plan, &stop, &|| bar.inc(), &mut checkpoint);
                bar.finish(span.planned, soaked.tally.run);
                run.workers.spawned += soaked.workers.spawned;
                run.workers.hangs += soaked.workers.hangs;
                run.workers.crashes += soaked.workers.crashes;
                run.workers.host = run.workers.host.max(soaked.workers.host);
                match &soaked.halt {
                    Some(Halt::Signal(s)) => {
                        signal = Some(*s);
                        stopped = Some(format!("by {}", crate::util::host::signal_name(*s)));
                    }
                    Some(Halt::Abandoned(why)) => {
                        let thread = plan.explore.is_none() && plan.isolation == Isolation::Thread;
                        stopped = Some(if thread {
                            format!(
                                "in scenario `{}`: {why}; in thread isolation a stuck \
                                 iteration cannot be killed, so the run ends here (the \
                                 default --isolation process goes on past it)",
                                scenario.name
                            )
                        } else {
                            format!("in scenario `{}`: {why}; the run ends here", scenario.name)
                        });
                    }
                    None if soaked.failed_fast => {
                        stopped = Some(format!("by --fail-fast in scenario `{}`", scenario.name));
                    }
                    None => {}
                }
                let dir = run.dir.clone();
                let replay = |t: &ReplayTarget| (verb.replay)(scenario, &soaked, t, &dir);
                let mut report = build::ran(&meta, span, &soaked.tally, soaked.elapsed, &replay);
                if let Some(Halt::Abandoned(why)) = &soaked.halt
                    && matches!(report.status, Class::Clean | Class::NotRun)
                {
                    // Nothing failed, but it could not run to its end: not a pass.
                    report.status = Class::Error;
                    report.ok = false;
                    report.error = Some(format!("run all its iterations: {why}"));
                }
                let interrupted = signal.is_some() || stop.requested();
                (verb.after)(scenario, &soaked, &mut report, &dir, interrupted);
                report
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
    crate::util::out::say(format_args!("{}", status::summary_line(&report)));
    crate::util::out::say(format_args!("{}", status::host_line(&report)));
    run.kept
        .as_ref()
        .expect("made before the first scenario")
        .finish(&report)
        .map_err(|source| CmdError::Io {
            what: "write the report under",
            path: run.dir.clone(),
            source,
        })?;
    crate::util::out::say(format_args!(
        "{:>10} {}",
        "Report",
        run.dir.join("report.md").display()
    ));
    if let Some(why) = &stopped {
        crate::util::out::say(format_args!("{:>10} {why}", "Stopped"));
    }
    if report.exit_code != exit::OK && signal.is_none() {
        crate::util::out::say(format_args!(
            "{:>10} rerun this whole run with --seed {}",
            "SEED", plan.run_seed
        ));
    }
    Ok(report.exit_code)
}

/// A campaign in progress: what it needs to write its report at any moment.
struct CampaignRun<'a> {
    args: &'a CampaignArgs,
    plan: &'a Plan,
    verb: &'a Verb<'a>,
    started: Instant,
    started_at: chrono::DateTime<Utc>,
    threads_start: Option<u64>,
    /// The host when the run started.
    host_start: host::Sample,
    dir: PathBuf,
    /// The report files, once the folder is made.
    kept: Option<Kept>,
    /// The reports of the scenarios done so far, in order.
    done: Vec<ScenarioReport>,
    workers: WorkerStats,
    /// Whether a failed checkpoint was reported already.
    warned: bool,
}

impl CampaignRun<'_> {
    /// The report: the scenarios done, `current` (running), and `pending` as not run.
    fn report(
        &self,
        pending: &[Entry],
        current: Option<ScenarioReport>,
        signal: Option<i32>,
        stopped: Option<String>,
        running: bool,
    ) -> Report {
        let (args, plan) = (self.args, self.plan);
        let skip = usize::from(current.is_some());
        let mut scenarios = self.done.clone();
        scenarios.extend(current);
        scenarios.extend(
            pending
                .iter()
                .skip(skip)
                .map(|e| build::not_ran(e.name(), &e.file, Class::NotRun, None)),
        );
        let in_workers = plan.explore.is_some() || plan.isolation == Isolation::Process;
        let info = RunInfo {
            mode: self.verb.name,
            running,
            signal,
            stopped,
            run_seed: plan.run_seed,
            shard: plan.shard,
            command: command_line(),
            started_at: self.started_at,
            elapsed_s: self.started.elapsed().as_secs_f64(),
            options: Options {
                iterations: None,
                jobs: plan.jobs,
                chaos: args.chaos.map(|c| c.as_str().to_string()),
                fail_fast: args.fail_fast,
                include_canary: args.include_canary,
                isolation: if in_workers { "process" } else { "thread" }.into(),
                hard_deadline_s: args.hard_deadline.map(|d| d.as_secs_f64()),
                hash_seed: args.hash_seed.as_str().into(),
                mutant: args.mutant.name().into(),
                scheduler: plan.explore.map(|e| e.params.describe()),
                workers: plan.overrides.workers,
                check_determinism: plan.explore.is_some_and(|e| e.check_determinism),
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
                workers: in_workers.then(|| build::workers(&self.workers)),
                load: Some(build::host_load(&self.host_start)),
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
        self.kept
            .as_ref()
            .expect("made before the first checkpoint")
            .checkpoint(&report)
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

/// The plan the shared arguments make, with soak's isolation or explore's plan.
pub fn plan(args: &CampaignArgs, isolation: Isolation, explore: Option<ExplorePlan>) -> Plan {
    Plan {
        run_seed: args.seed.unwrap_or_else(fresh_run_seed),
        jobs: jobs(args),
        overrides: Overrides {
            chaos: args.chaos,
            hash_seed: args.hash_seed,
            mutant: args.mutant,
            // Explore's model has its own fixed core count.
            workers: explore.is_none().then(default_workers),
        },
        fail_fast: args.fail_fast,
        isolation,
        hard_deadline: args.hard_deadline,
        explore,
        shard: args.shard,
    }
}

/// Refuses `--shard` where it cannot give an exact merge: without `--seed` (each shard would
/// take its own seed from the clock) and under a DFS (`dfs`: its schedules come one from
/// the last, so they cannot be dealt out).
pub fn check_shard(args: &CampaignArgs, dfs: bool) -> Result<(), CmdError> {
    let Some(shard) = args.shard else {
        return Ok(());
    };
    if args.seed.is_none() {
        return Err(CmdError::Usage(format!(
            "--shard {shard} needs --seed: every shard must give each iteration the seed an \
             unsharded run gives it, and without --seed each shard takes its own from the clock \
             (pick one, e.g. --seed {}, and pass it to every shard)",
            fresh_run_seed()
        )));
    }
    if dfs {
        return Err(CmdError::Usage(format!(
            "--shard {shard} with --scheduler dfs: a depth-first search finds each schedule from \
             the one before, so its schedules cannot be split across machines; shard a random or \
             pct exploration instead"
        )));
    }
    if args.fail_fast {
        return Err(CmdError::Usage(format!(
            "--shard {shard} with --fail-fast: each shard would stop at its own first failure, \
             so the merge could not say which iterations ran; drop one of them"
        )));
    }
    Ok(())
}

/// The engine's default worker cap on this machine (its cores), fixed for a soak's
/// iterations so that their tokens hold it.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The jobs to use: the cores when not given.
pub fn jobs(args: &CampaignArgs) -> usize {
    args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |j| j as usize,
    )
}
