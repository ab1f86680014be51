//! Progress: an indicatif bar for the running scenario and one for the whole run, with
//! iterations/s and ETA, on stderr. When stderr is not a terminal (CI, pipes) there are no
//! bars at all, and the status line printed as each scenario finishes is the only output.

use std::io::IsTerminal;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The run's progress display.
#[derive(Debug)]
pub struct Progress {
    bars: Option<(MultiProgress, ProgressBar)>,
}

/// The bars one scenario advances.
#[derive(Debug)]
pub struct ScenarioBar {
    bars: Option<(ProgressBar, ProgressBar)>,
}

impl Progress {
    /// Bars for `total` iterations over all scenarios, when stderr is a terminal.
    pub fn new(total: u64) -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress { bars: None };
        }
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let overall = multi.add(
            ProgressBar::new(total)
                .with_style(style(
                    "{prefix:>10} [{bar:30}] {pos}/{len} {per_sec} ETA {eta}",
                ))
                .with_prefix("Overall"),
        );
        Progress {
            bars: Some((multi, overall)),
        }
    }

    /// A bar for a scenario of `len` iterations.
    pub fn scenario(&self, name: &str, len: u64) -> ScenarioBar {
        ScenarioBar {
            bars: self.bars.as_ref().map(|(multi, overall)| {
                let bar = multi.insert_before(
                    overall,
                    ProgressBar::new(len)
                        .with_style(style(
                            "{prefix:>10} [{bar:30}] {pos}/{len} {per_sec} ETA {eta} {msg}",
                        ))
                        .with_prefix("Running")
                        .with_message(name.to_string()),
                );
                (bar, overall.clone())
            }),
        }
    }

    /// Prints a line to stdout above the bars.
    pub fn println(&self, line: &str) {
        match &self.bars {
            Some((multi, _)) => multi.suspend(|| println!("{line}")),
            None => println!("{line}"),
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
}
