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
use super::output;
use crate::campaign::{Halt, Isolation, Plan, Soaked, Stop, WorkerStats, soak};
use crate::explore::params::SchedulerKind;
use crate::outcome::classify::ReplayTarget;
use crate::outcome::{Class, Tally};
use crate::progress::Progress;
use crate::replay::token::ReplayCommand;
use crate::report::build::{self, RunInfo};
use crate::report::kept::Kept;
use crate::report::model::{Host, Options, Report, ScenarioReport};
use crate::report::{status, write};
use crate::scenario::{Entry, Scenario, load_paths};
use crate::util::out::say;
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
    say(format_args!("SEED={}", plan.run_seed));
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
        ended: Ended::default(),
    };
    run.open(&entries, &stop)?;
    let width = status::count_width(planned.iter().map(|p| here(plan, p.0)));
    let total = planned.iter().map(|p| here(plan, p.0)).sum::<u64>();
    say(format_args!(
        "{}",
        starting_line(args, plan, verb, entries.len(), total)
    ));
    let progress = Progress::new(args.progress, total, verb.unit);
    for (at, (entry, &count)) in entries.iter().zip(&planned).enumerate() {
        let report = match &entry.scenario {
            _ if run.ended.stopped.is_some() => {
                build::not_ran(entry.name(), &entry.file, Class::NotRun, None)
            }
            Err(e) => build::not_ran(entry.name(), &entry.file, Class::Error, Some(e.to_string())),
            Ok(scenario) => run.scenario(scenario, &entries[at..], count, &progress, &stop),
        };
        if report.status != Class::NotRun {
            for line in output::scenario_lines(&report, width) {
                progress.println(&line);
            }
        }
        run.done.push(report);
        let checkpoint = run.checkpoint(&entries[at + 1..], None);
        run.warn_on(checkpoint);
    }
    progress.finish();
    run.finish(&stop)
}

/// What this process runs of a scenario's `total`: all of it, or its shard's part.
fn here(plan: &Plan, total: u64) -> u64 {
    plan.shard
        .map_or(total, |s| s.range(total).end - s.range(total).start)
}

/// `Starting 3 scenarios, 3000 iterations, jobs 4, chaos per scenario, isolation process`.
fn starting_line(
    args: &CampaignArgs,
    plan: &Plan,
    verb: &Verb<'_>,
    scenarios: usize,
    total: u64,
) -> String {
    format!(
        "{:>10} {scenarios} scenarios, {total} {}, jobs {}, chaos {}, {}{}",
        "Starting",
        verb.unit,
        plan.jobs,
        args.chaos.map_or("per scenario", |c| c.as_str()),
        match (&plan.explore, plan.isolation) {
            (Some(e), _) => format!(
                "scheduler {}{}",
                e.params.scheduler.as_str(),
                if e.params.scheduler == SchedulerKind::Pct {
                    format!(" depth {}", e.params.depth)
                } else {
                    String::new()
                }
            ),
            (None, Isolation::Process) => "isolation process".into(),
            (None, Isolation::Thread) => "isolation thread".into(),
        },
        plan.shard.map_or(String::new(), |s| format!(", shard {s}")),
    )
}

/// Why the run ends early (a signal, a scenario it cannot go past, `--fail-fast`).
#[derive(Debug, Default)]
struct Ended {
    /// The signal that stopped it.
    signal: Option<i32>,
    /// What the `Stopped` line says; the scenarios after it do not run.
    stopped: Option<String>,
}

impl Ended {
    /// What `soaked`, `scenario`'s soak, says about the run going on.
    fn after(plan: &Plan, scenario: &Scenario, soaked: &Soaked) -> Ended {
        let (signal, stopped) = match &soaked.halt {
            Some(Halt::Signal(s)) => (
                Some(*s),
                Some(format!("by {}", crate::util::host::signal_name(*s))),
            ),
            Some(Halt::Abandoned(why)) => {
                let thread = plan.explore.is_none() && plan.isolation == Isolation::Thread;
                let why = if thread {
                    format!(
                        "in scenario `{}`: {why}; in thread isolation a stuck iteration cannot \
                         be killed, so the run ends here (the default --isolation process goes \
                         on past it)",
                        scenario.name
                    )
                } else {
                    format!("in scenario `{}`: {why}; the run ends here", scenario.name)
                };
                (None, Some(why))
            }
            None if soaked.failed_fast => (
                None,
                Some(format!("by --fail-fast in scenario `{}`", scenario.name)),
            ),
            None => (None, None),
        };
        Ended { signal, stopped }
    }
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
    /// Why the run ends early, once it does.
    ended: Ended,
}

impl CampaignRun<'_> {
    /// Makes the report folder and writes the first checkpoint (and tries the JUnit path):
    /// a report that cannot be written is found before any iteration runs.
    fn open(&mut self, entries: &[Entry], stop: &Stop) -> Result<(), CmdError> {
        let args = self.args;
        output::prepare_junit(args.junit.as_deref())?;
        let stamp = self.started_at.format("%Y%m%dT%H%M%SZ").to_string();
        self.dir =
            write::create_dir(&args.report_dir, self.verb.name, &stamp).map_err(|source| {
                CmdError::Io {
                    what: "make the report folder under",
                    path: args.report_dir.clone(),
                    source,
                }
            })?;
        let kept = Kept::new(self.dir.clone(), args.junit.clone(), args.junit_flaky);
        stop.on_force(Box::new({
            let kept = kept.clone();
            move |signal| kept.force(signal)
        }));
        self.kept = Some(kept);
        self.checkpoint(entries, None)
            .map_err(|source| CmdError::Io {
                what: "write the report under",
                path: self.dir.clone(),
                source,
            })
    }

    /// Runs `scenario` (`rest` is it and the scenarios after it) and makes its report.
    fn scenario(
        &mut self,
        scenario: &Arc<Scenario>,
        rest: &[Entry],
        (planned, asked): (u64, u64),
        progress: &Progress,
        stop: &Stop,
    ) -> ScenarioReport {
        let (plan, verb) = (self.plan, self.verb);
        let bar = progress.scenario(&scenario.name, here(plan, planned));
        let meta = build::Meta::of(scenario, &plan.overrides);
        let range = plan.shard.map_or(0..planned, |s| s.range(planned));
        let span = build::Span {
            start: range.start,
            planned: range.end - range.start,
            total: planned,
            asked,
        };
        let no_replay = |_: &ReplayTarget| ReplayCommand {
            command: String::new(),
            file: None,
        };
        let mut checkpoint = |tally: &Tally, elapsed: Duration| {
            let current = build::ran(&meta, span, tally, elapsed, &no_replay);
            let written = self.checkpoint(rest, Some(current));
            self.warn_on(written);
        };
        let soaked = soak(scenario, range, plan, stop, &|| bar.inc(), &mut checkpoint);
        bar.finish(span.planned, soaked.tally.run);
        self.workers.spawned += soaked.workers.spawned;
        self.workers.hangs += soaked.workers.hangs;
        self.workers.crashes += soaked.workers.crashes;
        self.workers.host = self.workers.host.max(soaked.workers.host);
        self.ended = Ended::after(plan, scenario, &soaked);
        let dir = self.dir.clone();
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
        let interrupted = self.ended.signal.is_some() || stop.requested();
        (verb.after)(scenario, &soaked, &mut report, &dir, interrupted);
        report
    }

    /// Writes the final report and says how the run went; returns its exit code.
    fn finish(&self, stop: &Stop) -> Result<u8, CmdError> {
        let signal = self.ended.signal.or_else(|| stop.signal());
        let stopped = self.ended.stopped.clone();
        let report = self.report(&[], None, signal, stopped.clone(), false);
        say(format_args!("{}", status::summary_line(&report)));
        say(format_args!("{}", status::host_line(&report)));
        let kept = self.kept.as_ref().expect("made before the first scenario");
        output::write_final(kept, &report, "write the report under")?;
        say(format_args!(
            "{:>10} {}",
            "Report",
            self.dir.join("report.md").display()
        ));
        if let Some(why) = &stopped {
            say(format_args!("{:>10} {why}", "Stopped"));
        }
        if report.exit_code != exit::OK && signal.is_none() {
            say(format_args!(
                "{:>10} rerun this whole run with --seed {}",
                "SEED", self.plan.run_seed
            ));
        }
        Ok(report.exit_code)
    }

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
