//! Honest merges: `report merge` took a shard at its word. A copy of shard 1 relabelled as
//! shard 2 merged iterations 0-19 twice and never ran 20-39, yet showed "60/60"; index 0,
//! index 99 of 3, a tally of 1,040 runs out of 60 planned and outcomes counting 0 iterations
//! were accepted. Now a shard's part must be exactly the K-th of N, its counts may not
//! exceed its part, an outcome that counts nothing is damage, and each refusal names the
//! shard.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{Out, Project, latest};

const CLEAN: &str = "name: clean
story: adversarial
workflow:
  name: clean
  nodes:
    - { name: only, run: \"return { ok = true }\" }
expect:
  - final_state: { ok: true }
";

/// The three shard report folders of a 60-iteration soak.
fn shards(p: &Project) -> Vec<PathBuf> {
    p.write("scenarios/clean.yaml", CLEAN);
    (1..=3)
        .map(|k| {
            let dir = format!("shard-{k}");
            let shard = format!("{k}/3");
            let out = p.harness(&[
                "soak",
                "scenarios/clean.yaml",
                "-n",
                "60",
                "--seed",
                "5",
                "--isolation",
                "thread",
                "--shard",
                &shard,
                "--report-dir",
                &dir,
            ]);
            assert_eq!(out.code, 0, "{}", out.all());
            latest(&p.root.join(dir))
        })
        .collect()
}

fn edit(dir: &Path, change: impl FnOnce(&mut Value)) {
    let file = dir.join("report.json");
    let mut report: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    change(&mut report);
    std::fs::write(&file, serde_json::to_string(&report).unwrap()).unwrap();
}

fn merge(p: &Project, dirs: &[PathBuf]) -> Out {
    let mut args = vec!["report".to_string(), "merge".into()];
    args.extend(dirs.iter().map(|d| d.display().to_string()));
    args.extend(["--out".into(), "merged".into()]);
    p.harness(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// A merge that must be refused, naming `culprit`.
fn refused(p: &Project, dirs: &[PathBuf], culprit: &Path, why: &str) {
    let out = merge(p, dirs);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stderr.contains(&format!("merge {}", culprit.display())),
        "names the shard: {}",
        out.all()
    );
    assert!(out.stderr.contains(why), "{why}: {}", out.all());
}

#[test]
fn honest_shards_merge() {
    let p = Project::new();
    let dirs = shards(&p);
    let out = merge(&p, &dirs);
    assert_eq!(out.code, 0, "{}", out.all());
}

#[test]
fn a_copy_of_shard_1_relabelled_as_shard_2_is_refused() {
    let p = Project::new();
    let dirs = shards(&p);
    let copy = p.root.join("copy");
    std::fs::create_dir(&copy).unwrap();
    std::fs::copy(dirs[0].join("report.json"), copy.join("report.json")).unwrap();
    edit(&copy, |r| r["shard"]["index"] = 2.into());
    refused(
        &p,
        &[dirs[0].clone(), copy.clone(), dirs[2].clone()],
        &copy,
        "claims iterations 0..20 of 60, but shard 2/3's part of them is 20..40",
    );
    // Relabelled and its part edited to match: its tally still counts iteration 0.
    edit(&copy, |r| {
        r["scenarios"][0]["iterations"]["start"] = 20.into()
    });
    refused(
        &p,
        &[dirs[0].clone(), copy.clone(), dirs[2].clone()],
        &copy,
        "counts iteration 0, outside its part 20..40",
    );
}

#[test]
fn shard_indexes_no_run_has_are_refused() {
    for (index, count) in [(0, 3), (99, 3)] {
        let p = Project::new();
        let dirs = shards(&p);
        edit(&dirs[1], |r| {
            r["shard"]["index"] = index.into();
            r["shard"]["count"] = count.into();
        });
        refused(
            &p,
            &dirs,
            &dirs[1],
            &format!("it calls itself shard {index}/{count}, which no run has"),
        );
    }
}

#[test]
fn more_runs_than_planned_are_refused_even_when_the_report_says_complete() {
    let p = Project::new();
    let dirs = shards(&p);
    edit(&dirs[0], |r| {
        assert_eq!(r["complete"], true);
        let s = &mut r["scenarios"][0];
        s["iterations"]["run"] = 1040.into();
        s["tally"]["run"] = 1040.into();
        let outcomes = s["tally"]["fingerprints"].as_object_mut().unwrap();
        let (_, only) = outcomes.iter_mut().next().unwrap();
        only["count"] = 1040.into();
    });
    refused(&p, &dirs, &dirs[0], "counts 1040 iterations run");
}

#[test]
fn outcomes_that_count_no_iteration_are_damage() {
    let p = Project::new();
    let dirs = shards(&p);
    edit(&dirs[2], |r| {
        let outcomes = r["scenarios"][0]["tally"]["fingerprints"]
            .as_object_mut()
            .unwrap();
        let (_, only) = outcomes.iter().next().unwrap();
        let mut empty = only.clone();
        empty["count"] = 0.into();
        empty["violating"] = 0.into();
        for i in 0..1000u64 {
            outcomes.insert(format!("{:016x}", 0xdead_0000 + i), empty.clone());
        }
    });
    refused(
        &p,
        &dirs,
        &dirs[2],
        "an outcome, a way of failing or a knob value counts 0 iterations",
    );
}
