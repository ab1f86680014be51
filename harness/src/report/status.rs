//! The terminal view, nextest style: a fixed-width status line per scenario as it finishes,
//! indented details for anything not clean, then a summary line.
//!
//! ```text
//! SEED=7
//!   Starting 2 scenarios, 2000 iterations, jobs 2, chaos per scenario
//!      CLEAN [   0.412s] 1000/1000 isolation-globals
//!      FLAKY [   0.120s] 1000/1000 flaky-random
//!            97 of 1000 iterations failed: 9.70% (95% CI 8.02%-11.69%)
//!            first: iteration 4 (seed 1234): #1 lua: the predicate returned false
//!            replay: harness soak tests/fixtures/flaky-random.yaml --replay 1234
//!    Summary [   0.600s] 2 scenarios, 2000 iterations (3333/s): 1 clean, 0 failing, 1 flaky, 0 error
//! ```
//!
//! The format is pinned by a snapshot test (`harness/tests/soak/snapshot.rs`).

use super::escape::console;
use super::model::{ExploreReport, Report, ScenarioReport};
use crate::outcome::flake_causes::FlakeCauses;
use crate::outcome::stats::percent;

/// Width of the right-aligned label column.
const LABEL: usize = 10;

/// The indentation of detail lines (under the `[`).
fn indent() -> String {
    " ".repeat(LABEL + 1)
}

/// `     CLEAN [   1.234s] 10000/10000 isolation-globals`; `width` aligns the counts.
pub fn status_line(s: &ScenarioReport, width: usize) -> String {
    let mut line = format!(
        "{:>LABEL$} [{:>8.3}s] {:>width$}/{:<width$} {}",
        s.label(),
        s.elapsed_s,
        s.iterations.run,
        s.iterations.planned,
        console(&s.name),
    );
    if s.iterations.capped {
        line.push_str(&format!(" (capped at {})", s.iterations.planned));
    }
    if !s.complete && s.iterations.run > 0 {
        line.push_str(" (incomplete)");
    }
    line
}

/// The indented lines under a status line: the error, or the failure rate with its bounds,
/// the first bad iteration and the command that replays it. None for a clean scenario.
pub fn detail_lines(s: &ScenarioReport) -> Vec<String> {
    let pad = indent();
    let mut out = Vec::new();
    if let Some(error) = &s.error {
        out.push(format!("{pad}failed to {}", console(error)));
        return out;
    }
    let f = &s.failures;
    if f.failures > 0 {
        out.push(format!(
            "{pad}{} of {} {} failed: {} (95% CI {}-{})",
            f.failures,
            f.iterations,
            unit(s),
            percent(f.rate),
            percent(f.wilson95[0]),
            percent(f.wilson95[1]),
        ));
    } else if s.expect_failure && !s.ok && s.iterations.run > 0 {
        out.push(format!(
            "{pad}expected to fail every {}, but all {} passed",
            unit(s).trim_end_matches('s'),
            s.iterations.run
        ));
    }
    if s.failure_signatures.len() > 1 {
        let ways = first_few(&s.failure_signatures, SHOWN_SIGNATURES, |row| {
            format!("{}x {}", row.count, console(&row.signature))
        });
        out.push(format!("{pad}failed as: {ways}"));
    }
    if s.fingerprints.too_many {
        out.push(format!(
            "{pad}too many outcomes: more than {} distinct; {} {} past them are counted \
             together, not told apart",
            crate::outcome::tally::FINGERPRINT_CAP,
            s.fingerprints.overflow,
            unit(s)
        ));
    }
    if let Some(bad) = &s.first_bad {
        out.push(format!(
            "{pad}first: {} {} (seed {}): {}",
            unit(s).trim_end_matches('s'),
            bad.iteration,
            bad.seed,
            console(&bad.message)
        ));
    }
    if let Some(replay) = &s.replay {
        out.push(format!("{pad}replay: {}", console(replay)));
    }
    if let Some(file) = &s.replay_file {
        out.push(format!("{pad}    or: {}", console(file)));
    }
    if let Some(reproduction) = &s.reproduction {
        out.push(format!("{pad}{}", console(reproduction)));
    }
    if let Some(c) = &s.flake_causes {
        cause_lines(&mut out, c);
    }
    if let Some(e) = &s.explore {
        explore_lines(&mut out, e, s.iterations.run);
    }
    out
}

/// A flaky scenario's causes, and the first paths where a failing outcome differs.
fn cause_lines(out: &mut Vec<String>, c: &FlakeCauses) {
    let pad = indent();
    for line in c.summary.iter().chain(c.flips.iter().map(|f| &f.line)) {
        out.push(format!("{pad}cause: {}", console(line)));
    }
    if !c.diff.is_empty() {
        let rows = first_few(&c.diff, SHOWN_DIFFS, |d| {
            format!("{}: {} → {}", d.path, d.usual, d.divergent)
        });
        out.push(format!("{pad}diff: {}", console(&rows)));
    }
}

/// Explore's lines: schedules that ended differently on a rerun, and an exhausted search.
fn explore_lines(out: &mut Vec<String>, e: &ExploreReport, run: u64) {
    let pad = indent();
    if let Some(first) = e.nondeterministic.first() {
        out.push(format!(
            "{pad}nondeterministic: {} of {} schedules ended differently when run again \
             with the same schedule and seed; first: {}",
            e.nondeterministic_count,
            run,
            console(first)
        ));
    }
    if e.exhaustive == Some(true) {
        out.push(format!("{pad}every schedule explored (dfs exhausted)"));
    }
}

/// The first `shown` of `items` as `row` writes them, `; `-joined, then how many more.
fn first_few<T>(items: &[T], shown: usize, row: impl Fn(&T) -> String) -> String {
    let mut rows: Vec<String> = items.iter().take(shown).map(row).collect();
    let more = items.len().saturating_sub(shown);
    if more > 0 {
        rows.push(format!("{more} more in the report"));
    }
    rows.join("; ")
}

/// Differing paths a status line names; the report has them all.
const SHOWN_DIFFS: usize = 3;

/// Failure signatures a status line names (the most frequent); the report has them all.
const SHOWN_SIGNATURES: usize = 3;

/// What a scenario's count is of: `schedules` (explore) or `iterations`.
fn unit(s: &ScenarioReport) -> &'static str {
    if s.explore.is_some() {
        "schedules"
    } else {
        "iterations"
    }
}

/// `   Summary [  12.345s] 13 scenarios, 130000 iterations (3086/s): 12 clean, ...`.
pub fn summary_line(r: &Report) -> String {
    let t = &r.totals;
    let mut line = format!(
        "{:>LABEL$} [{:>8.3}s] {} scenarios, {} {} ({:.0}/s): {} clean, {} failing, {} flaky, {} error",
        "Summary",
        r.elapsed_s,
        t.scenarios,
        t.iterations,
        if r.mode == "explore" {
            "schedules"
        } else {
            "iterations"
        },
        t.iterations_per_s,
        t.clean,
        t.failing,
        t.flaky,
        t.error,
    );
    if t.expected_failures > 0 {
        line.push_str(&format!(", {} expected failure", t.expected_failures));
    }
    if t.unexpected_passes > 0 {
        line.push_str(&format!(", {} unexpected pass", t.unexpected_passes));
    }
    if t.not_run > 0 {
        line.push_str(&format!(", {} not run", t.not_run));
    }
    if r.interrupted {
        line.push_str(" (interrupted)");
    }
    line
}

/// `      Host peak RSS 21.3 MiB, threads 1 -> 1, live VMs 0`.
pub fn host_line(r: &Report) -> String {
    let h = &r.host;
    let show = |v: Option<u64>| v.map_or("?".to_string(), |n| n.to_string());
    let rss = h
        .peak_rss_kib
        .map_or("?".to_string(), |k| format!("{:.1} MiB", k as f64 / 1024.0));
    let mut line = format!(
        "{:>LABEL$} peak RSS {rss}, threads {} -> {}, live VMs {}",
        "Host",
        show(h.threads_start),
        show(h.threads_end),
        h.live_vms_end
    );
    if let Some(w) = &h.workers {
        line.push_str(&format!(
            "; workers {} started, {} hang{}, {} crash{}, worst peak RSS {}, live VMs {}",
            w.spawned,
            w.hangs,
            if w.hangs == 1 { "" } else { "s" },
            w.crashes,
            if w.crashes == 1 { "" } else { "es" },
            w.peak_rss_kib_max
                .map_or("?".to_string(), |k| format!("{:.1} MiB", k as f64 / 1024.0)),
            w.live_vms_max
        ));
    }
    line
}

/// The width that aligns every scenario's `run/planned` column.
pub fn count_width(planned: impl IntoIterator<Item = u64>) -> usize {
    planned
        .into_iter()
        .map(|n| n.to_string().len())
        .max()
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Class;
    use crate::outcome::flake_causes::{DiffRow, FlakeCauses};
    use crate::report::html::tests::scenario;
    use crate::report::model::SignatureRow;

    /// A flaky scenario that failed `ways` ways, with `diffs` differing paths.
    fn flaky(ways: u64, diffs: u64) -> ScenarioReport {
        let mut s = scenario("flaky", Class::Flaky, 40, 2);
        s.failure_signatures = (1..=ways)
            .map(|i| SignatureRow {
                signature: format!("sig {i}"),
                count: 10 - i,
            })
            .collect();
        s.flake_causes = Some(FlakeCauses {
            summary: vec!["workers=1 fails more".into()],
            diff: (1..=diffs)
                .map(|i| DiffRow {
                    path: format!("$.p{i}"),
                    usual: "1".into(),
                    divergent: "2".into(),
                })
                .collect(),
            ..FlakeCauses::default()
        });
        s
    }

    #[test]
    fn long_lists_show_their_first_three_and_count_the_rest() {
        let pad = indent();
        let lines = detail_lines(&flaky(5, 4));
        for line in [
            "failed as: 9x sig 1; 8x sig 2; 7x sig 3; 2 more in the report",
            "cause: workers=1 fails more",
            "diff: $.p1: 1 → 2; $.p2: 1 → 2; $.p3: 1 → 2; 1 more in the report",
        ] {
            assert!(
                lines.contains(&format!("{pad}{line}")),
                "{line}: {lines:#?}"
            );
        }
        let lines = detail_lines(&flaky(2, 3));
        for line in [
            "failed as: 9x sig 1; 8x sig 2",
            "diff: $.p1: 1 → 2; $.p2: 1 → 2; $.p3: 1 → 2",
        ] {
            assert!(
                lines.contains(&format!("{pad}{line}")),
                "{line}: {lines:#?}"
            );
        }
    }
}
