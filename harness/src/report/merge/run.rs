//! The merged run: its scenarios from the shards', its times, host figures, result and the
//! shards that did not complete.

use super::scenario::merge_scenario;
use super::shards::{self, MergeError, ShardReport};
use crate::report::build::{self, RunInfo};
use crate::report::model::{Host, Merged, Report, ScenarioReport, WorkersReport};

/// Merges the reports of shards `1/N` to `N/N` of one run (in any order) into its report.
pub fn merge(mut shards: Vec<ShardReport>, command: String) -> Result<Report, MergeError> {
    shards::check(&mut shards)?;
    let base = &shards[0];
    let mut scenarios = Vec::new();
    for (at, head) in base.report.scenarios.iter().enumerate() {
        let parts: Vec<(&ShardReport, &ScenarioReport)> = shards
            .iter()
            .map(|s| (s, &s.report.scenarios[at]))
            .collect();
        scenarios.push(merge_scenario(head, &parts)?);
    }
    let incomplete: Vec<&ShardReport> = shards.iter().filter(|s| !s.report.complete).collect();
    let mut report = build::report(run_info(&shards, &incomplete, command), scenarios);
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

/// The merged run's facts: the first shard's mode, seed and options, the earliest start, the
/// longest shard's wall time, and why it is incomplete when a shard is.
fn run_info(shards: &[ShardReport], incomplete: &[&ShardReport], command: String) -> RunInfo {
    let base = &shards[0].report;
    let stopped = (!incomplete.is_empty()).then(|| {
        incomplete
            .iter()
            .map(|s| {
                format!(
                    "shard {} ({}) did not complete{}",
                    s.name(),
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
    let started_at = shards
        .iter()
        .filter_map(|s| chrono::DateTime::parse_from_rfc3339(&s.report.started_at).ok())
        .min()
        .map_or_else(chrono::Utc::now, |t| t.with_timezone(&chrono::Utc));
    RunInfo {
        mode: if base.mode == "explore" {
            "explore"
        } else {
            "soak"
        },
        running: false,
        signal: None,
        stopped,
        run_seed: base.run_seed.parse().unwrap_or(0),
        shard: None,
        command,
        started_at,
        elapsed_s: shards
            .iter()
            .map(|s| s.report.elapsed_s)
            .fold(0.0, f64::max),
        options: base.options.clone(),
        host: host(shards),
    }
}

/// The host figures over the shards: peaks are the highest shard's, worker counts add.
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
