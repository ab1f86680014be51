//! Shrinking a failing schedule to its fewest preemptions.
//!
//! No tool in the field does this (shuttle and loom print the schedule they found, however
//! long). The schedule is replayed as context switches anchored to each task's own progress
//! ([`Shrinking`]), so one preemption can be dropped (that task goes on there) without moving
//! the others. Greedily, until nothing more goes: drop half, a quarter... of the preemptions
//! at once; then each one, latest first (alone, with every forced switch put back to the
//! lowest id, with the switch after it, or by sending the switch into its task to its target
//! instead); then every pair. A candidate is kept when it fails the same way and strictly
//! lowers (preemptions, forced switches not to the lowest id). When more than one preemption
//! is left, a bounded search tries the schedule with none and every schedule with one
//! (iterative context bounding, as CHESS does).

use super::run::{Executed, Workload, run_one};
use super::schedulers::shrinking::{Event, Events, Shrinking, events_of};
use super::trace::Trace;

/// The most executions the bounded search may spend.
pub const BOUNDED_SEARCH_BUDGET: usize = 2_000;
/// Above this many preemptions, pairs of removals are not tried.
const MAX_PAIRWISE: usize = 8;

/// What shrinking did.
#[derive(Debug, Clone)]
pub struct Shrunk {
    /// Preemptions in the schedule it started from.
    pub before: usize,
    /// Preemptions in the schedule it ended with.
    pub after: usize,
    /// Executions it spent.
    pub runs: usize,
    /// The smallest schedule that still fails the same way.
    pub trace: Trace,
}

/// Shrinks `failing`, keeping what `same_failure` accepts after each execution (it is called
/// on every execution's end, with the outcome the workload kept).
pub fn shrink(
    workload: &Workload,
    failing: &Trace,
    same_failure: &mut dyn FnMut(&Executed) -> bool,
) -> Shrunk {
    let before = failing.preemptions();
    let values = failing.random_values();
    let attempt = |events: Events, same: &mut dyn FnMut(&Executed) -> bool| {
        let out = run_one(Shrinking::new(events, values.clone()), workload);
        same(&out).then_some(out.trace)
    };
    let mut runs = 1;
    let Some(mut current) = attempt(events_of(failing), same_failure) else {
        // The anchored replay does not fail the same way: keep the schedule as found.
        return Shrunk {
            before,
            after: before,
            runs,
            trace: failing.clone(),
        };
    };
    loop {
        let mut improved = false;
        for candidate in candidates(&current) {
            runs += 1;
            if let Some(trace) = attempt(candidate, same_failure)
                && trace.shrink_measure() < current.shrink_measure()
            {
                current = trace;
                improved = true;
                break;
            }
        }
        if !improved {
            break;
        }
    }
    if current.preemptions() > 1 {
        let (found, spent) = bounded_search(workload, &values, &current, same_failure);
        runs += spent;
        if let Some(trace) = found
            && trace.preemptions() < current.preemptions()
        {
            current = trace;
        }
    }
    Shrunk {
        before,
        after: current.preemptions(),
        runs,
        trace: current,
    }
}

/// The schedules one step smaller than `current` to try, in order.
fn candidates(current: &Trace) -> Vec<Events> {
    let events = events_of(current);
    let mut preemptions: Vec<((u32, u32), usize)> = events
        .iter()
        .filter(|(_, e)| e.preemption)
        .map(|(k, e)| (*k, e.index))
        .collect();
    preemptions.sort_by_key(|&(_, index)| std::cmp::Reverse(index));
    let only_preemptions: Events = events
        .iter()
        .filter(|(_, e)| e.preemption)
        .map(|(k, e)| (*k, *e))
        .collect();
    let mut out = halves(&events, &only_preemptions, &preemptions);
    // Each preemption, latest first: alone, and with forced switches back to the lowest id.
    for (key, _) in &preemptions {
        for base in [&events, &only_preemptions] {
            let mut c = base.clone();
            c.remove(key);
            out.push(c);
        }
    }
    let mut by_index: Vec<(usize, (u32, u32), bool)> = events
        .iter()
        .map(|(k, e)| (e.index, *k, e.preemption))
        .collect();
    by_index.sort_unstable();
    // A preemption and the switch after it (an excursion there and back).
    for pair in by_index.windows(2) {
        if pair[0].2 {
            let mut c = events.clone();
            c.remove(&pair[0].1);
            c.remove(&pair[1].1);
            out.push(c);
        }
    }
    out.extend(redirected(&events, &by_index));
    if only_preemptions.len() < events.len() {
        out.push(only_preemptions);
    }
    if preemptions.len() <= MAX_PAIRWISE {
        for i in 0..preemptions.len() {
            for j in i + 1..preemptions.len() {
                let mut c = events.clone();
                c.remove(&preemptions[i].0);
                c.remove(&preemptions[j].0);
                out.push(c);
            }
        }
    }
    out
}

/// Halves, quarters, ... of the `preemptions` dropped at once, in trace order, from `events`
/// and from `only_preemptions`.
fn halves(
    events: &Events,
    only_preemptions: &Events,
    preemptions: &[((u32, u32), usize)],
) -> Vec<Events> {
    let mut out = Vec::new();
    let mut ordered = preemptions.to_vec();
    ordered.sort_by_key(|&(_, index)| index);
    let mut parts = 2;
    while parts < ordered.len() {
        for chunk in ordered.chunks(ordered.len().div_ceil(parts)) {
            for base in [events, only_preemptions] {
                let mut c = base.clone();
                for (key, _) in chunk {
                    c.remove(key);
                }
                out.push(c);
            }
        }
        parts *= 2;
    }
    out
}

/// Each preemption dropped, with the switch into the preempted task sent to the
/// preemption's target instead (`by_index`: every event's index, key and whether it is a
/// preemption, in order).
fn redirected(events: &Events, by_index: &[(usize, (u32, u32), bool)]) -> Vec<Events> {
    let mut out = Vec::new();
    for &(index, key, preemption) in by_index {
        if !preemption {
            continue;
        }
        let (task, target) = (key.0, events[&key].to);
        if let Some(&(_, into, _)) = by_index
            .iter()
            .rev()
            .find(|(i, k, _)| *i < index && events[k].to == task)
        {
            let mut c = events.clone();
            c.remove(&key);
            if let Some(e) = c.get_mut(&into) {
                e.to = target;
            }
            out.push(c);
        }
    }
    out
}

/// The schedule with no preemption, then every schedule with exactly one, until one fails
/// the same way (or the budget is spent). Returns it and the executions spent.
fn bounded_search(
    workload: &Workload,
    values: &[u64],
    current: &Trace,
    same_failure: &mut dyn FnMut(&Executed) -> bool,
) -> (Option<Trace>, usize) {
    let base = run_one(Shrinking::new(Events::new(), values.to_vec()), workload);
    let mut runs = 1;
    if same_failure(&base) {
        return (Some(base.trace), runs);
    }
    let mut counts: Vec<u32> = Vec::new();
    let mut points = Vec::new();
    for (i, d) in base.trace.decisions.iter().enumerate() {
        if let (Some(c), true) = (d.current, d.current_runnable) {
            let k = counts.get(c as usize).copied().unwrap_or(0);
            for &to in d.runnable.iter().filter(|&&t| t != c) {
                points.push((
                    (c, k),
                    Event {
                        to,
                        preemption: true,
                        index: i,
                    },
                ));
            }
        }
        let chosen = d.chosen as usize;
        if counts.len() <= chosen {
            counts.resize(chosen + 1, 0);
        }
        counts[chosen] += 1;
    }
    let _ = current;
    for (key, event) in points {
        if runs >= BOUNDED_SEARCH_BUDGET {
            break;
        }
        let out = run_one(
            Shrinking::new(Events::from([(key, event)]), values.to_vec()),
            workload,
        );
        runs += 1;
        if same_failure(&out) {
            return (Some(out.trace), runs);
        }
    }
    (None, runs)
}
