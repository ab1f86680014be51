//! `report.md`: the soak (or explore) report as tables a person reads. Every string that is
//! not the harness's own (names, messages, paths, a shard report's fields) goes through
//! [`super::escape`]: a code span fenced past its longest backtick run, or escaped text.

use std::fmt::Write;

use super::escape::{code, code_cell, markdown};
use super::model::{Host, HostLoad, Report, ScenarioReport};
use crate::outcome::Class;
use crate::outcome::stats::percent;

/// The report as Markdown.
pub fn render(r: &Report) -> String {
    let mut md = String::new();
    let title = if r.mode == "explore" {
        "Explore report"
    } else {
        "Soak report"
    };
    let _ = writeln!(md, "# {title}\n");
    if !r.complete {
        let why = match &r.stopped {
            Some(why) => format!("stopped {}", markdown(why)),
            None => format!(
                "still running when this checkpoint was written ({})",
                r.finished_at
            ),
        };
        let _ = writeln!(
            md,
            "> **Incomplete**: the run was {why}. Everything measured until then is below.\n"
        );
    }
    run_lines(&mut md, r);
    host_lines(&mut md, &r.host);
    let _ = writeln!(md);
    let _ = writeln!(
        md,
        "| status | scenario | iterations | failures | rate | 95% CI (Wilson) | rule of three | it/s | outcomes | workers |"
    );
    let _ = writeln!(md, "|---|---|---:|---:|---:|---|---:|---:|---:|---|");
    for s in &r.scenarios {
        scenario_row(&mut md, s);
    }
    for s in r.scenarios.iter().filter(|s| needs_section(s)) {
        section(&mut md, s);
    }
    md
}

/// The run's seed, command, times, counts and result, one bullet each.
fn run_lines(md: &mut String, r: &Report) {
    let t = &r.totals;
    let _ = writeln!(
        md,
        "- run seed: {} ({} reruns it)",
        code(&r.run_seed),
        code(&format!("--seed {}", r.run_seed))
    );
    let _ = writeln!(md, "- command: {}", code(&r.command));
    let _ = writeln!(
        md,
        "- started: {}, finished: {}",
        markdown(&r.started_at),
        markdown(&r.finished_at)
    );
    let _ = writeln!(
        md,
        "- {} scenarios, {} iterations in {:.1} s ({:.0} iterations/s), jobs {}",
        t.scenarios, t.iterations, r.elapsed_s, t.iterations_per_s, r.options.jobs
    );
    let _ = writeln!(
        md,
        "- result: {} clean, {} failing, {} flaky, {} error, {} expected failures, {} unexpected passes, {} not run; exit code {}",
        t.clean,
        t.failing,
        t.flaky,
        t.error,
        t.expected_failures,
        t.unexpected_passes,
        t.not_run,
        r.exit_code
    );
}

/// The host's bullets: memory and threads, its load, and the workers' when there were some.
fn host_lines(md: &mut String, h: &Host) {
    let _ = writeln!(
        md,
        "- host: peak RSS {} KiB, threads {} at start and {} at end, {} live VMs at end",
        opt(h.peak_rss_kib),
        opt(h.threads_start),
        opt(h.threads_end),
        h.live_vms_end
    );
    if let Some(load) = &h.load {
        let _ = writeln!(md, "- host load: {}", load_line(load));
    }
    if let Some(w) = &h.workers {
        let _ = writeln!(
            md,
            "- workers: {} started, {} hangs, {} crashes; at most {} threads, {} live VMs and {} KiB peak RSS in one worker",
            w.spawned,
            w.hangs,
            w.crashes,
            opt(w.threads_max),
            w.live_vms_max,
            opt(w.peak_rss_kib_max)
        );
    }
}

/// One scenario's row of the summary table.
fn scenario_row(md: &mut String, s: &ScenarioReport) {
    let f = &s.failures;
    let mut iterations = format!("{}/{}", s.iterations.run, s.iterations.planned);
    if s.iterations.capped {
        iterations.push_str(" (capped)");
    }
    if matches!(s.status, Class::NotRun | Class::Error) || s.iterations.run == 0 {
        // Nothing ran: no rate, no interval.
        let _ = writeln!(
            md,
            "| {} | {} | {} | | | | | | | |",
            s.label(),
            markdown(&s.name),
            iterations
        );
        return;
    }
    let _ = writeln!(
        md,
        "| {} | {} | {} | {} | {} | {}-{} | {} | {:.0} | {} | {} |",
        s.label(),
        markdown(&s.name),
        iterations,
        f.failures,
        percent(f.rate),
        percent(f.wilson95[0]),
        percent(f.wilson95[1]),
        f.rule_of_three
            .map_or("".into(), |b| format!("< {}", percent(b))),
        s.iterations_per_s,
        s.fingerprints.distinct,
        workers(&s.workers)
    );
}

/// Whether a scenario gets a section of its own: it failed, erred or is not ok.
fn needs_section(s: &ScenarioReport) -> bool {
    s.error.is_some() || s.failures.failures > 0 || !s.ok
}

/// A failing (or erring) scenario's section: what failed, how to replay it, its tables.
fn section(md: &mut String, s: &ScenarioReport) {
    let _ = writeln!(md, "\n## {} {}\n", s.label(), code(&s.name));
    let _ = writeln!(md, "- file: {}", code(&s.file));
    if let Some(story) = &s.story {
        let _ = writeln!(md, "- story: {}", markdown(story));
    }
    if let Some(error) = &s.error {
        let _ = writeln!(md, "- error: failed to {}", markdown(error));
        return;
    }
    if let Some(bad) = &s.first_bad {
        let _ = writeln!(
            md,
            "- first bad iteration: {} (seed {}): {}",
            bad.iteration,
            code(&bad.seed),
            markdown(&bad.message)
        );
    }
    if let Some(replay) = &s.replay {
        let _ = writeln!(md, "- replay: {}", code(replay));
    }
    if let Some(file) = &s.replay_file {
        let _ = writeln!(md, "- or, the token from its file: {}", code(file));
    }
    tables(md, s);
    if let Some(causes) = &s.flake_causes {
        flake_causes(md, causes);
    }
}

/// A failing scenario's tables: how it failed, its invariants, its outcomes.
fn tables(md: &mut String, s: &ScenarioReport) {
    if !s.failure_signatures.is_empty() {
        let _ = writeln!(md, "\n| failed as | iterations |");
        let _ = writeln!(md, "|---|---:|");
        for row in &s.failure_signatures {
            let _ = writeln!(md, "| {} | {} |", markdown(&row.signature), row.count);
        }
    }
    if !s.invariants.is_empty() {
        let _ = writeln!(md, "\n| invariant | violations | first violation |");
        let _ = writeln!(md, "|---|---:|---|");
        for inv in &s.invariants {
            let first = inv.first.as_ref().map_or(String::new(), |b| {
                format!(
                    "iteration {} (seed {}): {}",
                    b.iteration,
                    code_cell(&b.seed),
                    markdown(&b.message)
                )
            });
            let _ = writeln!(
                md,
                "| {} | {} | {} |",
                markdown(&inv.label),
                inv.violations,
                first
            );
        }
    }
    fingerprint_table(md, s);
}

/// The outcomes table: each fingerprint's count and example seed, then what it leaves out.
fn fingerprint_table(md: &mut String, s: &ScenarioReport) {
    let _ = writeln!(
        md,
        "\n| fingerprint | outcome | iterations | violating | example seed |"
    );
    let _ = writeln!(md, "|---|---|---:|---:|---|");
    for row in &s.fingerprints.table {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            code_cell(&row.fingerprint),
            markdown(&row.outcome),
            row.count,
            row.violating,
            code_cell(&row.example_seed)
        );
    }
    let hidden = s
        .fingerprints
        .distinct
        .saturating_sub(s.fingerprints.table.len());
    if hidden > 0 {
        let _ = writeln!(
            md,
            "| ({hidden} more) | the rarest outcomes; `report.json` has every count | | | |"
        );
    }
    if s.fingerprints.overflow > 0 {
        let _ = writeln!(
            md,
            "| (too many) | more than 100,000 distinct outcomes: not counted one by one | {} | | |",
            s.fingerprints.overflow
        );
    }
}

/// The "what the failing iterations have in common" section.
fn flake_causes(md: &mut String, c: &crate::outcome::flake_causes::FlakeCauses) {
    let _ = writeln!(md, "\n### What the failing iterations have in common\n");
    for line in &c.summary {
        let _ = writeln!(md, "- {}", markdown(line));
    }
    for flip in &c.flips {
        let _ = writeln!(md, "- {}", markdown(&flip.line));
    }
    if !c.knobs.is_empty() {
        let _ = writeln!(
            md,
            "\n| knob | value | failed | rate (95% CI) | separates |"
        );
        let _ = writeln!(md, "|---|---|---:|---|---|");
        for k in &c.knobs {
            let _ = writeln!(
                md,
                "| {} | {} | {} of {} | {} ({}-{}) | {} |",
                code_cell(&k.knob),
                code_cell(&k.value),
                k.failures,
                k.runs,
                percent(k.rate),
                percent(k.low),
                percent(k.high),
                if k.separates { "yes" } else { "no" }
            );
        }
    }
    if let Some(of) = &c.diff_of {
        let _ = writeln!(md, "\nOutcome diff: {}.\n", markdown(of));
    }
    if !c.diff.is_empty() {
        let _ = writeln!(md, "| path | usual | first failing |");
        let _ = writeln!(md, "|---|---|---|");
        for row in &c.diff {
            let _ = writeln!(
                md,
                "| {} | {} | {} |",
                code_cell(&row.path),
                code_cell(&row.usual),
                code_cell(&row.divergent)
            );
        }
    }
}

/// The worker caps a scenario ran with (`1, 2, 4`), or `default` (the engine's).
fn workers(caps: &[usize]) -> String {
    if caps.is_empty() {
        return "default".into();
    }
    caps.iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A count, or `?` when it was not measured.
fn opt(v: Option<u64>) -> String {
    v.map_or("?".into(), |n| n.to_string())
}

/// `2 CPUs; load average 1.52 0.98 0.77 at the start, 4.10 2.01 1.10 at the end (1, 5 and
/// 15 min); steal 0.0% of CPU time`: what the host was doing, to judge the run's timing by.
pub fn load_line(load: &HostLoad) -> String {
    let avg = |l: Option<[f64; 3]>| {
        l.map_or("?".to_string(), |[a, b, c]| format!("{a:.2} {b:.2} {c:.2}"))
    };
    let mut line = format!(
        "{} CPU{}; load average {} at the start, {} at the end (1, 5 and 15 min)",
        load.cpus,
        if load.cpus == 1 { "" } else { "s" },
        avg(load.load_start),
        avg(load.load_end)
    );
    if let Some(steal) = load.steal_percent {
        line.push_str(&format!("; steal {steal:.1}% of CPU time"));
    }
    line
}
