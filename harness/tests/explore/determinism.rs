//! `--check-determinism` runs every schedule twice and names what differed.

use crate::common::{campaign, fixture};

#[test]
fn address_hashed_pairs_order_is_reported_as_nondeterministic() {
    let run = campaign(
        "explore",
        &[
            &fixture("explore/address-order.yaml"),
            "--check-determinism",
            "--schedules",
            "20",
            "--seed",
            "1",
        ],
    );
    assert_eq!(
        run.code, 2,
        "nondeterminism makes the scenario flaky\n{}",
        run.stdout
    );
    let s = run.scenario("address-order");
    assert_eq!(s["status"], "flaky");
    let e = &s["explore"];
    assert!(
        e["nondeterministic_count"].as_u64().unwrap() > 0,
        "{}",
        run.stdout
    );
    let first = e["nondeterministic"][0].as_str().unwrap();
    assert!(
        first.contains("the same schedule and seed gave outcome ok ("),
        "{first}"
    );
    assert!(run.stdout.contains("nondeterministic: "), "{}", run.stdout);
}

#[test]
fn a_deterministic_scenario_passes_the_check() {
    let run = campaign(
        "explore",
        &[
            crate::PAIRS,
            "--check-determinism",
            "--schedules",
            "20",
            "--seed",
            "1",
        ],
    );
    // pairs() order follows the hash seed, which follows the schedule's seed: every
    // schedule is the same when run again (the scenario is still flaky across schedules).
    let s = run.scenario("pairs-order");
    assert_eq!(s["explore"]["nondeterministic_count"], 0, "{}", run.stdout);
}
