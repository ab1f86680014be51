//! What a shard's `report.json` must hold before `harness report merge` adds it: a report
//! says which shard it is and which iterations it ran, and a copy of shard 1 relabelled as
//! shard 2, or a report edited by hand, must not merge into a whole that shows iterations
//! run twice and others never. So a shard's part must be exactly the K-th of N of each
//! scenario's planned total, its tally may not count more than that part, nor any iteration
//! outside it. Each refusal names the shard.

use super::model::{Report, ScenarioReport};
use crate::util::text;

/// Why the report of shard `source` cannot be merged when its label is no shard's (index 0,
/// or past the count).
pub fn label(source: &str, report: &Report) -> Result<(), String> {
    match report.shard {
        Some(s) if s.count == 0 || s.index == 0 || s.index > s.count => Err(format!(
            "merge {}: it calls itself shard {}/{}, which no run has (shards are 1/N to N/N)",
            text::cut(source),
            s.index,
            s.count
        )),
        _ => Ok(()),
    }
}

/// Why the report of shard `source` cannot be merged, when its claims do not hold together.
pub fn check(source: &str, report: &Report) -> Result<(), String> {
    let source = text::cut(source);
    let refuse = |why: String| Err(format!("merge {source}: {why}"));
    let Some(shard) = report.shard else {
        return Ok(());
    };
    if report.run_seed.parse::<u64>().is_err() {
        return refuse(format!(
            "its run seed `{}` is not a number",
            text::cut(&report.run_seed)
        ));
    }
    for scenario in &report.scenarios {
        if let Err(why) = check_scenario(scenario, shard, report.complete) {
            return refuse(format!(
                "scenario `{}` {why} (was report.json relabelled or edited?)",
                text::cut(&scenario.name)
            ));
        }
    }
    Ok(())
}

fn check_scenario(
    s: &ScenarioReport,
    shard: crate::campaign::Shard,
    complete: bool,
) -> Result<(), String> {
    let it = &s.iterations;
    let part = shard.range(it.total);
    let claimed = it.start..it.start.saturating_add(it.planned);
    if claimed != part {
        return Err(format!(
            "claims iterations {}..{} of {}, but shard {shard}'s part of them is {}..{}",
            claimed.start, claimed.end, it.total, part.start, part.end
        ));
    }
    let Some(tally) = &s.tally else {
        return Ok(());
    };
    if tally.run > it.planned || tally.run != it.run {
        return Err(format!(
            "counts {} iterations run ({} in its summary), of the {} its part plans",
            tally.run, it.run, it.planned
        ));
    }
    if complete && tally.run != it.planned {
        return Err(format!(
            "ran {} of its {} iterations, yet the report says it is complete",
            tally.run, it.planned
        ));
    }
    let seen = tally
        .fingerprints
        .values()
        .map(|c| c.example_iteration)
        .chain(tally.signatures.values().map(|c| c.first.iteration))
        .chain(
            tally
                .invariants
                .iter()
                .filter_map(|c| Some(c.first.as_ref()?.iteration)),
        )
        .chain(tally.first_bad.as_ref().map(|b| b.iteration));
    for i in seen {
        if !part.contains(&i) {
            return Err(format!(
                "counts iteration {i}, outside its part {}..{}",
                part.start, part.end
            ));
        }
    }
    Ok(())
}
