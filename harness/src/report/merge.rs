//! `harness report merge`: shard reports (`--shard K/N`) put together into the report of the
//! whole run, exactly.
//!
//! Every count comes from the shards' tallies (`report.json` holds each scenario's whole
//! tally): counts add, the usual outcome and the class are decided again from the merged
//! fingerprint counts, intervals are computed from the merged counts, and "first" means the
//! lowest iteration index across shards. So the merge of N shards is the report an unsharded
//! run with the same seed gives, but for wall times. A shard that did not complete is merged
//! and makes the merge incomplete, naming it; a shard that is missing, or from another run
//! seed, harness build, mode, option or scenario content, is an error that names it, and so
//! is one whose claims do not hold together ([`super::shard_check`]): a part that is not
//! the K-th of N, more iterations than planned, an outcome that counts none.

use std::time::Duration;

use super::build::{self, Meta, RunInfo, Span};
use super::model::{ExploreReport, Host, Merged, Report, ScenarioReport, WorkersReport};
use crate::outcome::classify::ReplayTarget;
use crate::outcome::{Class, Tally};
use crate::replay::token::ReplayCommand;

/// Most missing shards a refusal names.
const SHOWN_MISSING: usize = 10;

/// One shard's report and where it came from.
#[derive(Debug, Clone)]
pub struct ShardReport {
    /// Its folder (or file), as given.
    pub source: String,
    /// Its `report.json`.
    pub report: Report,
}

/// Why shard reports cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MergeError(pub String);

fn refuse<T>(text: String) -> Result<T, MergeError> {
    Err(MergeError(text))
}

/// Merges the reports of shards `1/N` to `N/N` of one run (in any order) into its report.
pub fn merge(mut shards: Vec<ShardReport>, command: String) -> Result<Report, MergeError> {
    let Some(first) = shards.first() else {
        return refuse("merge: no shard reports given".into());
    };
    let count = match first.report.shard {
        Some(s) => s.count,
        None => {
            return refuse(format!(
                "merge {}: it is not a shard's report (it ran without --shard)",
                first.source
            ));
        }
    };
    for s in &shards {
        match s.report.shard {
            None => {
                return refuse(format!(
                    "merge {}: it is not a shard's report (it ran without --shard)",
                    s.source
                ));
            }
            Some(shard) if shard.count != count => {
                return refuse(format!(
                    "merge {}: it is shard {shard}, but {} is shard {} of {count}: shards of \
                     one run share their N",
                    s.source,
                    first.source,
                    first
                        .report
                        .shard
                        .map_or(String::new(), |f| f.index.to_string())
                ));
            }
            Some(_) => {}
        }
        super::shard_check::label(&s.source, &s.report).map_err(MergeError)?;
    }
    shards.sort_by_key(|s| s.report.shard.map_or(0, |x| x.index));
    for pair in shards.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.report.shard == b.report.shard {
            return refuse(format!(
                "merge: {} and {} are both shard {}",
                a.source,
                b.source,
                a.report.shard.map_or(String::new(), |s| s.to_string())
            ));
        }
    }
    // Shards are sorted and distinct: all are there exactly when there are `count` of them.
    // (Only the first missing ones are named: a report may claim any N, 2^64 − 1 too.)
    let given = shards.len() as u64;
    if given != count {
        let missing: Vec<String> = (1..=count)
            .filter(|k| {
                !shards
                    .iter()
                    .any(|s| s.report.shard.is_some_and(|x| x.index == *k))
            })
            .take(SHOWN_MISSING)
            .map(|k| format!("{k}/{count}"))
            .collect();
        let more = (count - given).saturating_sub(missing.len() as u64);
        return refuse(format!(
            "merge: shard {}{} {} missing (given: {})",
            missing.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            },
            if count - given == 1 { "is" } else { "are" },
            shards
                .iter()
                .map(|s| format!(
                    "{} from {}",
                    s.report.shard.map_or(String::new(), |x| x.to_string()),
                    s.source
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for s in &shards {
        super::shard_check::check(&s.source, &s.report).map_err(MergeError)?;
    }
    let base = &shards[0];
    for s in &shards[1..] {
        same_run(base, s)?;
    }
    let mut scenarios = Vec::new();
    for (at, head) in base.report.scenarios.iter().enumerate() {
        let parts: Vec<(&ShardReport, &ScenarioReport)> = shards
            .iter()
            .map(|s| (s, &s.report.scenarios[at]))
            .collect();
        scenarios.push(merge_scenario(head, &parts)?);
    }
    let incomplete: Vec<&ShardReport> = shards.iter().filter(|s| !s.report.complete).collect();
    let stopped = (!incomplete.is_empty()).then(|| {
        incomplete
            .iter()
            .map(|s| {
                format!(
                    "shard {} ({}) did not complete{}",
                    s.report.shard.map_or(String::new(), |x| x.to_string()),
                    s.source,
                    s.report
                        .stopped
                        .as_ref()
                        .map_or(" (it was still running)".into(), |why| format!(
                            ": stopped {why}"
                        ))
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    });
    let elapsed_s = shards
        .iter()
        .map(|s| s.report.elapsed_s)
        .fold(0.0, f64::max);
    let started_at = shards
        .iter()
        .filter_map(|s| chrono::DateTime::parse_from_rfc3339(&s.report.started_at).ok())
        .min()
        .map_or_else(chrono::Utc::now, |t| t.with_timezone(&chrono::Utc));
    let info = RunInfo {
        mode: if base.report.mode == "explore" {
            "explore"
        } else {
            "soak"
        },
        running: false,
        signal: None,
        stopped,
        run_seed: base.report.run_seed.parse().unwrap_or(0),
        shard: None,
        command,
        started_at,
        elapsed_s,
        options: base.report.options.clone(),
        host: host(&shards),
    };
    let mut report = build::report(info, scenarios);
    report.run_seed = base.report.run_seed.clone();
    report.harness = base.report.harness.clone();
    report.build = base.report.build.clone();
    report.interrupted = shards.iter().any(|s| s.report.interrupted);
    if !report.complete && report.exit_code == crate::util::exit::OK {
        // Clean as far as it went, but not all of it ran: not a pass for CI.
        report.exit_code = crate::util::exit::USAGE;
    }
    report.merged = Some(Merged {
        shards: shards.iter().map(|s| s.source.clone()).collect(),
        incomplete: incomplete.iter().map(|s| s.source.clone()).collect(),
    });
    Ok(report)
}

/// Refuses two shards of different runs, naming what differs.
fn same_run(a: &ShardReport, b: &ShardReport) -> Result<(), MergeError> {
    let (x, y) = (&a.report, &b.report);
    let o = |r: &Report| {
        (
            format!("{:?}", r.options.workers),
            r.options.isolation.clone(),
            format!("{:?}", r.options.hard_deadline_s),
            r.options.check_determinism.to_string(),
        )
    };
    let (xo, yo) = (o(x), o(y));
    let fields: [(&str, String, String); 12] = [
        ("run seed", x.run_seed.clone(), y.run_seed.clone()),
        ("harness version", x.harness.clone(), y.harness.clone()),
        ("harness build", x.build.clone(), y.build.clone()),
        ("mode", x.mode.clone(), y.mode.clone()),
        (
            "--chaos",
            format!("{:?}", x.options.chaos),
            format!("{:?}", y.options.chaos),
        ),
        (
            "--hash-seed",
            x.options.hash_seed.clone(),
            y.options.hash_seed.clone(),
        ),
        (
            "--mutant",
            x.options.mutant.clone(),
            y.options.mutant.clone(),
        ),
        (
            "scheduler",
            format!("{:?}", x.options.scheduler),
            format!("{:?}", y.options.scheduler),
        ),
        (
            "default worker cap (the host's cores; shards on hosts with other core counts \
             soak other iterations)",
            xo.0,
            yo.0,
        ),
        ("--isolation", xo.1, yo.1),
        ("--hard-deadline", xo.2, yo.2),
        ("--check-determinism", xo.3, yo.3),
    ];
    for (what, p, q) in fields {
        if p != q {
            return refuse(format!(
                "merge {}: its {what} is {q}, but {}'s is {p}: shards of one run share it",
                b.source, a.source
            ));
        }
    }
    let names =
        |r: &Report| -> Vec<String> { r.scenarios.iter().map(|s| s.name.clone()).collect() };
    if names(x) != names(y) {
        return refuse(format!(
            "merge {}: it ran scenarios [{}], but {} ran [{}]",
            b.source,
            names(y).join(", "),
            a.source,
            names(x).join(", ")
        ));
    }
    for (p, q) in x.scenarios.iter().zip(&y.scenarios) {
        // A scenario a shard never started (interrupted before it) has no hash to compare.
        if p.content_hash.is_some() && q.content_hash.is_some() && p.content_hash != q.content_hash
        {
            return refuse(format!(
                "merge {}: scenario `{}` ({}) had other content there (hash {}) than in {} \
                 (hash {}): the scenario or its workflow changed between shards",
                b.source,
                q.name,
                q.file,
                q.content_hash.as_deref().unwrap_or("none"),
                a.source,
                p.content_hash.as_deref().unwrap_or("none")
            ));
        }
        if p.iterations.total != q.iterations.total && p.tally.is_some() && q.tally.is_some() {
            return refuse(format!(
                "merge {}: scenario `{}` was to run {} iterations in all there, {} in {}",
                b.source, q.name, q.iterations.total, p.iterations.total, a.source
            ));
        }
    }
    Ok(())
}

/// One scenario's report from its shards' reports.
fn merge_scenario(
    head: &ScenarioReport,
    parts: &[(&ShardReport, &ScenarioReport)],
) -> Result<ScenarioReport, MergeError> {
    if let Some((shard, bad)) = parts.iter().find(|(_, s)| s.status == Class::Error) {
        let mut report = (*bad).clone();
        report.error = Some(format!(
            "in shard {}: {}",
            shard.source,
            bad.error.as_deref().unwrap_or("it could not run")
        ));
        return Ok(report);
    }
    for (shard, s) in parts {
        match &s.tally {
            None if s.iterations.run > 0 => {
                return refuse(format!(
                    "merge {}: scenario `{}` ran {} iterations there, but its report has no \
                     tally to merge (was report.json edited?)",
                    shard.source, s.name, s.iterations.run
                ));
            }
            Some(t) => {
                if let Some(why) = t.inconsistency() {
                    return refuse(format!(
                        "merge {}: scenario `{}`'s tally is damaged: {why} (was report.json \
                         edited?)",
                        shard.source, s.name
                    ));
                }
            }
            None => {}
        }
    }
    let ran: Vec<&(&ShardReport, &ScenarioReport)> =
        parts.iter().filter(|(_, s)| s.tally.is_some()).collect();
    let runs = ran.iter().try_fold(0u64, |sum, (_, s)| {
        sum.checked_add(s.tally.as_ref().map_or(0, |t| t.run))
    });
    if runs.is_none() {
        return refuse(format!(
            "merge: scenario `{}`'s iteration counts overflow when added (was report.json edited?)",
            head.name
        ));
    }
    if ran.is_empty() {
        return Ok(head.clone());
    }
    let mut tally = Tally::default();
    for (_, s) in &ran {
        if let Some(t) = &s.tally {
            tally.merge(t.clone());
        }
    }
    let total = ran
        .iter()
        .map(|(_, s)| s.iterations.total)
        .max()
        .unwrap_or(0);
    let asked = if ran.iter().any(|(_, s)| s.iterations.capped) {
        total + 1
    } else {
        total
    };
    let elapsed = ran.iter().map(|(_, s)| s.elapsed_s).fold(0.0, f64::max);
    let meta = Meta::of_report(ran[0].1);
    let owner = |target: &ReplayTarget| {
        ran.iter().map(|(_, s)| *s).find(|s| {
            let same_iteration = s.first_bad.as_ref().is_some_and(|b| {
                b.iteration == target.iteration && b.seed == target.seed.to_string()
            });
            // An outcome that only differs from the usual one is replayed against the usual
            // fingerprint: the shard's must be the merge's.
            let same_usual = target.expect_fingerprint.is_none_or(|usual| {
                s.tally.as_ref().and_then(|t| t.usual()).map(|(f, _)| f) == Some(usual)
            });
            same_iteration && same_usual
        })
    };
    let replay = |target: &ReplayTarget| match owner(target) {
        Some(s) if s.replay.is_some() => ReplayCommand {
            command: s.replay.clone().unwrap_or_default(),
            file: s.replay_file.clone(),
        },
        _ => ReplayCommand {
            command: fallback_replay(head, &tally, target, &parts[0].0.report),
            file: None,
        },
    };
    let mut report = build::ran(
        &meta,
        Span {
            start: 0,
            planned: total,
            total,
            asked,
        },
        &tally,
        Duration::from_secs_f64(elapsed),
        &replay,
    );
    if report.replay.as_deref() == Some("") {
        report.replay = None;
    }
    let target = crate::outcome::classify(&tally, meta.deterministic).replay;
    let owning = target.as_ref().and_then(owner);
    if let Some(s) = owning {
        report.reproduction = s.reproduction.clone();
    }
    if let Some(causes) = report.flake_causes.as_mut() {
        // Flips and the diff were judged against a shard's own usual outcome: only a shard
        // whose usual outcome is the merge's says something true of the whole run.
        let usual = tally.usual().map(|(f, _)| f);
        let agrees = |s: &ScenarioReport| {
            !meta.deterministic || s.tally.as_ref().and_then(|t| t.usual()).map(|(f, _)| f) == usual
        };
        let theirs = owning
            .filter(|s| agrees(s))
            .and_then(|s| s.flake_causes.as_ref())
            .or_else(|| {
                ran.iter()
                    .map(|(_, s)| *s)
                    .filter(|s| agrees(s))
                    .find_map(|s| s.flake_causes.as_ref().filter(|c| !c.diff.is_empty()))
            });
        match theirs {
            Some(theirs) => {
                causes.flips = theirs.flips.clone();
                causes.diff = theirs.diff.clone();
                causes.diff_of = theirs.diff_of.clone();
            }
            None => {
                causes.diff_of = Some(
                    "not merged: no shard saw the whole run's usual outcome as its own; replay \
                     the first failure to see its final state"
                        .into(),
                );
            }
        }
    }
    report.explore = merge_explore(&ran, owning, tally.run, elapsed);
    Ok(report)
}

/// The command that replays `target` when no shard made one for it (its outcome only
/// differed from an overall usual outcome that its own shard did not see as usual): for soak,
/// the token the unsharded run would have printed, made from the scenario file (when it is
/// still the content the shards ran) and the shards' options; else `harness soak FILE
/// --replay SEED` with those options. Explore's schedules stay in the shards' workers: none.
fn fallback_replay(
    head: &ScenarioReport,
    tally: &Tally,
    target: &ReplayTarget,
    run: &Report,
) -> String {
    if run.mode != "soak" {
        return String::new();
    }
    let o = &run.options;
    let chaos = o.chaos.as_deref().and_then(engine::ChaosLevel::parse);
    let mutant = <crate::mutants::plant::Mutant as clap::ValueEnum>::from_str(&o.mutant, true)
        .unwrap_or(crate::mutants::plant::Mutant::None);
    let hash_seed = if o.hash_seed == "fixed" {
        crate::iteration::knobs::HashSeed::Fixed
    } else {
        crate::iteration::knobs::HashSeed::Vary
    };
    let hard_deadline = o
        .hard_deadline_s
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(std::time::Duration::from_secs_f64);
    let loaded = crate::scenario::load::load_file(std::path::Path::new(&head.file), None)
        .ok()
        .filter(|s| head.content_hash == Some(format!("{:016x}", s.content_hash)));
    if let Some(scenario) = loaded {
        let plan = crate::campaign::Plan {
            run_seed: 0,
            jobs: 1,
            overrides: crate::iteration::knobs::Overrides {
                chaos,
                hash_seed,
                mutant,
                workers: o.workers,
            },
            fail_fast: false,
            isolation: crate::campaign::Isolation::Process,
            hard_deadline,
            explore: None,
            shard: None,
        };
        let signature = tally
            .signatures
            .iter()
            .find(|(_, c)| c.first.iteration == target.iteration)
            .map(|(s, _)| s.clone());
        let token = crate::replay::make::soak_token(&scenario, &plan, target, signature);
        return crate::replay::token::command(&token, None, "merged").command;
    }
    let mut command = format!(
        "harness soak {} --replay {}",
        crate::util::shell::shell_word(&head.file),
        target.seed
    );
    if let Some(f) = target.expect_fingerprint {
        command.push_str(&format!(" --expect-fingerprint {f}"));
    }
    if let Some(chaos) = &o.chaos {
        command.push_str(&format!(" --chaos {chaos}"));
    }
    if hash_seed == crate::iteration::knobs::HashSeed::Fixed {
        command.push_str(" --hash-seed fixed");
    }
    if mutant != crate::mutants::plant::Mutant::None {
        command.push_str(&format!(" --mutant {}", mutant.name()));
    }
    if let Some(secs) = o.hard_deadline_s {
        command.push_str(&format!(" --hard-deadline {}ms", (secs * 1000.0).round()));
    }
    command
}

fn merge_explore(
    ran: &[&(&ShardReport, &ScenarioReport)],
    owning: Option<&ScenarioReport>,
    run: u64,
    elapsed: f64,
) -> Option<ExploreReport> {
    let mut merged = ran.iter().find_map(|(_, s)| s.explore.clone())?;
    merged.schedules_per_s = build::per_second(run, elapsed);
    merged.exhaustive = None;
    merged.preemptions = owning.and_then(|s| s.explore.as_ref()?.preemptions);
    merged.nondeterministic = ran
        .iter()
        .filter_map(|(_, s)| s.explore.as_ref())
        .flat_map(|e| e.nondeterministic.iter().cloned())
        .take(crate::campaign::KEPT_SCHEDULES)
        .collect();
    merged.nondeterministic_count = ran
        .iter()
        .filter_map(|(_, s)| s.explore.as_ref())
        .map(|e| e.nondeterministic_count)
        .sum();
    Some(merged)
}

fn host(shards: &[ShardReport]) -> Host {
    let max =
        |f: &dyn Fn(&Host) -> Option<u64>| shards.iter().filter_map(|s| f(&s.report.host)).max();
    let workers: Vec<&WorkersReport> = shards
        .iter()
        .filter_map(|s| s.report.host.workers.as_ref())
        .collect();
    Host {
        peak_rss_kib: max(&|h| h.peak_rss_kib),
        threads_start: max(&|h| h.threads_start),
        threads_end: max(&|h| h.threads_end),
        live_vms_end: shards
            .iter()
            .map(|s| s.report.host.live_vms_end)
            .max()
            .unwrap_or(0),
        workers: (!workers.is_empty()).then(|| WorkersReport {
            spawned: workers.iter().map(|w| w.spawned).sum(),
            hangs: workers.iter().map(|w| w.hangs).sum(),
            crashes: workers.iter().map(|w| w.crashes).sum(),
            live_vms_max: workers.iter().map(|w| w.live_vms_max).max().unwrap_or(0),
            threads_max: workers.iter().filter_map(|w| w.threads_max).max(),
            peak_rss_kib_max: workers.iter().filter_map(|w| w.peak_rss_kib_max).max(),
        }),
        load: None,
    }
}
