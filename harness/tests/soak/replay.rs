//! The round trip: soak finds a bad iteration, prints a command, the command reproduces it.

use crate::common::{fixture, run_printed, soak};

#[test]
fn the_printed_replay_reproduces_the_first_flaky_iteration() {
    let run = soak(&[
        &fixture("soak/flaky-random.yaml"),
        "--seed",
        "7",
        "--jobs",
        "2",
    ]);
    assert_eq!(run.code, 2);
    let [command] = run
        .replay_commands()
        .try_into()
        .expect("one replay command");
    let bad = run.scenario("flaky-random")["first_bad"].clone();
    assert_eq!(
        crate::common::token_of(&command).seed,
        bad["seed"].as_str().unwrap()
    );
    let replay = run_printed(&command);
    let out = String::from_utf8_lossy(&replay.stdout);
    assert_eq!(
        replay.status.code(),
        Some(1),
        "a reproduced failure exits 1\n{out}"
    );
    assert!(out.contains("REPRODUCED"), "{out}");
    let message = bad["message"].as_str().unwrap();
    assert!(
        out.contains(&format!("VIOLATED {message}")),
        "{message}\n{out}"
    );
    // The bad outcome's fingerprint is the rarer of the two the soak saw.
    let table = run.scenario("flaky-random")["fingerprints"]["table"].clone();
    let rare = table[1]["fingerprint"].as_str().unwrap();
    assert!(
        out.contains(&format!("fingerprint: {rare}")),
        "{rare}\n{out}"
    );
}

#[test]
fn the_printed_replay_reproduces_a_diverging_outcome_by_fingerprint() {
    let run = soak(&[&fixture("soak/divergent.yaml"), "--seed", "9"]);
    assert_eq!(run.code, 2);
    let [command] = run
        .replay_commands()
        .try_into()
        .expect("one replay command");
    let replay = run_printed(&command);
    let out = String::from_utf8_lossy(&replay.stdout);
    assert_eq!(replay.status.code(), Some(1), "{out}");
    assert!(out.contains("DIVERGED"), "{out}");
}

#[test]
fn replaying_a_good_iteration_does_not_reproduce_anything() {
    let run = soak(&[&fixture("soak/flaky-random.yaml"), "--seed", "7"]);
    let usual = run.scenario("flaky-random")["fingerprints"]["table"][0].clone();
    let seed = usual["example_seed"].as_str().unwrap();
    let command = format!(
        "harness soak {} --replay {seed} --expect-fingerprint {}",
        fixture("soak/flaky-random.yaml"),
        usual["fingerprint"].as_str().unwrap()
    );
    let replay = run_printed(&command);
    let out = String::from_utf8_lossy(&replay.stdout);
    assert_eq!(replay.status.code(), Some(0), "{out}");
    assert!(out.contains("NOT REPRODUCED"), "{out}");
}

#[test]
fn the_failing_scenarios_replay_reproduces_its_violation() {
    let run = soak(&[&fixture("soak/always-failing.yaml")]);
    let [command] = run
        .replay_commands()
        .try_into()
        .expect("one replay command");
    let replay = run_printed(&command);
    let out = String::from_utf8_lossy(&replay.stdout);
    assert_eq!(replay.status.code(), Some(1), "{out}");
    assert!(
        out.contains("VIOLATED #1 final_state: `state.count` is 2, expected 3"),
        "{out}"
    );
}

#[test]
fn replay_needs_exactly_one_scenario_file() {
    let folder = crate::common::harness()
        .args(["soak", &fixture("soak-folder"), "--replay", "1"])
        .output()
        .unwrap();
    assert_eq!(folder.status.code(), Some(3));
    let err = String::from_utf8_lossy(&folder.stderr);
    assert!(err.contains("failed to replay"), "{err}");
}

#[test]
fn a_chaos_override_is_in_the_replay_token_and_still_reproduces() {
    let run = soak(&[
        &fixture("soak/flaky-random.yaml"),
        "--seed",
        "3",
        "--chaos",
        "heavy",
    ]);
    assert_eq!(run.code, 2);
    let [command] = run
        .replay_commands()
        .try_into()
        .expect("one replay command");
    let token = crate::common::token_of(&command);
    assert_eq!(token.knobs.chaos, engine::ChaosLevel::Heavy, "{command}");
    let replay = run_printed(&command);
    let out = String::from_utf8_lossy(&replay.stdout);
    assert_eq!(replay.status.code(), Some(1), "{out}");
    assert!(out.contains("knobs: chaos heavy"), "{out}");
}
