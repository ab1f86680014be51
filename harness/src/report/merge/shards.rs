//! Which shard reports make one run: all N of them, each once, from the same run seed,
//! harness build, mode, options and scenarios.

use crate::report::model::Report;

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

impl ShardReport {
    /// Which shard it is (`2/4`), or nothing for a report that ran without `--shard`.
    pub(super) fn name(&self) -> String {
        self.report.shard.map_or(String::new(), |x| x.to_string())
    }
}

/// Why shard reports cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MergeError(pub String);

/// Fails with `text`.
pub(super) fn refuse<T>(text: String) -> Result<T, MergeError> {
    Err(MergeError(text))
}

/// Sorts the shards by index after checking that they are shards `1/N` to `N/N` of one
/// run, each once, each consistent in itself, and all of the same run ([`same_run`]).
pub(super) fn check(shards: &mut [ShardReport]) -> Result<(), MergeError> {
    let count = shard_count(shards)?;
    shards.sort_by_key(|s| s.report.shard.map_or(0, |x| x.index));
    for pair in shards.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.report.shard == b.report.shard {
            return refuse(format!(
                "merge: {} and {} are both shard {}",
                a.source,
                b.source,
                a.name()
            ));
        }
    }
    // Shards are sorted and distinct: all are there exactly when there are `count` of them.
    if shards.len() as u64 != count {
        return refuse(missing(shards, count));
    }
    for s in shards.iter() {
        super::super::shard_check::check(&s.source, &s.report).map_err(MergeError)?;
    }
    for s in &shards[1..] {
        same_run(&shards[0], s)?;
    }
    Ok(())
}

/// The N every shard report names (`K/N`), checking that each is a shard's report with a
/// label that holds together.
fn shard_count(shards: &[ShardReport]) -> Result<u64, MergeError> {
    let not_shard = |s: &ShardReport| {
        refuse(format!(
            "merge {}: it is not a shard's report (it ran without --shard)",
            s.source
        ))
    };
    let Some(first) = shards.first() else {
        return refuse("merge: no shard reports given".into());
    };
    let Some(f) = first.report.shard else {
        return not_shard(first);
    };
    for s in shards {
        let Some(shard) = s.report.shard else {
            return not_shard(s);
        };
        if shard.count != f.count {
            return refuse(format!(
                "merge {}: it is shard {shard}, but {} is shard {} of {}: shards of one run \
                 share their N",
                s.source, first.source, f.index, f.count
            ));
        }
        super::super::shard_check::label(&s.source, &s.report).map_err(MergeError)?;
    }
    Ok(f.count)
}

/// Names the missing shards (only the first [`SHOWN_MISSING`]: a report may claim any N,
/// 2^64 − 1 too) and the given ones, of shards sorted and distinct but fewer than `count`.
fn missing(shards: &[ShardReport], count: u64) -> String {
    let given = shards.len() as u64;
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
    format!(
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
            .map(|s| format!("{} from {}", s.name(), s.source))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// What shards of one run share, by name, as each report says it.
type Shared = (&'static str, fn(&Report) -> String);

/// Every field shards of one run share.
const SHARED: [Shared; 12] = [
    ("run seed", |r| r.run_seed.clone()),
    ("harness version", |r| r.harness.clone()),
    ("harness build", |r| r.build.clone()),
    ("mode", |r| r.mode.clone()),
    ("--chaos", |r| format!("{:?}", r.options.chaos)),
    ("--hash-seed", |r| r.options.hash_seed.clone()),
    ("--mutant", |r| r.options.mutant.clone()),
    ("scheduler", |r| format!("{:?}", r.options.scheduler)),
    (
        "default worker cap (the host's cores; shards on hosts with other core counts soak \
         other iterations)",
        |r| format!("{:?}", r.options.workers),
    ),
    ("--isolation", |r| r.options.isolation.clone()),
    ("--hard-deadline", |r| {
        format!("{:?}", r.options.hard_deadline_s)
    }),
    ("--check-determinism", |r| {
        r.options.check_determinism.to_string()
    }),
];

/// Refuses two shards of different runs, naming what differs.
fn same_run(a: &ShardReport, b: &ShardReport) -> Result<(), MergeError> {
    let (x, y) = (&a.report, &b.report);
    for (what, field) in SHARED {
        let (p, q) = (field(x), field(y));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::Shard;
    use crate::report::html::tests::report;

    /// Shard `index` of `count`, from folder `source`, of an empty run.
    fn shard(source: &str, index: u64, count: u64) -> ShardReport {
        let mut r = report(Vec::new());
        r.shard = Some(Shard { index, count });
        ShardReport {
            source: source.into(),
            report: r,
        }
    }

    /// A change to one field of a report.
    type Edit = fn(&mut Report);

    fn refusal(mut shards: Vec<ShardReport>) -> String {
        check(&mut shards).unwrap_err().0
    }

    #[test]
    fn the_shards_of_one_run_pass_and_come_out_sorted() {
        let mut shards = vec![shard("c", 3, 3), shard("a", 1, 3), shard("b", 2, 3)];
        check(&mut shards).unwrap();
        let order: Vec<&str> = shards.iter().map(|s| s.source.as_str()).collect();
        assert_eq!(order, ["a", "b", "c"]);
    }

    #[test]
    fn a_report_that_is_no_shard_s_is_named_first_or_later() {
        let mut whole = shard("whole", 1, 2);
        whole.report.shard = None;
        let not_shard = "it is not a shard's report (it ran without --shard)";
        assert_eq!(
            refusal(vec![whole.clone(), shard("b", 2, 2)]),
            format!("merge whole: {not_shard}")
        );
        assert_eq!(
            refusal(vec![shard("a", 1, 2), whole]),
            format!("merge whole: {not_shard}")
        );
        assert_eq!(refusal(Vec::new()), "merge: no shard reports given");
    }

    #[test]
    fn shards_of_another_n_name_both_shards() {
        assert_eq!(
            refusal(vec![shard("a", 1, 2), shard("b", 2, 3)]),
            "merge b: it is shard 2/3, but a is shard 1 of 2: shards of one run share their N"
        );
    }

    #[test]
    fn a_twice_given_shard_and_the_missing_ones_are_named() {
        assert_eq!(
            refusal(vec![shard("a", 1, 3), shard("b", 1, 3)]),
            "merge: a and b are both shard 1/3"
        );
        assert_eq!(
            refusal(vec![shard("b", 2, 4)]),
            "merge: shard 1/4, 3/4, 4/4 are missing (given: 2/4 from b)"
        );
        assert_eq!(
            refusal(vec![shard("a", 1, 2)]),
            "merge: shard 2/2 is missing (given: 1/2 from a)"
        );
    }

    #[test]
    fn every_field_shards_share_is_compared_and_named() {
        let edits: [(&str, Edit); 12] = [
            ("run seed", |r| r.run_seed = "2".into()),
            ("harness version", |r| r.harness = "9.9.9".into()),
            ("harness build", |r| r.build = "1".into()),
            ("mode", |r| r.mode = "explore".into()),
            ("--chaos", |r| r.options.chaos = Some("high".into())),
            ("--hash-seed", |r| r.options.hash_seed = "fixed".into()),
            ("--mutant", |r| r.options.mutant = "drop-write".into()),
            ("scheduler", |r| r.options.scheduler = Some("pct".into())),
            ("default worker cap", |r| r.options.workers = Some(3)),
            ("--isolation", |r| r.options.isolation = "thread".into()),
            ("--hard-deadline", |r| r.options.hard_deadline_s = Some(1.5)),
            ("--check-determinism", |r| {
                r.options.check_determinism = true
            }),
        ];
        assert_eq!(SHARED.len(), edits.len());
        for ((name, _), (what, edit)) in SHARED.iter().zip(edits) {
            assert!(name.starts_with(what), "{name} is checked as {what}");
            let mut b = shard("b", 2, 2);
            edit(&mut b.report);
            let why = refusal(vec![shard("a", 1, 2), b]);
            assert!(
                why.starts_with(&format!("merge b: its {name} is ")) && why.contains("but a's is"),
                "{why}"
            );
        }
    }
}
