//! What a flaky scenario's failing iterations have in common (flake localisation, after
//! DeFlaker): the failure rate for each value of each knob the harness varied, each with its
//! Wilson interval, and a line naming the knobs whose intervals separate ("fails 48% with
//! workers = 1, 0% (0–0.4%) otherwise"). A knob with a value per iteration (the hash seed)
//! cannot separate by value; the replay layer attributes it by flipping and fills in
//! [`FlakeCauses::flips`], and the outcome diff ([`super::diff`]).

use serde::{Deserialize, Serialize};

use super::stats::Rate;
use super::tally::{KnobCount, Tally};

/// What the failing iterations of a flaky scenario have in common.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FlakeCauses {
    /// The failure rate per value of each knob that took more than one value.
    pub knobs: Vec<KnobRow>,
    /// One line per knob whose intervals separate, or one saying none does.
    pub summary: Vec<String>,
    /// Knobs attributed by flipping (the hash seed): how often the outcome followed them.
    pub flips: Vec<Flip>,
    /// The usual final state against the first divergent one, path by path.
    pub diff: Vec<DiffRow>,
    /// Which iterations the diff compares, or why there is none.
    pub diff_of: Option<String>,
}

/// The failure rate of the iterations that ran with one value of one knob.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnobRow {
    /// `workers`, `engine_thread`.
    pub knob: String,
    /// `1`, `spawned`.
    pub value: String,
    /// Failing iterations with this value.
    pub failures: u64,
    /// Iterations with this value.
    pub runs: u64,
    /// `failures / runs`.
    pub rate: f64,
    /// The 95% Wilson interval's low end.
    pub low: f64,
    /// Its high end.
    pub high: f64,
    /// Whether its interval is apart from that of every other value taken together.
    pub separates: bool,
}

/// A knob attributed by flipping: failing and passing iterations replayed with only that
/// knob swapped between them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flip {
    /// `hash_seed`.
    pub knob: String,
    /// Replays run with the knob swapped.
    pub flips: u64,
    /// How many of them changed outcome with it (a failing one passed, a passing one failed).
    pub followed: u64,
    /// What that says.
    pub line: String,
}

/// One place where two final states differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffRow {
    /// `parallel_results[2].branch`.
    pub path: String,
    /// Its value in the usual outcome (JSON; `(absent)` when it has none).
    pub usual: String,
    /// Its value in the divergent one.
    pub divergent: String,
}

/// The knob breakdown of a tally: rows per knob value, and the summary lines.
/// `deterministic`: an outcome other than the usual one is a failure too.
pub fn breakdown(tally: &Tally, deterministic: bool) -> FlakeCauses {
    let usual = tally.usual().filter(|_| deterministic).map(|(f, _)| f);
    let failures = |c: &KnobCount| -> u64 {
        let passed = match usual.filter(|_| tally.knob_outcomes) {
            Some(f) => c.fingerprints.get(&f).map_or(0, |[n, bad]| n - bad),
            None => c.run - c.violating,
        };
        c.run - passed
    };
    let mut names: Vec<&str> = Vec::new();
    for key in tally.knobs.keys() {
        let name = key.split_once('=').map_or(key.as_str(), |(n, _)| n);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let mut causes = FlakeCauses::default();
    let mut quiet = Vec::new();
    for name in names {
        let values: Vec<(&str, u64, u64)> = tally
            .knobs
            .iter()
            .filter_map(|(key, c)| {
                let (n, v) = key.split_once('=')?;
                (n == name).then(|| (v, failures(c), c.run))
            })
            .collect();
        if values.len() < 2 {
            continue;
        }
        let (all_failures, all_runs) = values
            .iter()
            .fold((0, 0), |(f, n), (_, vf, vn)| (f + vf, n + vn));
        let mut lines = Vec::new();
        for &(value, f, n) in &values {
            let rate = Rate::new(f, n);
            let rest = Rate::new(all_failures - f, all_runs - n);
            let separates =
                rate.wilson95[1] < rest.wilson95[0] || rate.wilson95[0] > rest.wilson95[1];
            if separates && rate.rate > rest.rate {
                lines.push(format!(
                    "fails {} with {name} = {value}, {} otherwise",
                    percent_with_interval(&rate),
                    percent_with_interval(&rest)
                ));
            }
            causes.knobs.push(KnobRow {
                knob: name.to_string(),
                value: value.to_string(),
                failures: f,
                runs: n,
                rate: rate.rate,
                low: rate.wilson95[0],
                high: rate.wilson95[1],
                separates,
            });
        }
        if lines.is_empty() {
            quiet.push(name);
        }
        causes.summary.extend(lines);
    }
    if causes.summary.is_empty() && !quiet.is_empty() {
        causes.summary.push(format!(
            "no knob value separates: the failure rate is the same, within its 95% intervals, \
             for every value of {}",
            quiet.join(", ")
        ));
    }
    causes
}

/// `48% (41–55%)`.
pub fn percent_with_interval(rate: &Rate) -> String {
    format!(
        "{} ({}–{})",
        percent(rate.rate),
        percent(rate.wilson95[0]),
        percent(rate.wilson95[1])
    )
}

fn percent(x: f64) -> String {
    let p = x * 100.0;
    if p == 0.0 || p == 100.0 || p >= 10.0 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{Fingerprint, Outcome};

    fn ok(fingerprint: u64) -> Outcome {
        Outcome {
            fingerprint: Fingerprint(fingerprint),
            summary: "ok".into(),
            violations: Vec::new(),
            stopped: None,
        }
    }

    #[test]
    fn a_knob_value_that_fails_alone_is_named() {
        let mut tally = Tally {
            knob_outcomes: true,
            ..Tally::new(vec![])
        };
        for i in 0..400u64 {
            let workers = if i % 2 == 0 { "1" } else { "4" };
            let thread = if i % 3 == 0 { "spawned" } else { "caller" };
            // Fails (another outcome) half the time, only with one worker.
            let outcome = ok(if workers == "1" && i % 4 == 0 { 2 } else { 1 });
            tally.record(
                i,
                i,
                &outcome,
                &[
                    format!("workers={workers}"),
                    format!("engine_thread={thread}"),
                ],
            );
        }
        let causes = breakdown(&tally, true);
        assert_eq!(causes.summary.len(), 1, "{:?}", causes.summary);
        assert!(
            causes.summary[0].starts_with("fails 50% (")
                && causes.summary[0].contains("with workers = 1, 0% (0%–"),
            "{}",
            causes.summary[0]
        );
        let one = causes.knobs.iter().find(|r| r.value == "1").unwrap();
        assert_eq!((one.failures, one.runs, one.separates), (100, 200, true));
        let caller = causes.knobs.iter().find(|r| r.value == "caller").unwrap();
        assert!(!caller.separates);
    }

    #[test]
    fn no_separation_is_said_and_a_fixed_knob_is_left_out() {
        let mut tally = Tally {
            knob_outcomes: true,
            ..Tally::new(vec![])
        };
        for i in 0..200u64 {
            let workers = if i % 2 == 0 { "1" } else { "2" };
            tally.record(
                i,
                i,
                &ok(if i % 4 < 2 { 1 } else { 2 }),
                &[format!("workers={workers}"), "engine_thread=caller".into()],
            );
        }
        let causes = breakdown(&tally, true);
        assert!(causes.knobs.iter().all(|r| r.knob == "workers"));
        assert_eq!(causes.summary.len(), 1);
        assert!(
            causes.summary[0].starts_with("no knob value separates"),
            "{:?}",
            causes.summary
        );
    }
}
