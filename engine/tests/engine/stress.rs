//! Seed TD.4: fan-in bookkeeping must never lose or duplicate a result.

use engine::sync::counters::live_vms;

use crate::common::*;

#[test]
fn twenty_branches_times_fifty_runs_collect_every_result() {
    let names: Vec<String> = (0..20).map(|i| format!("b{i:02}")).collect();
    let code = "sleep_ms(math.random(0, 2))\nreturn { id = branch.index, sq = branch.index * branch.index }";
    let branches: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), code)).collect();
    for dialect in BOTH {
        let wf = load(&fan_out(
            dialect,
            "return {}",
            &branches,
            KEEP_RESULTS,
            "{ max_parallel_branches: 4 }",
        ));
        for seed in 0..50 {
            let state = ok_state(&wf, seed);
            let r = results(&state);
            assert_eq!(r.len(), 20, "{dialect:?} run {seed}: lost results");
            for (i, entry) in r.iter().enumerate() {
                assert_eq!(entry["branch"], names[i].as_str());
                assert_eq!(entry["state"]["id"], i as i64 + 1);
                assert_eq!(entry["state"]["sq"], (i as i64 + 1) * (i as i64 + 1));
            }
        }
    }
    assert_eq!(live_vms(), 0, "every VM was dropped");
}
