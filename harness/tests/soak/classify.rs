//! Each class of scenario gets its label, its report entry and its exit code.

use crate::common::{fixture, soak};

#[test]
fn a_clean_scenario_exits_0_with_one_outcome_and_a_rule_of_three_bound() {
    let run = soak(&[&fixture("soak/trivial-4.yaml"), "--seed", "3"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let s = run.scenario("trivial-4");
    assert_eq!(s["status"], "clean");
    assert_eq!(s["ok"], true);
    assert_eq!(s["iterations"]["run"], 200);
    assert_eq!(s["fingerprints"]["distinct"], 1);
    assert_eq!(s["failures"]["failures"], 0);
    assert_eq!(s["failures"]["rule_of_three"], 3.0 / 200.0);
    assert!(run.replay_commands().is_empty());
    assert!(run.stdout.contains("     CLEAN ["), "{}", run.stdout);
}

#[test]
fn the_nondeterministic_fixture_is_flaky_with_a_rate_an_interval_and_a_replay() {
    let run = soak(&[&fixture("soak/flaky-random.yaml"), "--seed", "11"]);
    assert_eq!(run.code, 2, "flaky exits 2\n{}", run.stdout);
    let s = run.scenario("flaky-random");
    assert_eq!(s["status"], "flaky");
    let failures = s["failures"]["failures"].as_u64().unwrap();
    let rate = s["failures"]["rate"].as_f64().unwrap();
    let [low, high] = [0, 1].map(|i| s["failures"]["wilson95"][i].as_f64().unwrap());
    // One roll in ten is unlucky: over 400 iterations some, but far from all, fail.
    assert!(failures > 0 && failures < 400, "{failures}");
    assert!(low < rate && rate < high, "{low} < {rate} < {high}");
    assert!(low > 0.0 && high < 1.0);
    assert_eq!(s["failures"]["rule_of_three"], serde_json::Value::Null);
    assert_eq!(s["fingerprints"]["distinct"], 2);
    let token = crate::common::token_of(s["replay"].as_str().unwrap());
    assert_eq!(token.seed, s["first_bad"]["seed"].as_str().unwrap());
    assert_eq!(token.expect, None, "a violation, not a divergence");
    assert_eq!(run.replay_commands().len(), 1, "{}", run.stdout);
    assert!(run.stdout.contains("     FLAKY ["), "{}", run.stdout);
    assert!(run.stdout.contains("(95% CI "), "{}", run.stdout);
}

#[test]
fn a_deterministic_failure_is_failing_not_flaky() {
    let run = soak(&[&fixture("soak/always-failing.yaml")]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let s = run.scenario("always-failing");
    assert_eq!(s["status"], "failing");
    assert_eq!(s["failures"]["failures"], 50);
    assert_eq!(s["invariants"][0]["violations"], 50);
    let first = s["first_bad"]["message"].as_str().unwrap();
    assert!(first.contains("`state.count` is 2, expected 3"), "{first}");
    assert!(run.stdout.contains("   FAILING ["), "{}", run.stdout);
    assert_eq!(run.replay_commands().len(), 1);
}

#[test]
fn differing_outcomes_alone_make_a_scenario_flaky() {
    let run = soak(&[&fixture("soak/divergent.yaml"), "--seed", "5"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let s = run.scenario("divergent");
    assert_eq!(s["status"], "flaky");
    assert_eq!(s["invariants"][0]["violations"], 0);
    assert_eq!(s["divergent"], s["failures"]["failures"]);
    assert!(s["divergent"].as_u64().unwrap() > 0);
    let token = crate::common::token_of(s["replay"].as_str().unwrap());
    let usual = s["fingerprints"]["table"][0]["fingerprint"]
        .as_str()
        .unwrap();
    assert_eq!(
        token.expect.as_deref(),
        Some(usual),
        "the token carries the usual outcome"
    );
}

#[test]
fn a_bad_file_is_an_error_and_the_other_scenarios_still_run() {
    let run = soak(&[&fixture("soak-folder")]);
    assert_eq!(run.code, 3, "bad input exits 3\n{}", run.stdout);
    let good = run.scenario("folder-clean");
    assert_eq!(good["status"], "clean");
    assert_eq!(good["iterations"]["run"], 30);
    let bad = run.scenario("b-unknown-key");
    assert_eq!(bad["status"], "error");
    let error = bad["error"].as_str().unwrap();
    assert!(
        error.contains("b-unknown-key.yaml:8:1") && error.contains("unknown field `expectations`"),
        "{error}"
    );
    assert!(run.stdout.contains("     ERROR ["), "{}", run.stdout);
}

#[test]
fn a_canary_in_a_folder_runs_only_with_include_canary_and_its_failure_is_success() {
    let without = soak(&[&fixture("soak-folder")]);
    assert!(
        !without.stdout.contains("folder-canary"),
        "{}",
        without.stdout
    );
    let with = soak(&[&fixture("soak-folder"), "--include-canary"]);
    let canary = with.scenario("folder-canary");
    assert_eq!(canary["status"], "failing");
    assert_eq!(canary["expect_failure"], true);
    assert_eq!(canary["ok"], true);
    assert!(with.stdout.contains("     XFAIL ["), "{}", with.stdout);
    assert_eq!(with.json()["totals"]["expected_failures"], 1);
    // The folder's bad file still decides the exit code.
    assert_eq!(with.code, 3);
    let named = soak(&[&fixture("soak-folder/c-canary.yaml")]);
    assert_eq!(
        named.code, 0,
        "a named canary runs, and failing is its success"
    );
}

#[test]
fn a_canary_that_passes_fails_the_run() {
    let run = soak(&[&fixture("soak/passing-canary.yaml")]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let s = run.scenario("passing-canary");
    assert_eq!(
        (s["status"].as_str(), s["ok"].as_bool()),
        (Some("clean"), Some(false))
    );
    assert!(run.stdout.contains("     XPASS ["), "{}", run.stdout);
    assert_eq!(run.json()["totals"]["unexpected_passes"], 1);
}

#[test]
fn fail_fast_stops_the_scenario_and_skips_the_rest() {
    let run = soak(&[
        &fixture("soak/always-failing.yaml"),
        &fixture("soak/trivial-4.yaml"),
        "--fail-fast",
        "--jobs",
        "1",
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let report = run.json();
    assert_eq!(report["complete"], false);
    let failing = run.scenario("always-failing");
    assert_eq!(
        failing["iterations"]["run"], 1,
        "stops at the first bad iteration"
    );
    assert_eq!(run.scenario("trivial-4")["status"], "not_run");
}

#[test]
fn the_run_seed_is_printed_first_and_fixes_every_iteration() {
    let args = [
        fixture("soak/flaky-random.yaml"),
        "--seed".into(),
        "0x2a".into(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let a = soak(&[&args[..], &["--jobs", "2"]].concat());
    let b = soak(&[&args[..], &["--jobs", "1"]].concat());
    assert_eq!(a.stdout.lines().next(), Some("SEED=42"));
    assert_eq!(a.json()["run_seed"], "42");
    let (sa, sb) = (a.scenario("flaky-random"), b.scenario("flaky-random"));
    assert_eq!(
        sa["fingerprints"], sb["fingerprints"],
        "same seed, same outcomes"
    );
    assert_eq!(sa["first_bad"], sb["first_bad"]);
    let c = soak(&[&fixture("soak/flaky-random.yaml"), "--seed", "43"]);
    assert_ne!(c.scenario("flaky-random")["first_bad"], sa["first_bad"]);
}

#[test]
fn some_lua_errors_among_successes_are_flaky_not_failing() {
    let run = soak(&[&fixture("soak/errors-sometimes.yaml"), "--seed", "7"]);
    let s = run.scenario("errors-sometimes");
    let failures = s["failures"]["failures"].as_u64().unwrap();
    assert!(failures > 0 && failures < 20, "{}", run.stdout);
    assert_eq!(s["status"], "flaky", "{}", run.stdout);
    assert_eq!(run.code, 2);
}

#[test]
fn a_bug_that_breaks_every_iteration_differently_is_failing_with_its_signatures() {
    let run = soak(&[&fixture("soak/broken-every-way.yaml"), "--seed", "7"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let s = run.scenario("broken-every-way");
    assert_eq!(s["status"], "failing");
    assert_eq!(s["failures"]["failures"], 30);
    let signatures = s["failure_signatures"].as_array().unwrap();
    assert_eq!(
        signatures.len(),
        2,
        "a Lua error, and a wrong final state: {signatures:?}"
    );
    let total: u64 = signatures
        .iter()
        .map(|r| r["count"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 30);
    assert!(
        signatures
            .iter()
            .any(|r| r["signature"] == "#1 final_state / lua error at node `bug`"),
        "{signatures:?}"
    );
    assert!(run.stdout.contains("failed as: "), "{}", run.stdout);
}
