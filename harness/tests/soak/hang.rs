//! Runaway code nothing in the process can stop (Lua's pattern matcher): in process
//! isolation the iteration ends as a hang at its hard deadline, its worker is replaced and
//! the soak goes on, keeping every other iteration; the hang's replay command reproduces
//! the hang. In thread isolation the run stops there, with its report written and why.

use crate::common::{fixture, run_printed, soak};

#[test]
fn a_hang_in_a_worker_is_a_failure_the_worker_is_replaced_and_the_soak_goes_on() {
    // One worker, so the iterations after a hang need a fresh one.
    let run = soak(&[
        &fixture("soak/hang-sometimes.yaml"),
        "--seed",
        "3",
        "--jobs",
        "1",
    ]);
    let s = run.scenario("hang-sometimes");
    assert_eq!(
        s["iterations"]["run"], 6,
        "every iteration is accounted for"
    );
    let hangs = s["hangs"].as_u64().unwrap();
    assert!((1..6).contains(&hangs), "{}", run.stdout);
    assert_eq!(s["status"], "flaky");
    assert_eq!(s["failures"]["failures"], hangs);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let first = s["first_bad"]["message"].as_str().unwrap();
    assert!(
        first.starts_with("hang: node `matcher` in branch `matcher`")
            && first.contains("hard deadline of 1s"),
        "{first}"
    );
    // The flake report's replays stop at the first that hangs: the failing iteration's
    // rerun hangs again, so there is no diff and no flip (each would cost a hard deadline).
    let causes = &s["flake_causes"];
    assert_eq!(
        causes["diff_of"], "the replays to compare did not finish",
        "{causes}"
    );
    assert_eq!(
        causes["flips"].as_array().map(Vec::len),
        Some(0),
        "{causes}"
    );
    let workers = &run.json()["host"]["workers"];
    assert_eq!(workers["hangs"], hangs);
    assert_eq!(workers["live_vms_max"], 0);
    // Iterations after the first hang still ran, on a fresh worker.
    let first_hang = s["first_bad"]["iteration"].as_u64().unwrap();
    assert!(
        first_hang < 5,
        "seed 3 hangs before the last iteration: {first_hang}"
    );
    assert!(
        workers["spawned"].as_u64().unwrap() >= 2,
        "a fresh worker after the hang: {workers}"
    );
    // The replay command reproduces the hang, under the same hard deadline.
    let replay = run.replay_commands();
    let out = run_printed(&replay[0]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("outcome: hang: node `matcher`") && text.contains("REPRODUCED"),
        "{text}"
    );
}

#[test]
fn in_thread_isolation_a_hang_stops_the_run_with_its_report_and_says_why() {
    let run = soak(&[
        &fixture("soak/hang-sometimes.yaml"),
        &fixture("soak/trivial-4.yaml"),
        "--seed",
        "3",
        "--jobs",
        "1",
        "--isolation",
        "thread",
    ]);
    let r = run.json();
    assert_eq!(r["complete"], false);
    let why = r["stopped"].as_str().unwrap();
    assert!(
        why.contains("hang-sometimes") && why.contains("cannot be killed"),
        "{why}"
    );
    assert!(
        run.stdout.contains("Stopped in scenario `hang-sometimes`"),
        "{}",
        run.stdout
    );
    let s = run.scenario("hang-sometimes");
    assert_eq!(s["hangs"], 1);
    assert_eq!(run.scenario("trivial-4")["status"], "not_run");
    assert_eq!(
        run.code, 2,
        "one iteration passed, the hang failed: {}",
        run.stdout
    );
}

#[test]
fn runaway_lua_the_vm_can_stop_ends_every_iteration_on_its_own() {
    let run = soak(&[&fixture("soak/runaway-in-vm.yaml"), "--seed", "1"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let s = run.scenario("runaway-in-vm");
    assert_eq!(s["status"], "clean");
    assert_eq!(s["hangs"], 0);
    assert_eq!(s["iterations"]["run"], 5);
}
