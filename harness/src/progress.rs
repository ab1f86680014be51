//! Progress: an indicatif bar for the running scenario and one for the whole run, with
//! iterations/s and ETA, on stderr.
//!
//! `--progress auto` (the default) draws the bars when stderr is a terminal; otherwise (CI,
//! pipes) there is no progress output at all, and the status line printed as each scenario
//! finishes is the only line per scenario. `--progress lines` is for long soaks in CI logs:
//! a stderr line at iterations 1, 2, 4, 8, ... of each scenario, so a log shows that work
//! is going on without growing more than logarithmically.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// How progress is shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// Bars when stderr is a terminal, nothing otherwise.
    #[default]
    Auto,
    /// Bars, even when stderr is not a terminal.
    Bars,
    /// A line at iterations 1, 2, 4, 8, ... of each scenario.
    Lines,
    /// Nothing.
    None,
}

/// The run's progress display.
#[derive(Debug)]
pub struct Progress {
    mode: Mode,
    /// `iterations` or `schedules`.
    unit: &'static str,
    bars: Option<(MultiProgress, ProgressBar)>,
}

/// What one scenario advances.
#[derive(Debug)]
pub struct ScenarioBar {
    bars: Option<(ProgressBar, ProgressBar)>,
    /// For `lines`: the scenario's name, length and iterations so far.
    lines: Option<(String, u64, AtomicU64)>,
    unit: &'static str,
}

impl Progress {
    /// Progress for `total` iterations (or schedules: `unit`) over all scenarios.
    pub fn new(mode: Mode, total: u64, unit: &'static str) -> Progress {
        let mode = match mode {
            Mode::Auto if std::io::stderr().is_terminal() => Mode::Bars,
            Mode::Auto => Mode::None,
            other => other,
        };
        if mode != Mode::Bars {
            return Progress {
                mode,
                unit,
                bars: None,
            };
        }
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let overall = multi.add(
            ProgressBar::new(total)
                .with_style(style(
                    "{prefix:>10} [{bar:30}] {pos}/{len} {rate} ETA {eta}",
                ))
                .with_prefix("Overall"),
        );
        Progress {
            mode,
            unit,
            bars: Some((multi, overall)),
        }
    }

    /// Progress for a scenario of `len` iterations.
    pub fn scenario(&self, name: &str, len: u64) -> ScenarioBar {
        let bars = self.bars.as_ref().map(|(multi, overall)| {
            let bar = multi.insert_before(
                overall,
                ProgressBar::new(len)
                    .with_style(style(
                        "{prefix:>10} [{bar:30}] {pos}/{len} {rate} ETA {eta} {msg}",
                    ))
                    .with_prefix("Running")
                    .with_message(name.to_string()),
            );
            (bar, overall.clone())
        });
        let lines = (self.mode == Mode::Lines).then(|| (name.to_string(), len, AtomicU64::new(0)));
        ScenarioBar {
            bars,
            lines,
            unit: self.unit,
        }
    }

    /// Prints a line to stdout above the bars.
    pub fn println(&self, line: &str) {
        match &self.bars {
            Some((multi, _)) => multi.suspend(|| crate::util::out::say(format_args!("{line}"))),
            None => crate::util::out::say(format_args!("{line}")),
        }
    }

    /// Removes the bars.
    pub fn finish(&self) {
        if let Some((multi, overall)) = &self.bars {
            overall.finish_and_clear();
            let _ = multi.clear();
        }
    }
}

impl ScenarioBar {
    /// One iteration done.
    pub fn inc(&self) {
        if let Some((bar, overall)) = &self.bars {
            bar.inc(1);
            overall.inc(1);
        }
        if let Some((name, len, done)) = &self.lines {
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            if n.is_power_of_two() {
                eprintln!("{:>10} {name}: {n}/{len} {}", "Running", self.unit);
            }
        }
    }

    /// The scenario is done: its bar goes (its status line replaces it).
    pub fn finish(&self, planned: u64, run: u64) {
        if let Some((bar, overall)) = &self.bars {
            // Skipped iterations (fail-fast, Ctrl-C) still count as done for the overall ETA.
            overall.inc(planned.saturating_sub(run));
            bar.finish_and_clear();
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .expect("the templates are valid")
        .progress_chars("=> ")
        .with_key(
            "rate",
            |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                // The average since the bar started: steadier than indicatif's short window.
                let secs = state.elapsed().as_secs_f64();
                let rate = if secs > 0.0 {
                    state.pos() as f64 / secs
                } else {
                    0.0
                };
                let _ = write!(w, "{rate:.0}/s");
            },
        )
}
