//! Flake reports that point at the cause: the knob breakdown names the knob a flake follows
//! (by value, or by flipping the hash seed), and the outcome diff names the paths that differ.

use serde_json::Value;

use crate::common::{fixture, soak};

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_pairs_order_flake_follows_the_hash_seed_and_its_diff_names_the_keys() {
    let run = soak(&[
        &fixture("explore/pairs-order.yaml"),
        "-n",
        "120",
        "--seed",
        "3",
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let causes = &run.scenario("pairs-order")["flake_causes"];
    let flip = &causes["flips"][0];
    assert_eq!(flip["knob"], "hash_seed");
    assert!(flip["flips"].as_u64().unwrap() >= 2, "{flip}");
    assert_eq!(flip["followed"], flip["flips"], "{flip}");
    let paths: Vec<&str> = causes["diff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["keys"]);
    // No knob with values varied (one worker cap, one engine thread): no value line.
    assert!(causes["knobs"].as_array().unwrap().is_empty());
    assert!(
        run.stdout.contains("cause: swapping only the hash seed"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("diff: keys: \""), "{}", run.stdout);
    assert!(
        run.file("report.md")
            .contains("What the failing iterations have in common")
    );
}

#[test]
fn a_flake_on_one_worker_only_is_pinned_on_the_worker_cap() {
    let run = soak(&[
        &fixture("soak/one-worker-only.yaml"),
        "--mutant",
        "timeout-leak",
        "--seed",
        "5",
        "--jobs",
        "2",
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let causes = &run.scenario("one-worker-only")["flake_causes"];
    let summary = strings(&causes["summary"]);
    assert_eq!(summary.len(), 1, "{summary:?}");
    assert!(summary[0].contains("with workers = 1"), "{summary:?}");
    let one = causes["knobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["knob"] == "workers" && k["value"] == "1")
        .expect("a row for workers = 1");
    assert_eq!(one["separates"], true);
    assert_eq!(one["failures"], one["runs"]);
    let four = causes["knobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["value"] == "4")
        .expect("a row for workers = 4");
    assert_eq!(four["failures"], 0);
    let paths: Vec<&str> = causes["diff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["a", "b", "c"]);
    assert_eq!(causes["diff"][0]["usual"], "true");
    assert_eq!(causes["diff"][0]["divergent"], "false");
    let flip = &causes["flips"][0];
    assert_eq!(
        flip["followed"], 0,
        "the hash seed does not decide it: {flip}"
    );
    assert!(run.stdout.contains("cause: fails 100% ("), "{}", run.stdout);
}
