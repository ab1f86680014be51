//! A soak failure that depends on the OS schedule is handed to explore, which finds the same
//! failure signature and returns a token that reproduces it. Driven through the library, so
//! the soak failure is given (a real soak cannot be made to fail this way on demand).

use std::sync::Arc;
use std::time::Duration;

use harness::campaign::Soaked;
use harness::campaign::{ExploreStats, Isolation, Plan, WorkerStats};
use harness::explore::{ExploreParams, Explorer, SchedulerKind};
use harness::iteration::Overrides;
use harness::mutants::plant::Mutant;
use harness::outcome::{Outcome, Tally, classify};
use harness::replay::handoff::handoff;
use harness::replay::token::Mode;
use harness::scenario::Scenario;

use crate::PLANTED;
use crate::common::{harness, root};

fn planted() -> Arc<Scenario> {
    harness::campaign::set_worker_exe(env!("CARGO_BIN_EXE_harness"));
    Arc::new(
        harness::scenario::load::load_file(&root().join(PLANTED), None).expect("the fixture loads"),
    )
}

fn plan(mutant: Mutant) -> Plan {
    Plan {
        run_seed: 11,
        jobs: 1,
        overrides: Overrides {
            mutant,
            ..Overrides::default()
        },
        fail_fast: false,
        isolation: Isolation::Process,
        hard_deadline: None,
        shard: None,
        explore: None,
    }
}

/// A failing outcome of the planted race, as a soak iteration would report it.
fn race_outcome(scenario: &Arc<Scenario>) -> Outcome {
    let overrides = Overrides {
        mutant: Mutant::UnlockedFanin,
        ..Overrides::default()
    };
    let params = ExploreParams {
        scheduler: SchedulerKind::Random,
        depth: 1,
        max_steps: 0,
    };
    let mut explorer = Explorer::new(scenario.clone(), 1, overrides, params, 100);
    (0..100)
        .filter_map(|i| explorer.run(i))
        .map(|e| e.outcome)
        .find(Outcome::failed)
        .expect("the race shows up in 100 random schedules")
}

/// A soak that saw the race once, in iteration 7 of 10.
fn soaked_with_the_race(scenario: &Arc<Scenario>) -> Soaked {
    let labels = scenario
        .invariants
        .iter()
        .map(|i| i.label.clone())
        .collect();
    let mut tally = Tally::new(labels);
    let race = race_outcome(scenario);
    let fine = harness::iteration::run_iteration(
        scenario,
        1,
        &harness::iteration::Knobs::derive(scenario, 1, &Overrides::default()),
        None,
    )
    .1;
    assert!(!fine.failed());
    for i in 0..10 {
        tally.record(i, 100 + i, if i == 7 { &race } else { &fine }, &[]);
    }
    Soaked {
        tally,
        elapsed: Duration::from_millis(10),
        failed_fast: false,
        halt: None,
        workers: WorkerStats::default(),
        explore: ExploreStats::default(),
    }
}

#[test]
fn explore_finds_the_schedule_and_its_token_reproduces_20_of_20() {
    let scenario = planted();
    let soaked = soaked_with_the_race(&scenario);
    let target = classify(&soaked.tally, scenario.deterministic)
        .replay
        .expect("a failure to reproduce");
    assert_eq!(target.iteration, 7);
    let dir = tempfile::tempdir().unwrap();
    let plan = plan(Mutant::UnlockedFanin);
    let (command, shrunk) =
        handoff(&scenario, &soaked, &plan, &target, dir.path()).expect("explore finds the race");
    assert_eq!(shrunk.token.mode, Mode::Explore);
    assert_eq!(shrunk.preemptions.1, Some(1), "shrunk to one preemption");
    let token = command.command.strip_prefix("harness replay ").unwrap();
    let out = harness()
        .args(["replay", token, "--times", "20"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("REPRODUCED 20 of 20 replays"), "{text}");
    assert!(
        text.contains("VIOLATED #1 final_state: `state.branches` is 1, expected 2"),
        "{text}"
    );
}

#[test]
fn without_the_bug_explore_finds_no_such_schedule() {
    let scenario = planted();
    let soaked = soaked_with_the_race(&scenario);
    let target = classify(&soaked.tally, scenario.deterministic)
        .replay
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The real engine: the failure cannot be found, and no token is made up.
    assert!(handoff(&scenario, &soaked, &plan(Mutant::None), &target, dir.path()).is_none());
}
