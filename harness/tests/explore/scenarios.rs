//! Every shipped scenario explores clean.

use crate::common::campaign;

#[test]
fn every_shipped_scenario_is_clean_under_200_pct_schedules() {
    let run = campaign(
        "explore",
        &["scenarios", "--schedules", "200", "--seed", "1"],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    let r = run.json();
    assert_eq!(r["mode"], "explore");
    let scenarios = r["scenarios"].as_array().unwrap();
    assert!(scenarios.len() >= 10, "{}", run.stdout);
    for s in scenarios {
        assert_eq!(s["status"], "clean", "{}: {}", s["name"], run.stdout);
        assert_eq!(s["iterations"]["run"], 200, "{}", s["name"]);
        let e = &s["explore"];
        assert_eq!(e["scheduler"], "pct");
        assert!(
            e["max_steps"].as_u64().unwrap() > 0,
            "{}: steps measured",
            s["name"]
        );
    }
    assert!(run.stdout.contains(" schedules ("), "{}", run.stdout);
}
