//! One scenario's report from its shards' reports: its tallies added, then classified,
//! replayed and explained again as one run's.

use std::time::Duration;

use super::shards::{MergeError, ShardReport, refuse};
use crate::outcome::classify::ReplayTarget;
use crate::outcome::flake_causes::FlakeCauses;
use crate::outcome::{Class, Fingerprint, Tally};
use crate::replay::token::ReplayCommand;
use crate::report::build::{self, Meta, Span};
use crate::report::model::{ExploreReport, Report, ScenarioReport};

/// One scenario's report from its shards' reports.
pub(super) fn merge_scenario(
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
    check_tallies(head, parts)?;
    let ran: Vec<&ScenarioReport> = parts
        .iter()
        .map(|(_, s)| *s)
        .filter(|s| s.tally.is_some())
        .collect();
    if ran.is_empty() {
        return Ok(head.clone());
    }
    let mut tally = Tally::default();
    for s in &ran {
        if let Some(t) = &s.tally {
            tally.merge(t.clone());
        }
    }
    let total = ran.iter().map(|s| s.iterations.total).max().unwrap_or(0);
    let capped = ran.iter().any(|s| s.iterations.capped);
    let elapsed = ran.iter().map(|s| s.elapsed_s).fold(0.0, f64::max);
    let meta = Meta::of_report(ran[0]);
    let replay = |target: &ReplayTarget| match owner(&ran, target) {
        Some(s) if s.replay.is_some() => ReplayCommand {
            command: s.replay.clone().unwrap_or_default(),
            file: s.replay_file.clone(),
        },
        _ => ReplayCommand {
            command: fallback_replay(head, &tally, target, &parts[0].0.report),
            file: None,
        },
    };
    let span = Span {
        start: 0,
        planned: total,
        total,
        asked: if capped { total + 1 } else { total },
    };
    let elapsed_d = Duration::from_secs_f64(elapsed);
    let mut report = build::ran(&meta, span, &tally, elapsed_d, &replay);
    if report.replay.as_deref() == Some("") {
        report.replay = None;
    }
    let target = crate::outcome::classify(&tally, meta.deterministic).replay;
    let owning = target.as_ref().and_then(|t| owner(&ran, t));
    if let Some(s) = owning {
        report.reproduction = s.reproduction.clone();
    }
    if let Some(causes) = report.flake_causes.as_mut() {
        merge_causes(causes, &tally, meta.deterministic, owning, &ran);
    }
    report.explore = merge_explore(&ran, owning, tally.run, elapsed);
    Ok(report)
}

/// Refuses a shard whose scenario ran but has no tally, or a damaged one, and tallies whose
/// counts overflow when added.
fn check_tallies(
    head: &ScenarioReport,
    parts: &[(&ShardReport, &ScenarioReport)],
) -> Result<(), MergeError> {
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
    let runs = parts.iter().try_fold(0u64, |sum, (_, s)| {
        sum.checked_add(s.tally.as_ref().map_or(0, |t| t.run))
    });
    if runs.is_none() {
        return refuse(format!(
            "merge: scenario `{}`'s iteration counts overflow when added (was report.json edited?)",
            head.name
        ));
    }
    Ok(())
}

/// The shard report that saw `target` as its own first failure, against the same usual
/// outcome.
fn owner<'a>(ran: &[&'a ScenarioReport], target: &ReplayTarget) -> Option<&'a ScenarioReport> {
    ran.iter().copied().find(|s| {
        let same_iteration = s
            .first_bad
            .as_ref()
            .is_some_and(|b| b.iteration == target.iteration && b.seed == target.seed.to_string());
        // An outcome that only differs from the usual one is replayed against the usual
        // fingerprint: the shard's must be the merge's.
        let same_usual = target
            .expect_fingerprint
            .is_none_or(|usual| usual_of(s) == Some(usual));
        same_iteration && same_usual
    })
}

/// A shard's usual outcome for the scenario.
fn usual_of(s: &ScenarioReport) -> Option<Fingerprint> {
    s.tally.as_ref().and_then(|t| t.usual()).map(|(f, _)| f)
}

/// The flips and outcome diff of the merged flake causes: from the owning shard, else from a
/// shard with a diff, when their usual outcome is the merge's.
fn merge_causes(
    causes: &mut FlakeCauses,
    tally: &Tally,
    deterministic: bool,
    owning: Option<&ScenarioReport>,
    ran: &[&ScenarioReport],
) {
    // Flips and the diff were judged against a shard's own usual outcome: only a shard
    // whose usual outcome is the merge's says something true of the whole run.
    let usual = tally.usual().map(|(f, _)| f);
    let agrees = |s: &ScenarioReport| !deterministic || usual_of(s) == usual;
    let theirs = owning
        .filter(|s| agrees(s))
        .and_then(|s| s.flake_causes.as_ref())
        .or_else(|| {
            ran.iter()
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

/// Explore's figures over the shards: rates from the merged counts, the nondeterministic
/// schedules of all, the preemptions of the owning shard's failure.
fn merge_explore(
    ran: &[&ScenarioReport],
    owning: Option<&ScenarioReport>,
    run: u64,
    elapsed: f64,
) -> Option<ExploreReport> {
    let mut merged = ran.iter().find_map(|s| s.explore.clone())?;
    merged.schedules_per_s = build::per_second(run, elapsed);
    merged.exhaustive = None;
    merged.preemptions = owning.and_then(|s| s.explore.as_ref()?.preemptions);
    let explored = || ran.iter().filter_map(|s| s.explore.as_ref());
    merged.nondeterministic = explored()
        .flat_map(|e| e.nondeterministic.iter().cloned())
        .take(crate::campaign::KEPT_SCHEDULES)
        .collect();
    merged.nondeterministic_count = explored().map(|e| e.nondeterministic_count).sum();
    Some(merged)
}
