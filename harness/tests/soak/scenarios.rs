//! The shipped scenarios: all clean, the canary failing as it must, every one with a story.

use crate::common::soak;

const SEED_SCENARIOS: [&str; 13] = [
    "isolation-globals",
    "isolation-functions",
    "isolation-tables-metatables",
    "fresh-vm-identity",
    "fanin-stress-20",
    "fanin-order",
    "failing-branch",
    "timeout-per-branch",
    "memory-limit",
    "state-deep-copy",
    "multi-node-branches",
    "goto-loop",
    "both-dialects",
];

#[test]
fn shipped_scenarios_are_clean_and_the_canary_fails_as_it_must() {
    let run = soak(&[
        "scenarios",
        "--include-canary",
        "--iterations",
        "40",
        "--seed",
        "1",
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let r = run.json();
    let scenarios = r["scenarios"].as_array().unwrap();
    for name in SEED_SCENARIOS.iter().chain(&["seeded-random"]) {
        let s = run.scenario(name);
        assert_eq!(s["status"], "clean", "{name}: {s}");
        assert!(
            !s["story"].as_str().unwrap().is_empty(),
            "{name} names its story"
        );
        assert_eq!(s["iterations"]["run"], 40);
    }
    let canary = run.scenario("canary");
    assert_eq!(
        (canary["status"].as_str(), canary["ok"].as_bool()),
        (Some("failing"), Some(true))
    );
    assert_eq!(r["totals"]["expected_failures"], 1);
    assert_eq!(r["totals"]["error"], 0);
    assert!(scenarios.len() >= 15);
}

#[test]
fn the_default_set_leaves_the_canary_out() {
    let run = soak(&["--iterations", "5", "--seed", "2"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(!run.stdout.contains(" canary"), "{}", run.stdout);
    let shipped = std::fs::read_dir(crate::common::root().join("scenarios"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "yaml")
        })
        .count();
    assert_eq!(
        run.json()["totals"]["clean"],
        shipped - 1,
        "all but the canary"
    );
}

#[test]
fn every_shipped_scenario_says_why_its_timing_cannot_flake() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let header: String = text
            .lines()
            .take_while(|l| l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            header.contains("Timing"),
            "{}: its header comment does not say why its timing cannot flake \
             (a `# Timing ...` line)",
            path.display()
        );
        seen += 1;
    }
    assert!(
        seen >= 15,
        "only {seen} scenarios found in {}",
        dir.display()
    );
}
