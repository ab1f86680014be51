//! Sharded soaks and `harness report merge`: the merge of N shards is the unsharded run
//! (same counts, classes, fingerprints, first failures, knob breakdown), and a merge that
//! cannot be exact says why, naming the shard.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::Value;

use crate::common::{fixture, harness, report_dir, soak};

/// Scenarios whose outcomes the seed decides: the `pairs()`-order flake (hash seed),
/// `math.random` (iteration seed), an outcome that differs, errors now and then.
fn scenarios() -> Vec<String> {
    [
        "explore/pairs-order.yaml",
        "soak/flaky-random.yaml",
        "soak/divergent.yaml",
        "soak/errors-sometimes.yaml",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect()
}

/// Runs shard `k` of `n` (or the whole run) into `base`; returns its report folder.
fn run(base: &Path, seed: u64, iterations: u64, shard: Option<(u64, u64)>) -> PathBuf {
    let out = base.join(shard.map_or("whole".into(), |(k, n)| format!("shard-{k}-of-{n}")));
    let mut cmd = harness();
    cmd.arg("soak")
        .args(scenarios())
        .args(["--isolation", "thread", "--jobs", "2", "--seed"])
        .arg(seed.to_string())
        .arg("--iterations")
        .arg(iterations.to_string())
        .arg("--report-dir")
        .arg(&out);
    if let Some((k, n)) = shard {
        cmd.arg("--shard").arg(format!("{k}/{n}"));
    }
    let output = cmd.output().expect("run harness");
    let code = output.status.code();
    assert!(
        matches!(code, Some(0..=2)),
        "soak exited {code:?}:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    report_dir(&out).expect("a report folder")
}

fn merge(dirs: &[PathBuf], out: &Path) -> std::process::Output {
    harness()
        .args(["report", "merge"])
        .args(dirs)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run harness report merge")
}

fn json(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).expect("report.json"))
        .expect("JSON")
}

/// What must be equal: every field but wall times and the replay plumbing (a merged
/// outcome-only failure may be replayed by seed rather than by the shard's token).
fn comparable(report: &Value) -> Vec<Value> {
    report["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .map(|s| {
            let mut s = s.clone();
            let o = s.as_object_mut().expect("object");
            for key in [
                "elapsed_s",
                "iterations_per_s",
                "replay",
                "replay_file",
                "reproduction",
            ] {
                o.remove(key);
            }
            if let Some(c) = o.get_mut("flake_causes").and_then(Value::as_object_mut) {
                // Flips and the diff are replays of example iterations, made per run.
                for key in ["flips", "diff", "diff_of"] {
                    c.remove(key);
                }
            }
            s
        })
        .collect()
}

fn assert_merge_equals_whole(seed: u64, iterations: u64, n: u64) {
    let base = tempfile::tempdir().expect("temp dir");
    let whole = run(base.path(), seed, iterations, None);
    let shards: Vec<PathBuf> = (1..=n)
        .map(|k| run(base.path(), seed, iterations, Some((k, n))))
        .collect();
    let out = base.path().join("merged");
    let merged = merge(&shards, &out);
    let whole_json = json(&whole);
    let merged_json = json(&out);
    assert_eq!(
        merged.status.code(),
        whole_json["exit_code"].as_i64().map(|c| c as i32),
        "the merge exits as the whole run did\n{}{}",
        String::from_utf8_lossy(&merged.stdout),
        String::from_utf8_lossy(&merged.stderr)
    );
    let (a, b) = (comparable(&whole_json), comparable(&merged_json));
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            x, y,
            "seed {seed}, {iterations} iterations, {n} shards: {}",
            x["name"]
        );
    }
    assert_eq!(a.len(), b.len());
    assert_eq!(
        whole_json["totals"]["flaky"],
        merged_json["totals"]["flaky"]
    );
    assert_eq!(merged_json["complete"], true);
    assert_eq!(
        merged_json["merged"]["shards"].as_array().map(Vec::len),
        Some(n as usize)
    );
}

#[test]
fn three_shards_run_as_three_processes_merge_into_the_single_run() {
    assert_merge_equals_whole(0x5eed, 120, 3);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_merge_of_n_shards_equals_the_unsharded_run(
        seed in any::<u64>(),
        iterations in 1u64..90,
        n in 1u64..6,
    ) {
        assert_merge_equals_whole(seed, iterations, n);
    }
}

/// Shards of a small run, for the refusals below.
fn shards(base: &Path, seed: u64, n: u64) -> Vec<PathBuf> {
    (1..=n).map(|k| run(base, seed, 20, Some((k, n)))).collect()
}

fn refused(output: &std::process::Output) -> String {
    assert_eq!(output.status.code(), Some(3), "a refusal is a usage error");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_missing_shard_is_named() {
    let base = tempfile::tempdir().expect("temp dir");
    let dirs = shards(base.path(), 1, 3);
    let why = refused(&merge(
        &[dirs[0].clone(), dirs[2].clone()],
        &base.path().join("m"),
    ));
    assert!(why.contains("shard 2/3 is missing"), "{why}");
    let why = refused(&merge(
        &[dirs[0].clone(), dirs[0].clone(), dirs[2].clone()],
        &base.path().join("m"),
    ));
    assert!(why.contains("are both shard 1/3"), "{why}");
}

#[test]
fn a_shard_of_another_run_seed_is_named() {
    let base = tempfile::tempdir().expect("temp dir");
    let ours = shards(base.path(), 1, 2);
    let other = base.path().join("other");
    std::fs::create_dir(&other).expect("mkdir");
    let theirs = shards(&other, 2, 2);
    let why = refused(&merge(
        &[ours[0].clone(), theirs[1].clone()],
        &base.path().join("m"),
    ));
    assert!(
        why.contains("run seed") && why.contains(&theirs[1].display().to_string()),
        "{why}"
    );
}

#[test]
fn a_shard_that_ran_other_scenario_content_is_named() {
    let base = tempfile::tempdir().expect("temp dir");
    let dirs = shards(base.path(), 1, 2);
    let file = dirs[1].join("report.json");
    let mut report = json(&dirs[1]);
    report["scenarios"][1]["content_hash"] = Value::from("0000000000000001");
    std::fs::write(&file, report.to_string()).expect("write");
    let why = refused(&merge(&dirs, &base.path().join("m")));
    assert!(
        why.contains("scenario `flaky-random`") && why.contains("other content"),
        "{why}"
    );
}

#[test]
fn an_incomplete_shard_makes_the_merge_incomplete_and_names_it() {
    let base = tempfile::tempdir().expect("temp dir");
    let dirs = shards(base.path(), 1, 2);
    // What a shard stopped by SIGTERM after its first scenario leaves.
    let file = dirs[0].join("report.json");
    let mut report = json(&dirs[0]);
    report["complete"] = Value::Bool(false);
    report["interrupted"] = Value::Bool(true);
    report["stopped"] = Value::from("by SIGTERM");
    for s in report["scenarios"]
        .as_array_mut()
        .expect("scenarios")
        .iter_mut()
        .skip(1)
    {
        s["status"] = Value::from("not_run");
        s["tally"] = Value::Null;
        // As `build::not_ran` writes a scenario never started: no hash either.
        s["content_hash"] = Value::Null;
        s["iterations"]["run"] = Value::from(0);
    }
    std::fs::write(&file, report.to_string()).expect("write");
    let out = base.path().join("m");
    let merged = merge(&dirs, &out);
    let stdout = String::from_utf8_lossy(&merged.stdout);
    let r = json(&out);
    assert_eq!(r["complete"], false);
    // What ran is flaky (exit 2) here; an incomplete merge never exits 0.
    assert_ne!(merged.status.code(), Some(0));
    assert_eq!(
        merged.status.code(),
        r["exit_code"].as_i64().map(|c| c as i32)
    );
    assert_eq!(
        r["merged"]["incomplete"][0],
        Value::from(dirs[0].display().to_string())
    );
    let stopped = r["stopped"].as_str().expect("stopped");
    assert!(
        stopped.contains("shard 1/2") && stopped.contains("by SIGTERM"),
        "{stopped}"
    );
    assert!(stdout.contains("incomplete: shard 1/2"), "{stdout}");
    // Its second scenario has only shard 2's iterations.
    assert_eq!(r["scenarios"][1]["complete"], false);
    assert_eq!(r["scenarios"][1]["iterations"]["run"], 10);
}

#[test]
fn shard_needs_a_seed_and_dfs_refuses_it() {
    let out = harness()
        .args(["soak", &fixture("soak/trivial-4.yaml"), "--shard", "1/2"])
        .output()
        .expect("run");
    let why = refused(&out);
    assert!(why.contains("--shard 1/2 needs --seed"), "{why}");
    let out = harness()
        .args([
            "explore",
            &fixture("explore/tiny-fanin.yaml"),
            "--scheduler",
            "dfs",
            "--seed",
            "1",
            "--shard",
            "1/2",
        ])
        .output()
        .expect("run");
    let why = refused(&out);
    assert!(why.contains("dfs"), "{why}");
    let out = harness()
        .args([
            "soak",
            &fixture("soak/trivial-4.yaml"),
            "--seed",
            "1",
            "--shard",
            "3/2",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3), "a bad shard is a usage error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a shard like 2/3"));
}

#[test]
fn a_sharded_explore_merges_into_the_single_exploration() {
    let base = tempfile::tempdir().expect("temp dir");
    let explore = |shard: Option<&str>, name: &str| {
        let out = base.path().join(name);
        let mut cmd = harness();
        cmd.args([
            "explore",
            &fixture("explore/pairs-order.yaml"),
            "--schedules",
            "40",
            "--seed",
            "9",
        ])
        .arg("--report-dir")
        .arg(&out);
        if let Some(s) = shard {
            cmd.args(["--shard", s]);
        }
        let o = cmd.output().expect("run");
        assert!(
            matches!(o.status.code(), Some(0..=2)),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        report_dir(&out).expect("report")
    };
    let whole = explore(None, "whole");
    let dirs = vec![explore(Some("1/2"), "a"), explore(Some("2/2"), "b")];
    let out = base.path().join("m");
    merge(&dirs, &out);
    let (a, b) = (comparable(&json(&whole)), comparable(&json(&out)));
    assert_eq!((a.len(), b.len()), (1, 1));
    assert_eq!(a[0]["iterations"]["run"], 40);
    for (x, y) in a.iter().zip(&b) {
        let strip = |v: &Value| {
            let mut v = v.clone();
            v.as_object_mut().map(|o| o.remove("explore"));
            v
        };
        assert_eq!(strip(x), strip(y));
    }
}

#[test]
fn a_shard_s_report_dir_is_enough_when_it_holds_one_run() {
    let base = tempfile::tempdir().expect("temp dir");
    let dirs = shards(base.path(), 4, 2);
    // `shards` ran each into its own --report-dir: shard-K-of-2/soak-<stamp>/.
    let parents: Vec<PathBuf> = dirs
        .iter()
        .map(|d| d.parent().unwrap().to_path_buf())
        .collect();
    let out = base.path().join("m");
    let merged = merge(&parents, &out);
    assert!(
        matches!(merged.status.code(), Some(0..=2)),
        "{}",
        String::from_utf8_lossy(&merged.stderr)
    );
    assert_eq!(
        json(&out)["merged"]["shards"].as_array().map(Vec::len),
        Some(2)
    );
    // Two runs in one folder: which one is meant is not guessed.
    let again = run(base.path(), 4, 20, Some((1, 2)));
    assert_eq!(again.parent(), Some(parents[0].as_path()));
    let why = refused(&merge(&parents, &base.path().join("m2")));
    assert!(why.contains("holds 2 runs"), "{why}");
}

#[test]
fn a_soak_that_did_not_shard_is_not_merged() {
    let base = tempfile::tempdir().expect("temp dir");
    let whole = soak(&[
        &fixture("soak/trivial-4.yaml"),
        "-n",
        "5",
        "--isolation",
        "thread",
    ]);
    let why = refused(&merge(
        std::slice::from_ref(&whole.dir),
        &base.path().join("m"),
    ));
    assert!(why.contains("not a shard's report"), "{why}");
}

/// The examples in `docs/sharding/` are YAML, and every flag their harness commands pass is
/// one the harness takes (the manifests themselves are examples, not run here).
#[test]
fn the_sharding_examples_parse_and_use_real_flags() {
    let root = crate::common::root();
    for file in ["github-actions.yml", "kubernetes-indexed-job.yaml"] {
        let text = std::fs::read_to_string(root.join("docs/sharding").join(file)).expect(file);
        let _: serde_yaml::Value =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut checked = 0;
        for verb in ["soak", "report merge"] {
            let help = harness()
                .args(verb.split(' '))
                .arg("--help")
                .output()
                .expect("help");
            let help = String::from_utf8_lossy(&help.stdout).into_owned();
            let mut in_command = false;
            for line in text.lines() {
                let mut line = line.trim();
                for start in [format!("harness -- {verb} "), format!("harness {verb} ")] {
                    if let Some(at) = line.find(&start) {
                        in_command = true;
                        line = &line[at + start.len()..];
                    }
                }
                if in_command {
                    for flag in line.split_whitespace().filter(|w| w.starts_with("--")) {
                        checked += 1;
                        assert!(
                            help.contains(flag),
                            "{file}: `{flag}` is not a flag of harness {verb}"
                        );
                    }
                    in_command = line.ends_with('\\');
                }
            }
        }
        assert!(
            checked >= 4,
            "{file}: only {checked} flags found in its harness commands"
        );
    }
}

#[test]
fn an_incomplete_merge_of_clean_shards_does_not_pass() {
    let base = tempfile::tempdir().expect("temp dir");
    let dirs: Vec<PathBuf> = (1..=2)
        .map(|k| {
            let out = base.path().join(format!("s{k}"));
            let o = harness()
                .args([
                    "soak",
                    &fixture("soak/trivial-4.yaml"),
                    "-n",
                    "8",
                    "--seed",
                    "3",
                ])
                .args(["--isolation", "thread", "--shard", &format!("{k}/2")])
                .arg("--report-dir")
                .arg(&out)
                .output()
                .expect("run");
            assert_eq!(
                o.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&o.stderr)
            );
            report_dir(&out).expect("report")
        })
        .collect();
    let file = dirs[1].join("report.json");
    let mut report = json(&dirs[1]);
    report["complete"] = Value::Bool(false);
    report["stopped"] = Value::from("by SIGINT");
    std::fs::write(&file, report.to_string()).expect("write");
    let out = base.path().join("m");
    let merged = merge(&dirs, &out);
    assert_eq!(
        merged.status.code(),
        Some(3),
        "clean so far, but not all of it ran"
    );
    assert_eq!(json(&out)["exit_code"], 3);
    assert_eq!(json(&out)["totals"]["clean"], 1);
}

/// Edits `report.json` of `dir` with `edit`.
fn edit(dir: &Path, edit: impl FnOnce(&mut Value)) {
    let mut report = json(dir);
    edit(&mut report);
    std::fs::write(dir.join("report.json"), report.to_string()).expect("write");
}

#[test]
fn damaged_or_mismatched_shards_and_an_out_over_a_shard_are_refused() {
    let base = tempfile::tempdir().expect("temp dir");
    let dirs = shards(base.path(), 6, 2);
    let m = base.path().join("m");
    // Shards from hosts with other core counts soak other iterations.
    edit(&dirs[1], |r| r["options"]["workers"] = Value::from(64));
    let why = refused(&merge(&dirs, &m));
    assert!(why.contains("default worker cap"), "{why}");
    let dirs = shards(&base.path().join("b"), 6, 2);
    // A tally that is not the sum of its outcomes, or one that was dropped.
    edit(&dirs[0], |r| {
        r["scenarios"][1]["tally"]["fingerprints"] = serde_json::json!({})
    });
    let why = refused(&merge(&dirs, &m));
    assert!(
        why.contains("tally is damaged") && why.contains("flaky-random"),
        "{why}"
    );
    edit(&dirs[0], |r| r["scenarios"][1]["tally"] = Value::Null);
    let why = refused(&merge(&dirs, &m));
    assert!(why.contains("no tally"), "{why}");
    // --out over a shard's own report folder.
    let dirs = shards(&base.path().join("c"), 6, 2);
    let why = refused(&merge(&dirs, &dirs[0]));
    assert!(why.contains("where shard"), "{why}");
    assert!(
        json(&dirs[0])["shard"].is_object(),
        "the shard's report is intact"
    );
}

#[test]
fn a_merged_outcome_only_failure_replays_and_its_diff_is_the_whole_run_s() {
    // The pairs()-order flake in 3 shards: each shard may see another usual order.
    let base = tempfile::tempdir().expect("temp dir");
    let whole = run(base.path(), 7, 60, None);
    let dirs: Vec<PathBuf> = (1..=3)
        .map(|k| run(base.path(), 7, 60, Some((k, 3))))
        .collect();
    let out = base.path().join("m");
    merge(&dirs, &out);
    let scenario = |r: &Value| {
        r["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == "pairs-order")
            .unwrap()
            .clone()
    };
    let (w, m) = (scenario(&json(&whole)), scenario(&json(&out)));
    let usual = |s: &Value| -> Vec<String> {
        s["flake_causes"]["diff"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["usual"].to_string())
            .collect()
    };
    if m["flake_causes"]["diff"].as_array().unwrap().is_empty() {
        assert!(
            m["flake_causes"]["diff_of"]
                .as_str()
                .unwrap()
                .starts_with("not merged"),
            "{m}"
        );
    } else {
        assert_eq!(
            usual(&m),
            usual(&w),
            "the diff is against the whole run's usual outcome"
        );
    }
    // The replay command reproduces the merged first failure.
    let command = m["replay"].as_str().expect("a replay command").to_string();
    let output = crate::common::run_printed(&command);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("REPRODUCED"), "{command}\n{text}");
    assert!(!text.contains("NOT REPRODUCED"), "{command}\n{text}");
}

#[test]
fn a_shard_claiming_a_huge_count_is_refused_at_once() {
    // A tampered report claiming 2^64 − 1 shards: no walk over the missing ones.
    let base = tempfile::tempdir().expect("temp dir");
    let dirs = shards(base.path(), 8, 2);
    for dir in &dirs {
        edit(dir, |r| r["shard"]["count"] = Value::from(u64::MAX));
    }
    let why = refused(&merge(&dirs, &base.path().join("m")));
    assert!(
        why.contains(&format!("shard 3/{}", u64::MAX)) && why.contains("more are missing"),
        "{why}"
    );
}
