//! The planted race (a depth-2 lost update in the fan-in collector, `--mutant
//! unlocked-fanin`) is caught by every scheduler, and shrunk to one preemption; the real
//! engine is clean on every schedule of a small fan-in, and DFS says it saw them all.

use crate::PLANTED;
use crate::common::campaign;

fn explore_planted(scheduler: &str, mutant: bool) -> crate::common::Soak {
    // DFS goes through the schedules in order (592 of them before this one on seed 3, the
    // helper pool's steps included); PCT and random need a few.
    let schedules = if scheduler == "dfs" { "1000" } else { "500" };
    let mut args = vec![
        PLANTED,
        "--scheduler",
        scheduler,
        "--schedules",
        schedules,
        "--seed",
        "3",
    ];
    if mutant {
        args.extend(["--mutant", "unlocked-fanin"]);
    }
    campaign("explore", &args)
}

fn assert_caught(scheduler: &str) {
    let run = explore_planted(scheduler, true);
    assert_ne!(run.code, 0, "{}", run.stdout);
    let s = run.scenario("planted-race");
    assert!(
        matches!(s["status"].as_str(), Some("flaky" | "failing")),
        "{}",
        run.stdout
    );
    let message = s["first_bad"]["message"].as_str().unwrap();
    assert!(
        message.contains("`state.branches` is 1, expected 2"),
        "{message}"
    );
    let [found, shrunk] = [0, 1].map(|i| s["explore"]["preemptions"][i].as_u64().unwrap());
    assert_eq!(
        shrunk, 1,
        "the race needs exactly one preemption (found with {found})"
    );
    assert!(found >= shrunk);
    assert!(s["reproduction"].as_str().unwrap().contains("shrunk from"));
    let token = crate::common::token_of(s["replay"].as_str().unwrap());
    let schedule = token.schedule.expect("an explore token holds its schedule");
    assert_eq!(schedule.preemptions, 1);
    assert_eq!(schedule.params.scheduler.as_str(), scheduler);
}

#[test]
fn pct_catches_the_planted_race() {
    assert_caught("pct");
}

#[test]
fn random_catches_the_planted_race() {
    assert_caught("random");
}

#[test]
fn dfs_catches_the_planted_race() {
    assert_caught("dfs");
}

#[test]
fn the_real_engine_is_clean_on_every_schedule_of_a_small_fan_in() {
    let tiny = crate::common::fixture("explore/tiny-fanin.yaml");
    let run = campaign(
        "explore",
        &[
            &tiny,
            "--scheduler",
            "dfs",
            "--schedules",
            "100000",
            "--seed",
            "3",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    let s = run.scenario("tiny-fanin");
    assert_eq!(s["status"], "clean");
    assert_eq!(s["explore"]["exhaustive"], true, "{}", run.stdout);
    assert_eq!(s["complete"], true, "an exhausted search is complete");
    let ran = s["iterations"]["run"].as_u64().unwrap();
    assert!(ran > 10 && ran < 100_000, "{ran}");
    assert!(
        run.stdout.contains("every schedule explored"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_bounded_dfs_that_runs_out_of_budget_is_not_called_exhaustive() {
    let run = campaign(
        "explore",
        &[
            PLANTED,
            "--scheduler",
            "dfs",
            "--schedules",
            "5",
            "--seed",
            "3",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    let s = run.scenario("planted-race");
    assert_eq!(s["explore"]["exhaustive"], false);
    assert_eq!(s["iterations"]["run"], 5);
}

#[test]
fn the_first_failure_keeps_its_schedule_among_many_divergent_ones() {
    // `both-dialects` is not deterministic (its outcome follows the seed): every schedule
    // differs from schedule 0's, and none of that may crowd out the first real failure.
    let run = campaign(
        "explore",
        &[
            "scenarios/both-dialects.yaml",
            "--mutant",
            "shared-vm",
            "--schedules",
            "100",
            "--seed",
            "3",
        ],
    );
    let s = run.scenario("both-dialects");
    assert_ne!(s["status"], "clean", "{}", run.stdout);
    let replay = s["replay"].as_str().unwrap();
    assert!(
        replay.starts_with("harness replay bp2."),
        "no token: {replay}"
    );
}

#[test]
fn a_hang_is_one_hang_in_explore_as_in_soak() {
    // Schedule i runs with iteration i's seed: the same ones draw the pattern matcher.
    let fixture = crate::common::fixture("soak/hang-sometimes.yaml");
    let args = [fixture.as_str(), "--seed", "7", "--jobs", "2"];
    let soak = crate::common::soak(&[&args[..], &["--iterations", "6"]].concat());
    let explore = campaign("explore", &[&args[..], &["--schedules", "6"]].concat());
    let hangs = |r: &crate::common::Soak| r.scenario("hang-sometimes")["hangs"].as_u64().unwrap();
    assert!(hangs(&soak) > 0, "seed 7 draws a hang: {}", soak.stdout);
    assert_eq!(
        hangs(&explore),
        hangs(&soak),
        "{}\n{}",
        soak.stdout,
        explore.stdout
    );
}
